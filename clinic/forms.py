"""Forms of the clinician workspace: the dashboard's GET parameters.

A bad value is a field error, but the dashboard still answers: the value is ignored, the
clinician sees the error as a message, and the rest of the query runs (never a 500). The
same form reads the page's checkboxes (?alerts=1), the API's ?filter=alerts&filter=phq9, the
search box (?q=) and ?page=.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.access import SCOPE_MINE, SCOPE_TEAM
from alerts.models import AlertKind, AlertStatus, Severity
from clinic.selectors.alert_queue import ASSIGNED_TO_ME, UNASSIGNED, AlertQueueQuery
from clinic.selectors.dashboard import FILTERS, DashboardQuery
from core.widgets import PlainSelect

StrOrPromise = str | Promise  # a label: text or a lazy translation

SEARCH_MAX_CHARS = 100  # longer searches are cut, not refused
# Far beyond any panel; keeps the page's OFFSET inside PostgreSQL's bigint.
MAX_PAGE = 1_000_000
# Raw values are cut before they are quoted back in a message.
QUOTE_MAX_CHARS = 40
PAGE_QUOTE_MAX_CHARS = 20

# The dashboard's "whose patients" choice (accounts.access.SCOPES), all first.
SCOPE_CHOICES = [
    ("", _("All")),
    (SCOPE_MINE, _("My patients")),
    (SCOPE_TEAM, _("Team patients")),
]

TRUE_FLAGS = frozenset({"1", "on", "true", "yes"})
FALSE_FLAGS = frozenset({"0", "off", "false", "no", ""})


class FilterField(forms.Field):
    """?filter=… repeated; each unknown value is its own error."""

    widget = forms.MultipleHiddenInput  # reads every value of the parameter
    default_error_messages = {"unknown": "Unknown filter “%(value)s” was ignored."}

    def to_python(self, value: str | Iterable[str] | None) -> list[str]:
        if isinstance(value, str):
            return [value]
        return list(value or ())

    def validate(self, value: list[str]) -> None:
        unknown = [v for v in value if v not in FILTERS]
        if unknown:
            raise ValidationError(
                [
                    ValidationError(
                        self.error_messages["unknown"],
                        code="unknown",
                        params={"value": v[:QUOTE_MAX_CHARS]},
                    )
                    for v in unknown
                ]
            )


class FlagField(forms.Field):
    """A checkbox of the dashboard form (?alerts=1). Absent is None: neither on nor off."""

    default_error_messages = {"invalid": "The value “%(value)s” for “%(name)s” was ignored."}

    def __init__(self, name: str, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.name = name

    def to_python(self, value: str | None) -> bool | None:
        if value is None:
            return None
        if value in TRUE_FLAGS:
            return True
        if value in FALSE_FLAGS:
            return False
        raise ValidationError(
            self.error_messages["invalid"],
            code="invalid",
            params={"value": value[:QUOTE_MAX_CHARS], "name": self.name},
        )


class PageField(forms.Field):
    default_error_messages = {"invalid": "Page “%(value)s” does not exist; showing the first page."}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: str | None) -> int:
        raw = value or "1"
        try:
            number = int(raw)
        except ValueError:  # also a number too long to parse
            number = 0
        if not 1 <= number <= MAX_PAGE:
            raise ValidationError(
                self.error_messages["invalid"],
                code="invalid",
                params={"value": raw[:PAGE_QUOTE_MAX_CHARS]},
            )
        return number


class _QueueChoiceField(forms.ChoiceField):
    """A select of the queue's filter form: empty is "any"; an unknown value is ignored with a
    message naming it (cut to QUOTE_MAX_CHARS)."""

    def __init__(
        self,
        *,
        what: str,
        choices: Iterable[tuple[str, StrOrPromise]],
        empty_label: StrOrPromise = "Any",
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("required", False)
        # The patient filter lists the whole panel: rendered without a template per option.
        kwargs.setdefault("widget", PlainSelect)
        super().__init__(choices=[("", empty_label), *choices], **kwargs)
        self.error_messages["invalid_choice"] = f"Unknown {what} “%(value)s” was ignored."

    def validate(self, value: str) -> None:
        try:
            super().validate(value)
        except ValidationError as error:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": str(value).replace("\x00", "")[:QUOTE_MAX_CHARS]},
            ) from error


class _PanelChoiceField(_QueueChoiceField):
    """The patient filter: its choices are the whole panel as plain (id, name) pairs, which
    need none of Django's normalising (a walk over every pair, 1.5 ms at 500 patients)."""

    def set_panel(self, pairs: list[tuple[str, str]]) -> None:
        """The choices, as `choices = pairs` would set them, minus the normalising."""
        self._choices = pairs
        cast(PlainSelect, self.widget).set_flat_choices(pairs)


