"""The catalog data file against docs/clinical-rules.md (no database needed)."""

import json
from pathlib import Path

import pytest

from medications.classes import CLASS_CODES, unknown_class_codes
from medications.names import normalize_drug_name

DATA = Path(__file__).resolve().parent.parent / "data" / "drugs.json"
ROWS = json.loads(DATA.read_text())
BY_NAME = {row["name"]: row for row in ROWS}

# docs/clinical-rules.md#serotonergic-tiers, tier by tier: (generic as catalogued, its brands).
# Version 2 moved some rows; each moved row stays here with its new tier and the reason.
SECTION_1 = {
    "maoi": {
        "phenelzine": ["Nardil"],
        "tranylcypromine": ["Parnate"],
        "isocarboxazid": ["Marplan"],
        # v2: the plain name is the transdermal antidepressant (Emsam), the stricter entry
        "selegiline": ["Emsam"],
        "moclobemide": [],
        "procarbazine": [],
        "linezolid": ["Zyvox"],
        "methylene blue": ["ProvayBlue"],
    },
    "maob": {
        # v2: selective MAO-B inhibitors (Xadago §4, §7.3; Azilect; Eldepryl/Zelapar labels)
        "rasagiline": ["Azilect"],
        "safinamide": ["Xadago"],
        "selegiline oral": ["Eldepryl", "Zelapar"],
    },
    "strong": {
        "citalopram": ["Celexa"],
        "escitalopram": ["Lexapro"],
        "fluoxetine": ["Prozac", "Sarafem"],
        "fluvoxamine": ["Luvox"],
        "paroxetine": ["Paxil", "Pexeva"],
        "sertraline": ["Zoloft"],
        "vilazodone": ["Viibryd"],
        "vortioxetine": ["Trintellix"],
        "venlafaxine": ["Effexor"],
        "desvenlafaxine": ["Pristiq"],
        "duloxetine": ["Cymbalta"],
        "milnacipran": ["Savella"],
        "levomilnacipran": ["Fetzima"],
        "clomipramine": ["Anafranil"],
        "imipramine": ["Tofranil"],
        "tramadol": ["Ultram"],
        "tapentadol": ["Nucynta"],
        "meperidine": ["Demerol"],
        "methadone": [],
        "dextromethorphan": ["Delsym", "Vicks DayQuil Cough"],
        "st john's wort": [],
        "l-tryptophan": [],
        "5-htp": [],
        "amphetamine": [],
        "dextroamphetamine": [],
        "lisdexamfetamine": [],
        "methamphetamine": [],
        "mdma": [],
        "cocaine": [],
    },
    "weak": {
        # v2: lithium and fentanyl strong -> weak (not reuptake inhibitors; Boyer & Shannon
        # 2005, FDA Drug Safety Communication 2016-03-22)
        "lithium": [],
        "fentanyl": [],
        "amitriptyline": [],
        "nortriptyline": [],
        "desipramine": [],
        "doxepin": ["Sinequan"],
        "low-dose doxepin": ["Silenor"],  # v2: separate entry (Silenor label)
        "trimipramine": [],
        "protriptyline": [],
        "trazodone": [],
        "nefazodone": [],
        "mirtazapine": ["Remeron"],
        "buspirone": [],
        "cyclobenzaprine": ["Flexeril", "Amrix"],
        "sumatriptan": ["Imitrex"],
        "rizatriptan": ["Maxalt"],
        "zolmitriptan": [],
        "eletriptan": [],
        "naratriptan": [],
        "almotriptan": [],
        "frovatriptan": [],
        "ondansetron": ["Zofran"],
        "granisetron": [],
        "palonosetron": [],
        "metoclopramide": ["Reglan"],
        "s-adenosylmethionine": ["SAMe"],
    },
    "none": {
        "pregabalin": ["Lyrica"],
        "gabapentin": ["Neurontin"],
        "bupropion": ["Wellbutrin"],
        "low-dose naltrexone": [],
        "oxycodone": [],
        "morphine": [],
        "hydromorphone": [],
        "buprenorphine": [],
        "acetaminophen": [],
        "ibuprofen": [],
        "naproxen": [],
        "celecoxib": [],
        "tizanidine": [],
        "zolpidem": [],
        "melatonin": [],
        "magnesium": [],
        "vitamin d": [],
        # v2 (§10a): their MAOI danger is carried by classes, not the tier
        "methylphenidate": [],
        "dexmethylphenidate": [],
        "phentermine": [],
        "atomoxetine": [],
        "pseudoephedrine": ["Sudafed"],
        "phenylephrine": [],
        "ephedrine": [],
        "carbamazepine": [],
        "levodopa": [],
        "hydrocodone": [],
        "codeine": [],
        "tedizolid": [],
    },
}
SECTION_1_ROWS = [
    (tier, name, brands) for tier, drugs in SECTION_1.items() for name, brands in drugs.items()
]

