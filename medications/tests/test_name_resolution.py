"""Name resolution v2 (docs/clinical-rules.md#name-resolution): what patients type -> the
catalog drug, or free text with "Did you mean ...?" suggestions. Look-ups go through the real
catalog (data migration)."""

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medications.catalog import (
    KEYS_PER_QUERY,
    catalog_rows,
    drug_keys,
    drug_lookup,
    ingredient_names,
    name_suggestions,
    resolve_names,
)
from medications.names import (
    damerau_levenshtein,
    lookup_keys,
    normalize_drug_name,
    strip_decorations,
    suggestion_distance_limit,
)

pytestmark = pytest.mark.django_db

# typed name -> the generic names it counts as (medications.catalog.ingredient_names: every
# ingredient of a combination product); an empty set: not recognised (free text).
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
    ("Ultracet", {"tramadol", "acetaminophen"}),
    # combination products: every ingredient
    ("Ultracet 37.5/325 mg", {"tramadol", "acetaminophen"}),
    ("tramadol/acetaminophen 37.5/325 mg", {"tramadol", "acetaminophen"}),
    ("tramadol + acetaminophen", {"tramadol", "acetaminophen"}),
    ("Treximet", {"sumatriptan", "naproxen"}),
    ("Symbyax 6/25", {"olanzapine", "fluoxetine"}),
    ("Auvelity ER 45/105 mg", {"dextromethorphan", "bupropion"}),
    ("Nuedexta 20/10 mg", {"dextromethorphan", "quinidine"}),
    ("Robitussin DM", {"dextromethorphan", "guaifenesin"}),
    ("Mucinex DM", {"dextromethorphan", "guaifenesin"}),
    ("Mucinex DM 600 mg ER", {"dextromethorphan", "guaifenesin"}),
    ("Delsym 30 mg/5 ml", {"dextromethorphan"}),
    ("NyQuil", {"acetaminophen", "dextromethorphan", "doxylamine"}),
    ("Vicks NyQuil Cold & Flu liquid", {"acetaminophen", "dextromethorphan", "doxylamine"}),
    ("Vicks DayQuil Cough", {"dextromethorphan"}),
    ("DayQuil", {"acetaminophen", "dextromethorphan", "phenylephrine"}),
    ("Sudafed 30 mg", {"pseudoephedrine"}),
    ("Sudafed PE", {"phenylephrine"}),
    ("Claritin-D", {"loratadine", "pseudoephedrine"}),
    ("Claritin D 12 hour", {"loratadine", "pseudoephedrine"}),
    ("Allegra-D", {"fexofenadine", "pseudoephedrine"}),
    ("Allegra-D 24 Hour", {"fexofenadine", "pseudoephedrine"}),
    ("Zyrtec-D", {"cetirizine", "pseudoephedrine"}),
    ("Claritin", {"loratadine"}),  # without the "D": the antihistamine alone
    ("Percocet 5/325", {"oxycodone", "acetaminophen"}),
    ("Norco 10/325 mg", {"hydrocodone", "acetaminophen"}),
    ("Vicodin", {"hydrocodone", "acetaminophen"}),
    ("Fioricet", {"butalbital", "acetaminophen", "caffeine"}),
    ("Excedrin", {"acetaminophen", "aspirin", "caffeine"}),
    ("Excedrin Migraine", {"acetaminophen", "aspirin", "caffeine"}),
    ("Tylenol #3", {"acetaminophen", "codeine"}),
    ("Tylenol 3", {"acetaminophen", "codeine"}),
    ("Tylenol with Codeine", {"acetaminophen", "codeine"}),
    ("Tylenol 500 mg", {"acetaminophen"}),
    ("Sinemet 25/100", {"carbidopa", "levodopa"}),
    # selegiline and doxepin: which entry
    ("selegiline", {"selegiline"}),  # plain: the stricter transdermal (MAOI) entry
    ("selegiline 5 mg tablets", {"selegiline"}),
    ("Emsam 6 mg/24 hr", {"selegiline"}),
    ("Eldepryl", {"selegiline oral"}),
    ("Eldepryl 5 mg capsule", {"selegiline oral"}),
    ("Zelapar ODT 1.25 mg", {"selegiline oral"}),
    ("selegiline oral", {"selegiline oral"}),
    ("selegiline HCl oral 5 mg", {"selegiline oral"}),
    ("Silenor", {"low-dose doxepin"}),
    ("Silenor 3 mg", {"low-dose doxepin"}),
    ("doxepin 25 mg", {"doxepin"}),
    ("Sinequan", {"doxepin"}),
    # new catalog entries (version 2)
    ("hydrocodone", {"hydrocodone"}),
    ("codeine sulfate", {"codeine"}),
    ("Ritalin LA 20 mg", {"methylphenidate"}),
    ("Concerta 36 mg", {"methylphenidate"}),
    ("Focalin XR", {"dexmethylphenidate"}),
    ("Strattera 40 mg", {"atomoxetine"}),
    ("Adipex-P 37.5 mg", {"phentermine"}),
    ("Tegretol XR 200 mg", {"carbamazepine"}),
    ("Azilect 1 mg", {"rasagiline"}),
    ("Xadago", {"safinamide"}),
    ("Zyvox 600 mg", {"linezolid"}),
    ("Sivextro", {"tedizolid"}),
    ("Reyvow 100 mg", {"lasmiditan"}),
    ("Nurtec ODT 75 mg", {"rimegepant"}),
    ("Ubrelvy", {"ubrogepant"}),
    ("Seroquel XR 50 mg", {"quetiapine"}),
    ("Toprol XL 25 mg", {"metoprolol"}),
    ("omega-3 1000 mg", {"omega-3 fatty acids"}),
    ("fish oil", {"omega-3 fatty acids"}),
    ("CoQ10 100 mg", {"coenzyme q10"}),
    ("D-ribose", {"d-ribose"}),
    ("NADH", {"nadh"}),
    ("acetyl-L-carnitine", {"l-carnitine"}),
    ("CBD", {"cannabidiol"}),
    ("THC", {"dronabinol"}),
    ("kratom", {"kratom"}),
    ("alcohol", {"alcohol"}),
    ("vitamin B-12 1000 mcg", {"vitamin b12"}),
    # strengths and units
    ("sertraline 50mg", {"sertraline"}),
    ("Zoloft 50", {"sertraline"}),
    ("fluoxetine 0.5mg", {"fluoxetine"}),
    ("fentanyl 100 mcg/hr", {"fentanyl"}),
    ("Duragesic 25 mcg/hr patch", {"fentanyl"}),
    ("fluoxetine 20 mg/5 ml oral solution", {"fluoxetine"}),
    ("sertraline 20 mg/ml", {"sertraline"}),
    ("tramadol 37.5/325", {"tramadol"}),  # the strengths alone do not name Ultracet
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
    ("Cardizem CD 120 mg", {"diltiazem"}),
    ("omeprazole DR 20 mg capsule", {"omeprazole"}),
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
    ("hydrocodone bitartrate", {"hydrocodone"}),
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


