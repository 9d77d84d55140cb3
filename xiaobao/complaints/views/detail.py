"""One complaint: the detail page, its workflow actions, attachments and the printable decision notice."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from xiaobao.complaints import workflow
from xiaobao.complaints.attachments import attachment_add, attachment_response
from xiaobao.complaints.choices import (
    ClockState,
    Liability,
    NotifyMethod,
    PauseReason,
    SensitivityTag,
    Source,
    SpecialGroup,
    Status,
)
from xiaobao.complaints.forms import ActionForm, AttachmentForm, LegalHoldForm, action_form_class
from xiaobao.complaints.models import Clock, Complaint, Extension, NoticeTemplate
from xiaobao.complaints.selectors import complaint_detail
from xiaobao.complaints.services import allowed_actions, can_reach, can_work, complaint_transition
from xiaobao.complaints.views.common import HANDLE, VIEW, Due, due_info, get_complaint, safe_next
from xiaobao.core.errors import Conflict, DomainError
from xiaobao.core.http import AuthedRequest
from xiaobao.core.models import User
from xiaobao.core.views.common import add_service_errors

EVENT_LABELS = {
    "register": gettext_lazy("Complaint registered"),
    "imported": gettext_lazy("Imported from another system"),
    "attach": gettext_lazy("Attachment added"),
    "merge_restart": gettext_lazy("Repeat with new facts merged in (clock restarted)"),
    "merged_repeat": gettext_lazy("Repeat merged in"),
    "notice_generated": gettext_lazy("Decision notice generated"),  # notes' Word/PDF notice
}
CLOCK_LABELS = {
    "decision": gettext_lazy("Decision deadline"),
    "first_contact": gettext_lazy("First contact"),
    "review": gettext_lazy("Review by the superior unit"),
}
DATA_LABELS = {
    "handler": gettext_lazy("handler"),
    "job": gettext_lazy("import job"),
    "row": gettext_lazy("row in the file"),
    "unit": gettext_lazy("unit"),
    "reason": gettext_lazy("reason"),
    "method": gettext_lazy("method"),
    "summary": gettext_lazy("summary"),
    "to_days": gettext_lazy("days"),
    "needs_approval": gettext_lazy("needs approval"),
    "satisfaction": gettext_lazy("satisfaction"),
    "liability": gettext_lazy("liability"),
    "into": gettext_lazy("into"),
    "new_facts": gettext_lazy("new facts"),
    "source": gettext_lazy("source"),
    "major": gettext_lazy("major"),
    "at": gettext_lazy("at"),
    "name": gettext_lazy("file"),
    "review_unit": gettext_lazy("reviewing unit"),
    "notice": gettext_lazy("notice"),
    "detail": gettext_lazy("detail"),
    "repeat": gettext_lazy("repeat"),
}
HIDDEN_DATA = {"attachment", "extension", "assistance"}
VALUE_LABELS: dict[str, Any] = {
    **dict(NotifyMethod.choices),
    **dict(PauseReason.choices),
    **dict(Source.choices),
    **{k: v for k, v in Liability.choices if k},
}
STATUS_LABELS = dict(Status.choices)
GROUP_LABELS = dict(SpecialGroup.choices)
TAG_LABELS = dict(SensitivityTag.choices)


# --- read helpers (presentation only) -----------------------------------------------------------------


def _value(value: Any, key: str = "") -> str:
    if key == "at" and isinstance(value, str):
        try:
            return f"{timezone.localtime(dt.datetime.fromisoformat(value)):%Y-%m-%d %H:%M}"
        except ValueError:
            return value
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str) and value in VALUE_LABELS:
        return str(VALUE_LABELS[value])
    return "—" if value in (None, "") else str(value)


USER_DATA = {"handler"}  # event data naming a user by username: shown by name


def _names(events: list[Any]) -> dict[str, str]:
    """Full names of the users the events' data name by username (one query)."""
    usernames = {str(v) for e in events for k, v in (e.data or {}).items() if k in USER_DATA and v}
    if not usernames:
        return {}
    users = User.objects.filter(username__in=usernames).only("username", "full_name")
    return {u.username: str(u) for u in users}


def timeline(complaint: Complaint) -> list[dict[str, Any]]:
    rows = []
    events = list(complaint.events.select_related("actor"))
    names = _names(events)
    for e in events:
        action = workflow.ACTIONS.get(e.action)
        summary = [
            (str(DATA_LABELS.get(k, k)), _value(names.get(str(v), v) if k in USER_DATA else v, k))
            for k, v in (e.data or {}).items()
            if k not in HIDDEN_DATA
        ]
        rows.append(
            {
                "event": e,
                "label": action.label if action else EVENT_LABELS.get(e.action, e.action),
                "from": STATUS_LABELS.get(e.from_status, e.from_status),
                "to": STATUS_LABELS.get(e.to_status, e.to_status),
                "moved": e.from_status != e.to_status,
                "summary": summary,
            }
        )
    return rows


