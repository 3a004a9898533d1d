"""Walking a matched runbook with what is already known, to the step worth doing next.

A runbook's first step is rarely the right suggestion: the technician has usually restarted
the spooler or tried safe mode before asking. So the walk starts where the conversation
stands, at the deepest step the technician says they did or that failed as a fix, and
follows the options the known facts point to. Where nothing points anywhere it may assume
the runbook's first option once (the common case, stated in the reply so the technician can
correct it); past that it stops at the question and asks it, rather than guess a chain.
"""

import re
from collections import deque
from dataclasses import dataclass, field
from functools import lru_cache

from .base import FixSummary
from .matching import Profile, profile, score

MAX_ASSUMPTIONS = 1
MAX_STEPS = 60

# An option that describes the step not working: where a failed step leads.
FAILURE_LABEL = re.compile(r"\b(?:still|fails?|failed|not|no|cannot|can't|again|stuck|nothing|unknown|suspicious"
                           r"|broken|down|blocked|unreachable)\b|n't\b", re.IGNORECASE)

_WORDS = r"\W+(?:\w+\W+){0,3}"
# What technicians write when they did a runbook step before asking, by (flow slug, step id).
# Keyed by slug, so an account's own copy of a starter runbook (same slug) keeps working.
ALREADY_DONE = {
    ("printer-offline-spooler", "clear-spooler"):
        rf"spooler{_WORDS}(?:restart|reset|clear|flush)|(?:restart|reset|clear|flush)\w*{_WORDS}spooler",
    ("printer-offline-spooler", "printer-panel"): r"\b(?:front\s+|control\s+)?panel\b",
    ("printer-offline-spooler", "snmp-status"): r"\bsnmp\b",
    ("printer-offline-spooler", "reinstall-driver"): rf"(?:reinstall|re-install|updat|remov)\w*{_WORDS}driver",
    ("outlook-will-not-start", "safe-mode"): r"safe\s*mode|outlook(?:\.exe)?\s+/safe",
    ("outlook-will-not-start", "disable-addins"):
        rf"(?:disabl|remov)\w*{_WORDS}add-?ins?|add-?ins?{_WORDS}(?:disabled|removed)",
    ("outlook-will-not-start", "reset-navpane"): r"resetnavpane",
    ("outlook-will-not-start", "rebuild-ost"): rf"(?:rebuil|renam|delet|recreat)\w*{_WORDS}\.?ost\b",
    ("outlook-will-not-start", "new-profile"): r"\bnew\s+(?:outlook\s+|mail\s+)?profile\b",
    ("outlook-will-not-start", "repair-office"): r"(?:online|quick|office)\s+repair|repair\w*\s+(?:office|m365)",
    ("vpn-will-not-connect", "reinstall-client"): r"\breinstall",
    ("dns-resolution-failing", "flush"): r"flushdns|flush\w*\s+(?:the\s+)?dns",
    ("mapped-drive-missing", "gpupdate"): r"gpupdate",
    ("mapped-drive-missing", "map-manually"): r"\bre-?mapp\w*|\bmapped\s+(?:it\s+)?(?:again|manually)",
    ("onedrive-not-syncing", "pause-resume"):
        rf"(?:restart|paus)\w*{_WORDS}onedrive|onedrive{_WORDS}(?:restarted|paused)",
    ("onedrive-not-syncing", "reset"): r"onedrive(?:\.exe)?\s+/reset|\breset\w*\s+onedrive",
    ("ad-account-locked-out", "find-source"): r"\bcaller\s+computer|\blockoutstatus\b|\b4740s?\b",
    ("ad-account-locked-out", "unlock"): r"\bunlocked\b|\bunlock\w*\s+(?:it|him|her|them|the\s+account)",
    ("teams-audio-video", "clear-cache"): r"clear\w*\s+(?:the\s+)?(?:teams\s+)?cache",
    ("teams-audio-video", "test-call"): r"\btest\s+call",
    ("wifi-keeps-dropping", "driver"): rf"(?:updat|reinstall|roll\w*\s+back)\w*{_WORDS}driver",
    ("wifi-keeps-dropping", "reset-network"): r"network\s+reset|netsh\s+(?:winsock|int)",
    ("disk-full", "cleanup-basics"): r"disk\s+clean-?up|cleanmgr|storage\s+sense",
}
_DONE = {key: re.compile(pattern, re.IGNORECASE) for key, pattern in ALREADY_DONE.items()}
# "I haven't tried safe mode yet" mentions the step without having done it.
NOT_DONE = re.compile(r"\b(?:haven'?t|have\s+not|not\s+yet|didn'?t\s+try|did\s+not\s+try|will\s+try|going\s+to"
                      r"|should\s+i|shall\s+i|can\s+i)\b", re.IGNORECASE)
