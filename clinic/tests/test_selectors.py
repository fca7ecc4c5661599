from datetime import timedelta

import pytest
from django.http import QueryDict
from django.utils import timezone

from clinic import selectors
from clinic.forms import parse_dashboard_query
from clinic.tests import factories as f
from conftest import link, make_patient

# Dates relative to today: rerun under a frozen clock by `make test-clock`.
pytestmark = pytest.mark.clock


@pytest.fixture
def today():
    return timezone.localdate()


def _q(text=""):
    return parse_dashboard_query(QueryDict(text))


def test_it_summarises_means_changes_phq9_and_interactions(pat, cleo, today):
    # 28 baseline days (T-34..T-7) at mood 7 / pain 4, then 7 recent days at mood 3 / pain 7.
    f.entries(pat, today, [7] * 28 + [3] * 7, [4] * 28 + [7] * 7)
    f.phq9_response(pat, [2, 2, 2, 2, 2, 2, 2, 1, 0], today - timedelta(days=3))
    f.course(pat, "sertraline", today - timedelta(days=10))
    f.course(pat, "tramadol", today - timedelta(days=200))
    f.alert(pat, "high")
    f.alert(pat, "critical")
    f.alert(pat, "critical", status="resolved")

    row = selectors.patient_summary(cleo, pat.pk, today=today)

    assert row.open_alerts == 2
    assert row.max_severity == "critical"
    assert row.last_entry == today and row.days_since_entry == 0
    assert row.mood_7 == pytest.approx(3) and row.mood_change == pytest.approx(-4)
    assert row.pain_7 == pytest.approx(7) and row.pain_change == pytest.approx(3)
    assert (row.phq9_total, row.phq9_band) == (15, "moderately_severe")
    assert row.interaction_severity == "major"
    assert row.interaction_drugs == [["sertraline", "tramadol"]]
    assert row.black_box_open is True
    assert len(row.sparkline_mood) == selectors.SPARKLINE_DAYS


def test_it_leaves_means_empty_without_entries(pat, cleo, today):
    row = selectors.patient_summary(cleo, pat.pk, today=today)
    assert (row.mood_7, row.mood_change, row.last_entry, row.phq9_total) == (None, None, None, None)
    assert row.interaction_severity == "none" and row.black_box_open is False


@pytest.mark.parametrize(
    ("started_days_ago", "open_"),
    [(0, True), (84, True), (85, False), (-1, False)],
)
def test_black_box_window_edges(pat, cleo, today, started_days_ago, open_):
    f.course(pat, "sertraline", today - timedelta(days=started_days_ago))
    assert selectors.patient_summary(cleo, pat.pk, today=today).black_box_open is open_


def test_washout_keeps_a_stopped_drug_counting(pat, cleo, today):
    f.course(pat, "fluoxetine", today - timedelta(days=100), today - timedelta(days=34))
    f.course(pat, "phenelzine", today - timedelta(days=1))
    assert selectors.patient_summary(cleo, pat.pk, today=today).interaction_severity == (
        "contraindicated"
    )


def test_it_orders_by_alert_severity_then_worsening(cleo, pat, today):
    calm = make_patient("calm@example.com", "Aaron Calm")
    worse = make_patient("worse@example.com", "Zed Worse")
    high = make_patient("high@example.com", "Hal High")
    for p in (calm, worse, high):
        link(p, cleo)
    f.entries(worse, today, [8] * 28 + [2] * 7)
    f.entries(calm, today, [6] * 35)
    f.alert(high, "high")
    f.alert(pat, "critical")

    page = selectors.dashboard_page(cleo, _q(), today=today)

    assert [r.patient.email for r in page.rows] == [
        "pat@example.com",
        "high@example.com",
        "worse@example.com",
        "calm@example.com",
    ]


def test_filters_and_search(cleo, pat, today):
    stale = make_patient("stale@example.com", "Stella Stale")
    fresh = make_patient("fresh@example.com", "Fred Fresh")
    for p in (stale, fresh):
        link(p, cleo)
    f.entries(stale, today, [5], start_offset=7)
    f.entries(fresh, today, [5])
    f.phq9_response(fresh, [2] * 8 + [0], today)  # 16
    f.phq9_response(stale, [1] * 8 + [0], today)  # 8
    f.alert(fresh, "moderate")

    def emails(text):
        return {r.patient.email for r in selectors.dashboard_page(cleo, _q(text), today=today).rows}

    assert emails("filter=alerts") == {"fresh@example.com"}
    assert emails("filter=stale") == {"stale@example.com", "pat@example.com"}  # pat: never
    assert emails("filter=phq9") == {"fresh@example.com"}
    assert emails("stale=1&filter=phq9") == set()
    assert emails("q=stella") == {"stale@example.com"}
    assert emails("q=FRESH@EXAMPLE") == {"fresh@example.com"}


