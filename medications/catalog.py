"""The drug catalog: loading the data file, name look-up, and facts for the engine."""

import json
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from medications.black_box import DOSE_CHANGE_UNKNOWN, DoseFacts, dose_change_between
from medications.interactions import CourseFacts, DrugFacts
from medications.names import (
    SYNONYMS,
    damerau_levenshtein,
    lookup_keys,
    normalize_drug_name,
    suggestion_distance_limit,
)

CATALOG_FILE = Path(__file__).resolve().parent / "data" / "drugs.json"
CATALOG_FIELDS = (
    "brand_names",
    "rxcui",
    "rxcui_verified",
    "drug_class",
    "serotonergic",
    "washout_days",
    "suicidality_warning",
    "classes",
    "source",
    "note",
)
# Combination products list their ingredients by generic name (set after every row exists).
INGREDIENTS_FIELD = "ingredients"
SEARCH_LIMIT = 20
SUGGESTION_LIMIT = 3
KEY_SEPARATOR = "|"


def catalog_rows() -> list[dict]:
    return json.loads(CATALOG_FILE.read_text(encoding="utf-8"))


def drug_keys(name: str, brand_names: Iterable[str]) -> list[str]:
    keys = []
    for label in [name, *brand_names]:
        key = normalize_drug_name(label)
        if key and key not in keys:
            keys.append(key)
    return keys


def drug_search_keys(name: str, brand_names: Iterable[str]) -> str:
    keys = drug_keys(name, brand_names)
    return KEY_SEPARATOR + KEY_SEPARATOR.join(keys) + KEY_SEPARATOR if keys else ""


def catalog_load(drug_model, rows: Iterable[dict] | None = None) -> int:
    """Create or update every catalog row by generic name, then set each combination product's
    ingredients (by generic name; a row without `ingredients` gets none). Safe to run again.

    Takes the model class (today's; the data migrations have frozen loaders of their own).
    Returns the number of rows loaded.
    """
    model_fields = {field.name for field in drug_model._meta.get_fields()}
    rows = list(catalog_rows() if rows is None else rows)
    by_name = {}
    for row in rows:
        defaults = {f: row[f] for f in CATALOG_FIELDS if f in row and f in model_fields}
        if "search_keys" in model_fields:
            defaults["search_keys"] = drug_search_keys(row["name"], row.get("brand_names", []))
        by_name[row["name"]], _ = drug_model.objects.update_or_create(
            name=row["name"], defaults=defaults
        )
    if INGREDIENTS_FIELD in model_fields:
        wanted = {name for row in rows for name in row.get(INGREDIENTS_FIELD, [])}
        missing = wanted - set(by_name)
        by_name |= {d.name: d for d in drug_model.objects.filter(name__in=missing)}
        for row in rows:
            ingredients = [by_name[name] for name in row.get(INGREDIENTS_FIELD, [])]
            by_name[row["name"]].ingredients.set(ingredients)
    return len(rows)


def ingredient_names(drug) -> list[str]:
    """The generic names `drug` counts as in the engine: its ingredients' names (sorted) for a
    combination product ("tramadol/acetaminophen" -> ["acetaminophen", "tramadol"]), else
    [drug.name]. No query when `ingredients` was prefetched
    (prefetch_related("ingredients")); otherwise one."""
    names = sorted(ingredient.name for ingredient in drug.ingredients.all())
    return names or [drug.name]


def drug_lookup(name: str):
    """The catalog drug `name` resolves to, or None: a generic or brand name (case, spaces,
    hyphens, apostrophes and periods ignored), also with strengths, forms, release suffixes,
    salts and routes stripped, an international name, or an admin alias (DrugAlias).
    A misspelling resolves to nothing (see name_suggestions)."""
    return resolve_names([name or ""]).get(name or "")


# SQLite refuses an expression more than 1,000 levels deep, and a chain of ORs is one level per
# term: a long list of names (the interaction-check API, an import) is looked up in slices.
KEYS_PER_QUERY = 200


