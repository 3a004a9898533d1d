"""Helpers the live-page browser tests share."""

import json

from playwright.sync_api import expect


def live(page):
    """Wait until the page's websockets are open: what happens next reaches it."""
    expect(page.locator("html")).to_have_attribute("data-live", "open")


def remember_this_page(page):
    page.evaluate("window.__sameDocument = true")


def was_not_reloaded(page) -> bool:
    return page.evaluate("window.__sameDocument === true")


class FlakyPipe:
    """Routes the page's websockets whose path matches ``path`` (a compiled pattern) through
    Playwright, like a flaky network: forwards both ways unless told to drop what the server
    sends (``dropping``; kept in ``dropped``), cuts the newest connection (``cut``), and while
    ``offline`` refuses new connections (counted in ``refused``). ``greeted`` says whether a
    socket through it got the server's ``hello``: the server joined it to its groups, so an
    event published from then on reaches it (or ``dropped``)."""

    def __init__(self, page, path):
        self.dropping = False
        self.offline = False
        self.dropped = []
        self.refused = 0
        self.routes = []
        self.hellos = 0
        page.route_web_socket(path, self._connect)

    def _connect(self, ws):
        if self.offline:
            self.refused += 1
            ws.close(code=4000, reason="network down")
            return
        server = ws.connect_to_server()
        self.routes.append(ws)

        def from_server(message):
            if json.loads(message).get("event") == "hello":
                self.hellos += 1
            if self.dropping:
                self.dropped.append(json.loads(message))
            else:
                ws.send(message)

        server.on_message(from_server)

    def greeted(self) -> bool:
        return self.hellos > 0

    def cut(self):
        self.routes[-1].close(code=4000, reason="network trouble")
