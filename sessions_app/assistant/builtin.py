"""The built-in assistant: offline, no key, and meant to be useful on its own (docs/architecture.md#assistant).

One reply is four plain steps: note the facts the message adds; find the account's closest
runbooks and resolved sessions (``matching``); turn the best of them into a next step, by
walking the runbook from where the conversation stands (``runbook``) or by offering what
fixed a past session; and ask for the few facts a senior would want next (``needs``). It
never states a fact it did not read and never proposes a fix already on the session's list.
"""

import re
from dataclasses import dataclass

from ..rendering import shorten
from .base import AssistantReply, ConversationContext, ProposedFix
from .extract import extract_facts, merge_facts
from .matching import Match, profile, split_value, terms
from .needs import FACT_LABELS, missing, topic_for
from .ranking import rank as rank_conversation
from .runbook import Walk, step_lines, walk

# A second suggestion is shown only when it scores close enough to the first to be a real
# alternative rather than noise.
SECONDARY_RATIO = 0.6
# A suggestion needs more than one shared topic word ("email signature" is not a reason to
# start Outlook in safe mode); a past session's fix more than a shared product name.
# The ranking (``ranking.rank``) decides what is confident enough; these only guard the walk.
FLOW_MIN_SCORE = 0.0
SESSION_MIN_SCORE = 0.0
MAX_DETAIL_LINES = 6
FIX_TITLE_MAX = 200  # Fix.title's column
# Keys whose values add up (two products, two error codes); the others are one thing at a
# time, and a new value replaces the old (the technician corrected the OS).
ACCUMULATE = frozenset({"product", "symptom", "keyword", "error_code", "event_id", "hostname", "ip_address",
                        "kb_article", "email", "unc_path", "mac_address"})
TECH_KINDS = ("tech", "note")


def _norm(text: str) -> str:
    return " ".join((text or "").split()).casefold()


def new_facts(pairs: list[tuple[str, str]], known: dict[str, str]) -> list[tuple[str, str]]:
    """The facts that add to or change ``known``, as whole values ready to store."""
    result = []
    for key, value in merge_facts(pairs).items():
        old = split_value(known.get(key, ""))
        old_folded = {part.casefold() for part in old}
        fresh = [part for part in split_value(value) if part.casefold() not in old_folded]
        if not fresh:
            continue
        if key in ACCUMULATE and old:
            value = merge_facts([(key, part) for part in old + fresh])[key]
        result.append((key, value))
    return result


def conversation_text(context: ConversationContext) -> str:
    """What the technician has said so far: never the assistant's own words, which would
    otherwise echo its earlier suggestions back into the matching."""
    parts = [context.title, context.problem]
    parts += [body for kind, body in context.transcript if kind in TECH_KINDS]
    parts.append(context.message)
    return "\n".join(part for part in parts if part)


@dataclass
class Suggestion:
    match: Match
    text: str  # the reply's paragraph
    ref: str
    fix: ProposedFix | None = None
    steps: frozenset[str] = frozenset()  # runbook questions it asks or assumes an answer to
    brief: str = ""  # one line, for a language model's prompt


def _resolution_title(resolution: str) -> str:
    first = re.split(r"(?<=[.!?])\s|\n", resolution.strip(), maxsplit=1)[0].strip()
    if len(first) < 12:
        first = " ".join(resolution.split())
    # A fix's title goes into the ticket note: cut only where the column ends, on a word.
    return shorten(first, FIX_TITLE_MAX).rstrip(".")


def _why(match: Match) -> str:
    # What it matched on is in the structured suggestion (shown behind a disclosure), not here.
    return f"_Source: {match.source}._"


def structured(match: Match) -> dict:
    """A suggestion as the API and ``Message.suggestions`` carry it."""
    return {"kind": match.kind, "id": match.id, "slug": match.slug, "score": match.score,
            "why": "; ".join(match.reasons[:4])}


def _bullets(lines: list[str]) -> str:
    # A blank line ends the list: in Markdown a line right after a list item continues it.
    if not lines:
        return ""
    return "\n".join(f"- {line}" for line in lines[:MAX_DETAIL_LINES]) + "\n"


