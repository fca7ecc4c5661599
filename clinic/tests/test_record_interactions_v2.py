"""The clinician's record shows v2 findings: minor ones with their own style, blood-pressure
risks labelled as such (docs/clinical-rules.md#pair-rules)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clinic.tests import factories as f
from medications.catalog import drug_search_keys
from medications.models import Drug, MedicationCourse

pytestmark = pytest.mark.clock


def test_the_record_shows_minor_and_blood_pressure_findings(client_for, cleo, pat):
    today = timezone.localdate()
    decongestant = Drug.objects.create(
        name="testephedrine",
        classes=["decongestant"],
        search_keys=drug_search_keys("testephedrine", []),
    )
    MedicationCourse.objects.create(
        patient=pat, drug=decongestant, name="testephedrine", started_on=today - timedelta(days=3)
    )
    for name in ("phenelzine", "cyclobenzaprine", "sumatriptan"):
        f.course(pat, name, today - timedelta(days=30))

    html = client_for(cleo).get(f"/clinician/patients/{pat.pk}/").content.decode()
    findings = html.split('id="ix-title"')[1].split("</section>")[0]

    assert '<span class="ix ix-minor">Minor</span>' in findings
    assert '<span class="ix-kind">Blood pressure</span>' in findings
    assert "hypertensive crisis" in findings
    assert not any(f"P{n}" in findings.split() for n in range(1, 14))
