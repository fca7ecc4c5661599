"""Hostile query strings on every page and API list: 400 (or an empty/last page), never a 500.

The routes come from the URL resolver (through the access matrix, which fails on a route without
a row), each requested as the personas the matrix says get a 200, so the view really runs. The
parameter names come from the source (every `request.GET` / `query_params` / `params` read) and
the OpenAPI schema, so a new list, page or filter is covered without editing this file.

Findings this pins (penetration test, issue 10 #11 and issue 11 #5): `%00` in `?q=`,
`?instrument=`, `?status=` and any filter reached PostgreSQL (which cannot hold NUL: a 500), and
`?page=99999999999999999999` overflowed the dashboard's OFFSET (a 500).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
from django.db import transaction

from tests import test_access_matrix as matrix
from tests.test_access_matrix import all_routes, client_for_persona, fill, row_for

world = matrix.world  # the access matrix's fixture: Pat's entry, course, alert, links

ROOT = Path(__file__).resolve().parent.parent
APPS = ("portal", "accounts", "journal", "medications", "alerts", "clinic", "teams", "core")
READ = re.compile(
    r"""(?:GET|query_params|params)\s*(?:\.\s*(?:get|getlist)\s*\(\s*|\[\s*)["'](\w+)["']"""
)
# Django's admin changelist parameters: search, page, ordering, "show all".
ADMIN_PARAMS = {"q", "p", "o", "all", "e"}

NUL = "a%00b"
HUGE = "99999999999999999999"
HOSTILE_VALUES = {
    "huge": HUGE,
    "negative": "-1",
    "float": "1e309",
    "surrogate": "%ED%A0%80",  # a UTF-8-encoded lone surrogate (invalid UTF-8)
    "long markup": "%3Cscript%3E" + "9" * 400,
}


@functools.cache
def _query_names() -> tuple[str, ...]:
    """Every query parameter the code reads, plus those the OpenAPI schema documents."""
    names = {"page", "page_size", "q", "patient", "status", "instrument", "filter", "start", "end"}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            names.update(READ.findall(path.read_text()))
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for item in schema["paths"].values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query":
                    names.add(parameter["name"])
    names.discard("next")  # a redirect target, not a filter (checked by the login tests)
    return tuple(sorted(names))


def query_names() -> list[str]:
    """Every query parameter the code reads, plus those the OpenAPI schema documents."""
    return list(_query_names())


def _personas_for(route: str) -> list[str]:
    row = row_for(route)
    if row is None or "GET" not in row.expect:
        return []
    chosen = []
    for persona, expect in row.expect["GET"].items():
        tokens = (expect,) if isinstance(expect, str) else expect
        if "200" in tokens:
            chosen.append(persona)
    # The API lists run different code for a patient and a clinician; a page, one persona.
    preferred = [p for p in ("pat", "cleo", "ada") if p in chosen]
    if not route.startswith("api/v1/"):
        preferred = preferred[-1:]
    return preferred or chosen[:1]


def _is_admin_changelist(route: str) -> bool:
    return re.fullmatch(r"admin/\w+/\w+/", route) is not None


def get_routes():
    for route in sorted(all_routes()):
        if route.startswith("admin/") and not _is_admin_changelist(route):
            continue
        for persona in _personas_for(route):
            yield pytest.param(route, persona, id=f"/{route} as {persona}")


ROUTES = list(get_routes())


def test_the_route_and_parameter_lists_are_not_empty():
    names = query_names()
    for expected in ("q", "page", "instrument", "patient", "status", "days", "start"):
        assert expected in names
    routed = {route for route, *_ in (p.values for p in ROUTES)}
    for expected in ("api/v1/entries/", "api/v1/drugs/", "clinician/", "clinician/alerts/"):
        assert expected in routed
    assert len(ROUTES) >= 40


def _get(client, url):
    """One request in a savepoint that is rolled back: a 500 cannot poison the next request."""
    with transaction.atomic():
        response = client.get(url)
        transaction.set_rollback(True)
    return response


def _is_api(route: str) -> bool:
    return route.startswith("api/v1/")


@pytest.mark.parametrize(("route", "persona"), ROUTES)
def test_hostile_query_strings_never_give_a_500(world, route, persona):
    client = client_for_persona(world, persona)
    base = fill(route, world)
    names = sorted(query_names() + (sorted(ADMIN_PARAMS) if route.startswith("admin/") else []))
    problems = []

    def check(query: str, label: str, nul: bool = False) -> None:
        response = _get(client, f"{base}?{query}")
        api_error = _is_api(route) and response.status_code >= 400
        if nul and response.status_code != 400:
            problems.append(f"{label}: {response.status_code}, expected 400")
        elif response.status_code >= 500:
            problems.append(f"{label}: {response.status_code}")
        elif api_error and not response["Content-Type"].startswith("application/json"):
            problems.append(f"{label}: {response['Content-Type']}")
        elif nul and _is_api(route) and "detail" not in response.json():
            problems.append(f"{label}: no JSON detail")

    # NUL anywhere in the query string: refused before any view runs, as JSON on the API.
    check(f"q={NUL}", "?q=NUL", nul=True)
    check("&".join(f"{name}={NUL}" for name in names), "every parameter NUL", nul=True)
    # Every other hostile value in every parameter at once, then the enormous number in each
    # parameter alone (a parameter validated first cannot hide a 500 in the next): never a 5xx.
    for label, value in HOSTILE_VALUES.items():
        check("&".join(f"{name}={value}" for name in names), f"every parameter {label}")
    for name in names:
        check(f"{name}={HUGE}", f"?{name}=huge")
    assert problems == [], f"/{route} as {persona}:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    "url",
    ["/api/v1/entries/%00/", "/clinician/patients/1%00/", "/patient/%00"],
)
def test_a_nul_in_the_path_is_refused(world, url):
    response = _get(client_for_persona(world, "cleo"), url)
    assert response.status_code == 400
    assert "Content-Security-Policy" in response  # refused early, still with every header
    assert response["Cache-Control"] == "no-store, private"
    if url.startswith("/api/"):
        assert response.json() == {"detail": "The address may not contain NUL (%00) characters."}


def test_an_api_page_past_the_end_is_empty_and_a_malformed_page_is_a_field_error(world):
    client = client_for_persona(world, "pat")
    first = client.get("/api/v1/entries/").json()
    assert first["count"] == 1
    past = client.get("/api/v1/entries/?page=7").json()
    assert past["count"] == 1
    assert past["results"] == []
    assert past["next"] is None
    assert past["previous"] is not None
    for value in (HUGE, "0", "-1", "abc", "1.5"):
        response = client.get(f"/api/v1/entries/?page={value}")
        assert response.status_code == 400, value
        assert "page" in response.json(), value
    assert client.get("/api/v1/entries/?page=last").json()["results"] != []


def test_the_dashboard_shows_its_last_page_for_an_enormous_page_number(world):
    client = client_for_persona(world, "cleo")
    response = client.get(f"/clinician/?page={HUGE}")
    assert response.status_code == 200
    assert "Pat Patient" in response.content.decode()
    api = client.get(f"/api/v1/patients/?page={HUGE}").json()
    assert api["page"] == 1
    assert [row["id"] for row in api["results"]] == [world["pat"].pk]
