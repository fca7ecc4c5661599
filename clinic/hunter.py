"""Hunter serotonin toxicity criteria (Dunkley et al., QJM 2003).

Pure Python, no Django imports. With a serotonergic drug present, toxicity is diagnosed when any
of the five decision rules holds. Without a serotonergic drug the criteria do not apply.
See docs/clinical-rules.md#hunter-criteria.
"""

from __future__ import annotations

from dataclasses import dataclass

# Rule 5: "temperature above 38 °C" (Dunkley 2003).
HUNTER_TEMPERATURE_C = 38.0
SOURCE = "Hunter serotonin toxicity criteria (Dunkley et al., QJM 2003)"

FINDINGS = {
    "spontaneous_clonus": "Spontaneous clonus",
    "inducible_clonus": "Inducible clonus",
    "ocular_clonus": "Ocular clonus",
    "agitation": "Agitation",
    "diaphoresis": "Diaphoresis (sweating)",
    "tremor": "Tremor",
    "hyperreflexia": "Hyperreflexia",
    "hypertonia": "Hypertonia",
}

RULES = {
    1: "spontaneous clonus",
    2: "inducible clonus with agitation or diaphoresis",
    3: "ocular clonus with agitation or diaphoresis",
    4: "tremor and hyperreflexia",
    5: "hypertonia, temperature above 38 °C, and ocular or inducible clonus",
}


@dataclass(frozen=True, slots=True)
class HunterResult:
    positive: bool
    rules: tuple[int, ...]
    reason: str

    @property
    def summary(self) -> str:
        verdict = "positive" if self.positive else "negative"
        return f"Hunter criteria {verdict}: {self.reason}. Source: {SOURCE}."


def hunter_criteria(
    *,
    serotonergic_drug: bool,
    findings: set[str] | frozenset[str],
    temperature_c: float | None = None,
) -> HunterResult:
    unknown = set(findings) - set(FINDINGS)
    if unknown:
        raise ValueError(f"Unknown exam findings: {sorted(unknown)}")
    if not serotonergic_drug:
        return HunterResult(
            positive=False,
            rules=(),
            reason="no serotonergic drug present, so the criteria do not apply",
        )
    has = set(findings).__contains__
    agitated_or_sweating = has("agitation") or has("diaphoresis")
    febrile = temperature_c is not None and temperature_c > HUNTER_TEMPERATURE_C
    matched = []
    if has("spontaneous_clonus"):
        matched.append(1)
    if has("inducible_clonus") and agitated_or_sweating:
        matched.append(2)
    if has("ocular_clonus") and agitated_or_sweating:
        matched.append(3)
    if has("tremor") and has("hyperreflexia"):
        matched.append(4)
    if has("hypertonia") and febrile and (has("ocular_clonus") or has("inducible_clonus")):
        matched.append(5)
    if matched:
        reason = "; ".join(f"rule {n} ({RULES[n]})" for n in matched)
        return HunterResult(positive=True, rules=tuple(matched), reason=reason)
    return HunterResult(positive=False, rules=(), reason="none of the five decision rules holds")
