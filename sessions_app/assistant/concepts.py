"""The synonym vocabulary: symptom-level concepts, read the same way in tickets and runbooks.

Technicians say "C: almost out of room", "storage nearly full" and "low disk space" for one
thing; a runbook's keywords say "disk full". Each concept is a canonical name and the ways
people write it, grown from real tickets. ``concepts(text)`` returns the names found; the
search index appends them to each runbook's and session's text as tokens (``token(name)``),
and the ranking treats a shared concept as a *symptom-level* match: the only kind that may
decide a topic on its own. Product names, operating systems and hosts (the extractor's facts)
only break ties between topics.

A concept names a kind of failure, never a runbook: an account's own runbooks get the same
reading from their own names, descriptions and keywords.
"""

import re
from functools import lru_cache

_ = r"[^.;!?\n]{0,40}?"  # a few words within one sentence

# (name, pattern). Order does not matter; every concept found counts once.
CONCEPTS: tuple[tuple[str, str], ...] = (
    ("account_locked",
     rf"\block(?:ed|s|ing)?\s*-?\s*out\b|\blockouts?\b|\baccount\b{_}\block(?:ed|s|ing)\b"
     r"|\block(?:s|ed|ing)\s+(?:itself|again|up)\b|\bkeeps?\s+(?:getting\s+)?lock(?:ing|ed)\b"
     r"|\bbad\s*-?\s*password\s+count|\bunlock(?:ed|ing)?\b|\b4740\b|\bkicked\s+out\s+of\b{_}\blog\s*-?\s*in"),
    ("mfa_prompt",
     r"\bmfa\b|\b2fa\b|\bmulti-?\s*factor\b|\btwo-?\s*factor\b|\bauthenticator\b|\bapproval\b"
     r"|\bapprove\s+(?:the\s+)?(?:sign|request|prompt)|\bnumber\s+match|\bpush\s+notification"
     r"|\bverification\s+code|\bsecurity\s+defaults\b|\bconditional\s+access\b|\baadsts\d+|\bno\s+prompt"
     r"|\b(?:new|lost|replaced|upgraded|swapped)\s+(?:her\s+|his\s+|their\s+|the\s+)?(?:i?phones?|mobiles?|handsets?)\b"
     r"|\b(?:upgraded|changed|replaced|swapped|lost)\s+(?:her\s+|his\s+|their\s+)?(?:i?phones?|mobiles?)\b"
     r"|\btemporary\s+access\s+pass\b"),
    ("password_prompt",
     rf"\bpassword\s+(?:box|prompt|pop-?\s*up|window|dialog)s?\b|\bkeeps?\s+(?:asking|prompting)\b"
     rf"|\b(?:asks?|asking|prompts?|prompting)\b{_}\bfor\s+(?:the\s+|her\s+|his\s+|their\s+|a\s+)?"
     r"(?:password|credentials)\b|\bcredential\s+prompts?\b|\bpassword\s+prompts?\b|\bremember\s+my\s+credentials\b"),
    ("disk_full",
     rf"\b(?:disk|drive|storage|c:|c\s+drive|ssd|hard\s+drive|hdd)\b{_}\b(?:full|out\s+of\s+(?:space|room))\b"
     r"|\b(?:low|no|little|running\s+out\s+of|ran\s+out\s+of|out\s+of|not\s+enough)\s+(?:disk\s+|free\s+|storage\s+)?"
     r"(?:space|room)\b|\b0\s+bytes\s+free\b|\bfree\s+space\b|\b0x80070070\b|\b(?:full|nearly\s+full|almost\s+full)"
     r"\s+(?:disk|drive|c:)"),
    # A slow connection is the network's problem, not the computer's.
    ("slow",
     r"(?<!connection\sis\s)(?<!network\sis\s)(?<!internet\sis\s)\bslow(?:ly|ness|er|s)?\b"
     r"(?!\s+(?:and\s+\w+\s+)?(?:connection|network|internet|wi-?fi|download|upload|speeds?)\b)|\bsluggish\b|\bcrawl(?:ing|s)?\b|\blagg?(?:y|ing)\b|\blags\b"
     r"|\btakes?\s+(?:ages|forever|minutes)\b|\bperformance\b"),
    ("high_usage",
     r"\bhigh\s+(?:cpu|memory|ram|disk)(?:\s+usage)?\b|\b(?:9\d|100)\s*%\s*(?:cpu|disk|memory|ram)\b"
     r"|\b(?:cpu|disk|memory|ram)\s+(?:usage\s+)?(?:is\s+)?(?:at|on|pegged\s+at|maxed)\s*(?:9\d|100)?\s*%?"
     r"|\bmaxed\s+out\b"),
    ("offline", r"\boffline\b"),
    ("freezes", r"\bfreez(?:e|es|ing)\b|\bfroze\b|\bhang(?:s|ing)?\b(?!\s+up)|\bnot\s+responding\b|\bunresponsive\b"),
    ("wont_start",
     r"\b(?:won'?t|wont|will\s+not|doesn'?t|does\s+not|can'?t|cannot|fails?\s+to|refuses\s+to)\s+"
     r"(?:start|open|launch|load)\b|\bloading\s+profile\b|\bsplash\s+screen\b|\bcrash(?:es|ed|ing)?\s+(?:on|at)\s+"
     r"(?:launch|start)|\bcannot\s+start\b"),
    ("crashes", r"\bcrash(?:es|ed|ing)?\b|\bkeeps\s+closing\b|\bcloses\s+(?:by\s+itself|on\s+its\s+own)"),
    ("name_resolution",
     r"\bdns\b|\bname\s+resolution\b|\bresolv(?:e|es|ing)\b|\bnxdomain\b|\bdns_probe\w*|\bserver\s+not\s+found\b"
     r"|\bcould\s+not\s+find\s+host\b|\bby\s+(?:its\s+|their\s+|the\s+)?(?:host\s*)?names?\b"
     r"|\b(?:only\s+)?works?\s+by\s+ip\b|\bby\s+ip\b|\bnslookup\b|\bflushdns\b"),
    ("print_failure",
     r"\bprint\s+(?:queue|job|jobs|spooler)\b|\bspooler\b|\b(?:can'?t|cannot|won'?t|unable\s+to|not)\s+print"
     r"|\bprinter\b{_}\boffline\b|\boffline\b{_}\bprinter\b|\b(?:job|document)s?\b{_}\bstuck\b"
     r"|\bstuck\b{_}\b(?:queue|job)\b|\bwon'?t\s+(?:go\s+away|delete)\b|\bdeleting\s*-\s*error\b|\bprinting\b"),
    ("vpn_connect",
     rf"\bvpn\b{_}\b(?:connect\w*|disconnect\w*|tunnel|unreachable|fails?|stuck|drops?)\b"
     rf"|\b(?:connect\w*|get\s+on|log\s+in\s+to|sign\s+in\s+to)\b{_}\bvpn\b"
     rf"|\b(?:globalprotect|anyconnect|secure\s+client|forti\s*client|wireguard|openvpn|netextender)\b{_}"
     r"\b(?:connect\w*|stops?|stuck|sits|fails?|unreachable|gateway|\d+\s*%)"
     r"|\berror\s+(?:809|691|720|789|800)\b|\bgateway\s+(?:not\s+responding|unreachable)\b"),
    ("wifi_drop",
     rf"\bwi-?\s*fi\b{_}\b(?:drop\w*|disconnect\w*|cuts?\s+out|dies|lost|unstable|keeps)"
     rf"|\b(?:drop\w*|disconnect\w*|loses?|losing)\b{_}\bwi-?\s*fi\b|\bwireless\b|\bno\s+internet,?\s+secured\b"
     rf"|\bconnection\b{_}\b(?:drop\w*|dies|cuts?\s+out|cutting\s+out|keeps\s+going|disconnect\w*|unstable)"
     r"|\bkeeps?\s+(?:dropping|disconnecting)\b|\b2\.4\s*ghz\b|\b5\s*ghz\b|\bsignal\b|\baccess\s+point\b"
     r"|\blimited\s+connectivity\b"),
    ("call_audio_video",
     rf"\b(?:voice|audio|sound|mic|microphone|speaker|headset|camera|webcam|video)\b{_}"
     r"\b(?:drops?\s+out|cuts?\s+out|cutting\s+out|choppy|robotic|echo\w*|muted|black|not\s+found|breaks?\s+up"
     r"|doesn'?t\s+work|not\s+working|dead)"
     r"|\b(?:can'?t|cannot|can\s+not)\s+(?:hear|be\s+heard)\b|\bno\s+(?:sound|audio)\b|\bchoppy\b"
     r"|\bcall\s+quality\b|\bcalls?\s+(?:keep\s+)?(?:cutting|dropping|breaking)\s+(?:out|up)\b"
     r"|\b(?:mic|microphone|headset|webcam|camera)s?\b|\bno\s+sound\b"),
    ("drive_missing",
     rf"\b(?:mapped|network|shared|home)\s+drives?\b|\b[a-z]:?\s*drive\b{_}\b(?:missing|gone|red|disappear\w*"
     r"|unavailable|disconnected|map)|\b(?:map|mapping|reconnect)\w*\s+(?:the\s+)?[a-z]:?\s+drive\b"
     r"|\bnet\s+use\b|\bdrive\s+maps?\b"
     r"|\bnetwork\s+path\b|\bsystem\s+error\s+(?:53|67|85|1219)\b|\bdrive\b{_}\b(?:missing|gone|disappear\w*|"
     r"vanish\w*|there\s+one\s+day)"),
    ("sync_stuck",
     r"\bsync(?:ing|ed|s)?\b|\bprocessing\s+changes\b|\bup\s+to\s+date\b|\bout\s+of\s+date\b"
     r"|\bcloud\s+icon\b|\bfiles?\s+on-?\s*demand\b|\bknown\s+folder\s+move\b"),
    ("new_user",
     r"\bnew\s+(?:[a-z]+\s+){0,2}(?:user|starter|hire|employee|joiner|colleague|recruit|staff\s+member"
     r"|team\s+member)s?\b|\bonboard\w*"
     r"|\bjoiner\b|\bstarts?\s+(?:on|next|monday|tuesday|wednesday|thursday|friday)\b|\bready\s+for\s+(?:the\s+)?"
     r"\d|\bset\s*up\s+(?:a\s+)?(?:new\s+)?(?:account|laptop|user)\b|\bcreate\s+(?:an?\s+)?account\b"
     r"|\bfirst\s+day\b|\bstart(?:ing)?\s+date\b"),
)

_COMPILED = tuple((name, re.compile(pattern, re.IGNORECASE)) for name, pattern in CONCEPTS)
TOKEN_PREFIX = "rfc"


@lru_cache(maxsize=8192)
def concepts(text: str) -> frozenset[str]:
    """The concept names the text mentions (a frozenset, possibly empty)."""
    return frozenset(name for name, pattern in _COMPILED if pattern.search(text or ""))


def token(name: str) -> str:
    """The single word a concept becomes in the search index: ``disk_full`` → ``rfcdiskfull``."""
    return TOKEN_PREFIX + name.replace("_", "")


def tokens(text: str) -> str:
    return " ".join(sorted(token(name) for name in concepts(text)))
