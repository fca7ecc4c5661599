"""Every pointer into docs/ (from code, templates, data and docs) names a heading that exists."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SKIP_DIRS = {".venv", "node_modules", ".git", "staticfiles", "test-results"}
SCANNED = {".py", ".html", ".md", ".json", ".txt", ".toml"}
POINTER = re.compile(r"docs/([\w./-]+\.md)#([\w-]+)")


def _slug(heading: str) -> str:
    # GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens.
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(doc: Path) -> set[str]:
    headings = re.findall(r"^#{1,6} (.+)$", doc.read_text(encoding="utf-8"), flags=re.M)
    return {_slug(heading) for heading in headings}


def _pointers() -> list[tuple[str, str, str]]:
    found = []
    for path in ROOT.rglob("*"):
        if path.suffix not in SCANNED or SKIP_DIRS & set(path.relative_to(ROOT).parts):
            continue
        for doc, anchor in POINTER.findall(path.read_text(encoding="utf-8", errors="ignore")):
            found.append((str(path.relative_to(ROOT)), doc, anchor))
    return found


def test_the_code_points_into_the_docs():
    assert len({(doc, anchor) for _, doc, anchor in _pointers()}) >= 15


@pytest.mark.parametrize(("source", "doc", "anchor"), _pointers())
def test_each_pointer_names_an_existing_heading(source, doc, anchor):
    target = ROOT / "docs" / doc
    assert target.is_file(), f"{source} points at missing docs/{doc}"
    assert anchor in _anchors(target), f"{source} points at missing docs/{doc}#{anchor}"


def test_no_shipped_file_cites_a_document_outside_the_repo():
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*")
        if path.suffix in SCANNED
        and not SKIP_DIRS & set(path.relative_to(ROOT).parts)
        and "CLINICAL" + ".md" in path.read_text(encoding="utf-8", errors="ignore")
    ]
    assert offenders == []
