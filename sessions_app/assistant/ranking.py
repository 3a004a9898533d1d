"""Which runbook or resolved session fits, and whether any fits well enough to suggest.

The ranking reads a conversation in two parts: the *opening* (title and problem) and what
came *later* (follow-ups, facts set by hand). Each candidate scores on:

- **symptoms** (``concepts``): a shared symptom-level concept, weighted by how few runbooks
  share it (a concept in one runbook says more than one in three). A concept read only in a
  runbook's keywords counts 0.6, in its steps only a quarter. Error codes, event IDs and KB
  numbers count as symptoms too.
- **tie-breakers**: shared products, VPN clients, printers, protocols and paths, capped, so
  a product named in passing never outweighs the symptom.
- **words**: shared content words of the runbook's name, description and keywords (capped),
  and a little for words of its steps.

The score is ``opening + LATER_WEIGHT × later``: the topic set by the opening holds unless the
follow-up brings stronger evidence of its own (an opening that names no symptom sets no topic,
and then the later part counts in full). A runbook is *suggested* only with a
symptom-level match, a score of at least ``FLOW_MIN`` and a lead over the runner-up of
``MARGIN`` points and ``LEAD_RATIO`` times its score; otherwise the reply says that no
runbook fits and asks the question that separates the leading candidates. Candidates come
from the full-text index (``index.search``), so the
cost stays flat with tens of thousands of resolved sessions.
"""

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.utils import timezone

from ..models import Fact, Flow, SearchEntry, SessionStatus, TroubleshootingSession
from . import index
from .concepts import concepts, token
from .extract import extract_facts
from .matching import LABELS, NEGATORS, STOPWORDS, Match, fact_features, split_value, terms

CONCEPT_WEIGHT = 4.0
KEYWORD_CONCEPT_FACTOR = 0.6
STEP_CONCEPT_FACTOR = 0.25
STRONG_KEYS = frozenset({"error_code", "event_id", "kb_article"})
STRONG_WEIGHT = 4.0
SESSION_STRONG_WEIGHT = 6.0
TIE_KEYS = {"product": 1.0, "vpn_client": 1.0, "printer": 1.0, "vpn_protocol": 0.5, "unc_path": 0.5}
TIE_CAP = 2.0
SESSION_TIE_CAP = 3.0
HEADER_TERM_WEIGHT, HEADER_TERM_CAP = 0.4, 2.0
BODY_TERM_WEIGHT, BODY_TERM_CAP = 0.1, 1.0
LATER_WEIGHT = 0.6
FLOW_MIN = 3.0
MARGIN = 1.0
LEAD_RATIO = 1.4
SESSION_MIN = 4.0
SAME_WORDS = 4
OTHER_PRODUCT_FACTOR = 0.5
FLOW_CANDIDATES = 30
SESSION_CANDIDATES = 20
CACHE_SIZE = 8192
# Raise when what ``session_profile`` stores changes: older entries are then read afresh.
PROFILE_VERSION = 1


@dataclass(frozen=True)
class Side:
    """One part of the conversation (the opening or what came later), read for ranking."""

    features: dict
    terms: frozenset
    concepts: frozenset

    @classmethod
    def read(cls, text: str, pairs=()) -> "Side":
        return cls(fact_features([*extract_facts(text), *pairs]), terms(text), concepts(text))

    @property
    def empty(self) -> bool:
        return not (self.features or self.terms or self.concepts)


@dataclass(frozen=True)
class Candidate:
    """A runbook or a resolved session, read once (cached by id and update time)."""

    features: dict
    header_terms: frozenset
    body_terms: frozenset
    concepts: frozenset  # what it is about: a runbook's name and description, a session's title and problem
    keyword_concepts: frozenset = frozenset()  # read only in a runbook's keywords
    step_concepts: frozenset = frozenset()  # read only in a runbook's steps

    @property
    def all_concepts(self) -> frozenset:
        return self.concepts | self.keyword_concepts


@dataclass
class Part:
    symptom: float = 0.0
    other: float = 0.0
    reasons: list = field(default_factory=list)


