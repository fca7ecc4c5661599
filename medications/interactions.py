"""Time-aware serotonergic interaction engine (pure Python, no Django imports).

Encodes docs/clinical-rules.md (combination severity, washouts) exactly; the black-box window
over the same course facts is medications/black_box.py.
Everything that does not depend on the regimen (the tier-pair table, the wording of a finding
for a pair of drugs) is computed once and cached, so one assessment costs a dictionary walk
over the counted drugs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from medications.names import normalize_drug_name

SEVERITY_ORDER = ("none", "moderate", "major", "contraindicated")  # ascending
SEVERITY_TO_ALERT = {"contraindicated": "critical", "major": "high", "moderate": "moderate"}
_RANK = {severity: rank for rank, severity in enumerate(SEVERITY_ORDER)}
_MODERATE = _RANK["moderate"]

TIERS = ("maoi", "strong", "weak", "none")

# docs/clinical-rules.md#washouts: a drug always counts on its last day (stopped_on).
MIN_COUNTING_DAYS_AFTER_STOP = 1
# docs/clinical-rules.md#three-drug-rule (team choice): three or more counted serotonergic
# drugs turn an overall "moderate" into "major".
THREE_OR_MORE_MIN_DRUGS = 3

PATIENT_ADVICE = "Talk to your clinician before taking these together."

# docs/clinical-rules.md#combination-severity, by tier; "none" never produces a finding.
_TIER_PAIR_TABLE = (
    ("maoi", "maoi", "contraindicated", "maoi_combination"),
    ("maoi", "strong", "contraindicated", "maoi_combination"),
    ("maoi", "weak", "contraindicated", "maoi_combination"),
    ("strong", "strong", "major", "strong_strong"),
    ("strong", "weak", "moderate", "strong_weak"),
    ("weak", "weak", "moderate", "weak_weak"),
)
# (tier, tier) -> (rank, severity, rule), both orders.
PAIR_RULES: dict[tuple[str, str], tuple[int, str, str]] = {}
for _a, _b, _severity, _rule in _TIER_PAIR_TABLE:
    PAIR_RULES[(_a, _b)] = PAIR_RULES[(_b, _a)] = (_RANK[_severity], _severity, _rule)

# Citations (docs/clinical-rules.md#sources) added to the clinician explanation.
SOURCE_CCJM = "CCJM serotonin syndrome table"
SOURCE_ONC = "ONC high-priority DDI list (Phansalkar, JAMIA 2012)"
SOURCE_FDA_2011 = "FDA DSC 2011-10-20 (linezolid, methylene blue)"
SOURCE_FDA_2016 = "FDA DSC 2016-03-22 (opioids)"
SOURCE_CYCLOBENZAPRINE = "2013 cyclobenzaprine label"
SOURCE_TCA = "Australian eTG toxicology table; Gillman, Br J Pharmacol 2006 (TCAs)"

_RULE_SOURCES = {
    "maoi_combination": (SOURCE_CCJM, SOURCE_ONC),
    "strong_strong": (SOURCE_CCJM,),
    "strong_weak": (SOURCE_CCJM,),
    "weak_weak": (SOURCE_CCJM,),
    "three_or_more": (SOURCE_CCJM,),
}
_TCAS = (
    "amitriptyline",
    "clomipramine",
    "desipramine",
    "doxepin",
    "imipramine",
    "nortriptyline",
    "protriptyline",
    "trimipramine",
)
_DRUG_SOURCES = {
    "linezolid": SOURCE_FDA_2011,
    "methylene blue": SOURCE_FDA_2011,
    "tramadol": SOURCE_FDA_2016,
    "tapentadol": SOURCE_FDA_2016,
    "meperidine": SOURCE_FDA_2016,
    "methadone": SOURCE_FDA_2016,
    "fentanyl": SOURCE_FDA_2016,
    "cyclobenzaprine": SOURCE_CYCLOBENZAPRINE,
    **dict.fromkeys(_TCAS, SOURCE_TCA),
}
SSRIS = frozenset(
    ("citalopram", "escitalopram", "fluoxetine", "fluvoxamine", "paroxetine", "sertraline")
)
_TIER_LABEL = {"maoi": "MAOI", "strong": "strong", "weak": "weak", "none": "none"}
# How a few catalog names are written in sentences (Finding.drugs keeps the catalog name).
DISPLAY_NAMES = {
    "st john's wort": "St John's wort",
    "5-htp": "5-HTP",
    "l-tryptophan": "L-tryptophan",
    "mdma": "MDMA",
    "s-adenosylmethionine": "SAMe (S-adenosylmethionine)",
}


@dataclass(frozen=True, slots=True)
class DrugFacts:
    name: str  # generic name, lowercase as in the catalog
    serotonergic: str  # "maoi" | "strong" | "weak" | "none"
    washout_days: int = 0
    suicidality_warning: str = ""  # "boxed" | "warning" | ""
    classes: frozenset[str] = frozenset()  # Drug.classes
    # A combination product's ingredients (Drug.ingredients); each counts in the engine.
    ingredients: tuple[DrugFacts, ...] = ()


@dataclass(frozen=True, slots=True)
class CourseFacts:
    name: str  # as the patient typed it (reported back when unknown)
    drug: DrugFacts | None  # None: free text, not in the catalog
    started_on: date
    stopped_on: date | None = None  # last day taken
    # Set when this course continues an earlier one at another dose (MedicationCourse.
    # previous_course): DOSE_INCREASE, DOSE_DECREASE or DOSE_CHANGE_UNKNOWN; None: a start.
    dose_change: str | None = None  # values: medications.black_box.DOSE_*
    # True when a later course continues this one at another dose: `stopped_on` is then the
    # day before a dose change, not a stop.
    continued: bool = False
    # When the course was recorded (MedicationCourse.created_at): re-exposure after a resolved
    # alert (docs/clinical-rules.md#re-exposure). None: unknown (treated as long ago).
    recorded_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    drugs: tuple[str, ...]
    severity: str
    rule: str
    explanation: str
    patient_explanation: str
    mechanism: str = "serotonergic"  # "serotonergic" | "hypertensive"


@dataclass(frozen=True, slots=True)
class Assessment:
    severity: str
    findings: tuple[Finding, ...]
    unknown: tuple[str, ...]
    counted: tuple[str, ...]


# The generated __init__ of a frozen dataclass sets each field through object.__setattr__;
# setting the slots directly builds the same immutable object about three times faster, and
# building the result is a large share of one assessment (the 50,000/s budget of issue 4).
_new_object = object.__new__
_set_severity = Assessment.severity.__set__  # type: ignore[attr-defined, misc]
_set_findings = Assessment.findings.__set__  # type: ignore[attr-defined, misc]
_set_unknown = Assessment.unknown.__set__  # type: ignore[attr-defined, misc]
_set_counted = Assessment.counted.__set__  # type: ignore[attr-defined, misc]


def _assessment(
    severity: str,
    findings: tuple[Finding, ...],
    unknown: tuple[str, ...],
    counted: tuple[str, ...],
) -> Assessment:
    result = _new_object(Assessment)
    _set_severity(result, severity)
    _set_findings(result, findings)
    _set_unknown(result, unknown)
    _set_counted(result, counted)
    return result


def course_counts_on(course: CourseFacts, on: date) -> bool:
    """docs/clinical-rules.md#washouts: started_on <= T < stopped_on + max(washout_days, 1)."""
    if course.started_on > on:
        return False
    if course.stopped_on is None:
        return True
    washout = course.drug.washout_days if course.drug is not None else 0
    return (on - course.stopped_on).days < max(washout, MIN_COUNTING_DAYS_AFTER_STOP)


