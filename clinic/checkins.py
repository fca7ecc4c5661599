"""The whole check-in on the clinician's record: notes (searchable), pain regions as a body-map
heat map, serotonin-toxicity symptoms per day. Shared by the record page and the visit report.

Callers pass a patient already checked by accounts.access. The summaries are pure functions of
entries already read (the record reads `pain_regions` and `serotonin_symptoms` with its other
entry columns); the notes are read page by page (`patient_notes`), since a year of free text is
too much to load for a page that shows ten of them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from accounts.models import User
from journal.bodymap import BACK_OUTLINE, BACK_SHAPES, FRONT_OUTLINE, FRONT_SHAPES, Shape
from journal.instruments.codes import (
    SEROTONIN_SYMPTOM_LABELS,
    SEROTONIN_SYMPTOMS,
    WPI_REGION_LABELS,
    WPI_REGIONS,
)
from journal.models import DailyEntry

NOTES_PAGE_SIZE = 10
NOTES_QUERY_MAX_LENGTH = 100
NOTES_MAX_PERIOD_DAYS = 5 * 366
# Heat levels 1-4 are quarters of the check-in days in the period (0: never marked).
HEAT_LEVELS = 4
HEAT_LEGEND = (
    ("heat-0", "Not marked"),
    ("heat-1", "Up to 1 in 4 check-ins"),
    ("heat-2", "Up to half"),
    ("heat-3", "Up to 3 in 4"),
    ("heat-4", "More than 3 in 4"),
)


class NotesQueryError(ValueError):
    """A search text that cannot be used (the message says why)."""


# --- Pain regions ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RegionCount:
    code: str
    label: str
    days: int
    level: int  # 0..HEAT_LEVELS


def heat_level(days: int, checkin_days: int) -> int:
    """0 when never marked, else the quarter of the check-in days it was marked on (1-4)."""
    if days <= 0 or checkin_days <= 0:
        return 0
    return min(HEAT_LEVELS, math.ceil(HEAT_LEVELS * days / checkin_days))


def region_day_counts(
    entries: Iterable[DailyEntry], *, start: date, end: date
) -> tuple[list[RegionCount], int]:
    """For each WPI region (in WPI order), on how many check-in days in [start, end] (both
    inclusive) it was marked; and the number of check-in days. A region listed twice in one
    entry counts once; codes that are not WPI regions are ignored."""
    counts = dict.fromkeys(WPI_REGIONS, 0)
    checkin_days = 0
    for entry in entries:
        if not start <= entry.date <= end:
            continue
        checkin_days += 1
        for code in set(entry.pain_regions or ()):
            if code in counts:
                counts[code] += 1
    return (
        [
            RegionCount(code, WPI_REGION_LABELS[code], days, heat_level(days, checkin_days))
            for code, days in counts.items()
        ],
        checkin_days,
    )


_SHAPE_ATTRIBUTES = {
    "rect": ("x", "y", "width", "height", "rx"),
    "ellipse": ("cx", "cy", "rx", "ry"),
    "circle": ("cx", "cy", "r"),
}


@lru_cache(maxsize=256)
def _attributes_html(pairs: tuple[tuple[str, object], ...]) -> SafeString:
    """` x="1" y="2"`-style geometry of a shape: the same for every page, so written once."""
    return format_html_join(" ", '{}="{}"', pairs)


def _shape(shape: Mapping[str, object], css: str, title: str = "") -> SafeString:
    tag = str(shape["tag"])
    attr_html = _attributes_html(tuple((name, shape[name]) for name in _SHAPE_ATTRIBUTES[tag]))
    if title:
        return format_html(
            '<{} {} class="{}"><title>{}</title></{}>', tag, attr_html, css, title, tag
        )
    return format_html('<{} {} class="{}"/>', tag, attr_html, css)


# (view, title, grey outline, region shapes): the check-in's body map, without its controls.
BODY_FIGURES: tuple[tuple[str, str, Sequence[Mapping[str, object]], Mapping[str, Shape]], ...] = (
    ("front", "Front", FRONT_OUTLINE, FRONT_SHAPES),
    ("back", "Back", BACK_OUTLINE, BACK_SHAPES),
)


def _days_text(days: int) -> str:
    return f"{days} day{'' if days == 1 else 's'}"


@lru_cache(maxsize=len(BODY_FIGURES))
def _outline_html(view: str) -> SafeString:
    """The grey outline of the `view` figure (it never changes)."""
    shapes = next(outline for name, _, outline, _ in BODY_FIGURES if name == view)
    return format_html_join("", "{}", ((_shape(shape, "bm-figure"),) for shape in shapes))


def heat_map_svgs(counts: Sequence[RegionCount]) -> list[dict[str, object]]:
    """The front and back figures with each region filled by its heat class (no inline style:
    the page's CSP forbids it). Each figure carries a text summary for its aria-label."""
    by_code = {c.code: c for c in counts}
    figures: list[dict[str, object]] = []
    for view, figure_title, _, region_shapes in BODY_FIGURES:
        outline = _outline_html(view)
        parts = []
        summary = []
        for code in WPI_REGIONS:
            if code not in region_shapes:
                continue
            count = by_code[code]
            title = f"{count.label}: {_days_text(count.days)}"
            parts.append(_shape(region_shapes[code], f"heat heat-{count.level}", title))
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


# --- Serotonin-toxicity symptoms ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SymptomDay:
    day: date
    codes: tuple[str, ...]  # in the check-in's order of the symptom list
    labels: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.codes)


