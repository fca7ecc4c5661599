"""Crisis resources shown synchronously whenever rule M1 fires.

See docs/clinical-rules.md#crisis-resources.
"""

from typing import Any

from django.conf import settings


def crisis_resources() -> dict[str, Any]:
    return {
        "message": (
            "You said you have had thoughts of being better off dead or of hurting yourself. "
            "You deserve support right now. You can reach someone at any time:"
        ),
        "lines": list(settings.CRISIS_LINES),
        "care_team_note": "Your care team will also be told so they can follow up with you.",
    }
