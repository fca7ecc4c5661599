import pytest
from django.http import QueryDict

from clinic.forms import MAX_PAGE, DashboardQueryForm, parse_dashboard_query
from clinic.selectors import FILTERS


def _q(text=""):
    return parse_dashboard_query(QueryDict(text))


@pytest.mark.parametrize(
    ("text", "message_part", "filters", "page"),
    [
        ("filter=bogus", "Unknown filter", (), 1),
        ("alerts=maybe", "was ignored", (), 1),
        ("page=abc", "does not exist", (), 1),
        ("page=-3", "does not exist", (), 1),
        ("filter=alerts&filter=alerts", None, ("alerts",), 1),
        ("alerts=1&phq9=on&page=2", None, ("alerts", "phq9"), 2),
    ],
)
def test_garbage_filters_are_ignored_with_a_message(text, message_part, filters, page):
    query = _q(text)
    assert query.filters == filters
    assert query.page == page
    if message_part:
        assert any(message_part in m for m in query.messages)
    else:
        assert query.messages == []


@pytest.mark.parametrize(
    ("text", "messages"),
    [
        ("filter=bogus", ["Unknown filter “bogus” was ignored."]),
        ("alerts=maybe", ["The value “maybe” for “alerts” was ignored."]),
        ("page=abc", ["Page “abc” does not exist; showing the first page."]),
        ("page=0", ["Page “0” does not exist; showing the first page."]),
        ("filter=" + "x" * 60, [f"Unknown filter “{'x' * 40}” was ignored."]),
        ("page=" + "9" * 30, [f"Page “{'9' * 20}” does not exist; showing the first page."]),
        (
            "page=zz&stale=nah&filter=a&filter=b",
            [
                "Unknown filter “a” was ignored.",
                "Unknown filter “b” was ignored.",
                "The value “nah” for “stale” was ignored.",
                "Page “zz” does not exist; showing the first page.",
            ],
        ),
        ("q=%00pat", ["The search contains a null character and was ignored."]),
        ("alerts=0&stale=off&phq9=&page=", []),
    ],
)
def test_each_ignored_value_gives_one_message_in_field_order(text, messages):
    assert _q(text).messages == messages


@pytest.mark.parametrize(
    ("text", "filters"),
    [
        ("filter=phq9&filter=bogus&filter=alerts", ("phq9", "alerts")),  # the known ones stay
        ("stale=1&filter=phq9", ("phq9", "stale")),
        ("filter=stale&stale=yes", ("stale",)),
        ("alerts=true&stale=on&phq9=1", ("alerts", "stale", "phq9")),
        ("alerts=no", ()),
    ],
)
def test_filters_come_from_the_filter_list_then_the_checkboxes(text, filters):
    assert _q(text).filters == filters


@pytest.mark.parametrize(
    ("text", "search", "page"),
    [
        ("q=%20%20Stella%20", "Stella", 1),
        ("q=" + "s" * 150, "s" * 100, 1),  # cut, not refused
        ("page=3", "", 3),
        ("page=%203%20", "", 3),
        (f"page={MAX_PAGE}", "", MAX_PAGE),
        (f"page={MAX_PAGE + 1}", "", 1),  # would overflow the SQL OFFSET
        ("q=%00pat&page=2", "", 2),
    ],
)
def test_search_and_page(text, search, page):
    query = _q(text)
    assert (query.search, query.page) == (search, page)


def test_bad_values_are_field_errors():
    form = DashboardQueryForm(QueryDict("filter=bogus&alerts=maybe&page=x"))
    assert not form.is_valid()
    assert set(form.errors) == {"filter", "alerts", "page"}


def test_the_form_has_one_checkbox_per_filter():
    assert set(FILTERS) < set(DashboardQueryForm.base_fields)