def test_a_page_past_the_end_shows_the_last_page(cleo, pat, today):
    page = selectors.dashboard_page(cleo, _q("page=99"), today=today)
    assert page.page.number == 1
    assert any("does not exist" in m for m in page.query.messages)


@pytest.mark.parametrize(
    ("persona", "sees"),
    [("uma", []), ("rex", []), ("val", []), ("ada", []), ("sam", ["sam"]), ("pat", ["pat"])],
)
def test_the_summary_starts_from_the_access_gate(personas, persona, sees, today):
    """Selectors are reached only by clinician views, but they never widen access themselves."""
    user = personas[persona]
    found = selectors.patient_summary(user, personas["pat"].pk, today=today)
    assert (found is not None) is (persona == "pat")
    rows = selectors.dashboard_page(user, _q(), today=today).rows
    assert [r.patient.email for r in rows] == [f"{name}@example.com" for name in sees]


def _population(clinician, n, today):
    for i in range(n):
        p = make_patient(f"p{i}@example.com", f"Patient {i}")
        link(p, clinician)
        f.entries(p, today, [5 + i % 3] * 40, [4] * 40)
        f.phq9_response(p, [1] * 9, today)
        f.course(p, "sertraline", today - timedelta(days=5))
        f.course(p, "amitriptyline", today - timedelta(days=50))
        f.alert(p, "high")


@pytest.mark.parametrize("size", [3, 30])
def test_dashboard_page_queries_are_constant(cleo, today, size, django_assert_max_num_queries):
    _population(cleo, size, today)
    # First read of the day: the order + count finds stale triage rows, so they are recomputed
    # (stale ids, figures, one upsert) and the order + count runs again; then page rows,
    # courses, the ingredients of combination products and sparklines.
    with django_assert_max_num_queries(9):
        selectors.dashboard_page(cleo, _q("filter=alerts"), today=today)
    # Steady state: order + count (which also counts stale rows: none), page rows, courses,
    # ingredients, sparklines. No refresh check of its own.
    with django_assert_max_num_queries(5):
        page = selectors.dashboard_page(cleo, _q("filter=alerts"), today=today)
    assert len(page.rows) == min(size, selectors.PAGE_SIZE)
    assert all(r.interaction_severity == "moderate" for r in page.rows)


def test_a_worsening_patient_moves_up_after_a_change(cleo, pat, today):
    other = make_patient("o@example.com", "Aaron First")
    link(other, cleo)
    f.entries(pat, today, [6] * 35)
    f.entries(other, today, [6] * 35)
    assert selectors.dashboard_page(cleo, _q(), today=today).rows[0].patient == other

    from accounts.models import PatientProfile
    from journal.models import DailyEntry

    DailyEntry.objects.filter(patient=pat, date__gt=today - timedelta(days=7)).update(mood=2)
    PatientProfile.objects.filter(user=pat).update(data_changed_at=timezone.now())
    assert selectors.dashboard_page(cleo, _q(), today=today).rows[0].patient == pat


def test_the_record_reads_scores_but_not_the_full_questionnaire_answers(pat, today):
    f.phq9_response(pat, [1] * 9, today)
    record = selectors.patient_record(pat, today=today)
    assert [r.score["total"] for r in record.responses] == [9]
    assert record.responses[0].get_deferred_fields() == {"answers"}


def test_access_patient_brings_the_profile_in_the_same_query(pat, cleo, django_assert_num_queries):
    from accounts.access import access_patient

    with django_assert_num_queries(1):
        patient = access_patient(cleo, pat.pk)
        assert patient.patient_profile.date_of_birth is not None


def test_dashboard_page_counts_the_badge_in_its_triage_query(
    cleo, pat, today, django_assert_max_num_queries
):
    from alerts.selectors import unread_count

    f.alert(pat, "high")
    f.alert(pat, "high", status="acknowledged")
    selectors.dashboard_page(cleo, _q(), today=today)  # refresh the triage rows first
    with django_assert_max_num_queries(5):
        page = selectors.dashboard_page(cleo, _q(), today=today, with_unread=True)
    assert page.unread_alerts == unread_count(cleo) == 1
    assert selectors.dashboard_page(cleo, _q(), today=today).unread_alerts is None
