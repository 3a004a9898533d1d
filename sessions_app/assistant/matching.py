"""Which runbooks and resolved sessions of the account are closest to the problem at hand.

Scoring is deliberately small enough to explain in one sentence per point: a query and a
candidate are both reduced to *features* (the facts ``extract_facts`` finds, plus the facts
stored on a resolved session) and *terms* (content words, lightly stemmed, a negated word
left out). The score is the sum of the weights of the features they share, plus capped
bonuses for shared terms and for terms of the runbook's name or the session's title. Every
point carries a reason ("error code 809", "terms: gateway, spooler") that the reply shows,
so a technician can see why a suggestion came up and discount it when the reason is thin.

No ML dependency and no index: the candidate set is bounded (the account's flows, the last
``SESSION_LIMIT`` resolved sessions, read with ``values()``), and what is extracted from a
candidate is cached by (id, updated_at), so a long-lived worker extracts each one once.
"""

import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

from django.utils import timezone

from ..models import Fact, Flow, SessionStatus, TroubleshootingSession
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
MIN_SCORE = 2.0
SESSION_LIMIT = 500
FLOW_LIMIT = 500
CACHE_SIZE = 4096

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


# ---- candidates ---------------------------------------------------------------------------


class _ProfileCache:
    """Candidate profiles by (kind, id, updated_at[, facts]): a changed row gets a new key, so
    there is nothing to invalidate; the oldest entries fall out past ``CACHE_SIZE``."""

    def __init__(self, size: int):
        self.size, self.entries, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key, build):
        with self.lock:
            if key in self.entries:
                self.entries.move_to_end(key)
                return self.entries[key]
        value = build()
        with self.lock:
            self.entries[key] = value
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return value


_profiles = _ProfileCache(CACHE_SIZE)


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
        title = self.name if len(self.name) <= 140 else self.name[:139] + "…"
        return f"Resolved session: {title} ({self.resolved_on})"


def _flow_text(row: dict) -> str:
    tags = [tag.replace("-", " ") for tag in row["tags"] or []]
    return ". ".join([row["name"], row["description"] or "", ", ".join(row["keywords"] or []), ", ".join(tags)])


def _flow_candidates(account, query: Profile) -> list[tuple[dict, Score]]:
    rows = Flow.objects.available_to(account).values(
        "id", "slug", "name", "description", "keywords", "tags", "updated_at")[:FLOW_LIMIT]
    found = []
    for row in rows:
        key = ("flow", row["id"], row["updated_at"])
        candidate = _profiles.get(key, lambda row=row: profile(_flow_text(row), name=row["name"]))
        found.append((row, score(query, candidate)))
    return found


def _needles(query: Profile) -> set[str]:
    """Cheap substrings one of which a candidate's text must contain to be worth extracting."""
    needles = {term for term in query.terms if len(term) >= 3}
    for key, value in query.features:
        if key not in ("os", "os_version", "os_build"):
            needles.update(word for word in value.split() if len(word) >= 3)
    return needles


def _session_candidates(account, query: Profile, exclude) -> list[tuple[dict, Score]]:
    sessions = TroubleshootingSession.objects.for_account(account).filter(status=SessionStatus.RESOLVED)
    if exclude is not None:
        sessions = sessions.exclude(pk=exclude)
    rows = list(sessions.exclude(resolution="").order_by("-resolved_at").values(
        "id", "title", "problem", "resolution", "resolved_at", "updated_at", "account__time_zone")[:SESSION_LIMIT])
    stored: dict = {}
    fact_rows = Fact.objects.for_account(account).filter(session_id__in=[row["id"] for row in rows],
                                                         key__in=list(WEIGHTS))
    for session_id, key, value in fact_rows.values_list("session_id", "key", "value"):
        stored.setdefault(session_id, []).append((key, value))
    needles = _needles(query)
    found = []
    for row in rows:
        text = "\n".join((row["title"], row["problem"], row["resolution"]))
        facts = stored.get(row["id"], [])
        stored_features = fact_features(facts)
        # Extracting costs about a millisecond a text: skip the ones that cannot score.
        lowered = text.lower()
        if not any(f in stored_features for f in query.features) and not any(n in lowered for n in needles):
            continue
        # The facts are part of the key: one edited after the session was resolved counts too.
        key = ("session", row["id"], row["updated_at"], tuple(sorted(facts)))
        candidate = _profiles.get(key, lambda t=text, f=facts, n=row["title"]: profile(t, f, name=n))
        found.append((row, score(query, candidate)))
    return found


def _local_date(row: dict) -> str:
    try:
        zone = ZoneInfo(row["account__time_zone"] or "UTC")
    except (ValueError, KeyError):
        zone = ZoneInfo("UTC")
    return timezone.localtime(row["resolved_at"], zone).date().isoformat() if row["resolved_at"] else ""


def rank(*, account, query: Profile, exclude_session=None, limit: int = 5) -> list[Match]:
    """The account's flows and resolved sessions scoring at least ``MIN_SCORE``, best first.

    ``account`` is an Account or its id (both scoped managers filter ``account=``). On a tie
    a resolved session comes first (it is what fixed this very problem for this MSP), then
    the more recent one; flows tie-break by name so the order is stable.
    """
    if not query.features and not query.terms:
        return []
    ranked = []
    for row, result in _flow_candidates(account, query):
        if result.value >= MIN_SCORE:
            ranked.append(((-result.value, 1, row["name"]), Match(
                kind="flow", ref=f"flow:{row['slug']}", name=row["name"], score=result.value,
                reasons=result.reasons, slug=row["slug"], id=str(row["id"]))))
    for row, result in _session_candidates(account, query, exclude_session):
        if result.value >= MIN_SCORE:
            stamp = row["resolved_at"].timestamp() if row["resolved_at"] else 0
            ranked.append(((-result.value, 0, -stamp), Match(
                kind="session", ref=f"session:{row['id']}", name=row["title"], score=result.value,
                reasons=result.reasons, resolution=row["resolution"], resolved_on=_local_date(row),
                id=str(row["id"]))))
    ranked.sort(key=lambda item: item[0])
    matches = [match for _, match in ranked[:limit]]
    return _with_graphs(account, matches)


def _with_graphs(account, matches: list[Match]) -> list[Match]:
    """Graphs are read for the few flows that matched, not for the whole library."""
    slugs = [match.slug for match in matches if match.kind == "flow"]
    if not slugs:
        return matches
    graphs = dict(Flow.objects.available_to(account).filter(slug__in=slugs).values_list("slug", "graph"))
    return [replace(match, graph=graphs.get(match.slug)) if match.kind == "flow" else match for match in matches]
