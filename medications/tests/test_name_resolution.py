"""Name resolution v2 (docs/clinical-rules.md#name-resolution): what patients type -> the
catalog drug, or free text with "Did you mean ...?" suggestions. Look-ups go through the real
catalog (data migration)."""

import random

import pytest

from medications.catalog import (
    catalog_rows,
    drug_keys,
    drug_lookup,
    name_suggestions,
    resolve_names,
)
from medications.names import (
    damerau_levenshtein,
    lookup_keys,
    normalize_drug_name,
    resolution_key,
    strip_decorations,
    suggestion_distance_limit,
)

pytestmark = pytest.mark.django_db

# typed name -> expected generic names (a set, so combination products can join later);
# an empty set: not recognised (free text).
RESOLUTION_TABLE = [
    # the examples of docs/clinical-rules.md#name-resolution
    ("Effexor XR", {"venlafaxine"}),
    ("Zoloft 50 mg", {"sertraline"}),
    ("tramadol hydrochloride", {"tramadol"}),
    ("sertraline HCl", {"sertraline"}),
    ("Wellbutrin XL", {"bupropion"}),
    ("Paxil CR", {"paroxetine"}),
    ("Nucynta ER", {"tapentadol"}),
    ("pethidine", {"meperidine"}),
    ("Ultracet", set()),  # combination product: later catalog version
    # strengths and units
    ("sertraline 50mg", {"sertraline"}),
    ("Zoloft 50", {"sertraline"}),
    ("fluoxetine 0.5mg", {"fluoxetine"}),
    ("fentanyl 100 mcg/hr", {"fentanyl"}),
    ("Duragesic 25 mcg/hr patch", {"fentanyl"}),
    ("fluoxetine 20 mg/5 ml oral solution", {"fluoxetine"}),
    ("sertraline 20 mg/ml", {"sertraline"}),
    ("tramadol 37.5/325", {"tramadol"}),
    ("vitamin b12 1000 mcg", {"vitamin b12"}),
    ("vitamin D3 2000 IU", {"vitamin d"}),
    ("5-HTP 100 mg", {"5-htp"}),
    ("5 htp 50mg capsules", {"5-htp"}),
    ("low dose naltrexone 4.5 mg", {"low-dose naltrexone"}),
    ("melatonin 3 mg at night", {"melatonin"}),  # how often: not part of the name
    ("tramadol 50mg as needed", {"tramadol"}),
    ("sertraline 100 mg daily", {"sertraline"}),
    ("trazodone 50 mg qhs", {"trazodone"}),
    ("Cymbalta 60 mg capsule", {"duloxetine"}),
    ("Zyrtec 24 hour", {"cetirizine"}),
    # dose forms
    ("sertraline tablets", {"sertraline"}),
    ("Tab. sertraline 50mg", {"sertraline"}),
    ("mirtazapine ODT 15 mg", {"mirtazapine"}),
    ("Remeron SolTab", set()),  # not a known form word
    ("ondansetron orally disintegrating tablet 4 mg", {"ondansetron"}),
    ("methylene blue injection", {"methylene blue"}),
    ("sumatriptan nasal spray", {"sumatriptan"}),
    ("Imitrex injection 6 mg", {"sumatriptan"}),
    ("Voltaren gel 1%", {"diclofenac"}),
    ("buprenorphine sublingual film", {"buprenorphine"}),
    ("Butrans 10 mcg/hr transdermal patch", {"buprenorphine"}),
    ("selegiline transdermal 6 mg/24 hr", {"selegiline"}),
    ("St John's wort 300 mg capsules", {"st john's wort"}),
    # release suffixes
    ("venlafaxine ER 75 mg", {"venlafaxine"}),
    ("Effexor-XR", {"venlafaxine"}),
    ("venlafaxine extended-release capsules", {"venlafaxine"}),
    ("duloxetine delayed-release 30 mg", {"duloxetine"}),
    ("bupropion SR", {"bupropion"}),
    ("Wellbutrin SR 150mg", {"bupropion"}),
    ("Paxil CR 25 mg", {"paroxetine"}),
    ("OxyContin ER", {"oxycodone"}),
    ("Adderall XR 20 mg", {"amphetamine"}),
    ("Amrix ER 15mg", {"cyclobenzaprine"}),
    ("fluvoxamine CR", {"fluvoxamine"}),
    ("Lithobid ER", {"lithium"}),
    ("trazodone sustained release", {"trazodone"}),
    # salt words
    ("tramadol HCl 50 mg", {"tramadol"}),
    ("duloxetine hydrochloride", {"duloxetine"}),
    ("dextromethorphan hydrobromide", {"dextromethorphan"}),
    ("dextromethorphan HBr 30mg", {"dextromethorphan"}),
    ("naproxen sodium 220 mg", {"naproxen"}),
    ("desvenlafaxine succinate ER", {"desvenlafaxine"}),
    ("rasagiline mesylate", {"rasagiline"}),
    ("lisdexamfetamine dimesylate", {"lisdexamfetamine"}),
    ("fluvoxamine maleate", {"fluvoxamine"}),
    ("fentanyl citrate", {"fentanyl"}),
    ("zolpidem tartrate 10 mg", {"zolpidem"}),
    ("zolmitriptan besylate", {"zolmitriptan"}),
    ("hydrocodone bitartrate", set()),  # hydrocodone: later catalog version
    ("morphine sulfate ER", {"morphine"}),
    ("lithium carbonate 300 mg", {"lithium"}),
    ("escitalopram oxalate 10mg", {"escitalopram"}),
    ("levothyroxine sodium 50 mcg", {"levothyroxine"}),
    ("citalopram hydrobromide 20 mg tablet", {"citalopram"}),
    ("paroxetine HCl CR 12.5 mg", {"paroxetine"}),
    # international names
    ("paracetamol 500 mg", {"acetaminophen"}),
    ("Pethidine 50mg", {"meperidine"}),
    ("pethidine hydrochloride injection", {"meperidine"}),
    ("hypericum", {"st john's wort"}),
    ("Hypericum perforatum", {"st john's wort"}),
    # case and spacing
    ("  ZOLOFT   100MG ", {"sertraline"}),
    ("saint john's wort", {"st john's wort"}),
    # not recognised: no partial or misspelled match
    ("sertaline", set()),
    ("duloxatine 60 mg", set()),
    ("cymbolta", set()),
    ("turmeric 500 mg", set()),
    ("50 mg", set()),
    ("tablets", set()),
    ("HCl", set()),
]


