from decimal import Decimal

from django import template

from medications.interactions import Finding
from medications.selectors import patient_explanation

register = template.Library()


@register.filter(name="dose")
def dose_text(value: Decimal | None) -> str:
    """50.000 -> "50", 0.500 -> "0.5" (never "5E+1")."""
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter(name="get_item")
def get_item(mapping: dict, key):
    """mapping[key] in a template (None when absent)."""
    return mapping.get(key)


@register.filter(name="patient_words")
def patient_words(finding: Finding) -> str:
    """An interaction finding's plain words for the patient, in the page's language."""
    return patient_explanation(finding)