def _from_flow(match: Match, result: Walk) -> Suggestion | None:
    step, ref = result.step, f"{match.ref}#{result.step_id}"
    # The card's own steps: a proposed fix is made active, then marked failed (FixStatus's transitions).
    lines = [f"You said “{fix.title.rstrip('.')}” did not help: "
             + ("mark it failed on its card" if fix.status == "active" else "on its card, make it active, then failed")
             + ", so the ticket note says so." for fix in result.said_failed]
    if result.done:
        lines.append("Going on from what you already did: " + "; ".join(t.rstrip(".") for t in result.done) + ".")
    if result.stop == "action":
        detail = step_lines(step.get("detail", ""))
        lines += [f"**Next step:** {step['text']}", _bullets(detail)]
        fix = ProposedFix(title=shorten(step["text"], FIX_TITLE_MAX), steps="\n".join(detail), source=match.source,
                          ref=ref)
    elif result.stop == "question":
        labels = " / ".join(option["label"] for option in step.get("options", []))
        lines += [f"**Next check:** {step['text']}", _bullets(step_lines(step.get("detail", ""))),
                  f"The runbook branches on: {labels}."]
        fix = None
    elif result.stop == "outcome":
        labels = " / ".join(option["label"] for option in step.get("options", []))
        lines.append(f"**How did it go?** You did “{step['text'].rstrip('.')}”; the runbook goes on from "
                     f"what it showed: {labels}.")
        fix = None
    elif result.stop == "resolution":
        heading = "The runbook ends here" if step.get("escalate") else "This points to"
        lines += [f"**{heading}:** {step['text']}", _bullets(step_lines(step.get("detail", "")))]
        fix = None
    elif result.stop == "pending":
        lines.append(f"**Waiting on:** “{result.fix.title}” is {result.fix.status} in your fixes. "
                     "Tell me how it went (mark it worked or failed) and I will take the runbook's next step.")
        fix = None
    elif result.stop == "worked":
        lines.append(f"“{result.fix.title}” worked. Resolve the session with what fixed it.")
        fix = None
    else:
        return None
    for _, question, label in result.assumed:
        lines.append(f"I assumed “{label}” for “{question}”; say if that is wrong.")
    lines.append(_why(match))
    asked = {result.step_id} if result.stop in ("question", "outcome") else set()
    asked |= {step_id for step_id, _, _ in result.assumed}
    brief = f"{match.source}: {result.stop} step: {step.get('text', '')} {step.get('detail', '')}"
    return Suggestion(match, "\n".join(line for line in lines if line), ref, fix, frozenset(asked), brief)


def _from_session(match: Match) -> Suggestion:
    title = _resolution_title(match.resolution)
    text = "\n".join([f"**What fixed a similar case:** {match.resolution.strip()}", _why(match)])
    fix = ProposedFix(title=title, steps=match.resolution.strip(), source=match.source, ref=match.ref)
    return Suggestion(match, text, match.ref, fix, brief=f"{match.source}: fixed by: {match.resolution}")


def suggestions(context: ConversationContext, matches: list[Match], query, text: str) -> list[Suggestion]:
    """The best runbook's next step and the best resolved session not already tried, best first."""
    tried = {_norm(fix.title) for fix in context.fixes}
    found: list[Suggestion] = []
    flow = next((match for match in matches if match.kind == "flow" and match.graph), None)
    if flow is not None and flow.score < FLOW_MIN_SCORE:
        flow = None
    if flow is not None:
        result = walk(slug=flow.slug, name=flow.name, graph=flow.graph, query=query, fixes=context.fixes, text=text,
                      transcript=context.transcript, message=context.message,
                      topic=f"{context.title}\n{context.problem}")
        suggestion = _from_flow(flow, result)
        if suggestion is not None:
            found.append(suggestion)
    for match in matches:
        if (match.kind == "session" and match.score >= SESSION_MIN_SCORE
                and _norm(_resolution_title(match.resolution)) not in tried):
            found.append(_from_session(match))
            break
    found.sort(key=lambda suggestion: matches.index(suggestion.match))  # the ranking's order, ties included
    if found:
        floor = found[0].match.score * SECONDARY_RATIO
        found = [suggestion for suggestion in found if suggestion.match.score >= floor]
    for suggestion in found:
        # The walk already steps past tried runbook steps; this guards every other path.
        if suggestion.fix is not None and _norm(suggestion.fix.title) in tried:
            suggestion.fix = None
    return found