def test_the_table_has_at_least_60_names():
    assert len(RESOLUTION_TABLE) >= 60


@pytest.mark.parametrize(("typed", "expected"), RESOLUTION_TABLE)
def test_typed_names_resolve_to_the_expected_generics(typed, expected):
    drug = drug_lookup(typed)
    assert ({drug.name} if drug else set()) == expected


def test_the_batch_resolves_the_table_in_two_queries(django_assert_max_num_queries):
    names = [typed for typed, _ in RESOLUTION_TABLE]
    with django_assert_max_num_queries(2):  # the catalog, then the aliases for the rest
        found = resolve_names(names)
    for typed, expected in RESOLUTION_TABLE:
        assert ({found[typed].name} if typed in found else set()) == expected, typed


@pytest.mark.parametrize(
    ("typed", "first", "second"),
    [
        ("Effexor XR 75 mg", "effexor", "effexor"),
        ("tramadol HCl", "tramadol hcl", "tramadol"),
        ("selegiline transdermal patch", "selegiline transdermal", "selegiline"),
        ("5 HTP", "5 htp", "5 htp"),  # a leading number is part of the name
        ("Zoloft 50", "zoloft", "zoloft"),  # a later bare number is a strength
        ("50 mg tablets", "", ""),
    ],
)
def test_decorations_are_stripped_in_two_steps(typed, first, second):
    assert strip_decorations(typed) == (first, second)


def test_the_exact_key_is_tried_before_anything_is_stripped():
    assert lookup_keys("Methylene blue injection") == (
        "methyleneblueinjection",
        "methyleneblue",
    )
    assert lookup_keys("pethidine")[0] == "pethidine"
    assert lookup_keys("pethidine")[-1] == "meperidine"
    assert lookup_keys("") == ()


# --- misspellings: never resolved, suggested -------------------------------------------

MISSPELLINGS = [
    ("sertaline", ["sertraline"]),
    ("duloxatine", ["duloxetine"]),
    ("cymbolta", ["duloxetine"]),  # Cymbalta
    ("Zolof", ["sertraline"]),
    ("tramodol 50 mg", ["tramadol"]),
    ("fluoxitine", ["fluoxetine"]),
    ("venlafaxin XR", ["venlafaxine"]),
    ("Welbutrin XL", ["bupropion"]),
    ("amitriptylin", ["amitriptyline"]),
    ("pethedine", ["meperidine"]),  # near the international name
    ("trazadone", ["trazodone"]),
    ("Lexipro", ["escitalopram"]),
    ("sumatriptin", ["sumatriptan"]),
    ("turmeric", []),
    ("ashwagandha", []),
    ("lsd", []),  # short names get no suggestion (too many near neighbours)
]