def resolve_names(names: Iterable[str]) -> dict[str, object]:
    """{typed name: Drug} for the names that resolve (see drug_lookup): one query for the
    catalog (per KEYS_PER_QUERY look-up keys), one for the ingredients of what was found
    (prefetched, so ingredient_names() of a result never queries), and one for the aliases
    only when some name is still unresolved (plus one for their ingredients when any match)."""
    from django.db.models import Q, prefetch_related_objects

    from medications.models import Drug, DrugAlias

    keys_of = {name: lookup_keys(name) for name in names}
    wanted = {key for keys in keys_of.values() for key in keys}
    if not wanted:
        return {}
    matches: dict[int, Drug] = {}
    ordered = sorted(wanted)
    for start in range(0, len(ordered), KEYS_PER_QUERY):
        condition = Q()
        for key in ordered[start : start + KEYS_PER_QUERY]:
            condition |= Q(search_keys__contains=f"{KEY_SEPARATOR}{key}{KEY_SEPARATOR}")
        matches.update((drug.pk, drug) for drug in Drug.objects.filter(condition))
    prefetch_related_objects(list(matches.values()), "ingredients")
    by_key: dict[str, object] = {}
    for _pk, drug in sorted(matches.items()):  # the lowest id wins a shared key, as before
        for key in drug.search_keys.strip(KEY_SEPARATOR).split(KEY_SEPARATOR):
            if key in wanted:
                by_key.setdefault(key, drug)
    found = _first_match(keys_of, by_key)
    missing = {key for name, keys in keys_of.items() if name not in found for key in keys}
    if missing:
        # Catalog names first: an alias never overrides a catalog name (the admin refuses one
        # that already resolves), so consulting it second changes no resolved name.
        aliases = (
            DrugAlias.objects.filter(name__in=missing)
            .select_related("drug")
            .prefetch_related("drug__ingredients")
        )
        alias_keys = {alias.name: alias.drug for alias in aliases}
        found |= _first_match({n: k for n, k in keys_of.items() if n not in found}, alias_keys)
    return found


def _first_match(keys_of: dict[str, tuple[str, ...]], by_key: dict) -> dict[str, object]:
    found = {}
    for name, keys in keys_of.items():
        for key in keys:
            if key in by_key:
                found[name] = by_key[key]
                break
    return found


def name_suggestions(names: Iterable[str]) -> dict[str, list[str]]:
    """ "Did you mean ...?" for unrecognised names: {typed name: up to SUGGESTION_LIMIT generic
    names} of catalog drugs whose generic, brand or international name is within a small edit
    distance (medications.names.suggestion_distance_limit), closest first. Names without a
    candidate are left out. Never used to resolve a name: the patient confirms."""
    from medications.models import Drug

    names = [name for name in names if name]
    if not names:
        return {}
    index: list[tuple[str, str]] = []  # (key, generic)
    generic_of_key: dict[str, str] = {}
    for generic, search_keys in Drug.objects.values_list("name", "search_keys"):
        for key in search_keys.strip(KEY_SEPARATOR).split(KEY_SEPARATOR):
            if key:
                index.append((key, generic))
                generic_of_key.setdefault(key, generic)
    for synonym, target in SYNONYMS.items():
        if target in generic_of_key:
            index.append((synonym, generic_of_key[target]))
    suggestions: dict[str, list[str]] = {}
    for name in names:
        best: dict[str, int] = {}
        for typed_key in lookup_keys(name):
            limit = suggestion_distance_limit(typed_key)
            if not limit:
                continue
            for key, generic in index:
                distance = damerau_levenshtein(typed_key, key, limit)
                if distance <= limit and distance < best.get(generic, limit + 1):
                    best[generic] = distance
        if best:
            ranked = sorted(best, key=lambda generic: (best[generic], generic))
            suggestions[name] = ranked[:SUGGESTION_LIMIT]
    return suggestions


def drugs_lookup(names: Iterable[str]) -> dict[str, object]:
    """Batch form of drug_lookup in one query: {normalised key: Drug} for the names found."""
    from django.db.models import Q

    from medications.models import Drug

    keys = {normalize_drug_name(name) for name in names} - {""}
    if not keys:
        return {}
    condition = Q()
    for key in keys:
        condition |= Q(search_keys__contains=f"|{key}|")
    found: dict[str, object] = {}
    for drug in Drug.objects.filter(condition).order_by("pk"):
        for key in drug.search_keys.strip(KEY_SEPARATOR).split(KEY_SEPARATOR):
            if key in keys:
                found.setdefault(key, drug)
    return found


