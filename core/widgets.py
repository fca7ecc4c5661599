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
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe


def _attrs(attrs: Mapping[str, Any]) -> str:
    """django/forms/widgets/attrs.html: ` name="value"`, a bare ` name` for True, nothing for
    False; names and values escaped."""
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class PlainSelect(forms.Select):
    """forms.Select with the same output, built without a template per option. Option groups
    (never used by this project's selects) fall back to Django's templates."""

    def render(
        self,
        name: str,
        value: object,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        if any(group_name is not None for group_name, _, _ in widget["optgroups"]):
            return super().render(name, value, attrs, renderer)
        # Every value and label is escaped here (escape / conditional_escape), as autoescape does.
        options = "".join(
            f'\n  <option value="{escape(option["value"])}"'
            f"{_attrs(option['attrs']) if option['attrs'] else ''}>"
            f"{conditional_escape(option['label'])}</option>\n"
            for _, group, _ in widget["optgroups"]
            for option in group
        )
        return mark_safe(  # noqa: S308 - every part is escaped above
            f'<select name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>{options}\n</select>'
        )