@pytest.mark.parametrize(("typed", "expected"), MISSPELLINGS)
def test_a_misspelling_is_not_resolved_but_suggested(typed, expected):
    assert drug_lookup(typed) is None
    assert name_suggestions([typed]).get(typed, []) == expected


def test_suggestions_are_closest_first_and_at_most_three():
    suggested = name_suggestions(["citalopra"])["citalopra"]
    assert suggested[0] == "citalopram"
    assert len(suggested) <= 3


@pytest.mark.parametrize(
    ("a", "b", "limit", "expected"),
    [
        ("sertaline", "sertraline", 2, 1),
        ("cymbolta", "cymbalta", 2, 1),
        ("duloxatine", "duloxetine", 2, 1),
        ("ab", "ba", 1, 1),  # a swap is one edit
        ("abcdef", "abcdef", 2, 0),
        ("abc", "xyz", 2, 3),  # above the limit: limit + 1
        ("short", "muchlongername", 2, 3),
    ],
)
def test_damerau_levenshtein(a, b, limit, expected):
    assert damerau_levenshtein(a, b, limit) == expected


@pytest.mark.parametrize(("key", "limit"), [("abc", 0), ("abcd", 1), ("abcde", 1), ("abcdef", 2)])
def test_the_distance_allowed_grows_with_the_name(key, limit):
    assert suggestion_distance_limit(key) == limit


# --- property: decorated catalog names resolve to their own drug -----------------------

STRENGTHS = ["", "50 mg", "0.5mg", "100 mcg/hr", "10 mg/ml", "20", "37.5/325", "1000 IU"]
FORMS = ["", "tablet", "tablets", "tab", "capsule", "caps", "patch", "oral solution", "ODT"]
RELEASES = ["", "XR", "ER", "XL", "SR", "CR", "DR", "LA", "CD", "extended-release"]
SALTS = ["", "hydrochloride", "HCl", "HBr", "sodium", "succinate", "mesylate", "tartrate"]


def _decorate(rng: random.Random, label: str) -> str:
    decorations = [rng.choice(choices) for choices in (SALTS, RELEASES, STRENGTHS, FORMS)]
    if rng.random() < 0.5:
        rng.shuffle(decorations)  # any order after the name
    text = " ".join(word for word in [label, *decorations] if word)
    text = "".join(c.upper() if rng.random() < 0.3 else c for c in text)
    return rng.choice(["", " ", "  "]) + text.replace(" ", rng.choice([" ", "  "]))


def _catalog_labels() -> list[tuple[str, str]]:
    return [
        (label, row["name"])
        for row in catalog_rows()
        for label in [row["name"], *row.get("brand_names", [])]
    ]


def test_every_catalog_name_resolves_to_its_own_drug_whatever_the_decorations():
    rng = random.Random(20261128)
    labels = _catalog_labels()
    typed = {}
    for label, generic in labels:
        typed[label] = generic
        for _ in range(6):
            typed[_decorate(rng, label)] = generic
    found = resolve_names(typed)
    wrong = {name: (found[name].name if name in found else None) for name in typed}
    wrong = {name: got for name, got in wrong.items() if got != typed[name]}
    assert wrong == {}


def test_resolution_is_idempotent():
    rng = random.Random(7)
    typed = [_decorate(rng, label) for label, _ in _catalog_labels()]
    typed += [name for name, _ in RESOLUTION_TABLE]
    variants = {name: {*strip_decorations(name), resolution_key(name)} - {""} for name in typed}
    found = resolve_names([*typed, *(v for names in variants.values() for v in names)])
    for name in typed:
        if name in found:
            for variant in variants[name]:
                assert found.get(variant) == found[name], (name, variant)
        # Normalising twice changes nothing.
        assert lookup_keys(normalize_drug_name(name))[0] == normalize_drug_name(name)
        second = strip_decorations(name)[1]
        assert strip_decorations(second)[1] == second


def test_no_catalog_key_collides_after_stripping() -> None:
    # Two drugs whose names strip to the same key would make one unreachable.
    owner: dict[str, str] = {}
    for row in catalog_rows():
        for key in drug_keys(row["name"], row.get("brand_names", [])):
            assert owner.setdefault(key, row["name"]) == row["name"], key
    for label, generic in _catalog_labels():
        stripped = resolution_key(label)
        assert owner.get(stripped, generic) == generic, (label, stripped)