def _shown_actions(user: Any, c: Complaint) -> list[workflow.Action]:
    """The actions the user may take now, without those that have nothing to act on."""
    pending = any(e.state == Extension.State.PENDING for e in c.extensions.all())
    open_tasks = any(a.answered_at is None for a in c.assistances.all())
    skip = set()
    if c.status == Status.DRAFTED and c.decision_approved_by_id:
        skip.add("submit")  # approved: nothing left to submit, the next step is to notify
    if not pending:
        skip |= {"approve_extension", "reject_extension"}
    else:
        skip.add("extend")
    if not open_tasks:
        skip.add("answer_assist")
    return [a for a in allowed_actions(user, c) if a.code not in skip]


def _next_step(c: Complaint, actions: list[workflow.Action]) -> str:
    """The action shown highlighted: a drafted decision that is approved or needs no approval is notified
    next; otherwise the first one-click action (accept, submit, approve, archive)."""
    codes = [a.code for a in actions]
    drafted_ready = c.status == Status.DRAFTED and (c.decision_approved_by_id or not c.needs_approval)
    if drafted_ready and "notify" in codes:
        return "notify"
    return next((a.code for a in actions if not a.needs_input), "")


def _redress_needs_approval(c: Complaint) -> bool:
    threshold = getattr(settings, "REDRESS_APPROVAL_AMOUNT", "")
    if c.redress_amount is None or threshold in (None, ""):
        return False
    return bool(c.redress_amount >= Decimal(str(threshold)))


def notice_text(user: Any, c: Complaint) -> str:
    """The decision notice from the default template (full name only for staff who may reveal it)."""
    template = NoticeTemplate.objects.order_by("-is_default", "name").first()
    if template is None:
        return ""
    name = c.complainant.name if user.has_perm("core.reveal_personal_data") else c.complainant.masked_name
    day = timezone.localtime(c.notified_at).date() if c.notified_at else timezone.localdate()
    return template.render(
        {
            "reference": c.reference,
            "complainant": name,
            "received": date_format(timezone.localtime(c.received_at), "DATE_FORMAT"),
            "request": c.request,
            "verification": c.decision_verification,
            "basis": c.decision_basis,
            "result": c.decision_result,
            "remedies": c.decision_remedies,
            "unit": c.org_unit.name,
            "date": date_format(day, "DATE_FORMAT"),
        }
    )


def _clock_due(k: Clock, today: dt.date) -> Due:
    """A clock's due date on the complaint page: met on time says nothing more (the state column says it);
    met late says how late, in the rule's unit; a clock not yet met counts to today."""
    due = due_info(k.due_date, k.state, today, met_on=k.met_on, unit=k.rule.unit)
    return replace(due, text="") if k.state == ClockState.MET else due


def _context(request: AuthedRequest, c: Complaint, **extra: Any) -> dict[str, Any]:
    today = timezone.localdate()
    actions = _shown_actions(request.user, c)
    return {
        "c": c,
        "clocks": [(k, CLOCK_LABELS.get(k.name, k.name), _clock_due(k, today)) for k in c.clocks.all()],
        "special_groups": [GROUP_LABELS.get(v, v) for v in c.special_groups],
        "sensitivity_tags": [TAG_LABELS.get(v, v) for v in c.sensitivity_tags],
        "events": timeline(c),
        "actions": [a for a in actions if a.needs_input],
        "one_click": [a for a in actions if not a.needs_input],
        "next_step": _next_step(c, actions),
        "redress_needs_approval": _redress_needs_approval(c),
        "can_upload": request.user.has_perm(HANDLE) and can_work(request.user, c),
        "upload_form": AttachmentForm(),
        "staff_named": list(c.staff_named.all()),
        **extra,
    }


# --- pages --------------------------------------------------------------------------------------------


@require_GET
@permission_required(VIEW, raise_exception=True)
def complaint_detail_view(request: AuthedRequest, pk: int) -> HttpResponse:
    c = get_complaint(request, pk)
    return render(request, "complaints/detail.html", _context(request, c))


def _action_spec(request: AuthedRequest, action: str) -> workflow.Action:
    spec = workflow.ACTIONS.get(action)
    if spec is None:
        raise Http404
    if not spec.permitted(request.user):
        raise PermissionDenied
    return spec


