"""Markup and formula injection through the visit report (issue 10, findings 2 and 4).

A medicine or a patient's name is text the patient typed. In the PDF, reportlab's Paragraph used
to read it as markup: `<a href>` became a live link in the clinician's PDF, `<font>` styled the
report, `<img src=/server/path>` embedded a file from the server's disk and `x <b` was a 500. In
the CSV, a cell starting with `=`, `+`, `-`, `@`, tab or CR ran as a formula in a spreadsheet.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from journal.models import DailyEntry
from medications.models import MedicationCourse

MARKUP_NAMES = [
    '<a href="http://evil.example">x</a>',
    "<font size=40 color=red>big</font>",
    '<img src="/etc/passwd"/>',
    "x <b",
    "Tom & Jerry's </para> <br/> &amp;",
]


def _course(patient, name, days_ago=20):
    return MedicationCourse.objects.create(
        patient=patient,
        name=name,
        dose=10,
        unit="mg",
        frequency="daily",
        started_on=timezone.localdate() - timedelta(days=days_ago),
    )


def _pdf(response) -> PdfReader:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    return PdfReader(io.BytesIO(response.content))


def _resolve(value):
    return value.get_object() if hasattr(value, "get_object") else value


def _uris_and_images(reader: PdfReader) -> tuple[list, list]:
    uris, images = [], []
    for page in reader.pages:
        for annotation in _resolve(page.get("/Annots")) or []:
            action = _resolve(_resolve(annotation).get("/A")) or {}
            if "/URI" in action:
                uris.append(action["/URI"])
        resources = _resolve(page.get("/Resources")) or {}
        for xobject in (_resolve(resources.get("/XObject")) or {}).values():
            if _resolve(xobject).get("/Subtype") == "/Image":
                images.append(xobject)
    return uris, images


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("name", MARKUP_NAMES, ids=["link", "font", "image", "open-tag", "mixed"])
def test_markup_in_a_medicine_or_patient_name_is_literal_text_in_the_pdf(pat, cleo, name):
    pat.full_name = name
    pat.save(update_fields=["full_name"])
    _course(pat, name)
    clinician = Client()
    clinician.force_login(cleo)
    patient = Client()
    patient.force_login(pat)
    for client, url in (
        (clinician, f"/clinician/patients/{pat.pk}/report.pdf"),
        (patient, "/patient/report/report.pdf"),
    ):
        reader = _pdf(client.get(url))
        text = _flat("\n".join(page.extract_text() for page in reader.pages))
        assert _flat(name) in text, (url, text[:400])
        uris, images = _uris_and_images(reader)
        assert uris == []
        assert images == []
        assert b"/URI" not in client.get(url).content


def test_the_pdf_still_renders_ordinary_text_unchanged(pat, cleo):
    _course(pat, "sertraline & St John's wort")
    client = Client()
    client.force_login(cleo)
    text = _flat(
        _pdf(client.get(f"/clinician/patients/{pat.pk}/report.pdf")).pages[0].extract_text()
    )
    assert "sertraline & St John's wort (not in catalog)" in text
    assert "Pat Patient" in text


# --- CSV ---------------------------------------------------------------------------------------

FORMULAS = [
    '=HYPERLINK("http://evil.example","click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]


def _csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize("formula", FORMULAS, ids=["equals", "plus", "minus", "at", "tab", "cr"])
def test_a_formula_in_a_medicine_name_is_neutralised_in_the_csv(pat, cleo, formula):
    _course(pat, formula)
    client = Client()
    client.force_login(cleo)
    rows = _csv_rows(client.get(f"/clinician/patients/{pat.pk}/report.csv"))
    medication = [row for row in rows if row[0] == "medication"]
    assert len(medication) == 1
    cell = medication[0][2]
    assert cell.startswith("'"), repr(cell)
    assert formula.replace("|", "\\|") in cell  # the text is kept, only disarmed
    for row in rows:
        for value in row:
            assert value[:1] not in ("=", "+", "@", "\t", "\r"), repr(value)
            assert not (value.startswith("-") and not _is_number(value)), repr(value)


def _is_number(value: str) -> bool:
    try:
        float(value.replace(",", ""))
    except ValueError:
        return False
    return True


def test_numbers_in_the_csv_stay_numbers(pat, cleo):
    """defusedcsv leaves numbers alone (a negative number is data, not a formula)."""
    day = timezone.localdate() - timedelta(days=1)
    DailyEntry.objects.create(
        patient=pat, date=day, pain=0, fatigue=10, sleep_quality=5, cognition=3, mood=7
    )
    client = Client()
    client.force_login(cleo)
    rows = _csv_rows(client.get(f"/clinician/patients/{pat.pk}/report.csv"))
    checkins = {row[2]: row[3] for row in rows if row[0] == "checkin"}
    assert checkins == {
        "pain": "0",
        "fatigue": "10",
        "sleep_quality": "5",
        "cognition": "3",
        "mood": "7",
    }


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-5", "-5"),
        ("-2.5", "-2.5"),
        ("1,000", "1,000"),
        ("-5 mg", "'-5 mg"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("%x", "'%x"),
        ("|x", "'\\|x"),
        ("plain", "plain"),
        ("", ""),
        (-5, "-5"),
        (2.5, "2.5"),
        (None, ""),
    ],
)
def test_the_safe_writer_cell_by_cell(value, written):
    from core import safecsv

    out = io.StringIO()
    safecsv.writer(out).writerow([value, "end"])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == [written, "end"]


def test_the_safe_dict_writer_neutralises_too():
    from core import safecsv

    out = io.StringIO()
    writer = safecsv.DictWriter(out, ["name", "dose"])
    writer.writeheader()
    writer.writerow({"name": "=cmd()", "dose": "\t@x"})
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["name", "dose"],
        ["'=cmd()", "'\t@x"],
    ]


def test_no_module_writes_csv_without_the_safe_writer():
    """Every CSV the portal writes goes through core.safecsv: no module imports the standard
    `csv` (or defusedcsv directly) to write, so a new export cannot forget the protection."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    pattern = re.compile(
        r"^\s*(import csv\b|from csv import|import defusedcsv|from defusedcsv)", re.M
    )
    skip = {"tests", "node_modules", "staticfiles", "migrations"}
    offenders = []
    for top in sorted(root.iterdir()):
        if not top.is_dir() or top.name.startswith(".") or top.name in skip:
            continue
        for path in top.rglob("*.py"):
            if skip.intersection(path.relative_to(root).parts) or path.name == "safecsv.py":
                continue  # safecsv.py is the one wrapper (wherever the layering puts it)
            if pattern.search(path.read_text()):
                offenders.append(path.relative_to(root).as_posix())
    assert offenders == []