@dataclass
class Ranking:
    """Best first. ``confident``: the first flow (if any) may be suggested. ``question``: when
    not confident, the one question that best separates the leading candidates."""

    flows: list[Match]
    sessions: list[Match]
    confident: bool
    question: str = ""


class _Cache:
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


_candidates = _Cache(CACHE_SIZE)


class _FlowRow:
    def __init__(self, row: dict):
        self.__dict__.update(row)


def _read_flow(row: dict) -> Candidate:
    flow = _FlowRow(row)
    header = index.flow_header(flow)
    body = index.flow_text(flow)
    about = concepts(f"{flow.name}. {flow.description or ''}")
    keyworded = concepts(header) - about
    return Candidate(fact_features(extract_facts(header)), terms(header), terms(body), about, keyworded,
                     concepts(body) - about - keyworded)


def _read_session(row: dict, facts) -> Candidate:
    header = f"{row['title']}\n{row['problem']}"
    return Candidate(fact_features([*extract_facts(header), *facts]), terms(row["title"] + " " + row["problem"]),
                     terms(row["resolution"]), concepts(header))


def session_profile(title: str, problem: str, resolution: str, facts) -> dict:
    """A session's ``Candidate`` as JSON, stored on its search entry when it is indexed."""
    read = _read_session({"title": title, "problem": problem, "resolution": resolution}, facts)
    return {"version": PROFILE_VERSION,
            "features": [[key, value, weight, reason] for (key, value), (weight, reason) in read.features.items()],
            "header_terms": sorted(read.header_terms), "body_terms": sorted(read.body_terms),
            "concepts": sorted(read.concepts)}


def _stored_session(profile: dict) -> Candidate | None:
    if not profile or profile.get("version") != PROFILE_VERSION:
        return None
    return Candidate({(key, value): (weight, reason) for key, value, weight, reason in profile["features"]},
                     frozenset(profile["header_terms"]), frozenset(profile["body_terms"]),
                     frozenset(profile["concepts"]))


def _idf(count: int) -> float:
    return 1.0 / math.sqrt(max(1, count))


def _part(side: Side, candidate: Candidate, df: dict, *, past_case: bool = False) -> Part:
    part = Part()
    # Like a cosine: a concept shared with a runbook that is about one thing says more than
    # one shared with a runbook about three (an account lockout vs an MFA lockout).
    spread = math.sqrt(max(1, len(candidate.concepts)))
    for name in sorted(side.concepts):
        weight = CONCEPT_WEIGHT * _idf(df.get(name, 1)) / spread
        if name in candidate.concepts:
            part.symptom += weight
            part.reasons.append(f"symptom: {name.replace('_', ' ')}")
        elif name in candidate.keyword_concepts:
            part.symptom += weight * KEYWORD_CONCEPT_FACTOR
            part.reasons.append(f"symptom (in its keywords): {name.replace('_', ' ')}")
        elif name in candidate.step_concepts:
            part.symptom += weight * STEP_CONCEPT_FACTOR
            part.reasons.append(f"symptom (in its steps): {name.replace('_', ' ')}")
    ties = 0.0
    for feature, (_, reason) in side.features.items():
        if feature not in candidate.features:
            continue
        key = feature[0]
        if key in STRONG_KEYS:
            # The same error code in this MSP's own resolved case says more than in a runbook.
            part.symptom += SESSION_STRONG_WEIGHT if past_case else STRONG_WEIGHT
            part.reasons.append(reason)
        elif key in TIE_KEYS:
            ties += TIE_KEYS[key]
            part.reasons.append(reason)
    header = sorted(side.terms & candidate.header_terms)
    body = sorted((side.terms & candidate.body_terms) - set(header))
    part.other = (min(SESSION_TIE_CAP if past_case else TIE_CAP, ties)
                  + min(HEADER_TERM_CAP, HEADER_TERM_WEIGHT * len(header))
                  + min(BODY_TERM_CAP, BODY_TERM_WEIGHT * len(body)))
    if header:
        part.reasons.append("words: " + ", ".join(header[:6]))
    return part