class DashboardQueryForm(forms.Form):
    filter = FilterField(required=False)
    # One checkbox per FILTERS key (test_forms checks that they match).
    alerts = FlagField("alerts")
    stale = FlagField("stale")
    phq9 = FlagField("phq9")
    q = forms.CharField(
        required=False,
        error_messages={
            # PostgreSQL text cannot hold NUL: searching for it would be a server error.
            "null_characters_not_allowed": "The search contains a null character and was ignored."
        },
    )
    # Whose patients: all (empty), mine (own links) or team (through a team).
    scope = _QueueChoiceField(what="patient group", choices=SCOPE_CHOICES[1:], empty_label="")
    page = PageField()

    def query(self) -> DashboardQuery:
        """The query to run: every valid value, a default for each bad one, and one message per
        ignored value (in the order of the fields)."""
        self.is_valid()
        data = self.cleaned_data
        chosen = data.get("filter")
        if chosen is None:  # some values were unknown: keep the known ones
            raw = self.fields["filter"].to_python(self["filter"].data) or []
            chosen = [v for v in raw if v in FILTERS]
        filters = list(dict.fromkeys(chosen))
        filters += [name for name in FILTERS if data.get(name) and name not in filters]
        return DashboardQuery(
            filters=tuple(filters),
            search=(data.get("q") or "")[:SEARCH_MAX_CHARS],
            scope=data.get("scope") or "",
            page=data.get("page") or 1,
            messages=[str(message) for errors in self.errors.values() for message in errors],
        )


def parse_dashboard_query(params: Mapping[str, Any]) -> DashboardQuery:
    """The dashboard query from GET parameters (a QueryDict). Never raises on bad input."""
    return DashboardQueryForm(params).query()


# --- The alert queue's filters ----------------------------------------------------------------


class AlertQueueForm(forms.Form):
    """GET parameters of /clinician/alerts/: kind, severity, status, patient, assignment, page.

    Like the dashboard's form: a bad value is dropped with a message and the rest still
    filters (never a 500). `patients` are the clinician's visible patients (id, name); an id
    outside them, whether missing or someone else's patient, gets the same message.
    """

    def __init__(self, data: Mapping[str, Any], *, patients: Iterable[tuple[int, str]]) -> None:
        super().__init__(data)
        patient = cast(_PanelChoiceField, self.fields["patient"])
        patient.set_panel([("", "All patients")] + [(str(pk), name) for pk, name in patients])

    kind = _QueueChoiceField(what="alert kind", choices=AlertKind.choices)
    severity = _QueueChoiceField(what="severity", choices=Severity.choices)
    status = _QueueChoiceField(
        what="status",
        choices=[
            (AlertStatus.OPEN, "Open"),
            (AlertStatus.ACKNOWLEDGED, "Acknowledged"),
            (AlertStatus.RESOLVED, "Resolved"),
        ],
    )
    patient = _PanelChoiceField(what="patient", choices=[])
    assigned = _QueueChoiceField(
        what="assignment",
        choices=[(UNASSIGNED, _("Unassigned")), (ASSIGNED_TO_ME, _("Assigned to me"))],
    )
    page = PageField()

    field_order = ["kind", "severity", "status", "patient", "assigned", "page"]

    def query(self) -> AlertQueueQuery:
        self.is_valid()
        data = self.cleaned_data
        patient = data.get("patient") or ""
        if "patient" in self.errors:
            # No id quoted back: an id of someone else's patient is as unknown as a missing one.
            self.errors["patient"] = self.error_class(["Unknown patient was ignored."])
        return AlertQueueQuery(
            kind=data.get("kind") or "",
            severity=data.get("severity") or "",
            status=data.get("status") or "",
            patient_id=int(patient) if patient else None,
            assigned=data.get("assigned") or "",
            page=data.get("page") or 1,
            messages=[str(message) for errors in self.errors.values() for message in errors],
        )

    def query_string(self, query: AlertQueueQuery) -> str:
        """The valid filters as a URL query (without the page), for the pager's links."""
        values = {
            "kind": query.kind,
            "severity": query.severity,
            "status": query.status,
            "patient": "" if query.patient_id is None else str(query.patient_id),
            "assigned": query.assigned,
        }
        return urlencode({name: value for name, value in values.items() if value})