SENTENCE = re.compile(r"[^.!?\n;]+")
# "Safe mode doesn't help", "did that, no change": how a step went, said in chat instead of
# marked on the fix's card. Only outcome phrases: "failed" or "still hanging" alone also
# describe the problem itself ("Outlook failed to start", "it's still hanging").
DID_NOT_HELP = re.compile(
    r"\b(?:does(?:n'?t|\s+not)|did(?:n'?t|\s+not))\s+(?:help|work|fix\s+it|change\s+anything)"
    r"|\bno\s+(?:luck|change|difference|joy|good)\b|\bnot\s+(?:helping|working\s+either)\b"
    r"|\bmade\s+no\s+difference\b|\bstill\s+the\s+same\b|\bsame\s+(?:problem|issue|error|result|thing)\b",
    re.IGNORECASE)
# A step named by its fix's title: at least this many of the title's words of four letters or
# more that are not the problem's own words ("Outlook" names no step of "Outlook will not start").
TITLE_WORDS_NAMED = 2
# A reply this short that says only "that didn't work" answers the one fix waiting for it.
SHORT_REPLY_WORDS = 8


@dataclass
class Walk:
    """Where the walk stopped: ``action`` (propose it), ``question`` (ask it), ``outcome``
    (an action they did, without saying how it went: ask), ``resolution`` (the runbook's
    conclusion), ``pending`` (a fix from this runbook is proposed or active:
    its outcome comes first), ``worked`` (a fix from it worked), ``exhausted`` (a loop)."""

    stop: str
    step_id: str = ""
    step: dict = field(default_factory=dict)
    assumed: list[tuple[str, str, str]] = field(default_factory=list)  # (step id, question, option assumed)
    done: list[str] = field(default_factory=list)  # action steps passed as already done
    fix: FixSummary | None = None
    # Proposed or active fixes the technician said in chat did not help: walked past as failed.
    said_failed: list[FixSummary] = field(default_factory=list)


def _norm(text: str) -> str:
    return " ".join((text or "").split()).casefold()


def said_done(slug: str, step_id: str, text: str) -> bool:
    pattern = _DONE.get((slug, step_id))
    if pattern is None:
        return False
    return any(pattern.search(sentence) and not NOT_DONE.search(sentence) for sentence in SENTENCE.findall(text))


def said_failed(slug: str, step_id: str, title: str, said: str, *, topic: str = "", only_one: bool = False) -> bool:
    """Whether ``said`` (what the technician wrote since the fix was suggested) says the step did
    not help: a sentence with an outcome phrase (``DID_NOT_HELP``) that names the step (its
    ``ALREADY_DONE`` pattern, or ``TITLE_WORDS_NAMED`` of its title's longer words that are not
    words of ``topic``, the session's title and problem), and not "not tried yet" (``NOT_DONE``);
    or, when ``only_one`` fix waits, a short reply that is only such a phrase ("That didn't work.")."""
    pattern = _DONE.get((slug, step_id))
    topic_words = set(re.findall(r"[a-z0-9]+", topic.casefold()))
    words = {word for word in re.findall(r"[a-z0-9]+", title.casefold()) if len(word) >= 4} - topic_words
    sentences = [sentence for sentence in SENTENCE.findall(said)
                 if DID_NOT_HELP.search(sentence) and not NOT_DONE.search(sentence)]
    for sentence in sentences:
        found = set(re.findall(r"[a-z0-9]+", sentence.casefold()))
        if (pattern is not None and pattern.search(sentence)) or len(words & found) >= TITLE_WORDS_NAMED:
            return True
    return only_one and bool(sentences) and len(said.split()) <= SHORT_REPLY_WORDS


def said_since(title: str, transcript: tuple[tuple[str, str], ...], message: str) -> str:
    """What the technician wrote after the assistant first suggested ``title`` (their messages
    and notes, then ``message``): a fix's outcome is said after it was suggested, and the
    problem as first described ("Outlook failed to start") is not an answer about it."""
    folded = _norm(title).rstrip(".")
    start = next((index + 1 for index, (kind, body) in enumerate(transcript)
                  if kind == "assistant" and folded in _norm(body)), len(transcript))
    return "\n".join([body for kind, body in transcript[start:] if kind in ("tech", "note")] + [message])


@lru_cache(maxsize=2048)
def _label_profile(label: str, asked: str, topic: str) -> Profile:
    """An option's evidence: what its label says, less what the step asks about when that is
    the runbook's own subject. Under "Which VPN does the user connect with?" in "VPN will
    not connect", "VPN" in an answer is no evidence for it; "server" in "Is it a workstation
    or a server?" (in "Disk full") still is, and so is "Offline" after "Clear the stuck
    jobs" in "Printer offline or print queue stuck"."""
    own, step, subject = profile(label), profile(asked), profile(topic)
    shared_features = step.features.keys() & subject.features.keys()
    shared_terms = step.terms & subject.terms
    return Profile({f: w for f, w in own.features.items() if f not in shared_features}, own.terms - shared_terms)