def drug_search(query: str, *, limit: int = SEARCH_LIMIT):
    """Drugs with a generic, brand or international name (medications.names.SYNONYMS:
    "pethid" finds meperidine) starting with `query` (normalised), by name."""
    from django.db.models import Q

    from medications.models import Drug

    key = normalize_drug_name(query or "")
    drugs = Drug.objects.order_by("name")
    if key:
        condition = Q(search_keys__contains=f"{KEY_SEPARATOR}{key}")
        for synonym, target in SYNONYMS.items():
            if synonym.startswith(key):
                condition |= Q(search_keys__contains=f"{KEY_SEPARATOR}{target}{KEY_SEPARATOR}")
        drugs = drugs.filter(condition)
    return drugs[:limit]


# --- Facts for the interaction engine and the alert rules: the one place a Drug row or a
# course becomes the plain records they read (medications/interactions.py).


INGREDIENTS_PREFETCH = "ingredients"  # on Drug; "drug__ingredients" on MedicationCourse


# The Drug columns drug_facts reads. A page that only needs the engine's facts loads these and
# no more (brand_names, search_keys and the rest are most of a row's bytes and parse time).
FACT_FIELDS = ("id", "name", "serotonergic", "washout_days", "suicidality_warning", "classes")


def with_drug_facts(courses: Any) -> Any:
    """MedicationCourse queryset -> the same with each course's drug loaded, reading only the
    FACT_FIELDS of each drug. Nothing else of `course.drug` may be read from such a course (it
    would cost a query per course). Give courses_facts the ingredients of the list's drugs
    (ingredient_facts_for, one query) so it does not prefetch them."""
    return courses.select_related("drug").only(
        *[field.name for field in courses.model._meta.concrete_fields],
        *[f"drug__{name}" for name in FACT_FIELDS],
    )


def ingredient_facts_for(drug_ids: Iterable[int | None]) -> dict[int, tuple[DrugFacts, ...]]:
    """{product id: the facts of its ingredients, by name} for the combination products among
    `drug_ids`, in one query of plain values (Django's prefetch of the M2M built a manager and a
    queryset per drug: most of the dashboard's medicine time). Drugs without ingredients are
    absent; a product listed as its own ingredient is left out, as in drug_facts."""
    from django.db.models import F

    from medications.models import Drug

    ids = {pk for pk in drug_ids if pk is not None}
    if not ids:
        return {}
    through = Drug.ingredients.through
    rows = (
        through.objects.filter(from_drug_id__in=ids)
        .exclude(to_drug_id=F("from_drug_id"))
        .order_by("from_drug_id", "to_drug__name")
        .values_list(
            "from_drug_id",
            "to_drug__name",
            "to_drug__serotonergic",
            "to_drug__washout_days",
            "to_drug__suicidality_warning",
            "to_drug__classes",
        )
    )
    facts: dict[int, list[DrugFacts]] = {}
    for product, name, serotonergic, washout, warning, classes in rows:
        facts.setdefault(product, []).append(
            drug_facts_of(name, serotonergic, washout, warning, class_codes(classes))
        )
    return {product: tuple(parts) for product, parts in facts.items()}


def class_codes(value: object) -> tuple[str, ...]:
    """Drug.classes as a sorted tuple of codes (hashable, for the caches). Anything but a list
    of strings (an admin slip) counts as no class."""
    if not isinstance(value, list | tuple):
        return ()
    return tuple(sorted({code for code in value if isinstance(code, str) and code}))


def _ingredients_loaded(drug) -> bool:
    return INGREDIENTS_PREFETCH in getattr(drug, "_prefetched_objects_cache", {})


def drug_facts(drug, *, ingredients: tuple[DrugFacts, ...] | None = None) -> DrugFacts:
    """The engine's facts of a Drug row, with its classes and, for a combination product, the
    facts of each ingredient (one level: an ingredient's own ingredients are not read).

    Precondition for no query: the row's ingredients were prefetched
    (`prefetch_related("ingredients")`, or `"drug__ingredients"` on courses; courses_facts does
    it for a whole list in one query), or `ingredients` gives their facts
    (ingredient_facts_for). Otherwise this reads them (one query)."""
    if ingredients is None:
        ingredients = tuple(
            drug_facts_of(
                part.name,
                part.serotonergic,
                part.washout_days,
                part.suicidality_warning,
                class_codes(part.classes),
            )
            for part in sorted(drug.ingredients.all(), key=lambda part: part.name)
            if part.pk != drug.pk
        )
    return drug_facts_of(
        drug.name,
        drug.serotonergic,
        drug.washout_days,
        drug.suicidality_warning,
        class_codes(drug.classes),
        ingredients,
    )


