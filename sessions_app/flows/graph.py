"""The flow graph document and its validation.

A flow is JSON::

    {"start": "scope",
     "steps": {
       "scope": {"type": "question", "text": "Does it affect one user or several?",
                 "options": [{"label": "One user", "next": "safe-mode"}, ...]},
       "safe-mode": {"type": "action", "text": "Start Outlook in safe mode.",
                     "detail": "Win+R: outlook.exe /safe",
                     "options": [{"label": "Opens", "next": ...}, {"label": "Still fails", ...}]},
       "res-addin": {"type": "resolution", "text": "A COM add-in stopped Outlook ..."}}}

Questions and actions lead on through their options; a resolution ends the walk and has
none. A resolution marked ``"escalate": true`` is a dead end of the runbook (hand it to a
senior engineer) rather than a fix. Step ids appear in URLs and in the API, hence the
slug-like format.

``validate_graph`` collects every problem rather than stopping at the first, so whoever
fixes a file by hand sees the whole list at once.
"""

import re
from collections import deque

from django.core.exceptions import ValidationError

STEP_TYPES = ("question", "action", "resolution")
STEP_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_STEPS = 500
_STEP_FIELDS = {"type", "text", "detail", "options", "escalate"}
_OPTION_FIELDS = {"label", "next"}


class FlowValidationError(ValidationError):
    """A refused flow: ``messages`` is the list of human-readable problems."""

    def __init__(self, problems: list[str]):
        super().__init__([ValidationError(problem, code="invalid_flow") for problem in problems])


def validate_graph(graph) -> None:
    problems = graph_problems(graph)
    if problems:
        raise FlowValidationError(problems)


def graph_problems(graph) -> list[str]:
    """Every problem with the graph, in document order; an empty list when it is valid."""
    if not isinstance(graph, dict):
        return ['The flow graph must be a JSON object with "start" and "steps".']
    problems = [f"The flow graph has an unknown field {key!r}." for key in graph if key not in ("start", "steps")]
    steps = graph.get("steps")
    if not isinstance(steps, dict) or not steps:
        problems.append('The flow has no steps: "steps" must be an object of step id → step.')
        steps = {}
    elif len(steps) > MAX_STEPS:
        problems.append(f"The flow has {len(steps)} steps; the limit is {MAX_STEPS}.")
    start = graph.get("start")
    if start in (None, ""):
        problems.append('The flow has no start step: set "start" to the id of the first step.')
    elif not isinstance(start, str):
        problems.append('"start" must be the id of a step (a string).')
    elif steps and start not in steps:
        problems.append(f"The start step {start!r} does not exist.")

    edges: dict[str, list[str]] = {}
    for step_id, step in steps.items():
        problems.extend(_step_problems(step_id, step, steps))
        edges[step_id] = _targets(step, steps)

    if isinstance(start, str) and start in steps:
        problems.extend(_reachability_problems(start, steps, edges))
    return problems