class BuiltinProvider:
    name = "builtin"

    def reply(self, context: ConversationContext) -> AssistantReply:
        pairs = extract_facts(context.message)
        if not context.transcript:
            # The first reply also notes what the session was opened with.
            pairs += extract_facts(f"{context.title}\n{context.problem}")
        added = new_facts(pairs, context.facts)
        facts = {**context.facts, **dict(added)}
        text = conversation_text(context)
        query = profile(text, facts.items())
        ranking = ranked(context, facts)
        matches = _candidates(ranking)
        found = suggestions(context, matches, query, text)

        # The runbook breaks a tie between topics only when the reply actually uses it.
        used_flow = next((s.match.slug for s in found if s.match.kind == "flow"), "")
        needs = missing(topic_for(facts, used_flow), facts, text)
        covered = set().union(*(suggestion.steps for suggestion in found))
        # Only a bare greeting gets the greeting back; a problem outside the library gets "no match".
        known = bool(facts or context.fixes or context.problem or context.transcript or terms(context.message))
        question = "" if any(s.match.kind == "flow" for s in found) else ranking.question
        body = _compose(context, added, found, [need for need in needs if not set(need.steps) & covered],
                        known=known, question=question)
        return AssistantReply(
            body=body, facts=added, fixes=[suggestion.fix for suggestion in found if suggestion.fix],
            provider=self.name, asked=[need.key for need in needs], references=[s.ref for s in found],
            suggestions=[structured(s.match) for s in found],
        )


def opening_and_later(context: ConversationContext) -> tuple[str, str]:
    """The opening (title + problem) and what the technician said after it."""
    opening = f"{context.title}\n{context.problem}".strip()
    problem = _norm(context.problem)
    later = [body for kind, body in context.transcript if kind in TECH_KINDS and _norm(body) != problem]
    if _norm(context.message) != problem:
        later.append(context.message)
    later = [part for part in later if part.strip()]
    if not opening and later:
        # A session opened with nothing said: its first message is the opening.
        opening = later.pop(0)
    return opening, "\n".join(later)


def _candidates(ranking) -> list[Match]:
    """The confident runbook (if any) and the resolved sessions, by score; on a tie a resolved
    session first (it is what fixed this very problem for this MSP)."""
    matches = ([ranking.flows[0]] if ranking.confident else []) + ranking.sessions
    return sorted(matches, key=lambda match: (-match.score, match.kind != "session"))


def ranked(context: ConversationContext, facts: dict[str, str]):
    opening, later = opening_and_later(context)
    return rank_conversation(account=context.account_id, opening_text=opening, later_text=later,
                             facts=list(facts.items()), exclude_session=context.session_id)


def _compose(context: ConversationContext, added, found: list[Suggestion], needs, *, known: bool,
             question: str = "") -> str:
    """The reply: what was noted, the suggestions with their sources, then the questions."""
    paragraphs = []
    if added:
        noted = ", ".join(f"{FACT_LABELS.get(key, key.replace('_', ' '))} {value}" for key, value in added)
        paragraphs.append(f"Noted: {noted}.")
    # Failed runbook steps are already named in "Going on from what you already did".
    failed = [fix.title.rstrip(".") for fix in context.fixes
              if fix.status == "failed" and not any(_norm(fix.title.rstrip(".")) in _norm(s.text) for s in found)]
    if failed and found:
        paragraphs.append("Not repeating what already failed: " + "; ".join(failed) + ".")
    paragraphs += [suggestion.text for suggestion in found]
    if not found:
        if known:
            paragraphs.append("I found no runbook or resolved session that fits this well enough to suggest yet.")
            if question:
                paragraphs.append(question)
        else:
            paragraphs.append("Hi! Tell me what the problem is, and I will look for a runbook or a past case "
                              "that fits.")
    if needs:
        heading = "To narrow it down:" if found else "It would help to know:"
        paragraphs.append(heading + "\n" + "\n".join(f"- {need.question}" for need in needs))
    return "\n\n".join(paragraphs)


def references(context: ConversationContext) -> tuple[list[str], list[dict]]:
    """The built-in suggestions, as short lines for a language model's prompt and as the
    structured suggestions the reply carries (empty when nothing fits)."""
    text = conversation_text(context)
    query = profile(text, context.facts.items())
    found = suggestions(context, _candidates(ranked(context, context.facts)), query, text)
    return ([" ".join(suggestion.brief.split())[:600] for suggestion in found],
            [structured(suggestion.match) for suggestion in found])


def reference_notes(context: ConversationContext) -> list[str]:
    """The built-in suggestions as short lines, for a language model's prompt."""
    return references(context)[0]