@permission_required(VIEW, raise_exception=True)
def complaint_action(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    """GET: the action's form (an HTMX partial, or a page without JavaScript). POST: take the action with
    the version the user saw; a concurrent change answers 409 with a message."""
    c = get_complaint(request, pk)
    spec = _action_spec(request, action)
    if not can_reach(request.user, c, action):  # a unit asked to assist only answers
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = action_form_class(action)(data, user=request.user, complaint=c)
    status: int | None = 200
    if request.method == "POST":
        status = _take(request, c, action, form)
        if status is None:
            return _done(request, pk, spec, safe_next(request, form.cleaned_data.get("next")))
    blocked = ""
    if request.method != "POST" and not workflow.is_allowed(c.status, action):
        blocked = _("This action is not possible while the complaint is “%(s)s”.") % {
            "s": c.get_status_display()
        }
        status = 409
    context = {"c": c, "action": spec, "form": form, "blocked": blocked}
    if action == "draft":
        context["preview"] = notice_text(request.user, c) if c.decision_result else ""
    template = "complaints/action.html#action_form" if request.htmx else "complaints/action.html"
    return render(request, template, context, status=status or 200)


def _take(request: AuthedRequest, c: Complaint, action: str, form: ActionForm) -> int | None:
    """Validate and take the action: None when done, else the status to answer with the form."""
    if not form.is_valid():
        return 400
    try:
        complaint_transition(
            actor=request.user,
            complaint=c,
            action=action,
            data=form.to_data(),
            expected_version=form.cleaned_data["version"],
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return 400
    except Conflict as exc:
        form.add_error(None, exc.message)
        return 409
    except PermissionDenied as exc:
        form.add_error(None, str(exc) or _("You may not do this."))
        return 403
    return None


def _done(request: AuthedRequest, pk: int, spec: workflow.Action, next_url: str | None) -> HttpResponse:
    flash = _("%(action)s: done.") % {"action": spec.label}
    if next_url:
        messages.success(request, flash)
        return redirect(next_url)
    c = complaint_detail(user=request.user, pk=pk)
    if c is None:  # an assisting unit's read ends with its answer
        messages.success(request, flash)
        if request.htmx:
            gone = HttpResponse(status=204)
            gone["HX-Redirect"] = reverse("complaints:list")
            return gone
        return redirect("complaints:list")
    if request.htmx:
        response = render(request, "complaints/detail.html#detail", _context(request, c, flash=flash))
        response["HX-Retarget"] = "#complaint-detail"
        response["HX-Reswap"] = "outerHTML"
        return response
    messages.success(request, flash)
    return redirect("complaints:detail", pk=pk)


@require_POST
@permission_required(HANDLE, raise_exception=True)
def attachment_upload(request: AuthedRequest, pk: int) -> HttpResponse:
    c = get_complaint(request, pk)
    if not can_work(request.user, c):  # a unit asked to assist reads and answers; a receiving one takes it
        raise PermissionDenied
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            attachment_add(
                actor=request.user,
                complaint=c,
                fileobj=upload,
                name=upload.name or "file",
                kind=form.cleaned_data["kind"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Attachment %(name)s added.") % {"name": upload.name})
            return redirect("complaints:detail", pk=pk)
    return render(request, "complaints/detail.html", _context(request, c, upload_form=form), status=400)


@require_GET
@permission_required(VIEW, raise_exception=True)
def attachment_download(request: AuthedRequest, pk: int, attachment_id: int) -> FileResponse:
    c = get_complaint(request, pk)
    att = get_object_or_404(c.attachments.all(), pk=attachment_id)
    return attachment_response(att)


@require_GET
@permission_required(VIEW, raise_exception=True)
def notice(request: AuthedRequest, pk: int) -> HttpResponse:
    """The printable decision notice; 409 while no decision is drafted."""
    c = get_complaint(request, pk)
    if not c.decision_result:
        return render(request, "complaints/notice.html", {"c": c, "text": ""}, status=409)
    return render(request, "complaints/notice.html", {"c": c, "text": notice_text(request.user, c)})


@require_POST
@permission_required("complaints.hold_complaint", raise_exception=True)
def legal_hold(request: AuthedRequest, pk: int) -> HttpResponse:
    """Put on or release from legal hold (the retention purge never anonymises a held complaint)."""
    from xiaobao.complaints.retention import complaint_set_legal_hold

    c = get_complaint(request, pk)
    hold = request.POST.get("hold") == "1"
    form = LegalHoldForm(request.POST)
    if not form.is_valid():
        for error in form.errors["reason"]:
            messages.error(
                request, _("%(field)s: %(error)s") % {"field": form.fields["reason"].label, "error": error}
            )
        return redirect("complaints:detail", pk=pk)
    try:
        complaint_set_legal_hold(
            actor=request.user, complaint=c, hold=hold, reason=form.cleaned_data["reason"]
        )
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("complaints:detail", pk=pk)
    messages.success(request, _("Legal hold set.") if hold else _("Legal hold released."))
    return redirect("complaints:detail", pk=pk)
