"""The access gate with care teams: who sees a patient shared with a team, and who may export."""

import pytest
from django.utils import timezone

from accounts.access import access_patient, patients_visible_to
from accounts.models import CareLink, CareLinkStatus
from conftest import link, make_clinician, make_patient
from teams.models import Team, TeamMembership, TeamRole


@pytest.fixture
def clinic(db):
    return Team.objects.create(name="Demo Pain Clinic")


def _member(team, email, role, *, verified=True, active=True):
    user = make_clinician(email, email.split("@")[0].title(), verified=verified)
    TeamMembership.objects.create(team=team, user=user, role=role, active=active)
    return user


def _share(patient, team, issuer, status=CareLinkStatus.ACTIVE):
    return CareLink.objects.create(
        patient=patient,
        clinician=issuer,
        team=team,
        status=status,
        activated_at=timezone.now() if status == CareLinkStatus.ACTIVE else None,
    )


@pytest.fixture
def panel(clinic, pat):
    """Pat shares with the clinic through Tess's invitation."""
    tess = _member(clinic, "tess@example.org", TeamRole.CLINICIAN)
    _share(pat, clinic, tess)
    return tess


# (persona, sees Pat, may export Pat's record)
CASES = [
    ("team clinician", True, True),
    ("triage member", True, False),
    ("team admin only", False, False),
    ("team admin who is also a clinician member", True, True),
    ("removed member", False, False),
    ("unverified member", False, False),
    ("member of another team", False, False),
]


def _persona(name, clinic):
    other = Team.objects.get_or_create(name="Other Clinic")[0]
    if name == "team clinician":
        return _member(clinic, "carl@example.org", TeamRole.CLINICIAN)
    if name == "triage member":
        return _member(clinic, "nurse@example.org", TeamRole.TRIAGE)
    if name == "team admin only":
        return _member(clinic, "manager@example.org", TeamRole.TEAM_ADMIN)
    if name == "team admin who is also a clinician member":
        user = _member(clinic, "lead@example.org", TeamRole.TEAM_ADMIN)
        TeamMembership.objects.create(team=clinic, user=user, role=TeamRole.CLINICIAN)
        return user
    if name == "removed member":
        return _member(clinic, "gone@example.org", TeamRole.CLINICIAN, active=False)
    if name == "unverified member":
        return _member(clinic, "new@example.org", TeamRole.CLINICIAN, verified=False)
    return _member(other, "elsewhere@example.org", TeamRole.CLINICIAN)


@pytest.mark.parametrize(("name", "sees", "exports"), CASES)
def test_it_grants_team_access_by_active_patient_facing_role(
    panel, clinic, pat, name, sees, exports
):
    user = _persona(name, clinic)

    assert list(patients_visible_to(user)) == ([pat] if sees else [])
    assert list(patients_visible_to(user, export=True)) == ([pat] if exports else [])


@pytest.mark.parametrize(("name", "sees", "exports"), CASES)
def test_access_patient_flags_export_as_the_export_gate_decides(
    panel, clinic, pat, name, sees, exports
):
    user = _persona(name, clinic)
    if not sees:
        with pytest.raises(Exception, match="No such patient"):
            access_patient(user, pat.pk, flag_export=True)
        return
    assert access_patient(user, pat.pk, flag_export=True).can_export is exports


def test_a_triage_member_with_an_own_link_may_export(panel, clinic, pat):
    nurse = _persona("triage member", clinic)
    assert access_patient(nurse, pat.pk, flag_export=True).can_export is False
    link(pat, nurse)
    assert access_patient(nurse, pat.pk, flag_export=True).can_export is True


def test_a_patient_flagged_for_export_is_themself(pat):
    assert access_patient(pat, pat.pk, flag_export=True).can_export is True


def test_it_ends_access_on_the_next_request_after_removal(panel, clinic, pat):
    carl = _persona("team clinician", clinic)
    assert access_patient(carl, pat.pk) == pat

    TeamMembership.objects.filter(user=carl).update(active=False, removed_at=timezone.now())

    with pytest.raises(Exception, match="No such patient"):
        access_patient(carl, pat.pk)


@pytest.mark.parametrize("status", [CareLinkStatus.PENDING, CareLinkStatus.REVOKED])
def test_it_hides_a_patient_whose_team_share_is_not_active(clinic, pat, status):
    tess = _member(clinic, "tess@example.org", TeamRole.CLINICIAN)
    _share(pat, clinic, tess, status=status)

    assert list(patients_visible_to(tess)) == []


def test_the_issuer_of_a_team_share_loses_access_when_removed_from_the_team(panel, clinic, pat):
    # The team link names Tess as the member whose invitation Pat accepted; it grants her
    # nothing on her own.
    TeamMembership.objects.filter(user=panel).update(active=False)

    assert list(patients_visible_to(panel)) == []


def test_a_direct_link_and_a_team_share_give_the_patient_once(panel, clinic, pat, sam):
    link(pat, panel)
    _share(sam, clinic, panel)

    assert sorted(p.pk for p in patients_visible_to(panel)) == sorted([pat.pk, sam.pk])


