"""The whole check-in on the clinician's record: notes and their search, the pain-region heat
map, serotonin-toxicity symptoms per day (clinic/checkins.py and the record's notes partial)."""

import re
from datetime import date, timedelta

import pytest

from accounts.models import AuditEvent
from clinic import checkins
from clinic.tests import factories as f
from core.timezones import patient_today
from journal.models import DailyEntry

# Dates relative to today: rerun under a frozen clock by `make test-clock`.
pytestmark = pytest.mark.clock

START = date(2026, 3, 1)
END = date(2026, 3, 31)


def _entry(patient, day, *, regions=(), symptoms=(), notes=""):
    return DailyEntry.objects.create(
        patient=patient,
        date=day,
        pain=5,
        fatigue=5,
        sleep_quality=5,
        cognition=5,
        mood=5,
        pain_regions=list(regions),
        serotonin_symptoms=list(symptoms),
        notes=notes,
    )


def _unsaved(day, regions=(), symptoms=()):
    return DailyEntry(date=day, pain_regions=list(regions), serotonin_symptoms=list(symptoms))


@pytest.fixture
def today(pat):
    # The record counts from the patient's own today (core.timezones), which at 03:30 UTC is
    # still yesterday for Pat in New York.
    return patient_today(pat)


# --- pure summaries ----------------------------------------------------------------------------


def test_region_counts_include_both_edges_of_the_period_and_nothing_outside():
    entries = [
        _unsaved(START - timedelta(days=1), ["neck", "hip_left"]),  # the day before: out
        _unsaved(START, ["neck"]),  # first day: in
        _unsaved(START + timedelta(days=10), ["neck", "neck", "lower_back", "elbow"]),
        _unsaved(END, ["neck", "hip_left"]),  # last day: in
        _unsaved(END + timedelta(days=1), ["lower_back"]),  # the day after: out
    ]

    counts, checkin_days = checkins.region_day_counts(entries, start=START, end=END)

    by_code = {c.code: c for c in counts}
    assert checkin_days == 3
    assert len(counts) == 19  # every WPI region, the unknown "elbow" ignored
    assert by_code["neck"].days == 3  # listed twice on one day: one day
    assert by_code["lower_back"].days == 1
    assert by_code["hip_left"].days == 1
    assert by_code["jaw_left"].days == 0
    assert by_code["neck"].level == 4 and by_code["jaw_left"].level == 0


@pytest.mark.parametrize(
    ("days", "checkin_days", "level"),
    [
        (0, 10, 0),
        (1, 10, 1),
        (25, 100, 1),
        (26, 100, 2),
        (50, 100, 2),
        (51, 100, 3),
        (75, 100, 3),
        (76, 100, 4),
        (10, 10, 4),
        (0, 0, 0),
    ],
)
def test_heat_level_is_the_quarter_of_check_in_days(days, checkin_days, level):
    assert checkins.heat_level(days, checkin_days) == level


def test_symptom_days_list_each_day_newest_first_within_the_period():
    entries = [
        _unsaved(START - timedelta(days=1), symptoms=["fever"]),
        _unsaved(START, symptoms=["tremor", "sweating"]),
        _unsaved(START + timedelta(days=1)),
        _unsaved(END, symptoms=["confusion", "agitation", "fever", "made_up"]),
        _unsaved(END + timedelta(days=1), symptoms=["fever"]),
    ]

    days = checkins.symptom_days(entries, start=START, end=END)

    assert [(d.day, d.codes) for d in days] == [
        (END, ("agitation", "fever", "confusion")),
        (START, ("sweating", "tremor")),
    ]
    assert days[0].labels == ("Feeling agitated or restless", "Fever", "Confusion")
    assert checkins.symptom_totals(days) == [
        ("Feeling agitated or restless", 1),
        ("Heavy sweating", 1),
        ("Shaking (tremor)", 1),
        ("Fever", 1),
        ("Confusion", 1),
    ]


def test_highlight_escapes_the_note_and_marks_every_term():
    html = checkins.highlight("Knee <b>pain</b> & PAIN\nbetter", ["pain", "<b>"])
    assert html == (
        "Knee <mark>&lt;b&gt;</mark><mark>pain</mark>&lt;/b&gt; &amp; <mark>PAIN</mark><br>better"
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(None, ""), ("  knee   pain ", "knee pain"), ("x" * 100, "x" * 100)],
)
def test_clean_notes_query(raw, expected):
    assert checkins.clean_notes_query(raw) == expected


