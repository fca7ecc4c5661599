"""The choosable time zones: real places grouped by region, plus UTC."""

import zoneinfo

from core.zones import is_choosable, timezone_choices, zone_label


def test_the_choices_are_grouped_by_region_and_name_real_zones():
    choices = timezone_choices()
    regions = [region for region, _zones in choices]
    assert regions[:2] == ["Africa", "America"] and regions[-1] == "UTC"
    names = [zone for _region, zones in choices for zone, _label in zones]
    assert len(names) == len(set(names)) > 300
    available = zoneinfo.available_timezones()
    assert all(name in available for name in names)
    for name in names:
        assert not name.startswith(("Etc/", "US/", "SystemV/")), name
        assert name not in ("Factory", "localtime", "posixrules", "EST5EDT", "GB", "Zulu")


def test_labels_are_readable_and_searchable():
    assert zone_label("America/Argentina/Buenos_Aires") == "Buenos Aires, Argentina"
    assert zone_label("Pacific/Kiritimati") == "Kiritimati"
    assert zone_label("UTC") == "UTC"


def test_is_choosable():
    assert is_choosable("Pacific/Pago_Pago") and is_choosable("UTC")
    assert not any(is_choosable(n) for n in ("Etc/GMT+5", "Factory", "localtime", "US/Eastern", ""))
