"""Throughput of the interaction engine: prints regimens assessed per second (one process).

Run: .venv/bin/python bench/bench_interactions.py [N]
"""

import json
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from medications.interactions import CourseFacts, DrugFacts, assess  # noqa: E402
from medications.names import lookup_keys, normalize_drug_name  # noqa: E402

CATALOG = ROOT / "medications" / "data" / "drugs.json"
TARGET_PER_SECOND = 50_000
TODAY = date(2026, 11, 27)


# Version 2 data the benchmark must exercise (MAO-B tier, blood-pressure classes, combination
# products). Taken from the catalog file when it has them; these rows stand in for any it lacks.
V2_ROWS = (
    {"name": "bench mao-b inhibitor", "serotonergic": "maob", "washout_days": 14},
    {"name": "pseudoephedrine", "classes": ["decongestant"], "brand_names": ["Sudafed"]},
    {"name": "methylphenidate", "classes": ["stimulant", "hypertensive_with_maoi"]},
    {"name": "atomoxetine", "classes": ["hypertensive_with_maoi"]},
    {"name": "ultracet", "ingredients": ["tramadol", "acetaminophen"], "brand_names": ["Ultracet"]},
    {"name": "auvelity", "ingredients": ["dextromethorphan", "bupropion"]},
)


def catalog_rows() -> list[dict]:
    rows = json.loads(CATALOG.read_text())
    names = {row["name"] for row in rows}
    has_maob = any(row["serotonergic"] == "maob" for row in rows)
    for extra in V2_ROWS:
        if extra["name"] in names or (extra.get("serotonergic") == "maob" and has_maob):
            continue
        rows.append(
            {"brand_names": [], "serotonergic": "none", "washout_days": 0}
            | {"suicidality_warning": ""}
            | extra
        )
    return rows


def _ingredient_names(row: dict) -> list[str]:
    # The data file may name ingredients as strings or as {"name": ...} objects.
    return [part if isinstance(part, str) else part["name"] for part in row.get("ingredients", [])]


def load_facts() -> list[DrugFacts]:
    """DrugFacts of the catalog (plus V2_ROWS), with classes and products' ingredients."""
    rows = catalog_rows()

    def plain(row: dict) -> DrugFacts:
        return DrugFacts(
            name=row["name"],
            serotonergic=row["serotonergic"],
            washout_days=row["washout_days"],
            suicidality_warning=row["suicidality_warning"] or "",
            classes=frozenset(row.get("classes", ())),
        )

    singles = {row["name"]: plain(row) for row in rows}
    facts = []
    for row in rows:
        parts = tuple(singles[name] for name in _ingredient_names(row) if name in singles)
        drug = singles[row["name"]]
        if parts:
            drug = DrugFacts(
                name=drug.name,
                serotonergic=drug.serotonergic,
                washout_days=drug.washout_days,
                suicidality_warning=drug.suicidality_warning,
                classes=drug.classes,
                ingredients=parts,
            )
        facts.append(drug)
    return facts


def make_regimens(n: int, seed: int = 42) -> list[list[CourseFacts]]:
    """Realistic regimens: 3-8 courses, every tier (MAO-B inhibitors, drugs with only a
    blood-pressure class, combination products among them), a third stopped (some inside a
    washout), a few free-text names and the occasional drug logged twice."""
    rng = random.Random(seed)
    facts = load_facts()
    by_tier: dict[str, list[DrugFacts]] = {}
    drug: DrugFacts | None
    for drug in facts:
        group = drug.serotonergic
        if drug.ingredients:
            group = "product"
        elif group == "none" and drug.classes:
            group = "classed"
        by_tier.setdefault(group, []).append(drug)
    tier_weights = (
        ("none", 4),
        ("weak", 3),
        ("strong", 3),
        ("maoi", 1),
        ("maob", 1),
        ("classed", 1),
        ("product", 1),
    )
    tiers = [tier for tier, _ in tier_weights]
    weights = [weight for _, weight in tier_weights]
    regimens = []
    for _ in range(n):
        courses = []
        for _ in range(rng.randint(3, 8)):
            if rng.random() < 0.05:
                drug = None
                name = rng.choice(["turmeric", "CBD oil", "ashwagandha"])
            else:
                drug = rng.choice(by_tier[rng.choices(tiers, weights)[0]])
                name = drug.name
            started = TODAY - timedelta(days=rng.randint(0, 400))
            stopped = None
            if rng.random() < 0.35:
                stopped = started + timedelta(days=rng.randint(0, 60))
            courses.append(
                CourseFacts(name=name, drug=drug, started_on=started, stopped_on=stopped)
            )
        regimens.append(courses)
    return regimens


