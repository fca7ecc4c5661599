"""Version 2 of the clinical rules: explanations shown to clinicians never name rule ids.

Alerts stored under version 1 began each explanation with "M2: ", "M4: ", "S1: "...; this
removes those prefixes from the stored explanation and from each hit's explanation (the hits'
"rule" keys stay: they are data, never shown). Self-contained: the pattern is copied here, not
imported, so the migration does not depend on live code. Idempotent; nothing to undo.
"""

import re

from django.db import migrations

RULE_ID_PREFIX = re.compile(r"(?:(?<=^)|(?<=[.)] ))(?:M[1-5]|S1): ")


def _plain(text):
    return RULE_ID_PREFIX.sub("", text) if isinstance(text, str) else text


def forwards(apps, schema_editor):
    Alert = apps.get_model("alerts", "Alert")
    changed = []
    for alert in Alert.objects.exclude(details={}).iterator(chunk_size=500):
        details = alert.details if isinstance(alert.details, dict) else None
        if not details:
            continue
        before = repr(details)
        if "explanation" in details:
            details["explanation"] = _plain(details["explanation"])
        evidence = details.get("evidence")
        if isinstance(evidence, dict):
            for hit in evidence.get("hits") or ():
                if isinstance(hit, dict) and "explanation" in hit:
                    hit["explanation"] = _plain(hit["explanation"])
        if repr(details) != before:
            changed.append(alert)
        if len(changed) >= 500:
            Alert.objects.bulk_update(changed, ["details"])
            changed = []
    if changed:
        Alert.objects.bulk_update(changed, ["details"])


class Migration(migrations.Migration):
    dependencies = [("alerts", "0004_alert_event_kind_choices")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
