"""Which runbooks and resolved sessions of the account are closest to the problem at hand.

Scoring is deliberately small enough to explain in one sentence per point: a query and a
candidate are both reduced to *features* (the facts ``extract_facts`` finds, plus the facts
stored on a resolved session) and *terms* (content words, lightly stemmed, a negated word
left out). The score is the sum of the weights of the features they share, plus capped
bonuses for shared terms and for terms of the runbook's name or the session's title. Every
point carries a reason ("error code 809", "terms: gateway, spooler") that the reply shows,
so a technician can see why a suggestion came up and discount it when the reason is thin.

The ranking itself (which candidates, how symptoms weigh against products, when a match is
confident) is ``ranking.py``; this module keeps the reading of texts into features and terms,
and the plain feature score the runbook walk uses to choose between a step's options.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..rendering import shorten
from .extract import extract_facts

# A specific error code or event ID says more about a problem than a product name; the OS
# says little (most clients run the same Windows). Keys not listed (email, MAC) do not
# describe a problem at all and are not matched on.
WEIGHTS = {
    "error_code": 5.0, "event_id": 4.0, "kb_article": 4.0, "vpn_client": 4.0, "printer": 4.0, "product": 3.0,
    "vpn_protocol": 2.0, "symptom": 2.0, "keyword": 2.0, "unc_path": 2.0, "hostname": 1.5,
    "os": 1.0, "os_version": 1.0, "os_build": 1.0, "office_build": 1.0, "ip_address": 1.0,
}
# Umbrella products appear in half the library (every Microsoft 365 runbook), so they
# barely separate one candidate from another.
PRODUCT_WEIGHTS = {"microsoft 365": 1.0, "office": 1.0}
# "HP LaserJet M404" shares "HP" and "HP LaserJet" with a runbook that names the series.
PRINTER_FAMILY_WEIGHT = 1.5
TERM_WEIGHT, TERM_CAP = 0.5, 2.0
# A word of the query in a runbook's name or a session's title says more than one in its
# description: "outlook" alone should find "Outlook will not start" before "Disk full",
# whose description mentions Outlook data files.
NAME_WEIGHT, NAME_CAP = 0.5, 1.5

LABELS = {
    "error_code": "error code", "event_id": "event ID", "kb_article": "KB", "vpn_client": "VPN client",
    "printer": "printer", "product": "product", "vpn_protocol": "VPN protocol", "symptom": "symptom",
    "keyword": "topic", "unc_path": "path", "hostname": "host", "os": "OS", "os_version": "OS version",
    "os_build": "OS build", "office_build": "Office build", "ip_address": "IP",
}

# Words that occur in nearly every ticket and so match everything.
STOPWORDS = frozenset("""
a an the and or but if then than so to of in on at by for from with without into onto over under via per as
is are was were be been being am do does did done doing have has had having can could will would shall should
may might must not no nor yes only just also too very still again already even ever now today yesterday
this that these those there here it its it's they them their he she him her his hers we us our you your i me my
what which who whom whose when where why how all any both each few more most other some such own same
get gets got getting go goes went make makes made says said say see seen shows show showing tried try trying
since after before while during until about around like want wants need needs
user users client clients customer customers issue issues problem problems help please thanks thank hi hello
hey good
morning afternoon evening week day days time times one two three
error errors err fail fails failed failing
""".split())
TOKEN = re.compile(r"[a-z0-9][a-z0-9']*")
NEGATORS = frozenset("""
not no never nothing cannot can't cant won't wont don't dont doesn't doesnt isn't isnt didn't didnt couldn't
unable without fail fails failed failing
""".split())


def stem(word: str) -> str:
    """Just enough stemming for "prompts"/"prompting"/"prompt" and "queues"/"queue" to meet."""
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    if word.endswith(("ses", "xes", "ches", "shes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith("ss") and len(word) >= 3:
        word = word[:-1]
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def terms(text: str) -> frozenset[str]:
    """Content words, stemmed. The word after a negation is left out: "cannot connect" says
    the opposite of "Connects, but internal servers cannot be reached", and the negated
    phrase is matched as a symptom ("can't connect") instead."""
    found, negated = set(), False
    for word in (token.strip("'") for token in TOKEN.findall((text or "").lower())):
        if word in NEGATORS:
            negated = True
        elif len(word) < 2 or word in STOPWORDS or word.isdigit():
            continue
        elif negated:
            negated = False
        else:
            found.add(stem(word))
    return frozenset(found)


def split_value(value: str) -> list[str]:
    """Fact values hold several values joined with ", " (``merge_facts``)."""
    return [part.strip() for part in (value or "").split(", ") if part.strip()]


@dataclass(frozen=True)
class Profile:
    """What a query or a candidate is reduced to: features with their weight and reason, and terms."""

    features: dict = field(default_factory=dict)  # (key, casefolded value) -> (weight, reason)
    terms: frozenset = frozenset()
    name_terms: frozenset = frozenset()  # a candidate's name or title


def _add(features: dict, feature: tuple[str, str], weight: float, reason: str) -> None:
    if feature not in features or features[feature][0] < weight:
        features[feature] = (weight, reason)


def fact_features(pairs: Iterable[tuple[str, str]]) -> dict:
    features: dict = {}
    for key, value in pairs:
        if key not in WEIGHTS:
            continue
        for part in split_value(value):
            folded = part.casefold()
            weight = PRODUCT_WEIGHTS.get(folded, WEIGHTS[key]) if key == "product" else WEIGHTS[key]
            _add(features, (key, folded), weight, f"{LABELS[key]} {part}")
            if key == "printer":
                words = part.split()
                for size in range(1, len(words)):
                    family = " ".join(words[:size])
                    _add(features, ("printer", family.casefold()), PRINTER_FAMILY_WEIGHT, f"printer {family}")
                _add(features, ("keyword", "printer"), WEIGHTS["keyword"], "topic printer")
            elif key in ("vpn_client", "vpn_protocol"):
                _add(features, ("keyword", "vpn"), WEIGHTS["keyword"], "topic VPN")
    return features


def profile(text: str, pairs: Iterable[tuple[str, str]] = (), *, name: str = "") -> Profile:
    """Features of the text's own facts and of ``pairs`` (facts known from elsewhere), and its terms."""
    return Profile(fact_features([*extract_facts(text), *pairs]), terms(text), terms(name))


