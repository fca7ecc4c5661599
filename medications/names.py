"""Drug-name normalisation shared by the catalog look-up and the interaction engine (pure).

Two layers (docs/clinical-rules.md#name-resolution):
- normalize_drug_name: the matching key of one label (case, spaces, hyphens, apostrophes,
  periods and the joiners "/ + & #" ignored). Catalog generic and brand names are stored under
  this key.
- lookup_keys: what a patient typed -> the keys to try, in order. Strengths, units, dose forms
  and release suffixes are stripped first, then salt words, then route words, and
  international names are mapped to the catalog's (pethidine -> meperidine). The exact key
  always comes first, so a catalog name that contains such a word ("methylene blue",
  "selegiline oral") still matches itself before anything is stripped.
Misspellings are never resolved here: suggestion_distance_limit and damerau_levenshtein serve
the "Did you mean ...?" suggestions (medications.catalog.name_suggestions).
"""

import re
from functools import lru_cache

# Characters patients type inconsistently: spaces, hyphens (incl. typographic ones),
# apostrophes (straight and curly), periods, commas, the joiners of a combination product's
# name ("tramadol/acetaminophen", "NyQuil Cold & Flu", "tramadol + acetaminophen") and "#"
# ("Tylenol #3").
_IGNORED = re.compile(r"[\s\-\u2010\u2011\u2012\u2013\u2014'\u2018\u2019`.,/+&#]+")
_SAINT_PREFIX = re.compile(r"^saint(?=[\s.\-]|$)")


def normalize_drug_name(name: str) -> str:
    """Key for matching names: "St. John's Wort" -> "stjohnswort", "5 htp" -> "5htp"."""
    lowered = name.strip().lower()
    lowered = _SAINT_PREFIX.sub("st", lowered)
    return _IGNORED.sub("", lowered)


# --- decorations stripped before look-up -------------------------------------------------

_UNITS = (
    r"mg|mcg|µg|μg|ug|g|gm|grams?|milligrams?|micrograms?|ml|l|iu|units?|meq|mmol|%"
    r"|hrs?|hours?|h|days?|d|doses?|actuations?|sprays?|tabs?|tablets?|caps?|capsules?"
)
# "50 mg", "0.5mg", "100 mcg/hr", "10 mg/ml", "37.5/325", "5%", "24 hour", "6 mg/24 hr":
# a number with a unit, or numbers joined by "/". A bare number is handled per token below.
_STRENGTH = re.compile(
    rf"(?<![\w.])\d+(?:[.,]\d+)?"
    rf"(?:\s*-?\s*(?:{_UNITS})(?![a-z])(?:\s*/\s*(?:\d+(?:[.,]\d+)?\s*)?(?:{_UNITS})?(?![a-z]))*"
    rf"|(?:\s*/\s*\d+(?:[.,]\d+)?(?:\s*(?:{_UNITS})(?![a-z]))?)+)"
)
# Multi-word forms and release phrases, removed before the string is split into words.
_PHRASES = re.compile(
    r"\b(?:extended|delayed|sustained|controlled|modified|immediate|prolonged)[\s-]*release\b"
    r"|\b(?:orally[\s-]+)?disintegrating(?:[\s-]+tablets?)?\b"
    r"|\blong[\s-]*acting\b|\benteric[\s-]*coated\b|\bsoft[\s-]*gels?\b"
    r"|\b(?:at\s+(?:night|bedtime)|as\s+needed|(?:once|twice|\d+\s*(?:x|times))\s+(?:a|per)\s+day)\b"
)
_WORD_SPLIT = re.compile(r"[^\w']+|_")
# A number hyphenated to the word before it ("omega-3", "B-12") or numbered with "#"
# ("Tylenol #3") is part of the name, not a strength: joined to the word before the
# bare-number rule below sees it. Not when a unit follows ("sertraline-50mg").
_HYPHENATED_NUMBER = re.compile(
    r"(?<=[a-z])(?:-|\s*\#\s*)(?=\d+(?:[.,]\d+)?(?![\d.,]|\s*(?:mg|mcg|g|ml|iu)\b))"
)
_BARE_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


DOSE_FORM_WORDS = _word_set(
    """
    tablet tablets tab tabs caplet caplets capsule capsules cap caps softgel softgels gelcap
    gelcaps pill pills patch patches solution suspension syrup liquid elixir drops drop spray
    injection injectable inj odt film chewable lozenge lozenges powder granules cream gel
    ointment dispersible effervescent vial ampoule suppository
    mg mcg ug µg ml iu units
    daily nightly prn qd bid tid qid qhs
    """
)
RELEASE_WORDS = _word_set("xr er xl sr cr dr la cd mr ir ec")
SALT_WORDS = _word_set(
    """
    hydrochloride hcl hydrobromide hbr sodium succinate mesylate dimesylate maleate citrate
    tartrate besylate bitartrate sulfate sulphate carbonate oxalate fumarate phosphate acetate
    hyclate
    """
)
# Route words: stripped only in the last step, so that a catalog entry named by its route
# ("selegiline oral", the MAO-B inhibitor tablets) wins over the plain generic ("selegiline",
# the stricter transdermal entry).
ROUTE_WORDS = _word_set("oral transdermal sublingual nasal intranasal topical buccal")

