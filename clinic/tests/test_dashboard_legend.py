"""The dashboard's legend says what its arrows show: red is worse in either direction."""

import re

import pytest
from django.utils import timezone

from clinic.tests import factories as f
from conftest import link, make_patient

pytestmark = pytest.mark.clock


def _arrows(cell_html: str) -> list[tuple[str, str]]:
    """(css class, arrow) of every delta span in `cell_html`."""
    return re.findall(
        r'<span class="delta (\w+)"><span aria-hidden="true">([▲▼])</span>', cell_html
    )


def _cell(html: str, patient: str, label: str) -> str:
    row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{patient}(?:(?!</tr>).)*</tr>", html, re.S)
    assert row, patient
    cell = re.search(rf'<td data-label="{label}">(.*?)</td>', row.group(0), re.S)
    assert cell, label
    return cell.group(1)


def test_the_legend_shows_worse_in_red_both_ways_and_the_rows_agree(client_for, cleo, pat):
    today = timezone.localdate()
    # Pat: pain up from 3 to 7 and mood down from 7 to 3 (both worse).
    f.entries(pat, today, [7] * 28 + [3] * 7, [3] * 28 + [7] * 7)
    # Bo: pain down and mood up (both better).
    bo = make_patient("bo@example.com", "Bo Better")
    link(bo, cleo)
    f.entries(bo, today, [3] * 28 + [7] * 7, [7] * 28 + [3] * 7)

    html = client_for(cleo).get("/clinician/").content.decode()

    legend = re.search(r'<p class="muted small legend">(.*?)</p>', html, re.S).group(1)
    assert ("worse", "▲") in _arrows(legend) and ("worse", "▼") in _arrows(legend)
    assert ("better", "▲") in _arrows(legend) and ("better", "▼") in _arrows(legend)
    assert "▲ red = worse" not in html  # the old legend, wrong for mood
    # The rows use the same classes the legend names.
    assert _arrows(_cell(html, "Pat Patient", "Pain, 7 days")) == [("worse", "▲")]
    assert _arrows(_cell(html, "Pat Patient", "Mood, 7 days")) == [("worse", "▼")]
    assert _arrows(_cell(html, "Bo Better", "Pain, 7 days")) == [("better", "▼")]
    assert _arrows(_cell(html, "Bo Better", "Mood, 7 days")) == [("better", "▲")]
