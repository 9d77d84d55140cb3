"""Governance pages: the overview, bodies with members and meetings, a meeting with attendance, minutes and
action items, the action-item list (mine / overdue / to verify / by body) and one item with its clock,
evidence and steps, liaisons with the units that have none, supervisors and their feedback."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_GET, require_POST

from xiaobao.analytics.periods import Period
from xiaobao.complaints.views.common import due_info
from xiaobao.core.clock import localdate
from xiaobao.core.exports import xlsx_file_response
from xiaobao.core.http import AuthedRequest
from xiaobao.core.models import OrgUnit
from xiaobao.core.views.common import add_service_errors, paginate, query_without_page, take_step
from xiaobao.governance import selectors as sel
from xiaobao.governance import services as svc
from xiaobao.governance.choices import Source, Status
from xiaobao.governance.exports import workbook
from xiaobao.governance.files import file_response
from xiaobao.governance.forms import (
    FORMS,
    ActionItemForm,
    BodyForm,
    EndForm,
    EvidenceForm,
    FeedbackForm,
    ItemFilter,
    LiaisonForm,
    MeetingForm,
    MemberForm,
    SupervisorForm,
)
from xiaobao.governance.models import ActionItem, Body, Liaison, Meeting, Member, Supervisor
from xiaobao.governance.workflow import ACTIONS, MANAGE, VIEW, WORKFLOW

EVENT_LABELS = {"open": gettext_lazy("Opened"), "evidence": gettext_lazy("Evidence added")}
STATUS_LABELS = dict(Status.choices)


def _or_404(obj: Any) -> Any:
    if obj is None:
        raise Http404
    return obj


def _manage(request: AuthedRequest) -> None:
    if not request.user.has_perm(MANAGE):
        raise PermissionDenied


# --- overview -----------------------------------------------------------------------------------------


@require_GET
@permission_required(VIEW, raise_exception=True)
def home(request: AuthedRequest) -> HttpResponse:
    today = localdate()
    items = sel.items(request.user)
    context = {
        "bodies": list(sel.bodies(request.user)[:20]),
        "recent": list(sel.meetings(request.user)[:5]),
        "mine": list(sel.items(request.user, {"view": "mine"})[:10]),
        "n_overdue": items.filter(status__in=WORKFLOW.group("open"), due_date__lt=today).count(),
        "n_open": items.filter(status__in=WORKFLOW.group("open")).count(),
        "n_gaps": svc.units_without_liaison(request.user, today).count(),
        "n_supervisors": sel.supervisors(request.user).filter(term_start__lte=today).count(),
        "today": today,
    }
    for r in context["mine"]:
        r.due = due_info(r.due_date, r.clock_state, today)
    return render(request, "governance/home.html", context)


# --- bodies -------------------------------------------------------------------------------------------


@permission_required(VIEW, raise_exception=True)
def bodies(request: AuthedRequest) -> HttpResponse:
    form = None
    status = 200
    if request.user.has_perm(MANAGE):
        initial = {"org_unit": request.user.org_unit.code} if request.user.org_unit else {}
        form = BodyForm(
            request.POST if request.method == "POST" else None, user=request.user, initial=initial
        )
    elif request.method == "POST":
        raise PermissionDenied
    if request.method == "POST" and form is not None:
        status = 400
        if form.is_valid():
            try:
                body = svc.body_create(actor=request.user, data=form.to_data())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Body %(name)s added.") % {"name": body.name})
                return redirect(body.get_absolute_url())
    return render(
        request, "governance/bodies.html", {"bodies": sel.bodies(request.user), "form": form}, status=status
    )


def _body_context(request: AuthedRequest, body: Body, **extra: Any) -> dict[str, Any]:
    today = localdate()
    members = list(body.members.select_related("user"))
    return {
        "body": body,
        "current": [m for m in members if m.term_end is None or m.term_end >= today],
        "former": [m for m in members if m.term_end is not None and m.term_end < today],
        "meetings": list(body.meetings.all().order_by("-held_on")),
        "member_form": extra.pop("member_form", None)
        or (MemberForm(user=request.user) if request.user.has_perm(MANAGE) else None),
        **extra,
    }


@require_GET
@permission_required(VIEW, raise_exception=True)
def body_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    body = _or_404(sel.body_detail(request.user, pk))
    return render(request, "governance/body.html", _body_context(request, body))


@require_POST
@permission_required(VIEW, raise_exception=True)
def member_add(request: AuthedRequest, pk: int) -> HttpResponse:
    body = _or_404(sel.body_detail(request.user, pk))
    _manage(request)
    form = MemberForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            svc.member_add(actor=request.user, body=body, data=form.to_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Member added."))
            return redirect(body.get_absolute_url())
    return render(request, "governance/body.html", _body_context(request, body, member_form=form), status=400)


@require_POST
@permission_required(VIEW, raise_exception=True)
def member_end(request: AuthedRequest, pk: int) -> HttpResponse:
    member = _or_404(
        Member.objects.visible_to(request.user).select_related("body__org_unit").filter(pk=pk).first()
    )
    _manage(request)
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            svc.member_end_term(
                actor=request.user, member=member, data={"term_end": form.cleaned_data["day"]}
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Term ended."))
            return redirect(member.body.get_absolute_url())
    else:
        messages.error(request, _("Enter a date (YYYY-MM-DD)."))
    return redirect(member.body.get_absolute_url())


# --- meetings -----------------------------------------------------------------------------------------


@require_GET
@permission_required(VIEW, raise_exception=True)
def meetings(request: AuthedRequest) -> HttpResponse:
    page = paginate(request, sel.meetings(request.user))
    return render(request, "governance/meetings.html", {"page": page, "query": query_without_page(request)})


@permission_required(VIEW, raise_exception=True)
def meeting_new(request: AuthedRequest, pk: int) -> HttpResponse:
    body = _or_404(sel.body_detail(request.user, pk))
    _manage(request)
    seated = svc.members_on(body, localdate())
    form = MeetingForm(request.POST or None, request.FILES or None)
    status = 200
    absent: dict[str, str] = {}
    if request.method == "POST":
        status = 400
        attendance = {}
        for m in seated:
            present = request.POST.get(f"present_{m.pk}") == "on"
            reason = request.POST.get(f"reason_{m.pk}", "")
            attendance[m.pk] = {"present": present, "reason": reason}
            if not present:
                absent[str(m.pk)] = reason
        if form.is_valid():
            data = form.to_data()
            minutes = data.pop("minutes", None)
            data["attendance"] = attendance
            try:
                meeting = svc.meeting_create(
                    actor=request.user,
                    body=body,
                    data=data,
                    minutes=minutes,
                    minutes_name=getattr(minutes, "name", "") or "",
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Meeting recorded."))
                return redirect(meeting.get_absolute_url())
    context = {
        "body": body,
        "form": form,
        "seated": seated,
        "absent": absent,
        "posted": request.method == "POST",
    }
    return render(request, "governance/meeting_form.html", context, status=status)


def _meeting_context(request: AuthedRequest, meeting: Meeting, **extra: Any) -> dict[str, Any]:
    today = localdate()
    items = list(meeting.action_items.select_related("handler", "org_unit").order_by("due_on", "id"))
    for r in items:
        r.due = due_info(r.due_date, r.clock_state, today)  # type: ignore[attr-defined]
    can_manage = request.user.has_perm(MANAGE)
    form = extra.pop("item_form", None)
    if form is None and can_manage:
        form = ActionItemForm(user=request.user)
    return {"m": meeting, "items": items, "item_form": form, **extra}


@require_GET
@permission_required(VIEW, raise_exception=True)
def meeting_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    meeting = _or_404(sel.meeting_detail(request.user, pk))
    return render(request, "governance/meeting.html", _meeting_context(request, meeting))


@require_POST
@permission_required(VIEW, raise_exception=True)
def item_new(request: AuthedRequest, pk: int) -> HttpResponse:
    meeting = _or_404(sel.meeting_detail(request.user, pk))
    _manage(request)
    form = ActionItemForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            item = svc.action_item_open(actor=request.user, meeting=meeting, data=form.to_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Action item %(ref)s opened.") % {"ref": item.reference})
            return redirect(meeting.get_absolute_url())
    return render(
        request, "governance/meeting.html", _meeting_context(request, meeting, item_form=form), status=400
    )


@require_GET
@permission_required(VIEW, raise_exception=True)
def minutes_download(request: AuthedRequest, pk: int) -> FileResponse:
    meeting = _or_404(sel.meeting_detail(request.user, pk))
    if not meeting.minutes_file:
        raise Http404
    return file_response(meeting.minutes_file, meeting.minutes_name)


# --- action items ---------------------------------------------------------------------------------------


@require_GET
@permission_required(VIEW, raise_exception=True)
def items(request: AuthedRequest) -> HttpResponse:
    params = {k: v for k, v in request.GET.items() if v != "" and k != "page"}
    form = ItemFilter(params or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    page = paginate(request, sel.items(request.user, filters))
    today = localdate()
    for r in page.object_list:
        r.due = due_info(r.due_date, r.clock_state, today)
    body = None
    if filters.get("body"):
        body = sel.body_detail(request.user, filters["body"])
    status = 400 if form.is_bound and not form.is_valid() else 200
    context = {
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "view": filters.get("view", ""),
        "body": body,
        "unit": filters.get("unit") or None,
        "due_from": filters.get("due_from"),
        "due_to": filters.get("due_to"),
    }
    return render(request, "governance/items.html", context, status=status)


def timeline(item: ActionItem) -> list[dict[str, Any]]:
    rows = []
    for e in item.events.select_related("actor"):
        action = ACTIONS.get(e.action)
        data = {
            k: v
            for k, v in (e.data or {}).items()
            if k in ("result", "reason", "note", "name", "due_on", "to_date")
        }
        rows.append(
            {
                "event": e,
                "label": action.label if action else EVENT_LABELS.get(e.action, e.action),
                "to": STATUS_LABELS.get(e.to_status, e.to_status),
                "moved": e.from_status != e.to_status,
                "data": data,
            }
        )
    return rows


def _item_context(request: AuthedRequest, item: ActionItem, **extra: Any) -> dict[str, Any]:
    today = localdate()
    return {
        "r": item,
        "clocks": [(k, due_info(k.due_date, k.state, today)) for k in item.clocks.all()],
        "events": timeline(item),
        "actions": svc.allowed_actions(request.user, item),
        "evidence": list(item.evidence.all()),
        "extensions": list(item.extensions.all()),
        "can_upload": svc.can_add_evidence(request.user, item),
        "upload_form": extra.pop("upload_form", None) or EvidenceForm(),
        **extra,
    }


@require_GET
@permission_required(VIEW, raise_exception=True)
def item_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    item = _or_404(sel.item_detail(request.user, pk))
    return render(request, "governance/item.html", _item_context(request, item))


@permission_required(VIEW, raise_exception=True)
def item_action(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    item = _or_404(sel.item_detail(request.user, pk))
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    if not spec.permitted(request.user) or not svc.can_reach(request.user, item, action):
        raise PermissionDenied
    form = FORMS[action](request.POST if request.method == "POST" else None, item=item)
    status, blocked = 200, ""
    if not WORKFLOW.is_allowed(item.status, action):
        blocked = _("This step is not possible while the action item is “%(s)s”.") % {
            "s": item.get_status_display()
        }
        status = 409
    elif not svc.role_allows(request.user, item, action):
        blocked = _("This step is not yours to take on this action item.")
        status = 403
    if request.method == "POST" and not blocked:
        status = take_step(
            form,
            lambda: svc.action_transition(
                actor=request.user,
                item=item,
                action=action,
                data=form.to_data(),
                expected_version=form.cleaned_data["version"],
            ),
        )
        if status == 0:
            messages.success(request, _("%(step)s: done.") % {"step": spec.label})
            return redirect(item.get_absolute_url())
    elif request.method == "POST":
        form.is_valid()
        form.add_error(None, blocked)
    template = "governance/action.html#action_form" if request.htmx else "governance/action.html"
    return render(
        request, template, {"r": item, "action": spec, "form": form, "blocked": blocked}, status=status
    )


@require_POST
@permission_required(VIEW, raise_exception=True)
def evidence_upload(request: AuthedRequest, pk: int) -> HttpResponse:
    item = _or_404(sel.item_detail(request.user, pk))
    if not svc.can_add_evidence(request.user, item):
        raise PermissionDenied
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        f = form.cleaned_data["file"]
        try:
            svc.evidence_add(
                actor=request.user,
                item=item,
                fileobj=f,
                name=f.name or "file",
                caption=form.cleaned_data["caption"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Evidence added."))
            return redirect(item.get_absolute_url())
    item = _or_404(sel.item_detail(request.user, pk))
    return render(request, "governance/item.html", _item_context(request, item, upload_form=form), status=400)


@require_GET
@permission_required(VIEW, raise_exception=True)
def evidence_download(request: AuthedRequest, pk: int, evidence_id: int) -> FileResponse:
    item = _or_404(sel.item_detail(request.user, pk))
    ev = _or_404(item.evidence.filter(pk=evidence_id).first())
    return file_response(ev.file, ev.original_name, inline=request.GET.get("inline") == "1")


# --- liaisons ---------------------------------------------------------------------------------------------


@permission_required(VIEW, raise_exception=True)
def liaisons(request: AuthedRequest) -> HttpResponse:
    today = localdate()
    form = LiaisonForm(request.POST or None, user=request.user) if request.user.has_perm(MANAGE) else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        status = 400
        if form.is_valid():
            try:
                svc.liaison_add(actor=request.user, data=form.to_data())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Liaison recorded."))
                return redirect("governance:liaisons")
    context = {
        "liaisons": sel.liaisons(request.user, day=today),
        "gaps": svc.units_without_liaison(request.user, today),
        "form": form,
        "today": today,
    }
    return render(request, "governance/liaisons.html", context, status=status)


@require_POST
@permission_required(VIEW, raise_exception=True)
def liaison_end(request: AuthedRequest, pk: int) -> HttpResponse:
    liaison = _or_404(
        Liaison.objects.visible_to(request.user).select_related("org_unit").filter(pk=pk).first()
    )
    _manage(request)
    form = EndForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a date (YYYY-MM-DD)."))
        return redirect("governance:liaisons")
    try:
        svc.liaison_end(actor=request.user, liaison=liaison, data={"until": form.cleaned_data["day"]})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The liaison's term was ended."))
    return redirect("governance:liaisons")


# --- the registers' Excel export ----------------------------------------------------------------------


@require_GET
@permission_required(VIEW, raise_exception=True)
def export(request: AuthedRequest) -> HttpResponse:
    """The registers of a unit (`unit` code, default the top of the user's scope) for a period (`period`
    like 2026, 2026-Q1, 2026-03; default this year) as one workbook."""
    code = (request.GET.get("unit") or "").strip()[:32]
    units = OrgUnit.objects.visible_to(request.user).order_by("path")
    unit = units.filter(code=code).first() if code else units.first()
    if unit is None:
        raise Http404
    text = (request.GET.get("period") or "").strip()[:40]
    try:
        period = Period.parse(text) if text else Period.year(localdate().year)
    except ValueError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    content = workbook(user=request.user, unit=unit, period=period)
    name = pgettext("governance export", "governance-registers")
    return xlsx_file_response(f"{name}-{unit.code}-{period.label}.xlsx", content)


# --- supervisors and feedback ----------------------------------------------------------------------------


@permission_required(VIEW, raise_exception=True)
def supervisors(request: AuthedRequest) -> HttpResponse:
    form = SupervisorForm(request.POST or None, user=request.user) if request.user.has_perm(MANAGE) else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        status = 400
        if form.is_valid():
            try:
                sup = svc.supervisor_add(actor=request.user, data=form.to_data())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Supervisor recorded."))
                return redirect(sup.get_absolute_url())
    return render(
        request,
        "governance/supervisors.html",
        {"supervisors": sel.supervisors(request.user), "form": form, "today": localdate()},
        status=status,
    )


def _supervisor_context(request: AuthedRequest, sup: Supervisor, **extra: Any) -> dict[str, Any]:
    today = localdate()
    rows = list(sel.feedback(request.user).filter(supervisor=sup))
    for f in rows:
        item = getattr(f, "action_item", None)
        f.due = due_info(item.due_date, item.clock_state, today) if item else None
    form = extra.pop("feedback_form", None)
    if form is None and request.user.has_perm(MANAGE):
        form = FeedbackForm(user=request.user)
    return {"s": sup, "feedback": rows, "feedback_form": form, **extra}


@permission_required(VIEW, raise_exception=True)
def supervisor_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    sup = _or_404(sel.supervisors(request.user).filter(pk=pk).first())
    if request.method == "POST":
        _manage(request)
        form = FeedbackForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                svc.feedback_add(actor=request.user, supervisor=sup, data=form.to_data())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Feedback recorded; its answer is tracked as an action item."))
                return redirect(sup.get_absolute_url())
        return render(
            request,
            "governance/supervisor.html",
            _supervisor_context(request, sup, feedback_form=form),
            status=400,
        )
    return render(request, "governance/supervisor.html", _supervisor_context(request, sup))


@require_GET
@permission_required(VIEW, raise_exception=True)
def feedback(request: AuthedRequest) -> HttpResponse:
    today = localdate()
    qs = sel.feedback(request.user)
    if request.GET.get("open") == "1":
        qs = qs.filter(action_item__status__in=WORKFLOW.group("open"))
    page = paginate(request, qs)
    for f in page.object_list:
        item = getattr(f, "action_item", None)
        f.due = due_info(item.due_date, item.clock_state, today) if item else None
    return render(
        request,
        "governance/feedback.html",
        {"page": page, "query": query_without_page(request), "source": Source.FEEDBACK},
    )
