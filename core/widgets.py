"""Form widgets that render in Python what Django renders through templates.

Django renders a <select> with one template include per option (and one more for each
option's attributes). The alert queue's patient filter lists every patient of the clinician's
panel: at 500 patients those includes were more than half of the page's time
(bench/bench_render.py). PlainSelect writes the very same HTML in Python.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.forms.renderers import BaseRenderer
from django.utils.safestring import SafeString, mark_safe

from core.html import escape_text


def _attrs(attrs: Mapping[str, Any]) -> str:
    """django/forms/widgets/attrs.html: ` name="value"`, a bare ` name` for True, nothing for
    False; names and values escaped."""
    return "".join(
        f" {escape_text(name)}" if value is True else f' {escape_text(name)}="{escape_text(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class PlainSelect(forms.Select):
    """forms.Select with the same output, built without a template per option (nor an option
    dict: Select's options carry no attributes but `selected`). Option groups (never used by
    this project's selects) fall back to Django's templates."""

    def set_flat_choices(self, pairs: list[tuple[str, str]]) -> None:
        """Choices that are already flat (value, label) pairs, as `choices = pairs` would set
        them minus Django's normalising (a walk over every pair: 500 for the queue's patient
        filter)."""
        self._choices = pairs

    def render(
        self,
        name: str,
        value: object,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        if any(isinstance(label, (list, tuple)) for _, label in self.choices):
            return super().render(name, value, attrs, renderer)
        # What Select.get_context gives, without an option dict per choice: the widget's own
        # attributes and value, then the options straight from the choices.
        widget = forms.Widget.get_context(self, name, value, attrs)["widget"]
        if self.allow_multiple_selected:
            widget["attrs"]["multiple"] = True
        values = widget["value"]
        options = []
        has_selected = False
        # Every value and label is escaped as the template's autoescape does
        # (core.html.escape_text: what is already safe is written as it is).
        for option_value, label in self.choices:
            raw = "" if option_value is None else option_value
            selected = (not has_selected or self.allow_multiple_selected) and str(raw) in values
            has_selected |= selected
            options.append(
                f'\n  <option value="{escape_text(raw)}"{" selected" if selected else ""}>'
                f"{escape_text(label)}</option>\n"
            )
        return mark_safe(  # noqa: S308 - every part is escaped above
            f'<select name="{escape_text(widget["name"])}"{_attrs(widget["attrs"])}>'
            f"{''.join(options)}\n</select>"
        )