# International and other names of catalog generics (normalised key -> catalog key). Brand
# names live in the catalog data (medications/data/drugs.json); these are other generics.
SYNONYMS = {
    "pethidine": "meperidine",
    "paracetamol": "acetaminophen",
    "hypericum": "stjohnswort",
    "hypericumperforatum": "stjohnswort",
    "colecalciferol": "vitamind",
    "ferrous": "iron",  # "ferrous sulfate" once the salt word is stripped
}


def _words(text: str) -> list[str]:
    return [word for word in _WORD_SPLIT.split(text) if word]


def _without(words: list[str], dropped: frozenset, *, numbers: bool = True) -> list[str]:
    # A bare number after the first word is a strength ("Zoloft 50"); as the first word it
    # is part of the name ("5 HTP").
    return [
        word
        for index, word in enumerate(words)
        if word not in dropped and not (numbers and index and _BARE_NUMBER.fullmatch(word))
    ]


def _stripped_variants(name: str) -> tuple[str, str, str, str]:
    """The names strip_decorations and lookup_keys try, least stripped first:
    (forms and release suffixes gone but bare numbers kept: "tylenol 3"; also without bare
    numbers; also without salt words; also without route words)."""
    lowered = _SAINT_PREFIX.sub("st", (name or "").strip().lower())
    lowered = _HYPHENATED_NUMBER.sub("", lowered)
    lowered = _PHRASES.sub(" ", _STRENGTH.sub(" ", lowered))
    # A word typed twice counts once ("selegiline oral ... oral solution").
    words = list(dict.fromkeys(_words(lowered)))
    dropped = DOSE_FORM_WORDS | RELEASE_WORDS
    numbered = " ".join(_without(words, dropped, numbers=False))
    words = _without(words, dropped)
    without_salts = _without(words, SALT_WORDS)
    return (
        numbered,
        " ".join(words),
        " ".join(without_salts),
        " ".join(_without(without_salts, ROUTE_WORDS)),
    )


def strip_decorations(name: str) -> tuple[str, str]:
    """(without strengths, forms and release suffixes; also without salt and route words),
    lower case, words joined by spaces. Either is "" when nothing of the name would remain."""
    _, first, _, second = _stripped_variants(name)
    return first, second


@lru_cache(maxsize=4096)
def lookup_keys(name: str) -> tuple[str, ...]:
    """The keys to look `name` up under, most exact first (see the module docstring): the
    name as typed; with strengths, forms and release suffixes stripped but a bare number kept
    ("Tylenol 3" is Tylenol with codeine, not Tylenol; "Tylenol 3 tablets" stays ambiguous and
    is read as 3 tablets of Tylenol); without bare numbers; without
    salt words; without route words ("selegiline oral HCl" is the oral entry before plain
    "selegiline"). Cached: pure, and the same few hundred spellings come back all day."""
    keys: list[str] = []
    for label in (name or "", *_stripped_variants(name)):
        key = normalize_drug_name(label)
        for candidate in (key, SYNONYMS.get(key, "")):
            if candidate and candidate not in keys:
                keys.append(candidate)
    return tuple(keys)


def client_rules() -> dict:
    """The stripping rules for the medicines page's type-ahead hint (medicines.js mirrors
    strip_decorations and lookup_keys with these, so the hint agrees with the save)."""
    return {
        "strength": _STRENGTH.pattern,
        "phrases": _PHRASES.pattern,
        "hyphenated_number": _HYPHENATED_NUMBER.pattern,
        "forms": sorted(DOSE_FORM_WORDS | RELEASE_WORDS),
        "salts": sorted(SALT_WORDS),
        "routes": sorted(ROUTE_WORDS),
        "synonyms": SYNONYMS,
    }


def resolution_key(name: str) -> str:
    """The most stripped key of a typed name: how unrecognised names are grouped and how an
    alias (medications.models.DrugAlias) is stored. "" for an empty name."""
    keys = lookup_keys(name)
    return keys[-1] if keys else ""


# --- misspellings ------------------------------------------------------------------------

# Edit distance allowed between a typed key and a catalog key for a "Did you mean ...?":
# 2 for keys of 6 or more characters ("sertaline", "cymbolta"), 1 for 4-5, none below 4
# (too many short names are one edit apart: "ldn", "mdma", "same").
SUGGESTION_LONG_KEY = 6
SUGGESTION_SHORT_KEY = 4


def suggestion_distance_limit(key: str) -> int:
    if len(key) >= SUGGESTION_LONG_KEY:
        return 2
    if len(key) >= SUGGESTION_SHORT_KEY:
        return 1
    return 0


def damerau_levenshtein(a: str, b: str, limit: int) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) from a to b (optimal string
    alignment); any value above `limit` is returned as limit + 1 (early exit)."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            cost = 0 if char_a == char_b else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)