def test_the_gate_is_one_query(panel, clinic, pat, django_assert_num_queries):
    others = [make_patient(f"p{i}@example.org", f"P {i}") for i in range(5)]
    for other in others:
        _share(other, clinic, panel)

    with django_assert_num_queries(1):
        assert len(list(patients_visible_to(panel))) == 6


def test_a_read_through_the_team_names_the_team_in_the_audit_trail(panel, clinic, pat, client):
    from accounts.models import AuditEvent

    client.force_login(panel)
    response = client.get(f"/clinician/patients/{pat.pk}/")

    assert response.status_code == 200
    event = AuditEvent.objects.get(actor=panel, patient=pat, action="record_view")
    assert event.team_name == "Demo Pain Clinic"


def test_a_read_through_an_own_link_names_no_team(panel, clinic, pat, client):
    from accounts.models import AuditEvent

    link(pat, panel)
    client.force_login(panel)
    client.get(f"/clinician/patients/{pat.pk}/")

    assert AuditEvent.objects.get(actor=panel, action="record_view").team_name == ""


def test_a_list_read_names_the_team_per_patient(panel, clinic, pat, sam, client):
    from accounts.models import AuditEvent

    link(sam, panel)
    client.force_login(panel)
    client.get("/clinician/alerts/")
    client.get("/clinician/")

    teams = dict(
        AuditEvent.objects.filter(actor=panel).values_list("patient_id", "team_name").distinct()
    )
    assert teams == {pat.pk: "Demo Pain Clinic", sam.pk: ""}


def test_triage_sees_the_record_without_export_links_and_cannot_export(clinic, panel, pat, client):
    nina = _member(clinic, "nina@example.org", TeamRole.TRIAGE)
    client.force_login(nina)

    record = client.get(f"/clinician/patients/{pat.pk}/")

    assert record.status_code == 200
    assert "report.pdf" not in record.content.decode()
    assert client.get(f"/clinician/patients/{pat.pk}/report.pdf").status_code == 404
    assert client.get(f"/clinician/patients/{pat.pk}/report.csv").status_code == 404
    assert client.get(f"/api/v1/patients/{pat.pk}/fhir/").status_code == 404


def test_seed_demo_creates_the_demo_clinic_and_runs_twice(db):
    from django.core.management import call_command

    from accounts.models import User

    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)

    team = Team.objects.get(name="Demo Pain Clinic")
    roles = set(
        TeamMembership.objects.filter(team=team, active=True).values_list("user__email", "role")
    )
    assert roles == {
        ("clinician@example.org", "team_admin"),
        ("clinician@example.org", "clinician"),
        ("nurse@example.org", "triage"),
    }
    nurse = User.objects.get(email="nurse@example.org")
    shared = {p.email for p in patients_visible_to(nurse)}
    assert shared == {"patient@example.org", "patient2@example.org"}
    assert CareLink.objects.filter(team=team, status="active").count() == 2
    assert list(patients_visible_to(nurse, export=True)) == []


def test_the_check_in_page_names_everyone_who_reads_notes_including_the_team(
    clinic, panel, pat, client
):
    from accounts.selectors import clinicians_reading_patient

    nina = _member(clinic, "nina@example.org", TeamRole.TRIAGE)
    _member(clinic, "mona@example.org", TeamRole.TEAM_ADMIN)  # reads nothing
    _member(clinic, "gone@example.org", TeamRole.CLINICIAN, active=False)
    own = make_clinician("own@example.org", "Own Doctor")
    link(pat, own)

    names = clinicians_reading_patient(pat)

    assert names == sorted([panel.display_name, nina.display_name, "Own Doctor"], key=str.casefold)
    readers = {u.display_name for u in (panel, nina, own) if pat in patients_visible_to(u)}
    assert set(names) == readers


def test_the_compiled_gate_selects_what_the_orm_gate_selects_for_everyone(panel, clinic, pat, sam):
    """accounts.access compiles the gate once per process with a stand-in clinician and gives
    each caller their own id: every persona, asking in turn, gets exactly what the gate's ORM
    definition selects for them, in every mode (export) and scope."""
    from django.db.models.expressions import RawSQL

    from accounts.access import SCOPES, _gate, _gate_sql
    from accounts.models import User

    own = make_clinician("own@example.org", "Own Link")
    link(sam, own)  # Sam through an own link; Pat through the team
    people = [panel, own] + [_persona(name, clinic) for name, _, _ in CASES]
    seen_any = set()
    for _ in range(2):  # twice round: the compiled SQL is reused for everyone
        for person in people:
            for export in (False, True):
                for scope in SCOPES:
                    sql, params = _gate_sql(person, export=export, scope=scope)
                    compiled = set(User.objects.filter(pk__in=RawSQL(sql, params)))  # noqa: S611
                    expected = set(_gate(person, export=export, scope=scope))
                    assert compiled == expected, (person.email, export, scope)
                    via_api = set(patients_visible_to(person, export=export, scope=scope))
                    assert via_api == expected, (person.email, export, scope)
                    seen_any |= expected
    assert seen_any == {pat, sam}