@dataclass(frozen=True)
class Score:
    value: float
    reasons: tuple[str, ...]


def score(query: Profile, candidate: Profile) -> Score:
    shared = sorted((query.features[f] for f in query.features if f in candidate.features), key=lambda wr: -wr[0])
    common = sorted(query.terms & candidate.terms)
    named = sorted(query.terms & candidate.name_terms)
    total = (sum(weight for weight, _ in shared) + min(TERM_CAP, TERM_WEIGHT * len(common))
             + min(NAME_CAP, NAME_WEIGHT * len(named)))
    reasons = [reason for _, reason in shared]
    if common:
        reasons.append("terms: " + ", ".join(common[:6]))
    if named:
        reasons.append("named: " + ", ".join(named[:6]))
    return Score(round(total, 2), tuple(reasons))


# ---- what the ranking returns ------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    kind: str  # "flow" or "session"
    ref: str  # "flow:<slug>" or "session:<id>"
    name: str  # the flow's name or the session's title
    score: float
    reasons: tuple[str, ...]
    slug: str = ""
    graph: dict | None = None  # flows
    resolution: str = ""  # sessions
    resolved_on: str = ""  # sessions, ISO date in the account's time zone
    id: str = ""  # the flow's or the session's primary key

    @property
    def source(self) -> str:
        """How a proposal names where it came from (``Fix.source`` holds 200 characters)."""
        if self.kind == "flow":
            return f"Flow: {self.name}"[:200]
        title = shorten(self.name, 140)
        return f"Resolved session: {title} ({self.resolved_on})"