@pytest.mark.parametrize("raw", ["a\x00b", "x" * 101])
def test_unusable_notes_queries_are_refused(raw):
    with pytest.raises(checkins.NotesQueryError):
        checkins.clean_notes_query(raw)


# --- the record page ---------------------------------------------------------------------------


def test_record_shows_notes_newest_first_escaped_and_only_this_patients(
    client_for, cleo, pat, sam, today
):
    _entry(pat, today - timedelta(days=3), notes="Older note about the garden")
    _entry(pat, today - timedelta(days=1), notes='Newer <script>alert("x")</script> note')
    _entry(pat, today - timedelta(days=2))  # no note: not listed
    _entry(sam, today - timedelta(days=1), notes="Sam's private garden note")

    body = client_for(cleo).get(f"/clinician/patients/{pat.pk}/").content.decode()

    assert body.index("Newer &lt;script&gt;") < body.index("Older note about the garden")
    assert "<script>alert" not in body
    assert "Sam&#x27;s private" not in body and "Sam's private" not in body
    assert "style=" not in body


def test_record_shows_the_heat_map_and_symptoms_per_day(client_for, cleo, pat, today):
    _entry(pat, today - timedelta(days=1), regions=["neck", "hip_left"], symptoms=["tremor"])
    _entry(pat, today - timedelta(days=2), regions=["neck"])
    _entry(
        pat,
        today - timedelta(days=3),
        regions=["neck"],
        symptoms=["sweating", "fever", "confusion"],
    )
    _entry(pat, today - timedelta(days=4))

    body = client_for(cleo).get(f"/clinician/patients/{pat.pk}/?days=30").content.decode()

    assert "out of 4 check-ins" in body
    rows = re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td></tr>", body)
    assert ("Neck", "3") in rows
    assert ("Left hip or buttock", "1") in rows
    # Neck on 3 of 4 days is the third quarter; the left hip on 1 of 4 the first.
    assert re.search(r'class="heat heat-3"><title>Neck: 3 days</title>', body)
    assert re.search(r'class="heat heat-1"><title>Left hip or buttock: 1 day</title>', body)
    assert re.search(r'class="heat heat-0"><title>Left jaw: 0 days</title>', body)
    assert 'aria-label="Back: Left hip or buttock: 1 day; Neck: 3 days"' in body
    assert 'aria-label="Front: no region marked"' in body
    symptom_table = body[body.index('class="table compact symptom-table"') :]
    assert "Heavy sweating, Fever, Confusion" in symptom_table
    assert "Shaking (tremor)" in symptom_table
    assert symptom_table.index("Shaking (tremor)") < symptom_table.index("Heavy sweating")
    assert 'class="symptoms-many"' in symptom_table


def test_record_heat_map_counts_both_edges_of_the_chosen_period(client_for, cleo, pat, today):
    # ?days=30: the period is today-29 .. today, both included.
    _entry(pat, today - timedelta(days=30), regions=["chest"], symptoms=["fever"])  # out
    _entry(pat, today - timedelta(days=29), regions=["neck"], symptoms=["tremor"])  # first day
    _entry(pat, today, regions=["neck"])  # last day

    body = client_for(cleo).get(f"/clinician/patients/{pat.pk}/?days=30").content.decode()

    assert "out of 2 check-ins" in body
    assert "<tr><td>Neck</td><td>2</td></tr>" in body
    assert "<tr><td>Chest</td>" not in body
    assert "Shaking (tremor)" in body and "Fever" not in body


def test_record_without_check_ins_says_so(client_for, cleo, pat):
    body = client_for(cleo).get(f"/clinician/patients/{pat.pk}/").content.decode()
    assert "No notes in this period." in body
    assert "No check-ins in this period." in body


