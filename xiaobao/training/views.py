"""Training pages: the home page (this year's plan, upcoming and recent sessions, coverage by layer), plans
with their targets and courses, sessions (materials, the QR sign-in with a room display, attendance entered,
imported and exported), coverage by layer and unit, and the logged-in sign-in page a QR code opens.

Every object is read through `visible_to(user)` (404 outside the user's subtree); writes need
`training.manage_training` (403), and the services keep them inside the user's subtree."""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiaobao.core.clock import localdate
from xiaobao.core.errors import DomainError
from xiaobao.core.exports import xlsx_book_bytes, xlsx_file_response
from xiaobao.core.http import AuthedRequest
from xiaobao.core.models import OrgUnit
from xiaobao.core.models.audit import AuditAction
from xiaobao.core.scoping import unit_in_scope
from xiaobao.core.services.audit import audit_record
from xiaobao.core.views.common import add_service_errors, paginate, query_without_page
from xiaobao.training import selectors
from xiaobao.training import services as svc
from xiaobao.training.attendance_import import import_signin_list, template_workbook
from xiaobao.training.coverage import coverage, coverage_total
from xiaobao.training.forms import (
    AttendanceAddForm,
    AttendanceHoursForm,
    CourseForm,
    CoverageFilter,
    MaterialForm,
    PlanForm,
    SessionFilter,
    SessionForm,
    SigninListForm,
)
from xiaobao.training.models import MANAGE, OWN_RECORD, VIEW, PlanCourse, TrainingPlan, TrainingSession

ROOM_POLL_SECONDS = 5


# --- helpers ------------------------------------------------------------------------------------------------


def _session(request: AuthedRequest, pk: int) -> TrainingSession:
    session = selectors.session_detail(request.user, pk)
    if session is None:
        raise Http404
    return session


def _plan(request: AuthedRequest, pk: int) -> TrainingPlan:
    plan = selectors.plan_detail(request.user, pk)
    if plan is None:
        raise Http404
    return plan


def _course(plan: TrainingPlan, course_id: int) -> PlanCourse:
    course = next((c for c in plan.courses.all() if c.pk == course_id), None)
    if course is None:
        raise Http404
    return course


def absolute(request: HttpRequest, path: str) -> str:
    """An address phones in the room can open: on PUBLIC_BASE_URL when configured, else this request's."""
    base = str(getattr(settings, "PUBLIC_BASE_URL", "") or "").rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


def signin_urls(request: HttpRequest, session: TrainingSession) -> dict[str, str]:
    return {
        "account": absolute(request, reverse("training:signin", args=[session.signin_token])),
        "public": absolute(request, reverse("training_public:signin", args=[session.signin_token])),
    }


def qr_svg(url: str, *, scale: int = 6) -> str:
    """The QR code of `url` as inline SVG, made here (segno; no outside service)."""
    qr = segno.make(url, error="m", micro=False)
    return str(qr.svg_inline(scale=scale, border=2, title=url, omitsize=True))


