"""The one way the portal writes CSV: cells a spreadsheet would run as a formula are neutralised.

A CSV file a clinician opens in Excel or LibreOffice runs any cell starting with `=`, `+`, `-`
or `@` as a formula (OWASP "CSV Injection"): a medicine named `=HYPERLINK("http://evil",…)`
would become a live link in a clinician's sheet. `defusedcsv` (a maintained drop-in for `csv`)
prefixes such cells with `'`, leaving numbers alone: -5, "-2.5" and "1,000" stay numbers.
OWASP also lists a leading tab and carriage return, which defusedcsv 3.0 does not handle; this
module adds them. Modules never import `csv` to write (tests/test_csv_injection.py checks).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import IO, Any, Protocol

from defusedcsv import csv as _defused

# Characters OWASP lists beyond the ones defusedcsv already escapes.
_EXTRA_LEADING = ("\t", "\r")


class _RowWriter(Protocol):
    @property
    def dialect(self) -> Any: ...  # noqa: ANN401 - csv's own dialect type

    def writerow(self, row: Iterable[Any], /) -> Any: ...  # noqa: ANN401 - as csv's writer


def neutralise(value: object) -> object:
    """The value as it is safe to write in a cell (numbers and None unchanged)."""
    if isinstance(value, str) and value.startswith(_EXTRA_LEADING):
        return "'" + value
    return value


class _Writer:
    def __init__(self, inner: _RowWriter) -> None:
        self._inner = inner

    def writerow(self, row: Iterable[Any]) -> Any:  # noqa: ANN401 - whatever csv returns
        return self._inner.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)

    @property
    def dialect(self) -> Any:  # noqa: ANN401 - csv's own dialect type
        return self._inner.dialect


def writer(csvfile: IO[str], dialect: str = "excel", **fmtparams: Any) -> _Writer:  # noqa: ANN401
    """Like `csv.writer`, with every cell neutralised."""
    return _Writer(_defused.writer(csvfile, dialect, **fmtparams))


class DictWriter(_defused.DictWriter):  # type: ignore[misc]  # defusedcsv ships no types
    """Like `csv.DictWriter`, with every cell neutralised."""

    def __init__(
        self,
        f: IO[str],
        fieldnames: Sequence[str],
        *args: Any,  # noqa: ANN401 - passed through to csv.DictWriter
        **kwargs: Any,  # noqa: ANN401 - passed through to csv.DictWriter
    ) -> None:
        super().__init__(f, fieldnames, *args, **kwargs)
        self.writer = _Writer(self.writer)  # type: ignore[has-type]