@pytest.mark.parametrize("n", [5, 200])
def test_record_with_notes_regions_and_symptoms_uses_a_fixed_number_of_queries(
    client_for, cleo, pat, today, n, django_assert_max_num_queries
):
    DailyEntry.objects.bulk_create(
        [
            DailyEntry(
                patient=pat,
                date=today - timedelta(days=i),
                pain=5,
                fatigue=5,
                sleep_quality=5,
                cognition=5,
                mood=5,
                pain_regions=["neck", "hip_left"],
                serotonin_symptoms=["tremor"],
                notes=f"note {i}",
            )
            for i in range(n)
        ]
    )
    client = client_for(cleo)
    client.get("/clinician/alerts/")  # the session's activity stamp (see test_views)
    # Session, user, clinician profile, patient + profile, entries, responses, courses, alerts,
    # events, the first page of notes, audit, badge, entries removed by the patient.
    with django_assert_max_num_queries(13):
        response = client.get(f"/clinician/patients/{pat.pk}/?days=365")
    assert response.status_code == 200
    assert "note 0" in response.content.decode()


# --- the notes search partial ------------------------------------------------------------------


def _search(client, patient, **params):
    return client.get(f"/clinician/patients/{patient.pk}/notes/", params, HTTP_HX_REQUEST="true")


def test_search_finds_matching_notes_of_this_patient_only_and_escapes_them(
    client_for, cleo, pat, sam, today
):
    _entry(pat, today - timedelta(days=1), notes="Knee <i>pain</i> after the walk")
    _entry(pat, today - timedelta(days=2), notes="Slept badly")
    _entry(pat, today - timedelta(days=3), notes="knee better, WALK shorter")
    _entry(sam, today - timedelta(days=1), notes="Sam: knee walk")

    response = _search(client_for(cleo), pat, q="knee walk")

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body  # a fragment
    assert "Knee &lt;i&gt;pain&lt;/i&gt; after the <mark>walk</mark>" in body.replace(
        "<mark>Knee</mark>", "Knee"
    )
    assert "<mark>WALK</mark> shorter" in body
    assert "Slept badly" not in body
    assert "Sam" not in body
    assert "<i>pain</i>" not in body


def test_search_without_hits_says_so(client_for, cleo, pat, sam, today):
    _entry(pat, today - timedelta(days=1), notes="Slept badly")
    _entry(sam, today - timedelta(days=1), notes="zebra")

    body = _search(client_for(cleo), pat, q="zebra").content.decode()

    assert "No notes in this period contain “zebra”." in body
    assert "Slept badly" not in body


def test_search_keeps_to_the_period_with_both_edges(client_for, cleo, pat, today):
    start, end = today - timedelta(days=10), today - timedelta(days=2)
    for offset, label in [(11, "before"), (10, "first"), (2, "last"), (1, "after")]:
        _entry(pat, today - timedelta(days=offset), notes=f"walk {label}")

    body = _search(
        client_for(cleo), pat, q="walk", start=start.isoformat(), end=end.isoformat()
    ).content.decode()

    assert "walk</mark> first" in body and "walk</mark> last" in body
    assert "before" not in body and "after" not in body


