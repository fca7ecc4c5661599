"""The time zones a person may choose, grouped by region for a <select> with optgroups.

Only real places (IANA "Region/City" names) and UTC: no `Factory`, `localtime`, `posixrules`,
`Etc/GMT+5` (whose sign is the opposite of what people expect) or backward-compatibility
aliases (`US/Eastern`, `EST5EDT`, `GB`): every one of those has a "Region/City" equivalent.
"""

import zoneinfo
from functools import lru_cache

REGIONS = (
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)
UTC_NAME = "UTC"

Choices = list[tuple[str, list[tuple[str, str]]]]


def zone_label(name: str) -> str:
    """ "America/Argentina/Buenos_Aires" -> "Buenos Aires, Argentina"; "UTC" stays."""
    if "/" not in name:
        return name
    parts = [part.replace("_", " ") for part in name.split("/")[1:]]
    return ", ".join(reversed(parts))


@lru_cache(maxsize=1)
def _grouped() -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    by_region: dict[str, list[str]] = {region: [] for region in REGIONS}
    for name in zoneinfo.available_timezones():
        region = name.split("/", 1)[0]
        if region in by_region and "/" in name:
            by_region[region].append(name)
    groups = [
        (region, tuple((name, zone_label(name)) for name in sorted(names, key=zone_label)))
        for region, names in by_region.items()
        if names
    ]
    groups.append(("UTC", ((UTC_NAME, "UTC"),)))
    return tuple(groups)


def timezone_choices() -> Choices:
    """Django grouped choices: [(region, [(zone, label), ...]), ...]."""
    return [(region, list(zones)) for region, zones in _grouped()]


@lru_cache(maxsize=1)
def _names() -> frozenset[str]:
    return frozenset(zone for _region, zones in _grouped() for zone, _label in zones)


def is_choosable(name: str) -> bool:
    """Whether `name` is one of the zones offered (an `Etc/...` or alias name is not)."""
    return name in _names()