def assess(courses: Iterable[CourseFacts], on: date) -> Assessment:
    # generic name -> (facts, None when taken on `on`, else the latest stopped_on of a
    # course that counts only through its washout tail)
    counted: dict[str, tuple[DrugFacts, date | None]] = {}
    unknown: dict[str, str] = {}
    for course in courses:
        if course.started_on > on:
            continue
        drug = course.drug
        stopped = course.stopped_on
        tail_since = None
        if stopped is not None:
            days_after_stop = (on - stopped).days
            if days_after_stop > 0:
                washout = drug.washout_days if drug is not None else 0
                if days_after_stop >= max(washout, MIN_COUNTING_DAYS_AFTER_STOP):
                    continue
                tail_since = stopped
        if drug is None:
            unknown.setdefault(normalize_drug_name(course.name), course.name)
            continue
        if drug.serotonergic == "none":
            continue
        previous = counted.get(drug.name)
        if previous is None:
            counted[drug.name] = (drug, tail_since)
        elif previous[1] is not None and (tail_since is None or tail_since > previous[1]):
            counted[drug.name] = (previous[0], tail_since)
    return _evaluate(counted, tuple(unknown.values()))


def assess_current(drugs: Iterable[DrugFacts], unknown: Iterable[str] = ()) -> Assessment:
    """Assess drugs that are all taken now (the `{"drugs": [...]}` request form)."""
    counted: dict[str, tuple[DrugFacts, date | None]] = {}
    for drug in drugs:
        if drug.serotonergic != "none" and drug.name not in counted:
            counted[drug.name] = (drug, None)
    unknown_names: dict[str, str] = {}
    for name in unknown:
        unknown_names.setdefault(normalize_drug_name(name), name)
    return _evaluate(counted, tuple(unknown_names.values()))