def _score(opening: Side, later: Side, candidate: Candidate, df: dict, *, later_weight: float,
           past_case: bool = False) -> tuple[float, bool, tuple[str, ...]]:
    first = _part(opening, candidate, df, past_case=past_case)
    second = _part(later, candidate, df, past_case=past_case)
    total = first.symptom + first.other + later_weight * (second.symptom + second.other)
    reasons = list(dict.fromkeys(first.reasons + second.reasons))
    return round(total, 2), bool(first.symptom or second.symptom), tuple(reasons)


def _local_date(row: dict) -> str:
    try:
        zone = ZoneInfo(row["account__time_zone"] or "UTC")
    except (ValueError, KeyError):
        zone = ZoneInfo("UTC")
    return timezone.localtime(row["resolved_at"], zone).date().isoformat() if row["resolved_at"] else ""


def _words(opening_text: str, later_text: str, opening: Side, later: Side) -> list[str]:
    """Concept tokens first (they are what the symptom is), then the content words."""
    words = [token(name) for name in sorted(opening.concepts | later.concepts)]
    words += [word for word in index.query_words(f"{opening_text}\n{later_text}")
              if word not in STOPWORDS and word not in NEGATORS and not word.isdigit()]
    return words[:index.MAX_QUERY_WORDS]


def rank(*, account, opening_text: str, later_text: str = "", facts=(), exclude_session=None,
         refresh: bool = True) -> Ranking:
    """Rank the account's runbooks and resolved sessions for a conversation.

    ``opening_text``: title and problem; ``later_text``: what the technician said since;
    ``facts``: (key, value) pairs known besides the text (they count with the later part).
    Returns a ``Ranking`` (flows and sessions best first, each a ``Match`` whose ``score`` is
    the ranking score). Raises nothing of its own.
    """
    opening = Side.read(opening_text)
    # Facts read from the opening already count there; the others (set by hand) count later.
    later = Side.read(later_text, [(key, value) for key, value in facts
                                   if all((key, part.casefold()) not in opening.features
                                          for part in split_value(value))])
    if opening.empty and later.empty:
        return Ranking([], [], False, "")
    if refresh:
        index.catch_up(account)
    words = _words(opening_text, later_text, opening, later)

    available = list(Flow.objects.available_to(account).values(
        "id", "account_id", "slug", "name", "description", "keywords", "tags", "graph", "updated_at"))
    if refresh:
        _catch_up_flows(available)
    read = {row["id"]: _candidates.get(("flow", row["id"], row["updated_at"]), lambda row=row: _read_flow(row))
            for row in available}
    df: dict = {}
    for candidate in read.values():
        for name in candidate.all_concepts:
            df[name] = df.get(name, 0) + 1
    found = set(SearchEntry.entries.filter(id__in=index.search(account=account, words=words, kind="flow",
                                                               limit=FLOW_CANDIDATES))
                .values_list("object_id", flat=True))
    # An opening that names no symptom sets no topic: then what came later counts in full.
    names_symptom = bool(opening.concepts) or any(key in STRONG_KEYS for key, _ in opening.features)
    later_weight = LATER_WEIGHT if names_symptom else 1.0
    flows = []
    for row in available:
        if row["id"] not in found:
            continue
        value, symptom, reasons = _score(opening, later, read[row["id"]], df, later_weight=later_weight)
        if value > 0:
            flows.append((value, symptom, Match(kind="flow", ref=f"flow:{row['slug']}", name=row["name"], score=value,
                                                reasons=reasons, slug=row["slug"], graph=row["graph"],
                                                id=str(row["id"]))))
    flows.sort(key=lambda item: (-item[0], item[2].name))
    # A past case must share the symptom (a concept or an error code) unless none is named.
    required = [token(name) for name in sorted(opening.concepts | later.concepts)]
    for key, value in opening.features | later.features:
        if key in STRONG_KEYS:
            required += index.query_words(value)
    sessions = _sessions(account, opening, later, words, required, df, exclude_session, later_weight)
    confident = bool(flows) and flows[0][1] and flows[0][0] >= FLOW_MIN and (
        len(flows) == 1 or (flows[0][0] - flows[1][0] >= MARGIN and flows[0][0] >= LEAD_RATIO * flows[1][0]))
    question = "" if confident else _separating_question([match for _, _, match in flows[:2]])
    return Ranking([match for _, _, match in flows], sessions, confident, question)


