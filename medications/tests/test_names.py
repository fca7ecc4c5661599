import pytest

from medications.names import normalize_drug_name


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("St Johns wort", "stjohnswort"),
        ("st. john's wort", "stjohnswort"),
        ("St John's Wort", "stjohnswort"),
        ("St John\u2019s Wort", "stjohnswort"),
        ("Saint John's wort", "stjohnswort"),
        ("SAINT JOHNS WORT", "stjohnswort"),
        ("5-HTP", "5htp"),
        ("5 htp", "5htp"),
        ("5\u2011HTP", "5htp"),
        ("L-tryptophan", "ltryptophan"),
        ("l tryptophan", "ltryptophan"),
        ("Low-dose naltrexone", "lowdosenaltrexone"),
        ("  Sertraline  ", "sertraline"),
        ("ZOLOFT", "zoloft"),
        ("methylene blue", "methyleneblue"),
        ("Vitamin D, 1000 IU", "vitamind1000iu"),
        ("", ""),
    ],
)
def test_it_normalizes_spelling_variants(typed, expected):
    assert normalize_drug_name(typed) == expected


def test_it_only_rewrites_saint_as_a_whole_word():
    assert normalize_drug_name("Saintpaulia") == "saintpaulia"
