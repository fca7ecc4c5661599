"""Admin-managed aliases for names the catalog does not know
(docs/clinical-rules.md#name-resolution).

The admin lists the unrecognised names patients typed, with how many patients use each
(unrecognised_names), and maps one to a catalog drug with a DrugAlias. Saving an alias links
the matching free-text courses to the drug and re-evaluates each affected patient through
accounts.changes.patient_data_changed, the same marker and signal the medication services use
(medications never imports alerts).
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.changes import patients_data_changed
from medications.models import DrugAlias, MedicationCourse
from medications.names import lookup_keys, resolution_key


@dataclass(frozen=True)
class UnrecognisedName:
    key: str  # medications.names.resolution_key: how spellings are grouped
    names: tuple[str, ...]  # the spellings typed, most used first
    patients: int
    courses: int


def unrecognised_names() -> list[UnrecognisedName]:
    """Free-text course names grouped by key, most patients first. Counts only: no patient."""
    groups: dict[str, dict] = {}
    rows = MedicationCourse.objects.filter(drug__isnull=True).values_list("name", "patient_id")
    for name, patient_id in rows:
        key = resolution_key(name)
        if not key:
            continue
        group = groups.setdefault(key, {"names": {}, "patients": set(), "courses": 0})
        group["names"][name] = group["names"].get(name, 0) + 1
        group["patients"].add(patient_id)
        group["courses"] += 1
    result = [
        UnrecognisedName(
            key=key,
            names=tuple(sorted(group["names"], key=lambda n: (-group["names"][n], n))),
            patients=len(group["patients"]),
            courses=group["courses"],
        )
        for key, group in groups.items()
    ]
    return sorted(result, key=lambda item: (-item.patients, -item.courses, item.key))


@transaction.atomic
def drug_alias_apply(alias: DrugAlias) -> list[int]:
    """Link every free-text course whose name resolves through `alias` to its drug; mark each
    affected patient changed (alert re-evaluation after commit). Returns their ids."""
    matching = [
        pk
        for pk, name in MedicationCourse.objects.filter(drug__isnull=True)
        .select_for_update()
        .values_list("pk", "name")
        if alias.name in lookup_keys(name)
    ]
    if not matching:
        return []
    courses = MedicationCourse.objects.filter(pk__in=matching)
    patient_ids = sorted(set(courses.values_list("patient_id", flat=True)))
    courses.update(drug=alias.drug, updated_at=timezone.now())
    patients_data_changed(patient_ids)
    return patient_ids
