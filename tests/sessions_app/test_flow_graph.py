"""A flow graph is refused with a message that names the problem; the starter library is valid."""

import copy
import json

import pytest

from sessions_app.flows.graph import FlowValidationError, graph_problems, reachable_from, validate_graph
from sessions_app.flows.library import starter_files

from .factories import small_graph


def vpn_graph() -> dict:
    return {
        "start": "check-vpn",
        "steps": {
            "check-vpn": {"type": "question", "text": "Does the VPN connect?",
                          "options": [{"label": "Yes", "next": "check-dns"}, {"label": "No", "next": "reinstall"}]},
            "reinstall": {"type": "action", "text": "Reinstall the client.", "detail": "Settings > Apps",
                          "options": [{"label": "Done", "next": "res-fixed"},
                                      {"label": "Didn't help", "next": "res-escalate"}]},
            "check-dns": {"type": "action", "text": "Run ipconfig /flushdns.",
                          "options": [{"label": "Done", "next": "res-fixed"}]},
            "res-fixed": {"type": "resolution", "text": "Fixed."},
            "res-escalate": {"type": "resolution", "text": "Escalate.", "escalate": True},
        },
    }


def changed(**steps) -> dict:
    """The VPN graph with some steps replaced (None removes a step)."""
    graph = copy.deepcopy(vpn_graph())
    for step_id, step in steps.items():
        step_id = step_id.replace("_", "-")
        if step is None:
            graph["steps"].pop(step_id)
        else:
            graph["steps"][step_id] = step
    return graph


def test_a_well_formed_graph_is_accepted():
    validate_graph(vpn_graph())
    assert graph_problems(small_graph()) == []


@pytest.mark.parametrize(
    ("graph", "message"),
    [
        ("not a graph", 'must be a JSON object with "start" and "steps"'),
        ({"steps": vpn_graph()["steps"]}, 'has no start step: set "start"'),
        ({**vpn_graph(), "start": "restart"}, "The start step 'restart' does not exist."),
        ({"start": "a", "steps": {}}, "The flow has no steps"),
        ({**vpn_graph(), "extra": 1}, "unknown field 'extra'"),
        (changed(check_vpn={"type": "question", "text": "Does the VPN connect?",
                            "options": [{"label": "Yes", "next": "check-dns"}, {"label": "No", "next": "restart"}]}),
         "Step 'check-vpn' option 'No' points to 'restart' which does not exist."),
        (changed(check_vpn={"type": "question", "text": "Does the VPN connect?", "options": []}),
         "Question step 'check-vpn' has no options"),
        (changed(check_dns={"type": "action", "text": "Run ipconfig /flushdns."}),
         "Action step 'check-dns' has no options"),
        (changed(res_fixed={"type": "resolution", "text": "Fixed.",
                            "options": [{"label": "Again", "next": "check-vpn"}]}),
         "Resolution step 'res-fixed' has options; a resolution ends the flow."),
        (changed(res_fixed={"type": "resolution", "text": "   "}), "Step 'res-fixed' has no text."),
        (changed(res_fixed={"type": "fix", "text": "Fixed."}),
         "Step 'res-fixed' has type 'fix'; use question, action or resolution."),
        (changed(check_vpn={"type": "question", "text": "Does it connect?",
                            "options": [{"label": "Yes", "next": "check-dns"},
                                        {"label": "yes ", "next": "reinstall"}]}),
         "Step 'check-vpn' has two options labelled 'yes'."),
        (changed(check_vpn={"type": "question", "text": "Does it connect?", "options": "Yes/No"}),
         "Step 'check-vpn': options must be a list."),
        (changed(check_vpn={"type": "question", "text": "Does it connect?", "options": ["Yes", "No"]}),
         "Step 'check-vpn' option 1 must be an object"),
        (changed(check_vpn={"type": "question", "text": "Does it connect?",
                            "options": [{"label": "", "next": "check-dns"}]}),
         "Step 'check-vpn' option 1 has no label."),
        (changed(check_vpn={"type": "question", "text": "Does it connect?", "options": [{"label": "Yes"}]}),
         "Step 'check-vpn' option 'Yes' has no next step."),
        (changed(check_dns={"type": "action", "text": "Flush.", "detail": ["ipconfig"],
                            "options": [{"label": "Done", "next": "res-fixed"}]}),
         "Step 'check-dns': detail must be text."),
        (changed(check_dns={"type": "action", "text": "Flush.", "optoins": []}),
         "Step 'check-dns' has an unknown field 'optoins'."),
        (changed(check_dns={"type": "action", "text": "Flush.", "escalate": True,
                            "options": [{"label": "Done", "next": "res-fixed"}]}),
         "escalate is true or false, and only on a resolution step"),
        (changed(check_dns="run ipconfig"), "Step 'check-dns' must be an object"),
        ({**vpn_graph(), "start": 7}, '"start" must be the id of a step'),
    ],
)
def test_an_invalid_graph_is_refused_with_a_message_naming_the_problem(graph, message):
    with pytest.raises(FlowValidationError) as exc:
        validate_graph(graph)
    assert any(message in problem for problem in exc.value.messages), exc.value.messages