def _error_message(request: HttpRequest, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        for text in exc.messages:
            messages.error(request, text)
    elif isinstance(exc, DomainError):
        messages.error(request, exc.message)
    else:
        messages.error(request, str(exc) or _("You may not do this."))


def _year(value: Any) -> int:
    return int(value) if value else localdate().year


# --- home ---------------------------------------------------------------------------------------------------


@require_GET
@permission_required(VIEW, raise_exception=True)
def home(request: AuthedRequest) -> HttpResponse:
    data = selectors.home(request.user)
    return render(
        request,
        "training/home.html",
        {"h": data, "can_manage": svc.may_manage(request.user), "today": localdate()},
    )


# --- plans --------------------------------------------------------------------------------------------------


@require_GET
@permission_required(VIEW, raise_exception=True)
def plans(request: AuthedRequest) -> HttpResponse:
    year = request.GET.get("year", "")
    try:
        chosen = int(year) if year else None
    except ValueError:
        chosen = None
    if chosen is not None and not 2000 <= chosen <= 2100:
        chosen = None
    rows = list(selectors.plans(request.user, year=chosen))
    years = sorted({p.year for p in rows} | {localdate().year}, reverse=True)
    return render(
        request,
        "training/plans/list.html",
        {"plans": rows, "year": chosen, "years": years, "can_manage": svc.may_manage(request.user)},
    )


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE, raise_exception=True)
def plan_create(request: AuthedRequest) -> HttpResponse:
    form = PlanForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            plan = svc.plan_create(actor=request.user, data=form.to_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Plan saved."))
            return redirect("training:plan_detail", pk=plan.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "training/plans/form.html", {"form": form, "plan": None}, status=status)


@require_GET
@permission_required(VIEW, raise_exception=True)
def plan_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    can_manage = svc.may_manage(request.user, plan.org_unit)
    sessions = selectors.sessions(request.user).filter(plan=plan).order_by("date", "pk")
    return render(
        request,
        "training/plans/detail.html",
        {
            "plan": plan,
            "can_manage": can_manage,
            "course_form": CourseForm() if can_manage else None,
            "sessions": list(sessions[:200]),
            "courses": list(plan.courses.all()),
            "targets": list(plan.targets.all()),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE, raise_exception=True)
def plan_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    if not svc.may_manage(request.user, plan.org_unit):
        raise PermissionDenied(_("You may not change this plan."))
    form = PlanForm(request.POST or None, user=request.user, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            svc.plan_update(actor=request.user, plan=plan, data=form.to_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Plan saved."))
            return redirect("training:plan_detail", pk=plan.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "training/plans/form.html", {"form": form, "plan": plan}, status=status)


@require_POST
@permission_required(MANAGE, raise_exception=True)
def course_create(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    if not svc.may_manage(request.user, plan.org_unit):
        raise PermissionDenied(_("You may not change this plan."))
    form = CourseForm(request.POST)
    if form.is_valid():
        try:
            svc.course_add(actor=request.user, plan=plan, data=form.to_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Course added."))
            return redirect("training:plan_detail", pk=plan.pk)
    return render(
        request, "training/plans/course_form.html", {"form": form, "plan": plan, "course": None}, status=400
    )


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE, raise_exception=True)
def course_edit(request: AuthedRequest, pk: int, course_id: int) -> HttpResponse:
    plan = _plan(request, pk)
    course = _course(plan, course_id)
    if not svc.may_manage(request.user, plan.org_unit):
        raise PermissionDenied(_("You may not change this plan."))
    form = CourseForm(request.POST or None, course=course)
    if request.method == "POST" and form.is_valid():
        try:
            svc.course_update(actor=request.user, course=course, data=form.to_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Course saved."))
            return redirect("training:plan_detail", pk=plan.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "training/plans/course_form.html",
        {"form": form, "plan": plan, "course": course},
        status=status,
    )


@require_POST
@permission_required(MANAGE, raise_exception=True)
def course_delete(request: AuthedRequest, pk: int, course_id: int) -> HttpResponse:
    plan = _plan(request, pk)
    course = _course(plan, course_id)
    svc.course_delete(actor=request.user, course=course)
    messages.success(request, _("Course removed."))
    return redirect("training:plan_detail", pk=plan.pk)


# --- sessions -----------------------------------------------------------------------------------------------


def _session_filter(request: AuthedRequest) -> tuple[SessionFilter, dict[str, Any]]:
    """The list's filter bound to the query string without the page number and empty values (as
    `bound_filter`), and its cleaned data ({} while invalid)."""
    params = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        values = [v for v in values if v != ""]
        if values and key != "page":
            params.setlist(key, values)
    form = SessionFilter(params or None, user=request.user)
    return form, (form.cleaned_data if form.is_valid() else {})


@require_GET
@permission_required(VIEW, raise_exception=True)
def sessions(request: AuthedRequest) -> HttpResponse:
    form, filters = _session_filter(request)
    qs = selectors.filter_sessions(selectors.sessions(request.user), filters)
    page = paginate(request, qs, per_page=50)
    return render(
        request,
        "training/sessions/list.html",
        {
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "can_manage": svc.may_manage(request.user),
            "today": localdate(),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE, raise_exception=True)
def session_create(request: AuthedRequest) -> HttpResponse:
    initial = None
    if request.method == "GET":
        initial = {"date": localdate(), "hours": "2.0"}
        plan_id = request.GET.get("plan", "")
        plan = (
            selectors.plan_choices(request.user).filter(pk=int(plan_id)).first()
            if plan_id.isdigit()
            else None
        )
        if plan is not None:
            initial.update(plan=str(plan.pk), org_unit=plan.org_unit.code)
    form = SessionForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            session = svc.session_create(actor=request.user, data=form.to_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Session saved."))
            return redirect("training:session_detail", pk=session.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "training/sessions/form.html", {"form": form, "session": None}, status=status)


@require_GET
@permission_required(VIEW, raise_exception=True)
def session_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    return render(request, "training/sessions/detail.html", _detail_context(request, session))


def _detail_context(request: AuthedRequest, session: TrainingSession, **extra: Any) -> dict[str, Any]:
    can_manage = svc.may_manage(request.user, session.org_unit)
    urls = signin_urls(request, session)
    attendance = list(selectors.attendance_of(session))
    context = {
        "s": session,
        "can_manage": can_manage,
        "attendance": attendance,
        "summary": selectors.attendance_summary(session),
        "materials": list(session.materials.all()),
        "layers": list(session.layers.all()),
        "state": svc.signin_state(session),
        "urls": urls,
        "qr": qr_svg(urls["account"], scale=5) if can_manage else "",
        "add_form": AttendanceAddForm(),
        "import_form": SigninListForm(),
        "material_form": MaterialForm(),
        "today": localdate(),
    }
    context.update(extra)
    return context


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE, raise_exception=True)
def session_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    if not svc.may_manage(request.user, session.org_unit):
        raise PermissionDenied(_("You may not change this session."))
    form = SessionForm(request.POST or None, user=request.user, session=session)
    if request.method == "POST" and form.is_valid():
        try:
            svc.session_update(actor=request.user, session=session, data=form.to_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Session saved."))
            return redirect("training:session_detail", pk=session.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "training/sessions/form.html", {"form": form, "session": session}, status=status)


@require_POST
@permission_required(MANAGE, raise_exception=True)
def session_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    try:
        svc.session_delete(actor=request.user, session=session)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("training:session_detail", pk=session.pk)
    messages.success(request, _("Session deleted."))
    return redirect("training:sessions")


@require_POST
@permission_required(MANAGE, raise_exception=True)
def session_signin(request: AuthedRequest, pk: int) -> HttpResponse:
    """Open or close the QR sign-in (`action` open / close), or give it a new address (renew)."""
    session = _session(request, pk)
    action = request.POST.get("action", "")
    if action == "open":
        svc.session_signin_open(actor=request.user, session=session, open=True)
        messages.success(request, _("Sign-in is open."))
    elif action == "close":
        svc.session_signin_open(actor=request.user, session=session, open=False)
        messages.success(request, _("Sign-in is closed."))
    elif action == "renew":
        svc.session_signin_renew(actor=request.user, session=session)
        messages.success(request, _("The sign-in has a new address: the old QR code no longer works."))
    else:
        messages.error(request, _("Unknown action."))
    return redirect("training:session_detail", pk=session.pk)


@require_GET
@permission_required(MANAGE, raise_exception=True)
def session_room(request: AuthedRequest, pk: int) -> HttpResponse:
    """The room display: the sign-in QR codes full screen and the count of people signed in (live)."""
    session = _session(request, pk)
    urls = signin_urls(request, session)
    return render(
        request,
        "training/sessions/room.html",
        {
            "s": session,
            "urls": urls,
            "qr": qr_svg(urls["account"], scale=10),
            "qr_public": qr_svg(urls["public"], scale=4),
            "count": svc.signed_count(session),
            "state": svc.signin_state(session),
            "poll": ROOM_POLL_SECONDS,
        },
    )


@require_GET
@permission_required(MANAGE, raise_exception=True)
def session_room_count(request: AuthedRequest, pk: int) -> HttpResponse:
    """The room display's live part (HTMX polls it): the count and whether sign-in is open."""
    session = _session(request, pk)
    context = {"s": session, "count": svc.signed_count(session), "state": svc.signin_state(session)}
    response = render(request, "training/sessions/_room_count.html", context)
    response["Cache-Control"] = "no-store"
    return response


# --- materials ----------------------------------------------------------------------------------------------


@require_POST
@permission_required(MANAGE, raise_exception=True)
def material_upload(request: AuthedRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    form = MaterialForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            svc.material_add(actor=request.user, session=session, fileobj=upload, name=upload.name or "")
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("File uploaded."))
            return redirect("training:session_detail", pk=session.pk)
    context = _detail_context(request, session, material_form=form)
    return render(request, "training/sessions/detail.html", context, status=400)


@require_GET
@permission_required(VIEW, raise_exception=True)
def material_download(request: AuthedRequest, pk: int, material_id: int) -> FileResponse:
    session = _session(request, pk)
    material = next((m for m in session.materials.all() if m.pk == material_id), None)
    if material is None:
        raise Http404
    return svc.material_response(material)


@require_POST
@permission_required(MANAGE, raise_exception=True)
def material_delete(request: AuthedRequest, pk: int, material_id: int) -> HttpResponse:
    session = _session(request, pk)
    material = next((m for m in session.materials.all() if m.pk == material_id), None)
    if material is None:
        raise Http404
    svc.material_delete(actor=request.user, material=material)
    messages.success(request, _("File removed."))
    return redirect("training:session_detail", pk=session.pk)


# --- attendance ---------------------------------------------------------------------------------------------


def _attendance(session: TrainingSession, attendance_id: int) -> Any:
    row = session.attendances.select_related("staff").filter(pk=attendance_id).first()
    if row is None:
        raise Http404
    return row


@require_POST
@permission_required(MANAGE, raise_exception=True)
def attendance_add(request: AuthedRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    form = AttendanceAddForm(request.POST)
    if form.is_valid():
        try:
            row, created = svc.attendance_add(
                actor=request.user,
                session=session,
                employee_no=form.cleaned_data["employee_no"],
                hours=form.cleaned_data.get("hours"),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if created:
                messages.success(request, _("%(name)s recorded.") % {"name": row.staff.name})
            else:
                messages.info(request, _("%(name)s was recorded already.") % {"name": row.staff.name})
            return redirect(reverse("training:session_detail", args=[session.pk]) + "#attendance")
    context = _detail_context(request, session, add_form=form)
    return render(request, "training/sessions/detail.html", context, status=400)


@require_POST
@permission_required(MANAGE, raise_exception=True)
def attendance_import(request: AuthedRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    form = SigninListForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            result = import_signin_list(actor=request.user, session=session, file=form.cleaned_data["file"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if result.ok:
                messages.success(
                    request,
                    _("Sign-in list imported: %(added)d added, %(already)d recorded already.")
                    % {"added": result.added, "already": result.already},
                )
                return redirect(reverse("training:session_detail", args=[session.pk]) + "#attendance")
            return render(
                request,
                "training/sessions/import_result.html",
                {"s": session, "result": result, "import_form": SigninListForm()},
                status=400,
            )
    context = _detail_context(request, session, import_form=form)
    return render(request, "training/sessions/detail.html", context, status=400)


@require_POST
@permission_required(MANAGE, raise_exception=True)
def attendance_edit(request: AuthedRequest, pk: int, attendance_id: int) -> HttpResponse:
    session = _session(request, pk)
    row = _attendance(session, attendance_id)
    form = AttendanceHoursForm(request.POST)
    if form.is_valid():
        try:
            svc.attendance_set_hours(actor=request.user, attendance=row, hours=form.cleaned_data["hours"])
        except ValidationError as exc:
            _error_message(request, exc)
        else:
            messages.success(request, _("Hours of %(name)s saved.") % {"name": row.staff.name})
    else:
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, f"{row.staff.name}: {text}")
    return redirect(reverse("training:session_detail", args=[session.pk]) + "#attendance")


@require_POST
@permission_required(MANAGE, raise_exception=True)
def attendance_remove(request: AuthedRequest, pk: int, attendance_id: int) -> HttpResponse:
    session = _session(request, pk)
    row = _attendance(session, attendance_id)
    svc.attendance_remove(actor=request.user, attendance=row)
    messages.success(request, _("%(name)s removed from the attendance.") % {"name": row.staff.name})
    return redirect(reverse("training:session_detail", args=[session.pk]) + "#attendance")


@require_GET
@permission_required(VIEW, raise_exception=True)
def attendance_export(request: AuthedRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    content = selectors.attendance_workbook(session)
    audit_record(actor=request.user, action=AuditAction.EXPORT, obj=session, changes={"attendance": "xlsx"})
    return xlsx_file_response(f"attendance-{session.date:%Y%m%d}-{session.pk}.xlsx", content)


@require_GET
@permission_required(MANAGE, raise_exception=True)
def signin_template(request: AuthedRequest) -> HttpResponse:
    return xlsx_file_response("sign-in-list.xlsx", template_workbook())


# --- coverage -----------------------------------------------------------------------------------------------


def _coverage_args(request: AuthedRequest) -> tuple[CoverageFilter, OrgUnit | None, int]:
    form = CoverageFilter(request.GET or None, user=request.user)
    data = form.cleaned_data if form.is_valid() else {}
    unit = data.get("unit") or selectors.root_unit(request.user)
    return form, unit, _year(data.get("year"))


def _parent_in_view(request: AuthedRequest, unit: OrgUnit | None) -> OrgUnit | None:
    parent = unit.parent if unit is not None else None
    return parent if parent is not None and unit_in_scope(request.user, parent) else None


@require_GET
@permission_required(VIEW, raise_exception=True)
def coverage_page(request: AuthedRequest) -> HttpResponse:
    form, unit, year = _coverage_args(request)
    by_layer = coverage(user=request.user, unit=unit, year=year) if unit else []
    by_unit = coverage(user=request.user, unit=unit, year=year, by="unit") if unit else []
    drill = {c.code for c in OrgUnit.objects.filter(parent=unit)} if unit else set()
    context = {
        "form": form,
        "unit": unit,
        "year": year,
        "years": list(range(localdate().year, localdate().year - 5, -1)),
        "by_layer": by_layer,
        "by_unit": by_unit,
        "total": coverage_total(by_layer),
        "drill": drill,
        "parent": _parent_in_view(request, unit),
        "units": list(OrgUnit.objects.visible_to(request.user).active().order_by("path")[:500]),
    }
    return render(request, "training/coverage.html", context)


@require_GET
@permission_required(VIEW, raise_exception=True)
def coverage_export(request: AuthedRequest) -> HttpResponse:
    _form, unit, year = _coverage_args(request)
    if unit is None:
        raise Http404
    headers = [
        _("Item"),
        _("People with a target"),
        _("Reaching the target"),
        _("Coverage"),
        _("Hours"),
        _("Person-times"),
    ]

    def rows(items: list[Any]) -> list[list[Any]]:
        out = [
            [
                r.label,
                r.people,
                r.covered,
                round(r.share * 100, 1) if r.share is not None else None,
                float(r.hours),
                r.person_times,
            ]
            for r in items
        ]
        total = coverage_total(items)
        return [
            *out,
            [
                _("Total"),
                total.people,
                total.covered,
                round(total.share * 100, 1) if total.share is not None else None,
                float(total.hours),
                total.person_times,
            ],
        ]

    content = xlsx_book_bytes(
        [
            (_("By position layer"), headers, rows(coverage(user=request.user, unit=unit, year=year))),
            (_("By unit"), headers, rows(coverage(user=request.user, unit=unit, year=year, by="unit"))),
        ]
    )
    audit_record(actor=request.user, action=AuditAction.EXPORT, obj=unit, changes={"training_coverage": year})
    return xlsx_file_response(f"training-coverage-{unit.code}-{year}.xlsx", content)


# --- the sign-in page a QR code opens (logged in) -----------------------------------------------------------


def _signin_session(request: AuthedRequest, token: str) -> TrainingSession:
    """The session of the token, for the staff of its unit's subtree (the user's unit lies in it): 404 for
    anybody else, as for an unknown token."""
    session = svc.session_by_token(token)
    unit = request.user.org_unit
    if session is None or unit is None or not unit.path.startswith(session.org_unit.path):
        raise Http404
    return session


@require_http_methods(["GET", "POST"])
@permission_required(OWN_RECORD, raise_exception=True)
def signin(request: AuthedRequest, token: str) -> HttpResponse:
    """One tap records the user's own staff member at the session (while sign-in is open, on its day)."""
    session = _signin_session(request, token)
    staff = svc.own_staff(request.user)
    status, error = 200, ""
    if request.method == "POST":
        try:
            row, created = svc.signin_self(user=request.user, session=session)
        except DomainError as exc:
            status, error = exc.status, exc.message
        else:
            if created:
                messages.success(
                    request,
                    _("Signed in: %(name)s, %(hours)s h.") % {"name": row.staff.name, "hours": row.hours},
                )
            return redirect("training:signin", token=session.signin_token)
    done = session.attendances.filter(staff=staff).first() if staff is not None else None
    context = {
        "s": session,
        "staff": staff,
        "state": svc.signin_state(session),
        "done": done,
        "error": error,
        "public_url": reverse("training_public:signin", args=[session.signin_token]),
    }
    return render(request, "training/signin.html", context, status=status)
