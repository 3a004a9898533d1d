"""The one Markdown renderer (sessions_app.rendering): markdown-it-py with raw HTML off, then
nh3. Every place a message is shown uses it: the session transcript, the handoff-context
screen's transcript and the API's ``body_html``."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from handoffs import services as handoff_services
from sessions_app.models import MessageKind
from sessions_app.rendering import render_markdown

from .factories import MessageFactory, SessionFactory

ASSISTANT_REPLY = ("**Next step:** Clear the DNS cache\n- Run `ipconfig /flushdns`\n- Reconnect the VPN\n\n"
                   "_Source: Flow: DNS resolution failing._")


class Elements(HTMLParser):
    """The elements a browser would build from a fragment: ``[(tag, {attribute: value})]``."""

    def __init__(self, html: str):
        super().__init__()
        self.found: list[tuple[str, dict]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def tags(html: str) -> set[str]:
    return {tag for tag, _ in Elements(html).found}


def attributes(html: str) -> set[str]:
    return {name for _, attrs in Elements(html).found for name in attrs}


def hrefs(html: str) -> list[str]:
    return [attrs["href"] for tag, attrs in Elements(html).found if tag == "a" and "href" in attrs]


# ---- what is rendered -----------------------------------------------------------------------


def test_emphasis_code_and_lists_become_html():
    html = render_markdown(ASSISTANT_REPLY)
    assert "<strong>Next step:</strong> Clear the DNS cache" in html
    assert re.sub(r">\s+<", "><", html).count("<li>") == 2
    assert "<code>ipconfig /flushdns</code>" in html
    assert "<em>Source: Flow: DNS resolution failing.</em>" in html


def test_a_single_line_break_stays_a_line_break():
    assert render_markdown("first line\nsecond line") == "<p>first line<br>\nsecond line</p>"


def test_a_fenced_code_block_keeps_its_lines_and_escapes_its_markup():
    html = render_markdown("```powershell\nGet-Service | Where Status -eq 'Stopped'\n<b>not bold</b>\n```")
    assert html.startswith("<pre><code>")
    assert "Get-Service | Where Status -eq 'Stopped'\n&lt;b&gt;not bold&lt;/b&gt;\n" in html
    assert "<b>" not in html


def test_empty_input_renders_nothing():
    assert render_markdown("") == "" and render_markdown(None) == ""


# ---- what never gets through ----------------------------------------------------------------

XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "<iframe src=https://evil.example></iframe>",
    '<svg onload="alert(1)"></svg>',
    "<style>body{display:none}</style>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](file:///etc/passwd)",
    '[click](https://ok.example "x\\" onmouseover=\\"alert(1))',
    "![tracker](https://evil.example/pixel.png)",
    "`<script>alert(1)</script>`",
    "<!-- <script>alert(1)</script> -->",
    "**<b onclick=alert(1)>bold</b>**",
    "[a](<javascript:alert(1)>)",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
]


@pytest.mark.parametrize("attempt", XSS)
def test_markup_and_script_in_a_message_never_reach_the_page(attempt):
    html = render_markdown(attempt)
    assert tags(html) <= {"p", "a", "code", "strong", "em"}, html
    assert attributes(html) <= {"href", "title", "target", "rel"}, html
    for href in hrefs(html):
        assert re.match(r"https?://|mailto:", href), html


@pytest.mark.parametrize("target", ["https://learn.microsoft.com/en-us/windows", "http://intranet.local/kb/12",
                                    "mailto:helpdesk@northwind.test"])
def test_links_to_safe_schemes_open_in_a_new_tab_without_an_opener(target):
    html = render_markdown(f"See [the article]({target}).")
    assert html == (f'<p>See <a href="{target}" target="_blank" rel="noopener noreferrer nofollow">'
                    "the article</a>.</p>")


def test_images_are_not_fetched_the_alt_text_stays_readable():
    html = render_markdown("![network diagram](https://cdn.example/diagram.png)")
    assert "<img" not in html and "network diagram" in html


# ---- every place a message is shown ---------------------------------------------------------


@pytest.fixture
def session(northwind, engineer):
    return SessionFactory(account=northwind, owner=engineer)


def test_the_session_transcript_shows_the_rendered_message(client, engineer, session):
    MessageFactory(session=session, kind=MessageKind.ASSISTANT, author=None, body=ASSISTANT_REPLY)
    MessageFactory(session=session, body="<img src=x onerror=alert(1)> [x](javascript:alert(1))")
    client.force_login(engineer)

    page = client.get(reverse("sessions:detail", args=[session.pk])).text

    assert render_markdown(ASSISTANT_REPLY) in page
    assert "<img src=x" not in page and 'href="javascript' not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_the_context_screen_renders_the_transcript_markdown_instead_of_showing_it_raw(
        client, northwind, engineer, senior, session):
    MessageFactory(session=session, kind=MessageKind.ASSISTANT, author=None, body=ASSISTANT_REPLY)
    MessageFactory(session=session, body="<script>alert(1)</script> and **this**")
    handoff = handoff_services.handoff_escalate(session=session, actor=engineer, note="DNS still fails",
                                                urgency="normal")
    client.force_login(senior)

    page = client.get(reverse("handoffs:detail", args=[handoff.pk])).text

    transcript = page[page.index('data-testid="handoff-transcript"'):]
    assert render_markdown(ASSISTANT_REPLY) in transcript
    assert "**Next step:**" not in transcript and "_Source:" not in transcript
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; and <strong>this</strong>" in transcript


def test_the_api_gives_each_message_its_rendered_html(api, viewer, session):
    MessageFactory(session=session, kind=MessageKind.ASSISTANT, author=None, body=ASSISTANT_REPLY)
    MessageFactory(session=session, body="<script>alert(1)</script>")

    rows = api.as_user(viewer).get(reverse("session-message-list", args=[session.pk])).json()["results"]

    assert [row["body_html"] for row in rows] == [render_markdown(ASSISTANT_REPLY),
                                                  "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"]
    assert rows[0]["body"] == ASSISTANT_REPLY


@pytest.mark.parametrize(("text", "href"), [
    ("see https://learn.microsoft.com/en-us/outlook/troubleshoot?x=1&y=2 now",
     "https://learn.microsoft.com/en-us/outlook/troubleshoot?x=1&y=2"),
    ("portal at http://10.0.0.5/admin", "http://10.0.0.5/admin"),
    ("(https://status.example.com/incident).", "https://status.example.com/incident"),
    ("ask ops@contoso.com", "mailto:ops@contoso.com"),
])
def test_a_pasted_url_or_email_is_a_safe_link(text, href):
    links = [attrs for tag, attrs in Elements(render_markdown(text)).found if tag == "a"]
    assert links == [{"href": href, "target": "_blank", "rel": "noopener noreferrer nofollow"}]


@pytest.mark.parametrize("text", [
    "run setup.ps1, then install.sh and read readme.md",  # extensions that are also TLDs
    "contoso.com is down", "www.contoso.com/owa", "javascript:alert(1)", "`https://in.code.example/x`",
])
def test_file_names_bare_domains_other_schemes_and_code_are_not_links(text):
    assert "<a " not in render_markdown(text).replace("<code>", "")


def test_a_linked_url_of_another_scheme_carries_no_target():
    html = render_markdown("files at ftp://files.example.com/drivers")
    assert "href" not in attributes(html)