def symptom_days(entries: Iterable[DailyEntry], *, start: date, end: date) -> list[SymptomDay]:
    """The check-in days in [start, end] (inclusive) with at least one serotonin-toxicity
    symptom ticked, newest first; unknown codes are ignored."""
    days = []
    for entry in entries:
        if not start <= entry.date <= end:
            continue
        ticked = set(entry.serotonin_symptoms or ())
        codes = tuple(code for code in SEROTONIN_SYMPTOMS if code in ticked)
        if codes:
            labels = tuple(SEROTONIN_SYMPTOM_LABELS[code] for code in codes)
            days.append(SymptomDay(entry.date, codes, labels))
    days.sort(key=lambda d: d.day, reverse=True)
    return days


def symptom_totals(days: Iterable[SymptomDay]) -> list[tuple[str, int]]:
    """(label, number of days) per symptom ticked at least once, in the check-in's order."""
    totals = dict.fromkeys(SEROTONIN_SYMPTOMS, 0)
    for day in days:
        for code in day.codes:
            totals[code] += 1
    return [(SEROTONIN_SYMPTOM_LABELS[code], n) for code, n in totals.items() if n]


# --- Notes -------------------------------------------------------------------------------------


def clean_notes_query(raw: str | None) -> str:
    """The search text, stripped; NotesQueryError when it cannot be searched for."""
    text = " ".join((raw or "").split())
    if "\x00" in text:
        raise NotesQueryError("Remove the invisible character from the search.")
    if len(text) > NOTES_QUERY_MAX_LENGTH:
        raise NotesQueryError(f"Search for at most {NOTES_QUERY_MAX_LENGTH} characters.")
    return text


def notes_period(params: Mapping[str, str], *, today: date, days: int) -> tuple[date, date]:
    """(start, end) of the notes search: the ISO dates the record page sends with the period it
    shows, or without them the `days` ending `today`; NotesQueryError when they are unusable."""
    values: dict[str, date | None] = {}
    for name in ("start", "end"):
        raw = (params.get(name) or "").strip()
        if not raw:
            values[name] = None
            continue
        try:
            values[name] = date.fromisoformat(raw)
        except ValueError:
            raise NotesQueryError(f"The {name} date is not a date (YYYY-MM-DD).") from None
    end = values["end"] or today
    start = values["start"] or end - timedelta(days=days - 1)
    if start > end:
        raise NotesQueryError("The start date is after the end date.")
    if (end - start).days > NOTES_MAX_PERIOD_DAYS:
        raise NotesQueryError("Search a period of at most five years.")
    return start, end


def notes_page_number(raw: str | None) -> int:
    try:
        number = int(raw or "1")
    except ValueError:
        return 1
    return max(1, min(number, 10_000))


@dataclass(frozen=True, slots=True)
class NoteLine:
    day: date
    html: SafeString  # the note, escaped, with the search terms marked


@dataclass(frozen=True, slots=True)
class NotesPage:
    query: str
    number: int
    notes: list[NoteLine]
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def highlight(text: str, terms: Sequence[str]) -> SafeString:
    """`text` escaped, each term (case-insensitive) wrapped in <mark>, line breaks kept."""
    words = sorted({t for t in terms if t}, key=len, reverse=True)
    if words:
        pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
        pieces = []
        last = 0
        for match in pattern.finditer(text):
            pieces.append(escape(text[last : match.start()]))
            pieces.append(format_html("<mark>{}</mark>", match.group(0)))
            last = match.end()
        pieces.append(escape(text[last:]))
        html = "".join(pieces)
    else:
        html = escape(text)
    return mark_safe(html.replace("\r\n", "\n").replace("\n", "<br>"))  # noqa: S308 - escaped


def patient_notes(
    patient: User, *, start: date, end: date, query: str = "", page: int = 1
) -> NotesPage:
    """One page of the patient's check-in notes dated in [start, end], newest first; with
    `query`, only notes containing every word of it (case-insensitive). One query: a row past
    the page tells whether an older page exists, so nothing is counted."""
    terms = query.split()
    rows = DailyEntry.objects.filter(patient=patient, date__gte=start, date__lte=end).exclude(
        notes=""
    )
    for term in terms:
        rows = rows.filter(notes__icontains=term)
    offset = (page - 1) * NOTES_PAGE_SIZE
    found = list(
        rows.order_by("-date").values_list("date", "notes")[offset : offset + NOTES_PAGE_SIZE + 1]
    )
    return NotesPage(
        query=query,
        number=page,
        notes=[NoteLine(day, highlight(text, terms)) for day, text in found[:NOTES_PAGE_SIZE]],
        has_next=len(found) > NOTES_PAGE_SIZE,
    )


def notes_in_period(entries: Iterable[DailyEntry], *, start: date, end: date) -> list[DailyEntry]:
    """Entries in [start, end] with a note, newest first (the visit report prints them all)."""
    found = [e for e in entries if start <= e.date <= end and (e.notes or "").strip()]
    found.sort(key=lambda e: e.date, reverse=True)
    return found