CPIC_RXCUI = {
    "citalopram": "2556",
    "escitalopram": "321988",
    "fluoxetine": "4493",
    "fluvoxamine": "42355",
    "paroxetine": "32937",
    "sertraline": "36437",
    "vortioxetine": "1455099",
    "venlafaxine": "39786",
    "duloxetine": "72625",
    "amitriptyline": "704",
    "nortriptyline": "7531",
    "imipramine": "5691",
    "clomipramine": "2597",
    "desipramine": "3247",
    "doxepin": "3638",
    "protriptyline": "8886",
    "trimipramine": "10834",
    "tramadol": "10689",
    "dextromethorphan": "3289",
    "methadone": "6813",
    "fentanyl": "4337",
    "oxycodone": "7804",
    "morphine": "7052",
    "ondansetron": "26225",
    "palonosetron": "70561",
    "metoclopramide": "6915",
    "mirtazapine": "15996",
    "bupropion": "42347",
    "methylene blue": "6878",
}
UNVERIFIED_RXCUI = {
    "desvenlafaxine": "734064",
    "milnacipran": "588250",
    "phenelzine": "8123",
    "tranylcypromine": "10734",
    "isocarboxazid": "6011",
    "selegiline": "9639",
    "rasagiline": "134748",
    "procarbazine": "8702",
    "linezolid": "190376",
    "meperidine": "6754",
    "tapentadol": "787390",
    "buprenorphine": "1819",
    "sumatriptan": "37418",
    "rizatriptan": "88014",
    "zolmitriptan": "135775",
    "lithium": "6448",
    "trazodone": "10737",
    "nefazodone": "31565",
    "st john's wort": "258326",
    "amphetamine": "725",
    "dextroamphetamine": "3288",
    "pregabalin": "187832",
    "gabapentin": "25480",
}

# docs/clinical-rules.md#washouts (v2)
TCAS = ["clomipramine", "imipramine", "amitriptyline", "nortriptyline", "desipramine", "doxepin",
        "low-dose doxepin", "trimipramine", "protriptyline"]  # fmt: skip
WASHOUT_DAYS = {
    "fluoxetine": 35,
    "vortioxetine": 21,
    **dict.fromkeys(
        ["citalopram", "escitalopram", "fluvoxamine", "paroxetine", "sertraline", "vilazodone"], 14
    ),
    **dict.fromkeys(["venlafaxine", "desvenlafaxine", "levomilnacipran"], 7),
    **dict.fromkeys(["duloxetine", "milnacipran"], 5),
    **dict.fromkeys(["phenelzine", "tranylcypromine", "isocarboxazid", "procarbazine"], 14),
    # v2: MAO-B inhibitors, every selegiline form: 14 (Xadago §7.1-7.3, Azilect) - safinamide was 7
    **dict.fromkeys(["selegiline", "selegiline oral", "rasagiline", "safinamide"], 14),
    # v2: antidepressant class labelling, no MAOI within 14 days of stopping - these were 0
    **dict.fromkeys(TCAS, 14),
    **dict.fromkeys(["mirtazapine", "trazodone", "nefazodone", "bupropion", "buspirone"], 14),
    **dict.fromkeys(["moclobemide", "linezolid", "methylene blue"], 1),
}

# docs/clinical-rules.md#black-box-window (v2)
BOXED = {
    # SSRIs
    "citalopram", "escitalopram", "fluoxetine", "fluvoxamine", "paroxetine", "sertraline",
    # SNRIs incl. milnacipran
    "venlafaxine", "desvenlafaxine", "duloxetine", "milnacipran", "levomilnacipran",
    # TCAs as antidepressants (v2: not low-dose doxepin, Silenor label)
    "clomipramine", "imipramine", "amitriptyline", "nortriptyline", "desipramine", "doxepin",
    "trimipramine", "protriptyline",
    # MAOI antidepressants (v2: Emsam only; oral selegiline has no boxed warning)
    "phenelzine", "tranylcypromine", "isocarboxazid", "selegiline", "moclobemide",
    # others
    "vilazodone", "vortioxetine", "trazodone", "nefazodone", "mirtazapine", "bupropion",
    # v2 catalog additions whose labels carry the boxed suicidality warning
    "quetiapine", "aripiprazole", "brexpiprazole", "cariprazine", "lurasidone", "atomoxetine",
    "montelukast",
}  # fmt: skip
# FDA antiepileptic drug alert 2008 (class labelling)
WARNING = {
    "pregabalin", "gabapentin", "carbamazepine", "lamotrigine", "topiramate", "oxcarbazepine",
    "valproate", "levetiracetam", "zonisamide", "lacosamide", "phenytoin", "clobazam",
}  # fmt: skip
TIER_ORDER = ["maoi", "maob", "strong", "weak", "none"]
WARNING_ORDER = ["boxed", "warning", ""]
PRODUCTS = [row for row in ROWS if row["ingredients"]]
SINGLES = [row for row in ROWS if not row["ingredients"]]


