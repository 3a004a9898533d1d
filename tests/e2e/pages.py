"""Helpers the live-page browser tests share."""

from playwright.sync_api import expect


def live(page):
    """Wait until the page's websockets are open: what happens next reaches it."""
    expect(page.locator("html")).to_have_attribute("data-live", "open")


def remember_this_page(page):
    page.evaluate("window.__sameDocument = true")


def was_not_reloaded(page) -> bool:
    return page.evaluate("window.__sameDocument === true")