# How patients type names (docs/clinical-rules.md#name-resolution): the resolution figure
# resolves every course name through medications.names.lookup_keys, as the catalog look-up
# does, before assessing.
DECORATIONS = ("", "", "50 mg", "XR", "HCl 20mg tablets", "ER 0.5mg", "100 mcg/hr patch")


def name_index() -> dict[str, DrugFacts]:
    """The catalog keys in memory (the database look-up matches the same keys)."""
    rows = catalog_rows()
    facts = {drug.name: drug for drug in load_facts()}
    index: dict[str, DrugFacts] = {}
    for row in rows:
        for label in (row["name"], *row["brand_names"]):
            index.setdefault(normalize_drug_name(label), facts[row["name"]])
    return index


def typed_regimens(regimens: list[list[CourseFacts]], seed: int = 7) -> list[list[tuple]]:
    """The same regimens as a patient would type them: decorated names, no drug yet."""
    rng = random.Random(seed)
    return [
        [
            (f"{c.name} {rng.choice(DECORATIONS)}".strip(), c.started_on, c.stopped_on)
            for c in courses
        ]
        for courses in regimens
    ]


def resolve_and_assess(typed: list[tuple], index: dict[str, DrugFacts]) -> object:
    courses = []
    for name, started_on, stopped_on in typed:
        drug = None
        for key in lookup_keys(name):
            drug = index.get(key)
            if drug is not None:
                break
        courses.append(CourseFacts(name, drug, started_on, stopped_on))
    return assess(courses, TODAY)


def main(n: int = 200_000, *, rounds: int = 3, quiet: bool = False) -> float:
    """Best of `rounds` passes over `n` regimens. Prints wall-clock and CPU-time rates (on a
    busy shared machine the CPU time of this process is the steadier figure). Returns the
    wall-clock rate."""
    regimens = make_regimens(n)
    best_wall = best_cpu = float("inf")
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        for courses in regimens:
            assess(courses, TODAY)
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    rate = n / best_wall if best_wall else float("inf")
    cpu_rate = n / best_cpu if best_cpu else float("inf")
    if not quiet:
        print(
            f"interaction engine: {n} regimens of 3-8 courses, best of {rounds}: "
            f"{rate:,.0f} regimens/second wall-clock, {cpu_rate:,.0f}/s CPU time "
            f"(target >= {TARGET_PER_SECOND:,}/s in one process)"
        )
        index, typed = name_index(), typed_regimens(regimens)
        best = float("inf")
        for _ in range(rounds):
            lookup_keys.cache_clear()  # every name resolved from scratch in each pass
            cpu = time.process_time()
            for names in typed:
                resolve_and_assess(names, index)
            best = min(best, time.process_time() - cpu)
        print(
            f"with name resolution (typed names -> catalog keys -> facts -> assess; decorated "
            f"names, in-memory catalog keys, normalisation cache cleared each pass): "
            f"{n / best if best else float('inf'):,.0f} regimens/second CPU time "
            f"(target >= {TARGET_PER_SECOND:,}/s)"
        )
        names = sorted({name for courses in typed for name, _, _ in courses})
        cpu = time.process_time()
        for name in names:
            lookup_keys.__wrapped__(name)
        elapsed = time.process_time() - cpu
        print(
            f"name normalisation alone, uncached: {len(names)} distinct typed names, "
            f"{len(names) / elapsed if elapsed else float('inf'):,.0f} names/second"
        )
    return rate


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000)