def _generics(drug) -> set[str]:
    return set(ingredient_names(drug)) if drug is not None else set()


@pytest.mark.parametrize(("typed", "expected"), RESOLUTION_TABLE)
def test_typed_names_resolve_to_the_expected_generics(typed, expected):
    assert _generics(drug_lookup(typed)) == expected


def test_the_batch_resolves_the_table_in_two_queries(django_assert_max_num_queries):
    names = [typed for typed, _ in RESOLUTION_TABLE]
    keys = {key for name in names for key in lookup_keys(name)}
    catalog_queries = -(-len(keys) // KEYS_PER_QUERY)  # one per slice of look-up keys
    # then the ingredients of what was found, then the aliases for the rest
    with django_assert_max_num_queries(catalog_queries + 2):
        found = resolve_names(names)
    with django_assert_max_num_queries(0):  # ingredients came prefetched
        for typed, expected in RESOLUTION_TABLE:
            assert _generics(found.get(typed)) == expected, typed


def test_how_many_typed_names_of_the_table_resolve():
    found = resolve_names([typed for typed, _ in RESOLUTION_TABLE])
    expected_known = [typed for typed, generics in RESOLUTION_TABLE if generics]
    assert sorted(found) == sorted(expected_known)
    # 163 typed names, 155 of them recognised; the other 8 are misspellings and non-names.
    assert len(RESOLUTION_TABLE) >= 160 and len(found) >= 150


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
    ("moringa", []),
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
# Not "oral": for selegiline it names the entry ("selegiline oral"), so it is no decoration.
FORMS = ["", "tablet", "tablets", "tab", "capsule", "caps", "patch", "solution", "ODT"]
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
    found = resolve_names(typed)
    # The generic name of the drug a name resolved to resolves to that same drug, and so does
    # resolving the typed name again.
    resolved_again = resolve_names({drug.name for drug in found.values()})
    assert resolve_names(typed) == found
    for name in typed:
        if name in found:
            assert resolved_again[found[name].name] == found[name], name
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
    # A label's most stripped key may belong to another drug ("selegiline oral" strips to
    # "selegiline", "Tylenol #3" to "tylenol") as long as the label reaches its own drug first.
    for label, generic in _catalog_labels():
        first_known = next(key for key in lookup_keys(label) if key in owner)
        assert owner[first_known] == generic, (label, first_known)


# --- property (hypothesis): any decoration of any catalog name or brand -------------------

LABELS = _catalog_labels()
DECORATION_WORDS = [word for words in (STRENGTHS, FORMS, RELEASES, SALTS) for word in words if word]


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    label=st.sampled_from(LABELS),
    decorations=st.lists(st.sampled_from(DECORATION_WORDS), max_size=4),
    upper=st.booleans(),
)
def test_a_decorated_catalog_name_never_resolves_to_another_drug(label, decorations, upper):
    text, generic = label
    typed = " ".join([text, *decorations])
    typed = typed.upper() if upper else typed

    drug = drug_lookup(typed)

    assert drug is not None and drug.name == generic, (typed, drug)
    assert drug_lookup(drug.name) == drug  # idempotent
