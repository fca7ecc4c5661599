import pytest

from clinic.hunter import HUNTER_TEMPERATURE_C, hunter_criteria

CASES = [
    # (findings, temperature, expected positive, expected rules)
    ({"spontaneous_clonus"}, None, True, (1,)),
    ({"inducible_clonus", "agitation"}, None, True, (2,)),
    ({"inducible_clonus", "diaphoresis"}, None, True, (2,)),
    ({"ocular_clonus", "agitation"}, None, True, (3,)),
    ({"ocular_clonus", "diaphoresis"}, None, True, (3,)),
    ({"tremor", "hyperreflexia"}, None, True, (4,)),
    ({"hypertonia", "ocular_clonus"}, 38.5, True, (5,)),
    ({"hypertonia", "inducible_clonus"}, 39.0, True, (5,)),
    ({"hypertonia", "inducible_clonus", "agitation"}, 39.0, True, (2, 5)),
    # negatives and edges
    (set(), None, False, ()),
    ({"inducible_clonus"}, None, False, ()),
    ({"ocular_clonus"}, 37.0, False, ()),
    ({"tremor"}, None, False, ()),
    ({"hyperreflexia"}, None, False, ()),
    ({"agitation", "diaphoresis"}, None, False, ()),
    ({"hypertonia", "ocular_clonus"}, HUNTER_TEMPERATURE_C, False, ()),  # must be above 38
    ({"hypertonia", "ocular_clonus"}, None, False, ()),
    ({"hypertonia"}, 40.0, False, ()),
    ({"hypertonia", "tremor"}, 40.0, False, ()),
]


@pytest.mark.parametrize(("findings", "temperature", "positive", "rules"), CASES)
def test_it_applies_the_five_decision_rules(findings, temperature, positive, rules):
    result = hunter_criteria(serotonergic_drug=True, findings=findings, temperature_c=temperature)
    assert result.positive is positive
    assert result.rules == rules


@pytest.mark.parametrize("findings", [{"spontaneous_clonus"}, {"tremor", "hyperreflexia"}])
def test_it_is_negative_with_a_reason_without_a_serotonergic_drug(findings):
    result = hunter_criteria(serotonergic_drug=False, findings=findings)
    assert result.positive is False
    assert "no serotonergic drug" in result.reason
    assert "negative" in result.summary


def test_it_names_the_rule_and_source_in_the_summary():
    result = hunter_criteria(serotonergic_drug=True, findings={"spontaneous_clonus"})
    assert "rule 1 (spontaneous clonus)" in result.summary
    assert "Dunkley" in result.summary


def test_it_rejects_unknown_findings():
    with pytest.raises(ValueError, match="Unknown exam findings"):
        hunter_criteria(serotonergic_drug=True, findings={"sneezing"})
