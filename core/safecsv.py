"""The one way the portal writes CSV: cells a spreadsheet would run as a formula are neutralised.

A CSV file a clinician opens in Excel or LibreOffice runs any cell starting with `=`, `+`, `-`
or `@` as a formula (OWASP "CSV Injection"): a medicine named `=HYPERLINK("http://evil",…)`
would become a live link in a clinician's sheet. `defusedcsv` (a maintained drop-in for `csv`)
prefixes such cells with `'`, leaving numbers alone: -5, "-2.5" and "1,000" stay numbers.
OWASP also lists a leading tab and carriage return, which defusedcsv 3.0 does not handle; this
module adds them. Modules never import `csv` to write (tests/test_csv_injection.py checks).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from defusedcsv import csv as _defused

# Characters OWASP lists beyond the ones defusedcsv already escapes.
_EXTRA_LEADING = ("\t", "\r")


def neutralise(value: Any) -> Any:
    """The value as it is safe to write in a cell (numbers and None unchanged)."""
    if isinstance(value, str) and value.startswith(_EXTRA_LEADING):
        return "'" + value
    return value


class _Writer:
    def __init__(self, inner):
        self._inner = inner

    def writerow(self, row: Iterable[Any]):
        return self._inner.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)

    @property
    def dialect(self):
        return self._inner.dialect


def writer(csvfile, dialect: str = "excel", **fmtparams) -> _Writer:
    """Like `csv.writer`, with every cell neutralised."""
    return _Writer(_defused.writer(csvfile, dialect, **fmtparams))


class DictWriter(_defused.DictWriter):
    """Like `csv.DictWriter`, with every cell neutralised."""

    def __init__(self, f, fieldnames, *args, **kwargs):
        super().__init__(f, fieldnames, *args, **kwargs)
        self.writer = _Writer(self.writer)