def _index():
    index = {}
    for row in ROWS:
        for label in [row["name"], *row["brand_names"]]:
            index.setdefault(normalize_drug_name(label), []).append(row["name"])
    return index


def test_it_holds_at_least_250_drugs_and_the_section_1_drugs():
    assert len(ROWS) >= 250
    # the 81 of version 1, the split selegiline and doxepin entries, the 12 new drugs of §10a
    assert len(SECTION_1_ROWS) == 81 + 2 + 12
    assert len(BY_NAME) == len(ROWS), "generic names must be unique"


@pytest.mark.parametrize(("tier", "name", "brands"), SECTION_1_ROWS)
def test_every_section_1_drug_is_present_in_its_tier_with_its_brands(tier, name, brands):
    row = BY_NAME[name]
    assert row["serotonergic"] == tier
    assert set(brands) <= set(row["brand_names"])


@pytest.mark.parametrize(("name", "rxcui"), sorted(CPIC_RXCUI.items()))
def test_cpic_rxcuis_are_exact_and_verified(name, rxcui):
    assert BY_NAME[name]["rxcui"] == rxcui
    assert BY_NAME[name]["rxcui_verified"] is True


@pytest.mark.parametrize(("name", "rxcui"), sorted(UNVERIFIED_RXCUI.items()))
def test_less_certain_rxcuis_are_kept_and_marked_unverified(name, rxcui):
    assert BY_NAME[name]["rxcui"] == rxcui
    assert BY_NAME[name]["rxcui_verified"] is False


def test_no_other_rxcui_is_guessed():
    known = CPIC_RXCUI | UNVERIFIED_RXCUI
    guessed = {row["name"] for row in ROWS if row["rxcui"] and row["name"] not in known}
    assert guessed == set()
    assert all(not row["rxcui_verified"] for row in ROWS if row["name"] not in CPIC_RXCUI)


@pytest.mark.parametrize("row", SINGLES, ids=[row["name"] for row in SINGLES])
def test_washout_days_match_section_3(row):
    assert row["washout_days"] == WASHOUT_DAYS.get(row["name"], 0)


@pytest.mark.parametrize("row", SINGLES, ids=[row["name"] for row in SINGLES])
def test_suicidality_warning_matches_section_4(row):
    expected = "boxed" if row["name"] in BOXED else "warning" if row["name"] in WARNING else ""
    assert row["suicidality_warning"] == expected


@pytest.mark.parametrize("row", ROWS, ids=[row["name"] for row in ROWS])
def test_every_row_is_well_formed(row):
    assert row["name"] == row["name"].lower().strip()
    assert row["serotonergic"] in TIER_ORDER
    assert row["suicidality_warning"] in ("boxed", "warning", "")
    assert isinstance(row["washout_days"], int) and row["washout_days"] >= 0
    assert isinstance(row["brand_names"], list)
    assert row["drug_class"]
    assert row["rxcui"] == "" or row["rxcui"].isdigit()
    assert unknown_class_codes(row["classes"]) == []
    assert len(row["classes"]) == len(set(row["classes"]))
    assert isinstance(row["source"], str) and len(row["source"]) <= 300
    assert isinstance(row["note"], str) and len(row["note"]) <= 300
    assert set(row) == {
        "name", "brand_names", "rxcui", "rxcui_verified", "drug_class", "serotonergic",
        "washout_days", "suicidality_warning", "classes", "ingredients", "source", "note",
    }  # fmt: skip


@pytest.mark.parametrize("row", ROWS, ids=[row["name"] for row in ROWS])
def test_a_tier_or_class_needs_a_cited_source(row):
    if row["serotonergic"] != "none" or row["classes"]:
        assert row["source"].strip(), row["name"]


def test_every_generic_and_brand_name_resolves_to_exactly_one_drug():
    clashes = {key: names for key, names in _index().items() if len(set(names)) > 1}
    assert clashes == {}