def test_search_pages_through_notes(client_for, cleo, pat, today):
    for i in range(checkins.NOTES_PAGE_SIZE + 3):
        _entry(pat, today - timedelta(days=i + 1), notes=f"walk day {i + 1:02d}")
    client = client_for(cleo)

    first = _search(client, pat, q="walk").content.decode()
    second = _search(client, pat, q="walk", page="2").content.decode()

    assert first.count('class="note-item"') == checkins.NOTES_PAGE_SIZE
    assert "day 01" in first and "day 11" not in first
    assert "Older notes" in first and "Newer notes" not in first
    assert second.count('class="note-item"') == 3
    assert "day 11" in second and "day 13" in second
    assert "Newer notes" in second and "Older notes" not in second


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "a\x00b"}, "NUL"),  # refused by the middleware before the view
        ({"q": "x" * 101}, "at most 100"),
        ({"start": "yesterday"}, "not a date"),
        ({"start": "2026-03-02", "end": "2026-03-01"}, "after the end"),
        ({"start": "2016-01-01", "end": "2026-01-01"}, "five years"),
    ],
)
def test_bad_search_input_is_a_400_with_a_message(client_for, cleo, pat, params, message):
    response = _search(client_for(cleo), pat, **params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_search_is_audited_once_per_request(client_for, cleo, pat, today):
    _entry(pat, today - timedelta(days=1), notes="walk")
    _search(client_for(cleo), pat, q="walk")
    assert (
        AuditEvent.objects.filter(
            actor=cleo, patient=pat, action="record_notes", object_id=str(pat.pk)
        ).count()
        == 1
    )


@pytest.mark.parametrize("persona", ["uma", "rex", "sam", "val"])
def test_search_is_404_for_everyone_else(personas, client_for, persona, today):
    pat = personas["pat"]
    _entry(pat, today - timedelta(days=1), notes="secret walk")
    response = _search(client_for(personas[persona]), pat, q="walk")
    assert response.status_code == 404
    assert "secret" not in response.content.decode()


@pytest.mark.parametrize("n", [3, 60])
def test_search_uses_a_fixed_number_of_queries(
    client_for, cleo, pat, today, n, django_assert_max_num_queries
):
    for i in range(n):
        _entry(pat, today - timedelta(days=i), notes=f"walk {i}")
    client = client_for(cleo)
    client.get("/clinician/alerts/")
    # Session, user, clinician profile, patient + profile, notes, audit (granting team + row).
    with django_assert_max_num_queries(7):
        response = _search(client, pat, q="walk")
    assert response.status_code == 200


def test_factories_still_make_entries_without_notes(pat, today):
    # f.entries rows carry no note, region or symptom: the record lists none of them.
    f.entries(pat, today, [5] * 3)
    counts, days = checkins.region_day_counts(
        DailyEntry.objects.filter(patient=pat), start=today - timedelta(days=5), end=today
    )
    assert days == 3 and all(c.days == 0 for c in counts)


def _reference_svgs(counts):
    """heat_map_svgs as it was before its shapes' geometry was cached: every figure built
    afresh from journal.bodymap."""
    from django.utils.html import format_html, format_html_join
    from django.utils.safestring import mark_safe

    from clinic.checkins import BODY_FIGURES
    from journal.instruments.codes import WPI_REGIONS

    names = {
        "rect": ("x", "y", "width", "height", "rx"),
        "ellipse": ("cx", "cy", "rx", "ry"),
        "circle": ("cx", "cy", "r"),
    }

    def shape_html(shape, css, title=""):
        tag = str(shape["tag"])
        attrs = format_html_join(" ", '{}="{}"', ((n, shape[n]) for n in names[tag]))
        if title:
            return format_html(
                '<{} {} class="{}"><title>{}</title></{}>', tag, attrs, css, title, tag
            )
        return format_html('<{} {} class="{}"/>', tag, attrs, css)

    by_code = {c.code: c for c in counts}
    figures = []
    for view, figure_title, outline_shapes, region_shapes in BODY_FIGURES:
        outline = format_html_join(
            "", "{}", ((shape_html(s, "bm-figure"),) for s in outline_shapes)
        )
        parts, summary = [], []
        for code in WPI_REGIONS:
            if code not in region_shapes:
                continue
            count = by_code[code]
            title = f"{count.label}: {count.days} day{'' if count.days == 1 else 's'}"
            parts.append(shape_html(region_shapes[code], f"heat heat-{count.level}", title))
            if count.days:
                summary.append(title)
        label = f"{figure_title}: " + ("; ".join(summary) if summary else "no region marked")
        svg = format_html(
            '<svg viewBox="0 0 200 420" role="img" aria-label="{}" focusable="false">'
            '<g aria-hidden="true">{}</g>{}</svg>',
            label,
            outline,
            mark_safe("".join(parts)),  # noqa: S308 - each part built by format_html
        )
        figures.append({"view": view, "title": figure_title, "svg": svg})
    return figures


def test_heat_maps_with_cached_geometry_match_figures_built_afresh():
    """The outline and each shape's geometry are written once per process; the heat classes
    and titles are each page's own, so pages of different counts never borrow each other's."""
    from clinic.checkins import RegionCount, heat_map_svgs
    from journal.instruments.codes import WPI_REGION_LABELS, WPI_REGIONS

    def counts(days_of):
        return [
            RegionCount(code, WPI_REGION_LABELS[code], days_of(i), min(4, days_of(i)))
            for i, code in enumerate(WPI_REGIONS)
        ]

    none, some, many = counts(lambda i: 0), counts(lambda i: i % 3), counts(lambda i: i + 1)
    for sample in (none, some, many, none, some):
        assert heat_map_svgs(sample) == _reference_svgs(sample)
    assert heat_map_svgs(none) != heat_map_svgs(many)