@lru_cache(maxsize=2048)
def drug_facts_of(
    name: str,
    serotonergic: str,
    washout_days: int,
    suicidality_warning: str | None,
    classes: tuple[str, ...] | frozenset[str] = (),
    ingredients: tuple[DrugFacts, ...] = (),
) -> DrugFacts:
    """drug_facts from the Drug columns, for loaders that read values() rather than rows (the
    alert sweep). `classes` as class_codes gives them; `ingredients` the facts of a product's
    ingredients. Cached: a sweep meets the same few catalog drugs thousands of times, and
    DrugFacts is immutable (so equal arguments share one object, which the engine's pair cache
    recognises by identity)."""
    return DrugFacts(
        name=name,
        serotonergic=serotonergic,
        washout_days=washout_days,
        suicidality_warning=suicidality_warning or "",
        classes=frozenset(classes),
        ingredients=tuple(ingredients),
    )


def _dose_of(course) -> DoseFacts:
    return (course.dose, course.unit, course.frequency)


def course_facts(
    course,
    *,
    previous=None,
    continued: bool | None = None,
    ingredients: Mapping[int, tuple[DrugFacts, ...]] | None = None,
) -> CourseFacts:
    """Precondition for no query: `course.drug` was loaded with select_related and its
    ingredients prefetched (`prefetch_related("drug__ingredients")`; see drug_facts).

    A dose change links the new course to the old one (`previous_course`). Its direction needs
    the old dose: taken from `previous`, or from `course.previous_course` when that was loaded
    with select_related; otherwise it is a change of unknown direction. `continued` (a later
    course continues this one) likewise comes from the caller or a loaded `next_course`, and
    defaults to False: the end is then treated as a stop, which keeps the black-box window open
    (the conservative side). `courses_facts` works both out from a list without queries.
    """
    drug = course.drug
    # Relations loaded with select_related live here (what Django's is_cached reads); looking
    # them up this way never queries.
    loaded = getattr(getattr(course, "_state", None), "fields_cache", {})
    dose_change = None
    if course.previous_course_id is not None:
        if previous is None:
            previous = loaded.get("previous_course")
        dose_change = (
            dose_change_between(_dose_of(previous), _dose_of(course))
            if previous is not None
            else DOSE_CHANGE_UNKNOWN
        )
    if continued is None:
        continued = loaded.get("next_course") is not None
    return CourseFacts(
        name=course.name,
        drug=(
            None
            if drug is None
            else drug_facts(
                drug, ingredients=None if ingredients is None else ingredients.get(drug.pk, ())
            )
        ),
        started_on=course.started_on,
        stopped_on=course.stopped_on,
        dose_change=dose_change,
        continued=continued,
        recorded_at=course.created_at,
    )


def courses_facts(
    courses: Iterable[Any], *, ingredients: Mapping[int, tuple[DrugFacts, ...]] | None = None
) -> list[CourseFacts]:
    """course_facts of a patient's courses, linking dose changes within the list.

    Precondition: `drug` loaded with select_related. No query when the drugs' ingredients were
    prefetched (`prefetch_related("drug__ingredients")`); otherwise one query for the whole
    list (never one per course), so call it once per list, not per patient in a loop.
    `ingredients` (ingredient_facts_for of the list's drugs) replaces that prefetch."""
    courses = list(courses)
    drugs = [course.drug for course in courses if course.drug is not None]
    if ingredients is None and any(not _ingredients_loaded(drug) for drug in drugs):
        from django.db.models import prefetch_related_objects

        prefetch_related_objects(drugs, INGREDIENTS_PREFETCH)
    by_id = {course.pk: course for course in courses}
    continued_ids = {c.previous_course_id for c in courses if c.previous_course_id is not None}
    return [
        course_facts(
            course,
            previous=by_id.get(course.previous_course_id),
            continued=course.pk in continued_ids,
            ingredients=ingredients,
        )
        for course in courses
    ]