@pytest.mark.parametrize(
    ("typed", "generic"),
    [
        ("Emsam", "selegiline"),
        ("selegiline", "selegiline"),
        ("ELDEPRYL", "selegiline oral"),
        ("zelapar", "selegiline oral"),
        ("Silenor", "low-dose doxepin"),
        ("St Johns wort", "st john's wort"),
        ("st. john's wort", "st john's wort"),
        ("5 htp", "5-htp"),
        ("5-HTP", "5-htp"),
        ("L-Tryptophan", "l-tryptophan"),
        ("low dose naltrexone", "low-dose naltrexone"),
        ("SAMe", "s-adenosylmethionine"),
        ("Ultram", "tramadol"),
        ("Methylene Blue", "methylene blue"),
        ("Sarafem", "fluoxetine"),
        ("Claritin-D", "loratadine/pseudoephedrine"),
        ("Robitussin DM", "dextromethorphan/guaifenesin"),
    ],
)
def test_brands_and_spelling_variants_resolve(typed, generic):
    assert _index()[normalize_drug_name(typed)] == [generic]


# --- version 2: every change of the tier and class table, one row each --------------------

V2_CHANGES = [
    # (drug, field, new value, reason)
    ("rasagiline", "serotonergic", "maob", "selective MAO-B inhibitor (Azilect label)"),
    ("safinamide", "serotonergic", "maob", "selective MAO-B inhibitor (Xadago §4, §7.3)"),
    ("selegiline oral", "serotonergic", "maob", "selegiline by mouth (Eldepryl, Zelapar labels)"),
    ("selegiline", "serotonergic", "maoi", "transdermal (Emsam): non-selective at its doses"),
    ("lithium", "serotonergic", "weak", "not a reuptake inhibitor; routine SSRI augmentation"),
    ("fentanyl", "serotonergic", "weak", "not a reuptake inhibitor; FDA 2016 opioid DSC"),
    ("mirtazapine", "washout_days", 14, "antidepressant labelling: no MAOI within 14 days"),
    ("trazodone", "washout_days", 14, "antidepressant labelling"),
    ("nefazodone", "washout_days", 14, "antidepressant labelling"),
    ("vilazodone", "washout_days", 14, "antidepressant labelling"),
    *[(tca, "washout_days", 14, "antidepressant labelling (all TCAs)") for tca in TCAS],
    ("bupropion", "washout_days", 14, "antidepressant labelling"),
    ("buspirone", "washout_days", 14, "antidepressant labelling"),
    ("safinamide", "washout_days", 14, "Xadago §7.1-7.3: 14 days"),
    ("rasagiline", "washout_days", 14, "Azilect: 14 days"),
    ("selegiline", "washout_days", 14, "all selegiline forms: 14 days"),
    ("selegiline oral", "washout_days", 14, "all selegiline forms: 14 days"),
    ("selegiline oral", "suicidality_warning", "", "label: no boxed warning"),
    ("low-dose doxepin", "suicidality_warning", "", "Silenor label: no boxed warning"),
    ("selegiline", "suicidality_warning", "boxed", "Emsam label keeps it"),
    ("doxepin", "suicidality_warning", "boxed", "doxepin as an antidepressant (Sinequan)"),
    *[
        (name, "serotonergic", "none", "§10a: MAOI danger carried by the classes")
        for name in (
            "methylphenidate",
            "dexmethylphenidate",
            "phentermine",
            "atomoxetine",
            "pseudoephedrine",
            "phenylephrine",
            "ephedrine",
            "bupropion",
            "carbamazepine",
            "levodopa",
            "hydrocodone",
            "codeine",
            "oxycodone",
            "tedizolid",
        )
    ],  # fmt: skip
    ("linezolid", "classes", ["maoi_antimicrobial"], "FDA DSC 2011"),
    ("methylene blue", "classes", ["maoi_antimicrobial"], "FDA DSC 2011"),
    ("tedizolid", "classes", [], "§10a: weak reversible MAO inhibition, not maoi_antimicrobial"),
    ("linezolid", "serotonergic", "maoi", "FDA DSC 2011"),
    ("methylene blue", "serotonergic", "maoi", "FDA DSC 2011"),
]


@pytest.mark.parametrize(
    ("name", "field", "expected", "reason"),
    V2_CHANGES,
    ids=[f"{name}-{field}" for name, field, _, _ in V2_CHANGES],
)
def test_every_version_2_change(name, field, expected, reason):
    assert BY_NAME[name][field] == expected, reason


