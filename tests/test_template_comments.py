"""Django's {# #} comment is one line only: one spread over lines is printed on the page."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_no_template_has_a_multi_line_short_comment():
    offenders = []
    for path in ROOT.glob("**/templates/**/*.html"):
        if ".venv" in path.parts or "node_modules" in path.parts:
            continue
        for match in re.finditer(r"\{#(.*?)#\}", path.read_text(encoding="utf-8"), re.S):
            if "\n" in match.group(1):
                offenders.append(f"{path.relative_to(ROOT)}: {match.group(0)[:50]!r}")
    assert offenders == []
