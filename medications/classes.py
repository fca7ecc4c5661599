"""The drug classes the pair rules read (docs/clinical-rules.md#drug-classes), with the published
source of each. A catalog drug lists the codes of its classes in `Drug.classes`; the admin and the
catalog data tests accept only these codes. Pure: no Django imports.
"""

from typing import NamedTuple


class DrugClass(NamedTuple):
    label: str
    source: str


BOYER_2005 = "Boyer & Shannon, N Engl J Med 2005;352:1112-20"
GILLMAN_2006 = "Gillman, Br J Pharmacol 2006;151:737-48"

CLASSES: dict[str, DrugClass] = {
    "ssri": DrugClass("SSRI", f"{BOYER_2005}; SSRI labels §4"),
    "snri": DrugClass("SNRI", f"{BOYER_2005}; SNRI labels §4; Xadago label §7.3"),
    "tca": DrugClass("Tricyclic antidepressant", f"{GILLMAN_2006}; Xadago label §4, §7.3"),
    "tetracyclic": DrugClass("Tetracyclic antidepressant (mirtazapine)", "Xadago label §4"),
    "triazolopyridine": DrugClass(
        "Triazolopyridine antidepressant (trazodone, nefazodone)", "Xadago label §4"
    ),
    "serotonergic_opioid": DrugClass(
        "Serotonergic opioid (tramadol, tapentadol, meperidine, methadone, dextromethorphan)",
        "FDA Drug Safety Communication 2016-03-22; Azilect and Xadago labels §4",
    ),
    "triptan": DrugClass("Triptan", "triptan labels §5 (serotonin syndrome)"),
    "setron": DrugClass("5-HT3 antagonist antiemetic", "5-HT3 antagonist labels §5"),
    "stimulant": DrugClass(
        "Stimulant (amphetamines, methylphenidate, phentermine, cocaine, MDMA)",
        "stimulant labels §4 (MAOIs: hypertensive crisis); Azilect label §4",
    ),
    "decongestant": DrugClass(
        "Sympathomimetic decongestant (pseudoephedrine, phenylephrine, ephedrine)",
        "OTC Drug Facts (not with an MAOI or within 2 weeks); Xadago label §5",
    ),
    "cyclobenzaprine": DrugClass(
        "Cyclobenzaprine", "cyclobenzaprine label 2013 §4, §5; Azilect label §4"
    ),
    "st_johns_wort": DrugClass("St John's wort", f"{BOYER_2005}; Azilect label §4"),
    "maoi_antimicrobial": DrugClass(
        "MAO-inhibiting antimicrobial or dye (linezolid, methylene blue)",
        "FDA Drug Safety Communications 2011-07-26 and 2011-10-20",
    ),
    "hypertensive_with_maoi": DrugClass(
        "Raises blood pressure with an MAOI (bupropion, atomoxetine, carbamazepine, levodopa, "
        "stimulants, decongestants)",
        "bupropion, atomoxetine, phentermine, methylphenidate, carbamazepine, levodopa and "
        "decongestant labels §4",
    ),
}
CLASS_CODES = frozenset(CLASSES)

# Tiers in order of strictness, for a combination product's own row (the strictest of its
# ingredients) and for the admin.
TIER_ORDER = ("maoi", "maob", "strong", "weak", "none")


def unknown_class_codes(codes: object) -> list[str]:
    """The entries of `codes` that are not class codes (everything when it is not a list)."""
    if not isinstance(codes, list):
        return [repr(codes)]
    return [repr(code) for code in codes if not isinstance(code, str) or code not in CLASS_CODES]
