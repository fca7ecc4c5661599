"""Crisis resources shown synchronously whenever rule M1 fires.

See docs/clinical-rules.md#crisis-resources. In the page's language: the default lines of
settings.CRISIS_LINES are in the catalog (in Spanish the 988 Lifeline says "para español,
oprima 2"); lines configured by a deployment are shown as configured.
"""

from typing import Any

from django.conf import settings
from django.utils.translation import gettext


def _translated(line: dict[str, Any]) -> dict[str, Any]:
    return {
        **line,
        **{key: gettext(line[key]) for key in ("name", "how") if isinstance(line.get(key), str)},
    }


def crisis_lines() -> list[dict[str, Any]]:
    """settings.CRISIS_LINES in the page's language."""
    return [_translated(line) for line in settings.CRISIS_LINES]


def crisis_resources() -> dict[str, Any]:
    return {
        "message": gettext(
            "You said you have had thoughts of being better off dead or of hurting yourself. "
            "You deserve support right now. You can reach someone at any time:"
        ),
        "lines": crisis_lines(),
        "care_team_note": gettext(
            "Your care team will also be told so they can follow up with you."
        ),
    }