def _evaluate(
    counted: dict[str, tuple[DrugFacts, date | None]], unknown: tuple[str, ...]
) -> Assessment:
    names = sorted(counted)
    if len(names) < 2:
        return _assessment("none", (), unknown, tuple(names))
    entries = [counted[name] for name in names]
    findings = []
    top = 0
    rules = PAIR_RULES
    cache = _FINDING_CACHE
    last = len(entries)
    for i in range(last - 1):
        drug_a, tail_a = entries[i]
        tier_a = drug_a.serotonergic
        for j in range(i + 1, last):
            drug_b, tail_b = entries[j]
            rule = rules.get((tier_a, drug_b.serotonergic))
            if rule is None:
                continue
            # Keyed by names (cheap to hash); the cached facts must be the same objects, or
            # equal ones, for the cached wording to apply.
            key = (drug_a.name, tail_a, drug_b.name, tail_b)
            hit = cache.get(key)
            if hit is None or not (
                (hit[0] is drug_a and hit[1] is drug_b) or (hit[0] == drug_a and hit[1] == drug_b)
            ):
                hit = (drug_a, drug_b, _pair_finding(drug_a, tail_a, drug_b, tail_b, *rule[1:]))
                if len(cache) >= _FINDING_CACHE_SIZE:
                    cache.clear()
                cache[key] = hit
            findings.append(hit[2])
            if rule[0] > top:
                top = rule[0]
    counted_names = tuple(names)
    severity = SEVERITY_ORDER[top]
    if top == _MODERATE and last >= THREE_OR_MORE_MIN_DRUGS:
        severity = "major"
        findings.insert(0, _three_or_more_finding(counted_names))
    elif top > _MODERATE and len(findings) > 1:
        findings.sort(key=_finding_order)
    return _assessment(severity, tuple(findings), unknown, counted_names)


def _finding_order(finding: Finding) -> int:
    return -_RANK[finding.severity]


def washout_note(drug: DrugFacts, stopped_on: date) -> str:
    last_counting_day = stopped_on + timedelta(days=drug.washout_days - 1)
    return (
        f"{display_name(drug.name)} stopped {stopped_on.isoformat()}; "
        f"its {drug.washout_days}-day washout runs to {last_counting_day.isoformat()}"
    )


# (name of a, stopped_on of a or None, name of b, stopped_on of b) -> (a, b, finding)
_FINDING_CACHE: dict[
    tuple[str, date | None, str, date | None], tuple[DrugFacts, DrugFacts, Finding]
] = {}
_FINDING_CACHE_SIZE = 16384


def _pair_finding(
    drug_a: DrugFacts,
    tail_a: date | None,
    drug_b: DrugFacts,
    tail_b: date | None,
    severity: str,
    rule: str,
) -> Finding:
    a, b = display_name(drug_a.name), display_name(drug_b.name)
    label_a, label_b = _TIER_LABEL[drug_a.serotonergic], _TIER_LABEL[drug_b.serotonergic]
    if rule == "maoi_combination":
        if drug_a.serotonergic == drug_b.serotonergic:
            what = "two MAOIs together: contraindicated, risk of serotonin syndrome"
        else:
            what = "an MAOI with a serotonergic drug: contraindicated, risk of serotonin syndrome"
        patient = f"{a} and {b} together can cause a serious reaction called serotonin syndrome."
    elif rule == "strong_strong":
        if drug_a.name in SSRIS and drug_b.name in SSRIS:
            what = "two SSRIs: therapeutic duplication, major risk of serotonin toxicity"
        else:
            what = "two strongly serotonergic drugs: major risk of serotonin toxicity"
        patient = (
            f"{a} and {b} both raise serotonin. Together they can cause a reaction "
            "called serotonin syndrome."
        )
    else:
        what = "additive serotonergic effect: moderate, watch for signs of serotonin toxicity"
        patient = f"{a} and {b} both raise serotonin, and the effect adds up when taken together."
    notes = []
    patient_notes = []
    for drug, tail in ((drug_a, tail_a), (drug_b, tail_b)):
        if tail is not None:
            notes.append(washout_note(drug, tail))
            until = tail + timedelta(days=drug.washout_days - 1)
            patient_notes.append(
                f"You last took {display_name(drug.name)} on {tail.isoformat()}, and it stays in "
                f"your body for a while afterwards (until about {until.isoformat()})."
            )
    sources = list(_RULE_SOURCES[rule])
    for name in (drug_a.name, drug_b.name):
        source = _DRUG_SOURCES.get(name)
        if source and source not in sources:
            sources.append(source)
    explanation = f"{a} ({label_a}) + {b} ({label_b}): {what}."
    if notes:
        explanation += " " + "; ".join(notes) + "."
    explanation += " Source: " + "; ".join(sources) + "."
    patient_text = " ".join([_capitalize(patient), *patient_notes, PATIENT_ADVICE])
    return Finding(
        drugs=(drug_a.name, drug_b.name),
        severity=severity,
        rule=rule,
        explanation=explanation,
        patient_explanation=patient_text,
    )


@lru_cache(maxsize=4096)
def _three_or_more_finding(names: tuple[str, ...]) -> Finding:
    listed = ", ".join(display_name(name) for name in names)
    return Finding(
        drugs=names,
        severity="major",
        rule="three_or_more",
        explanation=(
            f"{len(names)} serotonergic drugs count together ({listed}): the combined "
            "serotonergic load raises the overall severity from moderate to major "
            f"(portal design rule). Source: {SOURCE_CCJM}."
        ),
        patient_explanation=(
            f"You are taking {len(names)} medicines that raise serotonin ({listed}). "
            f"Together their effect adds up. {PATIENT_ADVICE}"
        ),
    )


def display_name(name: str) -> str:
    """How a generic name is written in explanations ("St John's wort", "MDMA")."""
    return DISPLAY_NAMES.get(name, name)


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]
