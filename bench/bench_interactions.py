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

CATALOG = ROOT / "medications" / "data" / "drugs.json"
TARGET_PER_SECOND = 50_000
TODAY = date(2026, 11, 27)


def load_facts() -> list[DrugFacts]:
    rows = json.loads(CATALOG.read_text())
    return [
        DrugFacts(
            name=row["name"],
            serotonergic=row["serotonergic"],
            washout_days=row["washout_days"],
            suicidality_warning=row["suicidality_warning"],
        )
        for row in rows
    ]


def make_regimens(n: int, seed: int = 42) -> list[list[CourseFacts]]:
    """Realistic regimens: 3-8 courses, every tier, a third stopped (some inside a washout),
    a few free-text names and the occasional drug logged twice."""
    rng = random.Random(seed)
    facts = load_facts()
    by_tier: dict[str, list[DrugFacts]] = {}
    for drug in facts:
        by_tier.setdefault(drug.serotonergic, []).append(drug)
    tier_weights = (("none", 5), ("weak", 3), ("strong", 3), ("maoi", 1))
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


def main(n: int = 200_000, *, quiet: bool = False) -> float:
    regimens = make_regimens(n)
    start = time.perf_counter()
    for courses in regimens:
        assess(courses, TODAY)
    elapsed = time.perf_counter() - start
    rate = n / elapsed if elapsed else float("inf")
    if not quiet:
        print(
            f"assessed {n} regimens (3-8 courses each) in {elapsed:.3f}s: "
            f"{rate:,.0f} regimens/second (target >= {TARGET_PER_SECOND:,})"
        )
    return rate


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000)