def _step_problems(step_id: str, step, steps: dict) -> list[str]:
    problems = []
    if not STEP_ID.match(step_id):
        problems.append(
            f"Step id {step_id!r} is not valid: use lower-case letters, digits, '-' and '_' (at most 64)."
        )
    if not isinstance(step, dict):
        return problems + [f"Step {step_id!r} must be an object with a type and a text."]
    problems.extend(f"Step {step_id!r} has an unknown field {key!r}." for key in step if key not in _STEP_FIELDS)

    kind = step.get("type")
    if kind not in STEP_TYPES:
        problems.append(f"Step {step_id!r} has type {kind!r}; use question, action or resolution.")
    text = step.get("text")
    if not isinstance(text, str) or not text.strip():
        problems.append(f"Step {step_id!r} has no text.")
    if "detail" in step and not isinstance(step["detail"], str):
        problems.append(f"Step {step_id!r}: detail must be text.")
    if "escalate" in step and (kind != "resolution" or not isinstance(step["escalate"], bool)):
        problems.append(f"Step {step_id!r}: escalate is true or false, and only on a resolution step.")

    options = step.get("options", [])
    if not isinstance(options, list):
        return problems + [f"Step {step_id!r}: options must be a list."]
    if kind == "resolution" and options:
        problems.append(f"Resolution step {step_id!r} has options; a resolution ends the flow.")
    elif kind == "question" and not options:
        problems.append(f"Question step {step_id!r} has no options: a question needs its answers.")
    elif kind == "action" and not options:
        problems.append(
            f"Action step {step_id!r} has no options: add at least one, such as \"Done\" or \"Didn't help\"."
        )

    seen_labels: set[str] = set()
    for number, option in enumerate(options, start=1):
        if not isinstance(option, dict):
            problems.append(f"Step {step_id!r} option {number} must be an object with a label and a next step.")
            continue
        problems.extend(
            f"Step {step_id!r} option {number} has an unknown field {key!r}."
            for key in option if key not in _OPTION_FIELDS
        )
        label = option.get("label")
        if not isinstance(label, str) or not label.strip():
            problems.append(f"Step {step_id!r} option {number} has no label.")
            label = f"#{number}"
        elif label.strip().casefold() in seen_labels:
            problems.append(f"Step {step_id!r} has two options labelled {label.strip()!r}.")
        else:
            seen_labels.add(label.strip().casefold())
        target = option.get("next")
        if not isinstance(target, str) or not target:
            problems.append(f"Step {step_id!r} option {label!r} has no next step.")
        elif target not in steps:
            problems.append(f"Step {step_id!r} option {label!r} points to {target!r} which does not exist.")
    return problems


def _targets(step, steps: dict) -> list[str]:
    if not isinstance(step, dict) or not isinstance(step.get("options"), list):
        return []
    return [
        option["next"] for option in step["options"]
        if isinstance(option, dict) and isinstance(option.get("next"), str) and option["next"] in steps
    ]


def _is_resolution(step) -> bool:
    return isinstance(step, dict) and step.get("type") == "resolution"


def reachable_from(start: str, edges: dict[str, list[str]]) -> list[str]:
    """Step ids reachable from ``start`` (itself included), breadth first."""
    seen, queue, order = {start}, deque([start]), [start]
    while queue:
        for target in edges.get(queue.popleft(), []):
            if target not in seen:
                seen.add(target)
                order.append(target)
                queue.append(target)
    return order


def _reachability_problems(start: str, steps: dict, edges: dict[str, list[str]]) -> list[str]:
    reachable = set(reachable_from(start, edges))
    problems = []
    unreachable = [step_id for step_id in steps if step_id not in reachable]
    if unreachable:
        names = ", ".join(repr(step_id) for step_id in unreachable)
        noun = "Step" if len(unreachable) == 1 else "Steps"
        problems.append(f"{noun} {names} cannot be reached from the start step {start!r}.")

    resolutions = {step_id for step_id, step in steps.items() if _is_resolution(step)}
    if not resolutions & reachable:
        return problems + [f"No resolution step can be reached from the start step {start!r}."]
    # A loop with no way out ("Didn't help" back and forth) would trap the technician.
    reverse: dict[str, list[str]] = {}
    for source, targets in edges.items():
        for target in targets:
            reverse.setdefault(target, []).append(source)
    can_finish: set[str] = set()
    for resolution in resolutions:
        can_finish.update(reachable_from(resolution, reverse))
    trapped = [step_id for step_id in steps if step_id in reachable and step_id not in can_finish]
    if trapped:
        names = ", ".join(repr(step_id) for step_id in trapped)
        problems.append(f"No resolution can be reached from {names}: the options only loop back.")
    return problems


def step_counts(graph: dict) -> dict[str, int]:
    """How many steps of each type a (valid) graph has; the library report and tests use it."""
    counts = dict.fromkeys(STEP_TYPES, 0)
    for step in graph["steps"].values():
        counts[step["type"]] += 1
    return counts
