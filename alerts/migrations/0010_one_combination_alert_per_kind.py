"""Version 2 of the clinical rules: at most one open combination alert of each kind per patient.

Before, each set of drugs had its own alert (dedupe key "serotonergic_combination:a+b"), so a
patient could have a pair alert open beside its triple. Per patient and kind this keeps the
most severe (then newest) open or acknowledged combination alert, re-keys it to the kind,
merges the other alerts' evidence hits into it, and resolves the others with an event saying
which alert they were merged into (re-opening the kept alert when one of them was still open,
so nothing unseen is hidden under an acknowledged alert). Resolved combination alerts are
re-keyed too, so they keep suppressing the same regimen after their resolution.

Each stored hit also gains the item of its set of drugs ("set:a+b"), which is how the rules
now tell one set from another (alerts.rules.serotonergic.set_item).

Self-contained (historical models, no live code). Idempotent; nothing to undo.
"""

from django.db import migrations
from django.utils import timezone

COMBINATION_KINDS = ("serotonergic_combination", "hypertensive_combination")
UNRESOLVED = ("open", "acknowledged")


def _hits(details):
    evidence = details.get("evidence") if isinstance(details, dict) else None
    hits = evidence.get("hits") if isinstance(evidence, dict) else None
    return [hit for hit in hits or () if isinstance(hit, dict)]


def _with_set_item(hit):
    drugs = hit.get("drugs")
    if not isinstance(drugs, list) or not drugs:
        return hit
    item = "set:" + "+".join(sorted(str(d) for d in drugs))
    items = [i for i in hit.get("items") or () if isinstance(i, str)]
    if item not in items:
        hit = {**hit, "items": [*items, item]}
    return hit


def _set_of(hit):
    return next((i for i in hit.get("items", ()) if i.startswith("set:")), None)


def _merged_details(details, extra_hits):
    details = dict(details) if isinstance(details, dict) else {}
    evidence = details.get("evidence")
    evidence = dict(evidence) if isinstance(evidence, dict) else {}
    hits = [_with_set_item(hit) for hit in _hits(details)]
    sets = {_set_of(hit) for hit in hits}
    for hit in extra_hits:
        hit = _with_set_item(hit)
        key = _set_of(hit)
        if key is not None and key in sets:
            continue
        sets.add(key)
        hits.append(hit)
    evidence["hits"] = hits
    details["evidence"] = evidence
    return details


def forwards(apps, schema_editor):
    Alert = apps.get_model("alerts", "Alert")
    AlertEvent = apps.get_model("alerts", "AlertEvent")
    now = timezone.now()
    alerts = Alert.objects.filter(kind__in=COMBINATION_KINDS).order_by("patient_id", "kind", "id")
    groups = {}
    for alert in alerts.iterator(chunk_size=500):
        groups.setdefault((alert.patient_id, alert.kind), []).append(alert)
    for (_, kind), group in groups.items():
        unresolved = [a for a in group if a.status in UNRESOLVED]
        kept = None
        if unresolved:
            kept = max(unresolved, key=lambda a: (a.severity_rank, a.created_at, a.id))
        others = [a for a in unresolved if a is not kept]
        events = []
        # Resolve the others first: the unique constraint allows one unresolved alert per key.
        for other in others:
            reopen = other.status == "open"
            other.status = "resolved"
            other.resolved_at = now
            other.dedupe_key = kind
            other.details = _merged_details(other.details, [])
            other.save(update_fields=["status", "resolved_at", "dedupe_key", "details"])
            events.append(
                AlertEvent(
                    alert=other,
                    kind="resolved",
                    note=(
                        f"Merged into alert #{kept.pk}: a patient now has one open alert for "
                        "each kind of combination, listing every set of drugs."
                    ),
                    data={"merged_into": kept.pk},
                    created_at=now,
                )
            )
            if reopen and kept.status != "open":
                kept.status = "open"
        if kept is not None:
            extra = [hit for other in others for hit in _hits(other.details)]
            kept.details = _merged_details(kept.details, extra)
            kept.dedupe_key = kind
            kept.save(update_fields=["status", "details", "dedupe_key"])
            if others:
                events.append(
                    AlertEvent(
                        alert=kept,
                        kind="evidence",
                        note="",
                        data={
                            "merged_from": [other.pk for other in others],
                            "hits": [_with_set_item(hit) for hit in extra],
                        },
                        created_at=now,
                    )
                )
        for alert in group:
            if alert is kept or alert in others:
                continue
            alert.details = _merged_details(alert.details, [])
            alert.dedupe_key = kind
            alert.save(update_fields=["details", "dedupe_key"])
        AlertEvent.objects.bulk_create(events)


class Migration(migrations.Migration):
    dependencies = [("alerts", "0009_explanations_without_document_names")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