def _catch_up_flows(available: list[dict]) -> None:
    """Index runbooks written before the index existed or by a path that skipped the signal
    (a bulk update): one query when all are current."""
    indexed = dict(SearchEntry.entries.filter(kind="flow", object_id__in=[row["id"] for row in available])
                   .values_list("object_id", "updated_at"))
    for row in available:
        if indexed.get(row["id"]) != row["updated_at"]:
            index.index_flow(_FlowRow({**row, "pk": row["id"]}))


def _sessions(account, opening: Side, later: Side, words, required, df, exclude_session,
              later_weight) -> list[Match]:
    ids = index.search(account=account, words=words, required=required, kind="session", limit=SESSION_CANDIDATES)
    if not ids:
        return []
    entries = {object_id: (slug, profile, stamp) for object_id, slug, profile, stamp in
               SearchEntry.entries.filter(id__in=ids).values_list("object_id", "slug", "profile", "updated_at")}
    rows = TroubleshootingSession.objects.for_account(account).filter(
        pk__in=list(entries), status=SessionStatus.RESOLVED).exclude(resolution="")
    if exclude_session is not None:
        rows = rows.exclude(pk=exclude_session)
    rows = list(rows.values("id", "title", "problem", "resolution", "resolved_at", "updated_at",
                            "account__time_zone"))
    fresh = {row["id"]: _stored_session(entries[row["id"]][1]) for row in rows
             if entries[row["id"]][2] == row["updated_at"]}
    stale = [row["id"] for row in rows if fresh.get(row["id"]) is None]
    stored: dict = {}
    if stale:
        for session_id, key, value in Fact.objects.for_account(account).filter(
                session_id__in=stale, key__in=list(LABELS)).values_list("session_id", "key", "value"):
            stored.setdefault(session_id, []).append((key, value))
    found = []
    for row in rows:
        candidate = fresh.get(row["id"])
        if candidate is None:
            facts = tuple(sorted(stored.get(row["id"], [])))
            candidate = _candidates.get(("session", row["id"], row["updated_at"], facts),
                                        lambda row=row, facts=facts: _read_session(row, facts))
        value, symptom, reasons = _score(opening, later, candidate, df, later_weight=later_weight, past_case=True)
        # A past case told in nearly the same words is the same symptom, named or not.
        symptom = symptom or len((opening.terms | later.terms) & candidate.header_terms) >= SAME_WORDS
        asked = {value for key, value in opening.features | later.features if key == "product"}
        theirs = {value for key, value in candidate.features if key == "product"}
        if asked and theirs and not asked & theirs:
            # Same symptom, another program (Excel crashing is not Outlook crashing).
            value = round(value * OTHER_PRODUCT_FACTOR, 2)
            reasons = (*reasons, "but another product: " + ", ".join(sorted(theirs)))
        if symptom and value >= SESSION_MIN:
            stamp = row["resolved_at"].timestamp() if row["resolved_at"] else 0
            found.append(((-value, -stamp), Match(
                kind="session", ref=f"session:{row['id']}", name=row["title"], score=value, reasons=reasons,
                slug=entries[row["id"]][0], resolution=row["resolution"], resolved_on=_local_date(row),
                id=str(row["id"]))))
    found.sort(key=lambda item: item[0])
    return [match for _, match in found[:5]]


def _separating_question(leaders: list[Match]) -> str:
    if len(leaders) >= 2:
        return (f"Which is closer to what happens: “{leaders[0].name}” or “{leaders[1].name}”, or neither "
                "(then: what exactly does the user see, in their words or the error's)?")
    if leaders:
        return (f"Is this about “{leaders[0].name}”? If not, what exactly does the user see "
                "(the symptom in their words, or the exact error text)?")
    return "What exactly does the user see (the symptom in their words, or the exact error text), and since when?"


def closest_flow(*, account, title: str, problem: str, exclude_session=None) -> str:
    """The slug of the runbook a session's title and problem are closest to, or "" when none
    fits (the same rule as a suggestion)."""
    ranking = rank(account=account, opening_text=f"{title}\n{problem}", exclude_session=exclude_session,
                   refresh=False)
    return ranking.flows[0].slug if ranking.confident and ranking.flows else ""

