"""The catalog data file against docs/clinical-rules.md (no database needed)."""

import json
from pathlib import Path

import pytest

from medications.names import normalize_drug_name

DATA = Path(__file__).resolve().parent.parent / "data" / "drugs.json"
ROWS = json.loads(DATA.read_text())
BY_NAME = {row["name"]: row for row in ROWS}

# docs/clinical-rules.md#serotonergic-tiers, tier by tier: (generic as catalogued, its brands).
SECTION_1 = {
    "maoi": {
        "phenelzine": ["Nardil"],
        "tranylcypromine": ["Parnate"],
        "isocarboxazid": ["Marplan"],
        "selegiline": ["Emsam", "Eldepryl", "Zelapar"],
        "rasagiline": ["Azilect"],
        "safinamide": ["Xadago"],
        "moclobemide": [],
        "procarbazine": [],
        "linezolid": ["Zyvox"],
        "methylene blue": ["ProvayBlue"],
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
        "fentanyl": [],
        "dextromethorphan": [],
        "lithium": [],
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
        "amitriptyline": [],
        "nortriptyline": [],
        "desipramine": [],
        "doxepin": [],
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

# docs/clinical-rules.md#washouts
WASHOUT_DAYS = {
    "fluoxetine": 35,
    "vortioxetine": 21,
    **dict.fromkeys(
        ["citalopram", "escitalopram", "fluvoxamine", "paroxetine", "sertraline", "vilazodone"], 14
    ),
    **dict.fromkeys(["venlafaxine", "desvenlafaxine", "levomilnacipran"], 7),
    **dict.fromkeys(["duloxetine", "milnacipran"], 5),
    **dict.fromkeys(
        ["phenelzine", "tranylcypromine", "isocarboxazid", "selegiline", "rasagiline"], 14
    ),
    "procarbazine": 14,
    "safinamide": 7,
    **dict.fromkeys(["clomipramine", "imipramine"], 14),
    **dict.fromkeys(["moclobemide", "linezolid", "methylene blue"], 1),
}

# docs/clinical-rules.md#black-box-window
BOXED = {
    # SSRIs
    "citalopram", "escitalopram", "fluoxetine", "fluvoxamine", "paroxetine", "sertraline",
    # SNRIs incl. milnacipran
    "venlafaxine", "desvenlafaxine", "duloxetine", "milnacipran", "levomilnacipran",
    # TCAs
    "clomipramine", "imipramine", "amitriptyline", "nortriptyline", "desipramine", "doxepin",
    "trimipramine", "protriptyline",
    # MAOI antidepressants (selegiline: Emsam is an antidepressant)
    "phenelzine", "tranylcypromine", "isocarboxazid", "selegiline", "moclobemide",
    # others
    "vilazodone", "vortioxetine", "trazodone", "nefazodone", "mirtazapine", "bupropion",
}  # fmt: skip
WARNING = {"pregabalin", "gabapentin"}


def _index():
    index = {}
    for row in ROWS:
        for label in [row["name"], *row["brand_names"]]:
            index.setdefault(normalize_drug_name(label), []).append(row["name"])
    return index


def test_it_holds_at_least_the_section_1_drugs():
    assert len(ROWS) >= len(SECTION_1_ROWS) == 81
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


@pytest.mark.parametrize("row", ROWS, ids=[row["name"] for row in ROWS])
def test_washout_days_match_section_3(row):
    assert row["washout_days"] == WASHOUT_DAYS.get(row["name"], 0)


@pytest.mark.parametrize("row", ROWS, ids=[row["name"] for row in ROWS])
def test_suicidality_warning_matches_section_4(row):
    expected = "boxed" if row["name"] in BOXED else "warning" if row["name"] in WARNING else ""
    assert row["suicidality_warning"] == expected


@pytest.mark.parametrize("row", ROWS, ids=[row["name"] for row in ROWS])
def test_every_row_is_well_formed(row):
    assert row["name"] == row["name"].lower().strip()
    assert row["serotonergic"] in ("maoi", "strong", "weak", "none")
    assert row["suicidality_warning"] in ("boxed", "warning", "")
    assert isinstance(row["washout_days"], int) and row["washout_days"] >= 0
    assert isinstance(row["brand_names"], list)
    assert row["drug_class"]
    assert row["rxcui"] == "" or row["rxcui"].isdigit()


def test_every_generic_and_brand_name_resolves_to_exactly_one_drug():
    clashes = {key: names for key, names in _index().items() if len(set(names)) > 1}
    assert clashes == {}


@pytest.mark.parametrize(
    ("typed", "generic"),
    [
        ("Emsam", "selegiline"),
        ("ELDEPRYL", "selegiline"),
        ("zelapar", "selegiline"),
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
    ],
)
def test_brands_and_spelling_variants_resolve(typed, generic):
    assert _index()[normalize_drug_name(typed)] == [generic]
