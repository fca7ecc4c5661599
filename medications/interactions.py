"""Time-aware interaction engine, version 2 (pure Python, no Django imports).

Encodes docs/clinical-rules.md (pair rules P1-P13 in order, the three-drug rule, washouts,
combination products) exactly; the black-box window over the same course facts is
medications/black_box.py.

Everything that does not depend on the regimen (which pair row applies to two drugs, the
wording of that finding) is computed once per pair of drugs and cached, so one assessment
costs a dictionary walk over the counted drugs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from medications.names import normalize_drug_name

SEVERITY_ORDER = ("none", "minor", "moderate", "major", "contraindicated")  # ascending
# docs/clinical-rules.md#pair-rules: `minor` is shown on pages only and raises no alert.
SEVERITY_TO_ALERT = {"contraindicated": "critical", "major": "high", "moderate": "moderate"}
_RANK = {severity: rank for rank, severity in enumerate(SEVERITY_ORDER)}
_MINOR = _RANK["minor"]
_MODERATE = _RANK["moderate"]

TIERS = ("maoi", "maob", "strong", "weak", "none")
MECHANISMS = ("serotonergic", "hypertensive")
SEROTONERGIC = "serotonergic"
HYPERTENSIVE = "hypertensive"

# docs/clinical-rules.md#washouts: a drug always counts on its last day (stopped_on).
MIN_COUNTING_DAYS_AFTER_STOP = 1
# docs/clinical-rules.md#three-drug-rule: three or more drugs whose tier is not "none" count.
THREE_OR_MORE_MIN_DRUGS = 3
# ... and an overall moderate becomes major only when one of them is one of these tiers.
THREE_OR_MORE_MAJOR_TIERS = frozenset({"strong", "maoi", "maob"})


def gettext_noop(message: str) -> str:
    """Marks a patient sentence for the translation catalog (`make messages` finds the name);
    this module stays free of Django. The page translates it (medications.selectors)."""
    return message


PATIENT_ADVICE = gettext_noop("Talk to your clinician before taking these together.")
# docs/clinical-rules.md#pair-rules: a `minor` finding is not alarming.
PATIENT_ADVICE_MINOR = gettext_noop("It is worth mentioning to your clinician at your next visit.")

# A sentence for the patient: an English template with %(name)s fields, and their values. The
# patient's words are these sentences joined, translated when shown (English: patient_explanation).
PatientSentence = tuple[str, tuple[tuple[str, str], ...]]


def patient_words(sentences: Iterable[PatientSentence], translate: Callable[[str], str]) -> str:
    """The sentences in one paragraph through `translate` (gettext, or str for English)."""
    return " ".join(
        _capitalize(translate(template) % dict(params)) for template, params in sentences
    )


# --- Citations (docs/clinical-rules.md#sources) added to the clinician explanation -----------
SOURCE_CCJM = "CCJM serotonin syndrome table"
SOURCE_ONC = "ONC high-priority DDI list (Phansalkar, JAMIA 2012)"
SOURCE_FDA_2011 = "FDA DSC 2011-10-20 (linezolid, methylene blue)"
SOURCE_FDA_2016 = "FDA DSC 2016-03-22 (opioids)"
SOURCE_CYCLOBENZAPRINE = "2013 cyclobenzaprine label"
SOURCE_TCA = "Australian eTG toxicology table; Gillman, Br J Pharmacol 2006 (TCAs)"
SOURCE_GILLMAN_WEAK = (
    "Gillman: weakly serotonergic drugs do not cause serotonin toxicity together "
    "(Biol Psychiatry 2006; Headache 2010)"
)
SOURCE_BOYER_SHANNON = "Boyer & Shannon, N Engl J Med 2005 (serotonin syndrome)"
SOURCE_XADAGO = "Xadago (safinamide) label, sections 4 and 7"
SOURCE_AZILECT = "Azilect (rasagiline) label"
SOURCE_SELEGILINE = "Eldepryl and Zelapar (oral selegiline) labels"
MAOB_LABEL_SOURCES = (SOURCE_XADAGO, SOURCE_AZILECT)
SOURCE_ABOUKARR = "Aboukarr & Giudice, Can J Hosp Pharm 2018"
SOURCE_HYPERTENSIVE_LABELS = "prescribing labels: not with an MAOI or within 14 days of one"
SOURCE_STIMULANT_LABELS = (
    "stimulant labels (amphetamine, methylphenidate, phentermine): hypertensive crisis with "
    "an MAOI or within 14 days of one"
)
SOURCE_DECONGESTANT_LABELS = (
    "decongestant labels (pseudoephedrine, phenylephrine Drug Facts): do not use with an MAOI "
    "or within 2 weeks of stopping one"
)

# --- Classes (Drug.classes, docs/clinical-rules.md#drug-classes) -----------------------------
MAOI_ANTIMICROBIAL = "maoi_antimicrobial"
STIMULANT = "stimulant"
DECONGESTANT = "decongestant"
SSRI = "ssri"
# Stimulants and decongestants raise blood pressure with an MAOI whether or not the data also
# lists them under hypertensive_with_maoi (docs/clinical-rules.md#drug-classes).
HYPERTENSIVE_WITH_MAOI = frozenset({"hypertensive_with_maoi", STIMULANT, DECONGESTANT})
# P6: partners contraindicated with an MAO-B inhibitor (Xadago, Azilect contraindications).
MAOB_CONTRAINDICATED = frozenset(
    {
        "snri",
        "tca",
        "tetracyclic",
        "triazolopyridine",
        "serotonergic_opioid",
        "cyclobenzaprine",
        "st_johns_wort",
        STIMULANT,
        MAOI_ANTIMICROBIAL,
    }
)

_CLASS_LABEL = {
    "ssri": "an SSRI",
    "snri": "an SNRI",
    "tca": "a tricyclic antidepressant",
    "tetracyclic": "a tetracyclic antidepressant",
    "triazolopyridine": "a trazodone-type antidepressant",
    "serotonergic_opioid": "a serotonergic opioid",
    "cyclobenzaprine": "cyclobenzaprine",
    "st_johns_wort": "St John's wort",
    STIMULANT: "a stimulant",
    DECONGESTANT: "a decongestant",
    MAOI_ANTIMICROBIAL: "an antimicrobial that inhibits MAO",
    "hypertensive_with_maoi": "a drug that raises blood pressure with an MAOI",
}
_TIER_LABEL = {
    "maoi": "MAOI",
    "maob": "MAO-B inhibitor",
    "strong": "strong",
    "weak": "weak",
    "none": "not serotonergic",
}
SSRIS = frozenset(
    ("citalopram", "escitalopram", "fluoxetine", "fluvoxamine", "paroxetine", "sertraline")
)
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
# Sources that belong to one drug, added whenever it is in a finding.
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
# The MAO-B inhibitor's own label (P5-P9).
_MAOB_SOURCES = {
    "safinamide": SOURCE_XADAGO,
    "rasagiline": SOURCE_AZILECT,
    "selegiline": SOURCE_SELEGILINE,
    "oral selegiline": SOURCE_SELEGILINE,
}
# The label that contraindicates a drug with an MAOI for its blood-pressure effect (P4).
_HYPERTENSIVE_SOURCES = {
    "bupropion": "bupropion label (Wellbutrin): contraindicated with an MAOI or within 14 days",
    "atomoxetine": "atomoxetine label (Strattera): contraindicated with an MAOI or within 14 days",
    "phentermine": "phentermine label (Adipex-P): contraindicated with an MAOI or within 14 days",
    "methylphenidate": "methylphenidate label (Ritalin): contraindicated with an MAOI or within "
    "14 days (hypertensive crisis)",
    "dexmethylphenidate": "dexmethylphenidate label (Focalin): contraindicated with an MAOI or "
    "within 14 days",
    "carbamazepine": "carbamazepine label (Tegretol): contraindicated with an MAOI or within "
    "14 days",
    "levodopa": "levodopa label (Sinemet): contraindicated with a non-selective MAOI",
    "pseudoephedrine": SOURCE_DECONGESTANT_LABELS,
    "phenylephrine": SOURCE_DECONGESTANT_LABELS,
    "ephedrine": SOURCE_DECONGESTANT_LABELS,
}
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
    serotonergic: str  # "maoi" | "maob" | "strong" | "weak" | "none"
    washout_days: int = 0
    suicidality_warning: str = ""  # "boxed" | "warning" | ""
    classes: frozenset[str] = frozenset()  # Drug.classes
    # A combination product's ingredients (Drug.ingredients): each counts in the engine
    # with its own tier, classes and washout, and the product itself does not.
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
    # alert (docs/clinical-rules.md#pair-rules). None: unknown (treated as long ago).
    recorded_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    drugs: tuple[str, ...]
    severity: str
    rule: str
    explanation: str
    patient_explanation: str
    mechanism: str = "serotonergic"  # "serotonergic" | "hypertensive"
    # patient_explanation as sentences to translate (medications.selectors.patient_explanation)
    patient_sentences: tuple[PatientSentence, ...] = ()


@dataclass(frozen=True, slots=True)
class Assessment:
    severity: str
    findings: tuple[Finding, ...]
    unknown: tuple[str, ...]
    # Serotonergic drugs (tier not "none") that count on the date, by name. Drugs that take
    # part only through a blood-pressure class (pseudoephedrine) are in findings, not here.
    counted: tuple[str, ...]


# --- Pair rules, version 2 (docs/clinical-rules.md#pair-rules) ------------------------------
# Each row reads one drug as `first` (the MAOI, the MAO-B inhibitor, ...) and the other as
# `second`; a pair matches a row in either order. The FIRST matching row wins, so the order
# of PAIR_RULES is the clinical rule itself: do not sort it.

DrugTest = Callable[[DrugFacts], bool]


def tier_in(*tiers: str) -> DrugTest:
    wanted = frozenset(tiers)
    return lambda drug: drug.serotonergic in wanted


def has_class(*classes: str) -> DrugTest:
    wanted = frozenset(classes)
    return lambda drug: not drug.classes.isdisjoint(wanted)


def _maoi_not_antimicrobial(drug: DrugFacts) -> bool:
    return drug.serotonergic == "maoi" and MAOI_ANTIMICROBIAL not in drug.classes


def _ssri_or_strong(drug: DrugFacts) -> bool:
    return drug.serotonergic == "strong" or SSRI in drug.classes


@dataclass(frozen=True, slots=True)
class PairRule:
    code: str  # the row of docs/clinical-rules.md#pair-rules (tests and docs only, never shown)
    first: DrugTest
    second: DrugTest
    severity: str
    mechanism: str
    name: str  # machine-readable Finding.rule (API `rule`)
    sources: tuple[str, ...]


_is_maoi = tier_in("maoi")
_is_maob = tier_in("maob")
_is_weak = tier_in("weak")

PAIR_RULES: tuple[PairRule, ...] = (
    PairRule("P1", _is_maoi, tier_in("maoi", "maob", "strong"), "contraindicated", SEROTONERGIC,
             "maoi_combination", (SOURCE_CCJM, SOURCE_ONC)),
    PairRule("P2", _maoi_not_antimicrobial, _is_weak, "contraindicated", SEROTONERGIC,
             "maoi_weak", (SOURCE_CCJM, SOURCE_ONC)),
    PairRule("P3", has_class(MAOI_ANTIMICROBIAL), _is_weak, "major", SEROTONERGIC,
             "maoi_antimicrobial_weak", (SOURCE_FDA_2011,)),
    PairRule("P4", _is_maoi, has_class(*HYPERTENSIVE_WITH_MAOI), "contraindicated", HYPERTENSIVE,
             "maoi_hypertensive", ()),
    PairRule("P5", _is_maob, _is_maob, "contraindicated", HYPERTENSIVE,
             "maob_maob", (SOURCE_XADAGO,)),
    # P6: a stimulant partner is a blood-pressure danger, the others serotonergic.
    PairRule("P6", _is_maob, has_class(STIMULANT), "contraindicated", HYPERTENSIVE,
             "maob_stimulant", MAOB_LABEL_SOURCES),
    PairRule("P6", _is_maob, has_class(*MAOB_CONTRAINDICATED), "contraindicated", SEROTONERGIC,
             "maob_contraindicated", MAOB_LABEL_SOURCES),
    PairRule("P7", _is_maob, _ssri_or_strong, "moderate", SEROTONERGIC,
             "maob_strong", (*MAOB_LABEL_SOURCES, SOURCE_ABOUKARR)),
    PairRule("P8", _is_maob, has_class(DECONGESTANT), "moderate", HYPERTENSIVE,
             "maob_decongestant", MAOB_LABEL_SOURCES),
    PairRule("P9", _is_maob, _is_weak, "minor", SEROTONERGIC,
             "maob_weak", (*MAOB_LABEL_SOURCES, SOURCE_ABOUKARR)),
    PairRule("P10", tier_in("strong"), tier_in("strong"), "major", SEROTONERGIC,
             "strong_strong", (SOURCE_CCJM,)),
    PairRule("P11", tier_in("strong"), _is_weak, "moderate", SEROTONERGIC,
             "strong_weak", (SOURCE_CCJM,)),
    PairRule("P12", _is_weak, _is_weak, "minor", SEROTONERGIC,
             "weak_weak", (SOURCE_GILLMAN_WEAK,)),
    # P13: anything else (a drug of tier "none" without a class a row reads): no finding.
)  # fmt: skip

# Classes some row reads: a drug of tier "none" with one of them still counts (bupropion,
# pseudoephedrine, methylphenidate).
RULE_CLASSES = frozenset(
    {SSRI, DECONGESTANT, MAOI_ANTIMICROBIAL} | HYPERTENSIVE_WITH_MAOI | MAOB_CONTRAINDICATED
)


def takes_part(drug: DrugFacts) -> bool:
    """Whether some pair row can read this drug: a serotonergic tier, or a class a row reads."""
    return drug.serotonergic != "none" or not drug.classes.isdisjoint(RULE_CLASSES)


def match_pair(a: DrugFacts, b: DrugFacts) -> tuple[PairRule, DrugFacts, DrugFacts] | None:
    """The first row of PAIR_RULES that two distinct drugs match, with the drugs in the row's
    order (first, second); None: no finding (P13)."""
    for rule in PAIR_RULES:
        if rule.first(a) and rule.second(b):
            return rule, a, b
        if rule.first(b) and rule.second(a):
            return rule, b, a
    return None


def ingredient_order(drug: DrugFacts) -> tuple[int, str]:
    """How a product's ingredients are listed to people: serotonergic ones first, then those
    with a class a rule reads, then the rest, each by name ("Ultracet contains tramadol and
    acetaminophen")."""
    if drug.serotonergic != "none":
        return (0, drug.name)
    return (1 if takes_part(drug) else 2, drug.name)


def ingredients_of(drug: DrugFacts) -> tuple[DrugFacts, ...]:
    """What counts of a course of `drug`: its ingredients for a combination product, else
    the drug itself."""
    return drug.ingredients or (drug,)


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
    """docs/clinical-rules.md#washouts: started_on <= T < stopped_on + max(washout_days, 1).

    For a combination product, the longest washout of its ingredients (each ingredient counts
    on its own; assess applies each one's washout)."""
    if course.started_on > on:
        return False
    if course.stopped_on is None:
        return True
    drug = course.drug
    washout = 0
    if drug is not None:
        washout = max(unit.washout_days for unit in ingredients_of(drug))
    return (on - course.stopped_on).days < max(washout, MIN_COUNTING_DAYS_AFTER_STOP)


def assess(courses: Iterable[CourseFacts], on: date) -> Assessment:
    """The combinations of the drugs that count on `on` (docs/clinical-rules.md#washouts).

    A combination product counts every ingredient, each with its own washout; the same drug
    from two courses or two products is one drug. Free-text courses are reported in
    `unknown` (deduplicated by normalised name, in input order)."""
    # generic name -> (facts, None when taken on `on`, else the latest stopped_on of a
    # course that counts only through its washout tail)
    counted: dict[str, tuple[DrugFacts, date | None]] = {}
    unknown: dict[str, str] = {}
    rule_classes = RULE_CLASSES
    class_only = False  # a drug of tier "none" takes part through its classes
    for course in courses:
        if course.started_on > on:
            continue
        drug = course.drug
        stopped = course.stopped_on
        days_after_stop = 0 if stopped is None else (on - stopped).days
        if drug is None:
            if days_after_stop < MIN_COUNTING_DAYS_AFTER_STOP:
                unknown.setdefault(normalize_drug_name(course.name), course.name)
            continue
        for unit in drug.ingredients or (drug,):
            if unit.serotonergic == "none":
                if unit.classes.isdisjoint(rule_classes):
                    continue
                class_only = True
            tail_since = None
            if days_after_stop > 0:
                if days_after_stop >= max(unit.washout_days, MIN_COUNTING_DAYS_AFTER_STOP):
                    continue
                tail_since = stopped
            previous = counted.get(unit.name)
            if previous is None:
                counted[unit.name] = (unit, tail_since)
            elif previous[1] is not None and (tail_since is None or tail_since > previous[1]):
                counted[unit.name] = (previous[0], tail_since)
    return _evaluate(counted, tuple(unknown.values()), class_only)


def assess_current(drugs: Iterable[DrugFacts], unknown: Iterable[str] = ()) -> Assessment:
    """Assess drugs that are all taken now (the `{"drugs": [...]}` request form)."""
    counted: dict[str, tuple[DrugFacts, date | None]] = {}
    for drug in drugs:
        for unit in ingredients_of(drug):
            if takes_part(unit) and unit.name not in counted:
                counted[unit.name] = (unit, None)
    unknown_names: dict[str, str] = {}
    for name in unknown:
        unknown_names.setdefault(normalize_drug_name(name), name)
    class_only = any(drug.serotonergic == "none" for drug, _ in counted.values())
    return _evaluate(counted, tuple(unknown_names.values()), class_only)


def _evaluate(
    counted: dict[str, tuple[DrugFacts, date | None]],
    unknown: tuple[str, ...],
    class_only: bool = False,
) -> Assessment:
    """`class_only`: some counted drug has tier "none" (it is left out of Assessment.counted)."""
    names = sorted(counted)
    serotonergic_names = (
        tuple(name for name in names if counted[name][0].serotonergic != "none")
        if class_only
        else tuple(names)
    )
    if len(names) < 2:
        return _assessment("none", (), unknown, serotonergic_names)
    entries = [counted[name] for name in names]
    findings = []
    top = top_serotonergic = 0
    cache = _FINDING_CACHE
    last = len(entries)
    for i in range(last - 1):
        drug_a, tail_a = entries[i]
        for j in range(i + 1, last):
            drug_b, tail_b = entries[j]
            # Keyed by names (cheap to hash); the cached facts must be the same objects, or
            # equal ones, for the cached row and wording to apply.
            key = (drug_a.name, tail_a, drug_b.name, tail_b)
            hit = cache.get(key)
            if hit is None or not (
                (hit[0] is drug_a and hit[1] is drug_b) or (hit[0] == drug_a and hit[1] == drug_b)
            ):
                hit = (drug_a, drug_b, *_pair_finding(drug_a, tail_a, drug_b, tail_b))
                if len(cache) >= _FINDING_CACHE_SIZE:
                    cache.clear()
                cache[key] = hit
            finding = hit[2]
            if finding is None:
                continue
            findings.append(finding)
            rank = hit[3]
            if rank > top:
                top = rank
            if hit[4] and rank > top_serotonergic:
                top_serotonergic = rank
    if last >= THREE_OR_MORE_MIN_DRUGS and _MINOR <= top_serotonergic <= _MODERATE:
        extra = _three_or_more(entries, top_serotonergic)
        if extra is not None:
            findings.insert(0, extra)
            top = max(top, _RANK[extra.severity])
    if len(findings) > 1:
        findings.sort(key=_finding_order)  # stable: the three-drug finding leads its severity
    return _assessment(SEVERITY_ORDER[top], tuple(findings), unknown, serotonergic_names)


def _three_or_more(
    entries: list[tuple[DrugFacts, date | None]], top_serotonergic: int
) -> Finding | None:
    """docs/clinical-rules.md#three-drug-rule (v2): with three or more counted drugs whose tier
    is not "none", a serotonergic moderate becomes major when one of them is strong, an MAOI or
    an MAO-B inhibitor, and a serotonergic minor becomes moderate. Drugs with only a
    blood-pressure class do not count, and only the serotonergic findings are raised."""
    serotonergic = [drug for drug, _ in entries if drug.serotonergic != "none"]
    if len(serotonergic) < THREE_OR_MORE_MIN_DRUGS:
        return None
    names = tuple(drug.name for drug in serotonergic)
    if top_serotonergic == _MINOR:
        return _three_or_more_finding(names, "moderate")
    if any(drug.serotonergic in THREE_OR_MORE_MAJOR_TIERS for drug in serotonergic):
        return _three_or_more_finding(names, "major")
    return None


def _finding_order(finding: Finding) -> int:
    return -_RANK[finding.severity]


def washout_note(drug: DrugFacts, stopped_on: date) -> str:
    last_counting_day = stopped_on + timedelta(days=drug.washout_days - 1)
    return (
        f"{display_name(drug.name)} stopped {stopped_on.isoformat()}; "
        f"its {drug.washout_days}-day washout runs to {last_counting_day.isoformat()}"
    )


# (name of a, stopped_on of a or None, name of b, stopped_on of b)
#   -> (a, b, finding or None, rank of its severity, serotonergic mechanism?)
_FINDING_CACHE: dict[
    tuple[str, date | None, str, date | None],
    tuple[DrugFacts, DrugFacts, Finding | None, int, bool],
] = {}
_FINDING_CACHE_SIZE = 16384


def _label(drug: DrugFacts) -> str:
    """What a drug is, in the clinician explanation: its tier, or for a drug of tier "none"
    the class that brought it in."""
    if drug.serotonergic != "none":
        return _TIER_LABEL[drug.serotonergic]
    for code in (STIMULANT, DECONGESTANT):
        if code in drug.classes:
            return code
    return "raises blood pressure with an MAOI"


def _class_words(drug: DrugFacts, classes: frozenset[str]) -> str:
    for code in sorted(drug.classes & classes):
        return _CLASS_LABEL.get(code, code.replace("_", " "))
    return "a serotonergic drug"


def _clinical_text(rule: PairRule, first: DrugFacts, second: DrugFacts) -> str:
    """What the row means for this pair (clinician wording, no rule ids)."""
    name = rule.name
    if name == "maoi_combination":
        if second.serotonergic == "maoi":
            return "two MAOIs together: contraindicated, risk of serotonin syndrome"
        if second.serotonergic == "maob":
            return "an MAOI with an MAO-B inhibitor: contraindicated, risk of serotonin syndrome"
        return "an MAOI with a serotonergic drug: contraindicated, risk of serotonin syndrome"
    if name == "maoi_weak":
        return (
            "an MAOI with a weakly serotonergic drug: contraindicated, risk of serotonin syndrome"
        )
    if name == "maoi_antimicrobial_weak":
        return (
            "an antimicrobial that inhibits MAO with a weakly serotonergic drug: major; the FDA "
            "found the risk with less serotonergic drugs unclear, so watch closely for serotonin "
            "toxicity"
        )
    if name == "maoi_hypertensive":
        partner = display_name(second.name)
        if not second.classes.isdisjoint({STIMULANT, DECONGESTANT}):
            partner = _class_words(second, frozenset({STIMULANT, DECONGESTANT}))
        return (
            f"an MAOI with {partner}: contraindicated, risk of a hypertensive crisis "
            "(dangerously high blood pressure)"
        )
    if name == "maob_maob":
        return (
            "two MAO-B inhibitors together: contraindicated; together they lose their "
            "selectivity for MAO-B, risk of a hypertensive crisis"
        )
    if name == "maob_stimulant":
        return "an MAO-B inhibitor with a stimulant: contraindicated, risk of a hypertensive crisis"
    if name == "maob_contraindicated":
        return (
            f"an MAO-B inhibitor with {_class_words(second, MAOB_CONTRAINDICATED)}: "
            "contraindicated, risk of serotonin syndrome"
        )
    if name == "maob_strong":
        what = "an SSRI" if SSRI in second.classes else "a strongly serotonergic drug"
        return (
            f"an MAO-B inhibitor with {what}: moderate; the labels allow the combination with "
            "monitoring for serotonin toxicity (lowest effective doses)"
        )
    if name == "maob_decongestant":
        return (
            "an MAO-B inhibitor with a decongestant: moderate, hypertensive reactions reported; "
            "monitor blood pressure"
        )
    if name == "maob_weak":
        return (
            "an MAO-B inhibitor with a weakly serotonergic drug: minor, no contraindication; "
            "worth noting"
        )
    if name == "strong_strong":
        if first.name in SSRIS and second.name in SSRIS:
            return "two SSRIs: therapeutic duplication, major risk of serotonin toxicity"
        return "two strongly serotonergic drugs: major risk of serotonin toxicity"
    if name == "strong_weak":
        return "additive serotonergic effect: moderate, watch for signs of serotonin toxicity"
    return (
        "two weakly serotonergic drugs: minor; weak agents are not known to cause serotonin "
        "toxicity together"
    )


def _patient_template(rule: PairRule) -> str:
    """Plain words for the patient: never "stop", blood pressure for the hypertensive rows."""
    if rule.mechanism == HYPERTENSIVE:
        if rule.severity == "contraindicated":
            return gettext_noop(
                "%(a)s and %(b)s together can raise your blood pressure to a dangerous level."
            )
        return gettext_noop("%(a)s and %(b)s together can raise your blood pressure.")
    if rule.severity == "minor":
        return gettext_noop(
            "%(a)s and %(b)s both have a mild effect on serotonin. Together this is not usually "
            "a problem."
        )
    if rule.name == "strong_strong":
        return gettext_noop(
            "%(a)s and %(b)s both raise serotonin. Together they can cause a reaction called "
            "serotonin syndrome."
        )
    if rule.severity == "contraindicated":
        return gettext_noop(
            "%(a)s and %(b)s together can cause a serious reaction called serotonin syndrome."
        )
    if rule.name == "maoi_antimicrobial_weak":
        return gettext_noop(
            "%(a)s and %(b)s together can raise serotonin, which can cause a reaction called "
            "serotonin syndrome."
        )
    if rule.name == "maob_strong":
        return gettext_noop(
            "%(a)s and %(b)s together can raise serotonin, so your clinician may want to keep an "
            "eye on how you feel."
        )
    return gettext_noop(
        "%(a)s and %(b)s both raise serotonin, and the effect adds up when taken together."
    )


def _sources(rule: PairRule, first: DrugFacts, second: DrugFacts) -> list[str]:
    sources = list(rule.sources)
    extra: list[str] = []
    if rule.mechanism == HYPERTENSIVE and rule.name == "maoi_hypertensive":
        specific = _HYPERTENSIVE_SOURCES.get(second.name)
        if specific is None:
            if STIMULANT in second.classes:
                specific = SOURCE_STIMULANT_LABELS
            elif DECONGESTANT in second.classes:
                specific = SOURCE_DECONGESTANT_LABELS
            else:
                specific = SOURCE_HYPERTENSIVE_LABELS
        extra.append(specific)
    if first.serotonergic == "maob" and first.name in _MAOB_SOURCES:
        extra.append(_MAOB_SOURCES[first.name])
    if second.serotonergic == "maob" and second.name in _MAOB_SOURCES:
        extra.append(_MAOB_SOURCES[second.name])
    if rule.mechanism == SEROTONERGIC:
        extra.extend(_DRUG_SOURCES.get(drug.name, "") for drug in (first, second))
    for source in extra:
        if source and source not in sources:
            sources.append(source)
    return sources


def _pair_finding(
    drug_a: DrugFacts, tail_a: date | None, drug_b: DrugFacts, tail_b: date | None
) -> tuple[Finding | None, int, bool]:
    """(the finding of two counted drugs or None, its severity rank, serotonergic?)."""
    matched = match_pair(drug_a, drug_b)
    if matched is None:
        return None, 0, False
    rule, first, second = matched
    a, b = display_name(drug_a.name), display_name(drug_b.name)
    notes = []
    patient_notes: list[PatientSentence] = []
    for drug, tail in ((drug_a, tail_a), (drug_b, tail_b)):
        if tail is not None:
            notes.append(washout_note(drug, tail))
            until = tail + timedelta(days=drug.washout_days - 1)
            patient_notes.append(
                (
                    gettext_noop(
                        "You last took %(drug)s on %(last)s, and it stays in your body for a "
                        "while afterwards (until about %(until)s)."
                    ),
                    (
                        ("drug", display_name(drug.name)),
                        ("last", tail.isoformat()),
                        ("until", until.isoformat()),
                    ),
                )
            )
    explanation = (
        f"{a} ({_label(drug_a)}) + {b} ({_label(drug_b)}): {_clinical_text(rule, first, second)}."
    )
    if notes:
        explanation += " " + "; ".join(notes) + "."
    explanation += " Source: " + "; ".join(_sources(rule, first, second)) + "."
    advice = PATIENT_ADVICE_MINOR if rule.severity == "minor" else PATIENT_ADVICE
    sentences: tuple[PatientSentence, ...] = (
        (_patient_template(rule), (("a", a), ("b", b))),
        *patient_notes,
        (advice, ()),
    )
    patient_text = patient_words(sentences, str)
    finding = Finding(
        drugs=(drug_a.name, drug_b.name),
        severity=rule.severity,
        rule=rule.name,
        explanation=explanation,
        patient_explanation=patient_text,
        mechanism=rule.mechanism,
        patient_sentences=sentences,
    )
    return finding, _RANK[rule.severity], rule.mechanism == SEROTONERGIC


@lru_cache(maxsize=4096)
def _three_or_more_finding(names: tuple[str, ...], severity: str) -> Finding:
    listed = ", ".join(display_name(name) for name in names)
    sentences: tuple[PatientSentence, ...] = (
        (
            gettext_noop(
                "You are taking %(count)s medicines that raise serotonin (%(names)s). "
                "Together their effect adds up."
            ),
            (("count", str(len(names))), ("names", listed)),
        ),
        (PATIENT_ADVICE, ()),
    )
    if severity == "moderate":
        why = (
            "each pair alone is minor, but together the serotonergic load adds up: the overall "
            "severity rises from minor to moderate"
        )
    else:
        why = (
            "at least one of them is strongly serotonergic or an MAO inhibitor, and the "
            "combined serotonergic load raises the overall severity from moderate to major"
        )
    return Finding(
        drugs=names,
        severity=severity,
        rule="three_or_more",
        explanation=(
            f"{len(names)} serotonergic drugs count together ({listed}): {why} (a precaution "
            f"of this portal). Source: {SOURCE_CCJM}; {SOURCE_BOYER_SHANNON}."
        ),
        patient_explanation=patient_words(sentences, str),
        mechanism=SEROTONERGIC,
        patient_sentences=sentences,
    )


def display_name(name: str) -> str:
    """How a generic name is written in explanations ("St John's wort", "MDMA")."""
    return DISPLAY_NAMES.get(name, name)


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]