# Single-ingredient drugs in each class (docs/clinical-rules.md#drug-classes); combination
# products carry the classes of their ingredients (tested below).
STIMULANTS = {
    "amphetamine", "dextroamphetamine", "lisdexamfetamine", "methamphetamine", "methylphenidate",
    "dexmethylphenidate", "phentermine", "cocaine", "mdma",
}  # fmt: skip
DECONGESTANTS = {"pseudoephedrine", "phenylephrine", "ephedrine"}
CLASS_MEMBERS = {
    "ssri": {"citalopram", "escitalopram", "fluoxetine", "fluvoxamine", "paroxetine", "sertraline"},
    "snri": {"venlafaxine", "desvenlafaxine", "duloxetine", "milnacipran", "levomilnacipran"},
    "tca": set(TCAS),
    "tetracyclic": {"mirtazapine"},
    "triazolopyridine": {"trazodone", "nefazodone"},
    "serotonergic_opioid": {
        "tramadol",
        "tapentadol",
        "meperidine",
        "methadone",
        "dextromethorphan",
    },
    "triptan": {
        "sumatriptan",
        "rizatriptan",
        "zolmitriptan",
        "eletriptan",
        "naratriptan",
        "almotriptan",
        "frovatriptan",
    },  # fmt: skip
    "setron": {"ondansetron", "granisetron", "palonosetron"},
    "stimulant": STIMULANTS,
    "decongestant": DECONGESTANTS,
    "cyclobenzaprine": {"cyclobenzaprine"},
    "st_johns_wort": {"st john's wort"},
    "maoi_antimicrobial": {"linezolid", "methylene blue"},
    "hypertensive_with_maoi": {"bupropion", "atomoxetine", "carbamazepine", "levodopa"}
    | STIMULANTS
    | DECONGESTANTS,
}


def test_the_class_table_covers_every_class_code():
    assert set(CLASS_MEMBERS) == CLASS_CODES


@pytest.mark.parametrize("code", sorted(CLASS_MEMBERS))
def test_class_members_are_exactly_the_listed_drugs(code):
    members = {row["name"] for row in SINGLES if code in row["classes"]}
    assert members == CLASS_MEMBERS[code]


# --- combination products ---------------------------------------------------------------

PRODUCT_TABLE = {
    "Ultracet": {"tramadol", "acetaminophen"},
    "Treximet": {"sumatriptan", "naproxen"},
    "Symbyax": {"olanzapine", "fluoxetine"},
    "Auvelity": {"dextromethorphan", "bupropion"},
    "Nuedexta": {"dextromethorphan", "quinidine"},
    "Robitussin DM": {"dextromethorphan", "guaifenesin"},
    "Mucinex DM": {"dextromethorphan", "guaifenesin"},
    "NyQuil": {"acetaminophen", "dextromethorphan", "doxylamine"},
    "Claritin-D": {"loratadine", "pseudoephedrine"},
    "Allegra-D": {"fexofenadine", "pseudoephedrine"},
    "Zyrtec-D": {"cetirizine", "pseudoephedrine"},
    "Percocet": {"oxycodone", "acetaminophen"},
    "Norco": {"hydrocodone", "acetaminophen"},
    "Vicodin": {"hydrocodone", "acetaminophen"},
    "Fioricet": {"butalbital", "acetaminophen", "caffeine"},
    "Excedrin": {"acetaminophen", "aspirin", "caffeine"},
}


@pytest.mark.parametrize(("brand", "ingredients"), sorted(PRODUCT_TABLE.items()))
def test_each_combination_product_lists_its_ingredients(brand, ingredients):
    (generic,) = _index()[normalize_drug_name(brand)]
    assert set(BY_NAME[generic]["ingredients"]) == ingredients
    # Named by its ingredients, joined by "/".
    assert set(generic.split("/")) == ingredients


@pytest.mark.parametrize("row", PRODUCTS, ids=[row["name"] for row in PRODUCTS])
def test_a_product_row_agrees_with_its_ingredients(row):
    parts = [BY_NAME[name] for name in row["ingredients"]]  # every ingredient is an entry
    assert len(parts) >= 2 and row["name"] not in row["ingredients"]
    assert all(not part["ingredients"] for part in parts), "no product of products"
    assert row["serotonergic"] == min((p["serotonergic"] for p in parts), key=TIER_ORDER.index)
    assert row["washout_days"] == max(p["washout_days"] for p in parts)
    assert row["suicidality_warning"] == min(
        (p["suicidality_warning"] for p in parts), key=WARNING_ORDER.index
    )
    assert set(row["classes"]) == {code for p in parts for code in p["classes"]}
    assert row["drug_class"] == "combination product"