def choose(options: list[dict], query: Profile, asked: str = "", topic: str = "") -> dict | None:
    """The one option the known facts point to, or None when none or several do equally."""
    scored = [(score(query, _label_profile(option["label"], asked, topic)).value, index)
              for index, option in enumerate(options)]
    best = max((value for value, _ in scored), default=0)
    winners = [index for value, index in scored if value == best]
    return options[winners[0]] if best > 0 and len(winners) == 1 else None


def _failure_options(options: list[dict], steps: dict) -> list[dict]:
    return [option for option in options if FAILURE_LABEL.search(option["label"])
            or steps.get(option["next"], {}).get("escalate")]


def _depths(graph: dict) -> dict[str, int]:
    steps, depths = graph["steps"], {graph["start"]: 0}
    queue = deque([graph["start"]])
    while queue:
        current = queue.popleft()
        for option in steps.get(current, {}).get("options", []):
            if option["next"] not in depths:
                depths[option["next"]] = depths[current] + 1
                queue.append(option["next"])
    return depths


def walk(*, slug: str, name: str, graph: dict, query: Profile, fixes: tuple[FixSummary, ...], text: str,
         transcript: tuple[tuple[str, str], ...] = (), message: str = "", topic: str = "") -> Walk:
    """Where the runbook stands (``Walk``). ``text``: what the technician has said so far;
    ``transcript``, ``message`` and ``topic`` (the session's title and problem) tell whether they
    said a waiting fix did not help (``said_failed``)."""
    steps = graph["steps"]
    step_of_title = {_norm(step["text"]): step_id for step_id, step in steps.items() if step["type"] == "action"}
    outcome: dict[str, FixSummary] = {}
    for fix in fixes:
        if _norm(fix.title) in step_of_title:
            outcome[step_of_title[_norm(fix.title)]] = fix
    for step_id, fix in outcome.items():
        if fix.status == "worked":
            return Walk("worked", step_id, steps[step_id], fix=fix)
    waiting = {step_id: fix for step_id, fix in outcome.items() if fix.status in ("proposed", "active")}
    reported = {step_id: fix for step_id, fix in waiting.items()  # "safe mode doesn't help": walked past as failed
                if said_failed(slug, step_id, fix.title, said_since(fix.title, transcript, message), topic=topic,
                               only_one=len(waiting) == 1)}
    for step_id, fix in waiting.items():
        if step_id not in reported:
            return Walk("pending", step_id, steps[step_id], fix=fix, said_failed=list(reported.values()))
    failed = {step_id for step_id, fix in outcome.items() if fix.status in ("failed", "skipped")} | reported.keys()
    done = failed | {step_id for step_id in steps if said_done(slug, step_id, text)}
    depths = _depths(graph)
    current = max(done, key=lambda step_id: (depths.get(step_id, -1), step_id)) if done else graph["start"]

    result = Walk("exhausted", said_failed=list(reported.values()))
    visited: set[str] = set()
    while current in steps and current not in visited and len(visited) < MAX_STEPS:
        visited.add(current)
        step = steps[current]
        options = step.get("options", [])
        if step["type"] == "resolution":
            return _stop(result, "resolution", current, step)
        if step["type"] == "action":
            if current not in done:
                return _stop(result, "action", current, step)
            failures = _failure_options(options, steps)
            if current in failed:
                chosen = ((choose(failures, query, step["text"], name) or failures[0]) if failures
                          else choose(options, query, step["text"], name))
            else:
                # They did it and are still asking: unless they said how it went, it did not help.
                chosen = choose(options, query, step["text"], name) or (failures[0] if failures else None)
            if chosen is None:
                # Done, but nothing says how it went and no option reads as "it did not help".
                return _stop(result, "outcome", current, step)
            result.done.append(step["text"])
        else:
            chosen = choose(options, query, step["text"], name)
            if chosen is None:
                if len(result.assumed) >= MAX_ASSUMPTIONS:
                    return _stop(result, "question", current, step)
                chosen = options[0]
                result.assumed.append((current, step["text"], chosen["label"]))
        current = chosen["next"]
    return result


def _stop(result: Walk, stop: str, step_id: str, step: dict) -> Walk:
    result.stop, result.step_id, result.step = stop, step_id, step
    return result


def step_lines(detail: str, limit: int = 8) -> list[str]:
    """A step's detail paragraph as one instruction a line (``Fix.steps`` is one step per line)."""
    lines = [line.strip() for line in re.split(r"(?:(?<=[.!?])|(?<=[.!?]\)))\s+(?=[A-Z(])", detail or "")
             if line.strip()]
    return lines[:limit]
