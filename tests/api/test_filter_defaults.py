"""A filter set that declares ``apply_defaults`` is not built when a list request gives none of
its parameters: the backend applies the declared defaults instead (resolutionflow.api.filters,
issue 9). That is only right when the built set, given no parameters, makes exactly the same
query: every filter set of the API is checked here."""

import importlib

import pytest
from django_filters import rest_framework as filters
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from handoffs.api.filters import HandoffFilter
from sessions_app.api.filters import FlowFilter, SessionFilter

OUR_APPS = ("accounts.", "handoffs.", "sessions_app.", "resolutionflow.")


def filter_sets():
    """Every FilterSet class of the project, wherever it is declared (the URL configuration
    imports every view, and so every filter set a view names)."""
    importlib.import_module("resolutionflow.urls")
    found, waiting = {}, [filters.FilterSet]
    while waiting:
        for subclass in waiting.pop().__subclasses__():
            waiting.append(subclass)
            if subclass.__module__.startswith(OUR_APPS):
                found[subclass.__name__] = subclass
    return found


def declaring() -> list[str]:
    return sorted(name for name, found in filter_sets().items() if hasattr(found, "apply_defaults"))


@pytest.mark.parametrize("name", declaring())
def test_a_declared_default_is_what_the_built_set_makes_of_no_parameters(name, engineer):
    filterset_class = filter_sets()[name]
    request = Request(APIRequestFactory().get("/api/v1/"))
    request.user = engineer
    queryset = filterset_class._meta.model._base_manager.all()
    built = filterset_class(data=request.query_params, queryset=queryset, request=request)
    assert built.is_valid(), built.errors
    assert str(built.qs.query) == str(filterset_class.apply_defaults(queryset).query)


@pytest.mark.parametrize(("url", "filterset_class", "parameter", "bad"), [
    ("/api/v1/sessions/", SessionFilter, {"status": "resolved"}, {"status": "lost"}),
    ("/api/v1/handoffs/", HandoffFilter, {"status": "resolved"}, {"status": "lost"}),
    ("/api/v1/flows/", FlowFilter, {"include_inactive": "true"}, {"include_inactive": "maybe"}),
])
def test_a_list_builds_its_filter_set_only_when_given_one_of_its_parameters(
        api, engineer, monkeypatch, url, filterset_class, parameter, bad):
    built = []
    original = filterset_class.__init__

    def spy(self, *args, **kwargs):
        built.append(kwargs.get("data"))
        original(self, *args, **kwargs)

    monkeypatch.setattr(filterset_class, "__init__", spy)
    client = api.as_user(engineer)
    assert client.get(url, {"page_size": 5}).status_code == 200
    assert built == []
    assert client.get(url, parameter).status_code == 200
    assert len(built) == 1
    assert client.get(url, bad).json()["code"] == "invalid_filter"  # still validated
    assert client.get(url, {"colour": "red"}).json()["code"] == "unknown_filter"
