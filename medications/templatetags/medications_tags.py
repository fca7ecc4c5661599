from decimal import Decimal

from django import template

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
