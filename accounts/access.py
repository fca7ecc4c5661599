"""The one place that decides who sees which patient's data.

Every view, API and selector that touches patient data starts here. A patient sees only
themself; a clinician sees a patient only through an *active* care link *and* only once an
administrator has verified them; administrators use the Django admin, not these paths.
Missing and forbidden answer the same (404), so ids reveal nothing.
"""

from collections.abc import Iterable
from typing import Protocol, TypeVar

from django.db import connection
from django.db.models import (
    Exists,
    Model,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.expressions import RawSQL
from django.http import Http404

from accounts.http import AnyRequest, AnyUser
from accounts.models import (
    EXPORT_TEAM_ROLES,
    PATIENT_FACING_TEAM_ROLES,
    CareLink,
    CareLinkStatus,
    ClinicianProfile,
    Role,
    User,
)

RowT = TypeVar("RowT", bound=Model)


class _PatientRow(Protocol):
    # A row of patient data as a list page holds it: only its patient's key is read.
    @property
    def patient_id(self) -> int | None: ...


# How a clinician's dashboard narrows their panel: every patient they see, the patients linked
# to them directly ("my patients"), or the patients they see through a team ("team patients").
SCOPE_ALL = ""
SCOPE_MINE = "mine"
SCOPE_TEAM = "team"
SCOPES = (SCOPE_ALL, SCOPE_MINE, SCOPE_TEAM)


# Where patients_visible_to keeps the querysets it built for one User object (one request).
_CACHE_ATTRIBUTE = "_patients_visible_to"


def patients_visible_to(
    user: AnyUser | None, *, export: bool = False, scope: str = SCOPE_ALL
) -> QuerySet[User]:
    """Patients whose records `user` may read, as a queryset (one query when evaluated).

    A verified clinician sees a patient through an active care link of their own, or through an
    active link to a team in which they are an active clinician or triage member. With `export`,
    only the roles that may take the record away (reports, CSV, FHIR) count. `scope` narrows a
    clinician's patients to one of the two ways (SCOPE_MINE: own links, SCOPE_TEAM: through a
    team); it never widens what they see.

    A clinician's gate is compiled to SQL once per process (_gate_sql: building and compiling
    its EXISTS subqueries cost 2.5 ms of Python) and the queryset on it is kept on the User
    object (which lives for one request): each call gets a fresh copy of it (`.all()`), a
    filter on that SQL with the clinician's own id. What it
    selects is decided when the copy runs, never when it was built; the key holds everything
    the build reads from the user (id, role, active), so a changed user gets a new build.
    """
    if not isinstance(user, User):  # anonymous
        return User.objects.none()
    key = (user.pk, user.role, user.is_active, export, scope)
    built: dict[tuple[object, ...], QuerySet[User]] = user.__dict__.setdefault(_CACHE_ATTRIBUTE, {})
    if key not in built:
        built[key] = _build_patients_visible_to(user, export=export, scope=scope)
    return built[key].all()


def _build_patients_visible_to(user: User, *, export: bool, scope: str) -> QuerySet[User]:
    """patients_visible_to's queryset, built afresh (the rules are in its docstring)."""
    if not user.is_active:
        return User.objects.none()
    if user.role == Role.PATIENT:
        return User.objects.filter(pk=user.pk, role=Role.PATIENT)
    if user.role != Role.CLINICIAN:
        return User.objects.none()
    # Every query a page builds on the gate embeds its SQL as it stands, instead of compiling
    # its nested EXISTS again (about 1 ms of Python each time, three or four times a page).
    # The SQL selects the patients at the time the query using it runs.
    sql, params = _gate_sql(user, export=export, scope=scope)
    # The SQL is what the ORM compiled from _gate, never text from a request.
    return User.objects.filter(pk__in=RawSQL(sql, params))  # noqa: S611  # nosec B611


def _gate(user: User, *, export: bool, scope: str) -> QuerySet[User]:
    """The gate of a clinician as an ORM query: the one definition of who they see."""
    verified = ClinicianProfile.objects.filter(user=user, verified_at__isnull=False)
    return User.objects.filter(
        _linked(user, export=export, scope=scope),
        Exists(verified),
        role=Role.PATIENT,
        is_active=True,
    )


# A user id no account has (ids are positive): the gate is compiled once per process with a
# stand-in clinician of this id, and the id's places among the parameters are then given the
# real clinician's id (building and compiling the gate took 2.5 ms, on every clinician page).
_STAND_IN_PK = -7_201_987_654_321
_compiled_gates: dict[tuple[str, bool, str], tuple[str, tuple[object, ...]]] = {}


def _gate_sql(user: User, *, export: bool, scope: str) -> tuple[str, list[object]]:
    """(SQL, params) of `user`'s gate, selecting the ids of the patients they see."""
    key = (connection.vendor, export, scope)
    if key not in _compiled_gates:
        stand_in = User(pk=_STAND_IN_PK, role=Role.CLINICIAN, is_active=True)
        gate = _gate(stand_in, export=export, scope=scope).order_by().values("pk")
        sql, params = gate.query.sql_with_params()
        if not any(_is_stand_in(param) for param in params):
            raise AssertionError("the compiled gate does not depend on the clinician")
        _compiled_gates[key] = (sql, tuple(params))
    sql, template = _compiled_gates[key]
    return sql, [user.pk if _is_stand_in(param) else param for param in template]


def _is_stand_in(param: object) -> bool:
    return type(param) is int and param == _STAND_IN_PK


def _linked(user: User, *, export: bool, scope: str = SCOPE_ALL) -> Exists | Q:
    """The care-link half of the gate, for the outer patient (OuterRef("pk")): an active link of
    `user`'s own, or an active link to a team in which `user` holds an active role that counts
    (EXPORT_TEAM_ROLES with `export`, else PATIENT_FACING_TEAM_ROLES)."""
    roles = EXPORT_TEAM_ROLES if export else PATIENT_FACING_TEAM_ROLES
    links = CareLink.objects.filter(patient=OuterRef("pk"), status=CareLinkStatus.ACTIVE)
    # A link of the clinician's own...
    direct = links.filter(clinician=user, team__isnull=True)
    # ...or a link to a team in which the clinician holds an active patient-facing role. Both
    # membership conditions sit in one filter() call, so they hold for the same membership row.
    through_team = links.filter(
        team__memberships__user=user,
        team__memberships__active=True,
        team__memberships__role__in=roles,
    )
    if scope == SCOPE_MINE:
        return Exists(direct)
    if scope == SCOPE_TEAM:
        return Exists(through_team)
    return Exists(direct) | Exists(through_team)


def access_patient(
    user: AnyUser, patient_id: object, *, export: bool = False, flag_export: bool = False
) -> User:
    """The patient with `patient_id` if `user` may see them (with `export`: may export their
    record); otherwise Http404. With `flag_export` the patient carries `can_export` (whether
    `user` may also export the record: a triage member may not), in the same query."""
    try:
        patient_pk = int(patient_id)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise Http404("No such patient.") from None
    # The profile (date of birth, time zone) comes in the same query: pages that show a patient
    # read it, and a separate lookup cost a round trip per page.
    visible = patients_visible_to(user, export=export)
    if flag_export:
        exportable = patients_visible_to(user, export=True).filter(pk=OuterRef("pk"))
        visible = visible.annotate(can_export=Exists(exportable))
    patient = visible.filter(pk=patient_pk).select_related("patient_profile").first()
    if patient is None:
        raise Http404("No such patient.")
    return patient


def visible_row_or_404(
    request: AnyRequest,
    queryset: QuerySet[RowT],
    pk: object,
    *,
    audit: str = "",
    object_type: str = "",
) -> RowT:
    """Row `pk` of `queryset` (a model with a `patient` key) whose patient the caller may see.

    The scope is a subquery on patients_visible_to, so the check costs no query of its own and
    the row arrives with its patient. Missing, malformed and forbidden ids all raise Http404
    (ids reveal nothing). With `audit`, a clinician's read is recorded as one AuditEvent
    (`object_type` defaults to the model's name); a patient reading their own row is not.
    """
    from accounts.audit import audit_read

    try:
        row_pk = int(pk)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise Http404("No such record.") from None
    row = (
        queryset.filter(pk=row_pk, patient__in=patients_visible_to(request.user))
        .select_related("patient")
        .first()
    )
    if row is None:
        raise Http404("No such record.")
    if audit:
        audit_read(
            request,
            patient=row.patient,  # type: ignore[attr-defined]
            action=audit,
            object_type=object_type or type(row).__name__,
            object_id=row.pk,
        )
    return row


def is_verified_clinician(user: AnyUser | None) -> bool:
    if not isinstance(user, User):  # anonymous
        return False
    if user.role != Role.CLINICIAN:
        return False
    profile = getattr(user, "clinician_profile", None)
    return profile is not None and profile.verified_at is not None


def patient_rows_for_request(
    request: AnyRequest, queryset: QuerySet[RowT], *, action: str
) -> QuerySet[RowT]:
    """Rows of `queryset` (a model with a `patient` key) the caller may read.

    `?patient=ID` narrows to one patient (404 when out of scope) and a clinician's read of that
    patient is audited here. Without it a patient gets their own rows and a clinician the rows
    of every patient linked to them; the view then calls `audit_page_read` on the page it
    returns, which audits each patient on that page.
    """
    from accounts.audit import audit_read

    user = request.user
    requested = request.GET.get("patient")
    if requested not in (None, ""):
        patient = access_patient(user, requested)
        rows = queryset.filter(patient=patient)
        if isinstance(user, User) and user.role == Role.CLINICIAN:
            audit_read(request, patient=patient, action=action)
    else:
        rows = queryset.filter(patient__in=patients_visible_to(user))
    return rows


def audit_page_read(
    request: AnyRequest,
    page: Iterable[_PatientRow] | None,
    *,
    action: str,
    object_type: str = "",
) -> None:
    """Audit a list response: one row per patient whose rows are on `page` (rows with a
    `patient_id`). A `?patient=ID` read was audited by patient_rows_for_request already."""
    from accounts.audit import audit_reads

    if request.GET.get("patient") not in (None, ""):
        return
    user = request.user
    if not isinstance(user, User) or user.role != Role.CLINICIAN:
        return
    audit_reads(
        request,
        patient_ids=[row.patient_id for row in page or ()],
        action=action,
        object_type=object_type,
    )