def test_unreachable_steps_are_named():
    graph = changed(orphan={"type": "resolution", "text": "Never shown."},
                    lonely={"type": "action", "text": "Nobody comes here.",
                            "options": [{"label": "Done", "next": "orphan"}]})
    assert graph_problems(graph) == ["Steps 'orphan', 'lonely' cannot be reached from the start step 'check-vpn'."]


def test_a_flow_with_no_reachable_resolution_is_refused():
    graph = {"start": "a", "steps": {
        "a": {"type": "action", "text": "Try this.", "options": [{"label": "Didn't help", "next": "b"}]},
        "b": {"type": "action", "text": "Try that.", "options": [{"label": "Didn't help", "next": "a"}]},
    }}
    assert graph_problems(graph) == ["No resolution step can be reached from the start step 'a'."]


def test_a_loop_with_no_way_out_is_refused_even_when_other_paths_resolve():
    graph = changed(reinstall={"type": "action", "text": "Reinstall.",
                               "options": [{"label": "Didn't help", "next": "retry"}]},
                    retry={"type": "action", "text": "Retry.",
                           "options": [{"label": "Didn't help", "next": "reinstall"}]})
    graph["steps"]["res-escalate"] = {"type": "resolution", "text": "Escalate."}
    graph["steps"]["check-dns"]["options"].append({"label": "Still broken", "next": "res-escalate"})
    assert graph_problems(graph) == [
        "No resolution can be reached from 'reinstall', 'retry': the options only loop back."
    ]


def test_a_step_id_must_be_usable_in_a_url():
    graph = changed(check_dns=None)
    graph["steps"]["Check DNS!"] = {"type": "resolution", "text": "Done."}
    graph["steps"]["check-vpn"]["options"][0]["next"] = "Check DNS!"
    assert graph_problems(graph) == [
        "Step id 'Check DNS!' is not valid: use lower-case letters, digits, '-' and '_' (at most 64)."
    ]


def test_every_problem_is_reported_at_once():
    graph = changed(res_fixed={"type": "resolution", "text": ""},
                    check_dns={"type": "action", "text": "Flush.", "options": [{"label": "Done", "next": "gone"}]})
    problems = graph_problems(graph)
    assert "Step 'res-fixed' has no text." in problems
    assert "Step 'check-dns' option 'Done' points to 'gone' which does not exist." in problems


def test_a_loop_back_with_an_exit_is_allowed():
    graph = changed(reinstall={"type": "action", "text": "Reinstall.",
                               "options": [{"label": "Didn't help", "next": "check-vpn"},
                                           {"label": "Fixed", "next": "res-fixed"}]})
    graph["steps"]["check-dns"]["options"].append({"label": "Still broken", "next": "res-escalate"})
    assert graph_problems(graph) == []


def test_reachable_steps_are_listed_breadth_first():
    edges = {"a": ["b", "c"], "b": ["d"], "c": ["a"], "d": []}
    assert reachable_from("a", edges) == ["a", "b", "c", "d"]


# ---- the starter library ------------------------------------------------------------------

STARTER = starter_files()


def test_the_starter_library_has_at_least_twelve_runbooks():
    assert len(STARTER) >= 12


@pytest.mark.parametrize("path", STARTER, ids=[path.stem for path in STARTER])
def test_every_starter_runbook_is_a_valid_realistic_flow(path):
    document = json.loads(path.read_text(encoding="utf-8"))
    assert graph_problems(document["graph"]) == []
    assert document["slug"] == path.stem
    steps = document["graph"]["steps"]
    assert 6 <= len(steps) <= 20
    resolutions = [step for step in steps.values() if step["type"] == "resolution" and not step.get("escalate")]
    assert len(resolutions) >= 2, "a runbook needs at least two ways to resolve the problem"
    assert any(step["type"] == "question" and len(step["options"]) >= 2 for step in steps.values())
    assert document["keywords"] and document["tags"] and document["description"]
