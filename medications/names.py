"""Drug-name normalisation shared by the catalog look-up and the interaction engine (pure)."""

import re

# Characters patients type inconsistently: spaces, hyphens (incl. typographic ones),
# apostrophes (straight and curly), periods and commas.
_IGNORED = re.compile(r"[\s\-\u2010\u2011\u2012\u2013\u2014'\u2018\u2019`.,]+")
_SAINT_PREFIX = re.compile(r"^saint(?=[\s.\-]|$)")


def normalize_drug_name(name: str) -> str:
    """Key for matching names: "St. John's Wort" -> "stjohnswort", "5 htp" -> "5htp"."""
    lowered = name.strip().lower()
    lowered = _SAINT_PREFIX.sub("st", lowered)
    return _IGNORED.sub("", lowered)
