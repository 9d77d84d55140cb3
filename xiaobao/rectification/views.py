"""Rectification pages: the list (filter to overdue), opening an item (also from a finding or a complaint),
one item with its clock, timeline, evidence and steps, evidence upload and download."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from xiaobao.complaints.models import Complaint
from xiaobao.complaints.views.common import due_info
from xiaobao.core.errors import Conflict
from xiaobao.core.http import AuthedRequest
from xiaobao.core.views.common import (
    add_service_errors,
    bound_filter,
    paginate,
    query_without_page,
    take_step,
)
from xiaobao.inspections.models import Finding
from xiaobao.rectification.choices import EvidenceKind, Source, Status
from xiaobao.rectification.evidence import can_add_evidence, evidence_add, evidence_response
from xiaobao.rectification.filtersets import RectificationFilter
from xiaobao.rectification.forms import FORMS, EvidenceForm, RectificationForm
from xiaobao.rectification.models import Rectification
from xiaobao.rectification.selectors import (
    finding_label,
    people_names,
    rectification_detail,
    rectification_list,
)
from xiaobao.rectification.services import (
    allowed_actions,
    can_reach,
    rectification_from_complaint,
    rectification_from_finding,
    rectification_open,
    rectification_transition,
    role_allows,
)
from xiaobao.rectification.workflow import ACTIONS, OPEN_PERM, VIEW, WORKFLOW

EVENT_LABELS = {
    "open": gettext_lazy("Opened"),
    "evidence": gettext_lazy("Evidence added"),
}
DATA_LABELS = {
    "source": gettext_lazy("source"),
    "owner": gettext_lazy("owner"),
    "rule": gettext_lazy("deadline rule"),
    "to_days": gettext_lazy("days"),
    "needs_approval": gettext_lazy("needs approval"),
    "reason": gettext_lazy("reason"),
    "result": gettext_lazy("what was done"),
    "name": gettext_lazy("file"),
    "kind": gettext_lazy("kind"),
    "complaint": gettext_lazy("complaint"),
    "finding": gettext_lazy("finding"),
    "evidence": gettext_lazy("evidence files"),
    "plan": gettext_lazy("plan written"),
}
HIDDEN_DATA = {"extension"}
STATUS_LABELS = dict(Status.choices)
VALUE_LABELS: dict[str, Any] = {**dict(Source.choices), **dict(EvidenceKind.choices)}


def _get(request: AuthedRequest, pk: int) -> Rectification:
    """The item if the user may see it; 404 otherwise (its existence is not revealed)."""
    item = rectification_detail(user=request.user, pk=pk)
    if item is None:
        raise Http404
    return item


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str) and value in VALUE_LABELS:
        return str(VALUE_LABELS[value])
    return "—" if value in (None, "") else str(value)


def _resolver(item: Rectification, events: list[Any]) -> Any:
    """Turns the stored event data into what people read: an owner's login name becomes the person's full
    name, the finding's row id becomes its inspection reference and item text."""
    people = people_names(str(v) for e in events for k, v in (e.data or {}).items() if k == "owner")
    finding = finding_label(item.finding) if item.finding_id else None

    def shown(key: str, value: Any) -> str:
        if key == "owner" and value:
            return people.get(str(value), str(value))
        if key == "finding" and finding is not None and value == item.finding_id:
            return finding
        return _value(value)

    return shown


def timeline(item: Rectification) -> list[dict[str, Any]]:
    rows = []
    events = list(item.events.select_related("actor"))
    shown = _resolver(item, events)
    for e in events:
        action = ACTIONS.get(e.action)
        rows.append(
            {
                "event": e,
                "label": action.label if action else EVENT_LABELS.get(e.action, e.action),
                "from": STATUS_LABELS.get(e.from_status, e.from_status),
                "to": STATUS_LABELS.get(e.to_status, e.to_status),
                "moved": e.from_status != e.to_status,
                "summary": [
                    (str(DATA_LABELS.get(k, k)), shown(k, v))
                    for k, v in (e.data or {}).items()
                    if k not in HIDDEN_DATA
                ],
            }
        )
    return rows


def _context(request: AuthedRequest, item: Rectification, **extra: Any) -> dict[str, Any]:
    today = timezone.localdate()
    evidence = list(item.evidence.all())
    actions = allowed_actions(request.user, item)
    return {
        "r": item,
        "clocks": [(k, due_info(k.due_date, k.state, today)) for k in item.clocks.all()],
        "events": timeline(item),
        "actions": actions,
        "before": [e for e in evidence if e.kind == EvidenceKind.BEFORE],
        "after": [e for e in evidence if e.kind == EvidenceKind.AFTER],
        "documents": [e for e in evidence if e.kind == EvidenceKind.DOCUMENT],
        "extensions": list(item.extensions.all()),
        "can_upload": can_add_evidence(request.user, item),
        "upload_form": extra.pop("upload_form", None) or EvidenceForm(),
        **extra,
    }


# --- list ---------------------------------------------------------------------------------------------


@require_GET
@permission_required(VIEW, raise_exception=True)
def rectification_list_view(request: AuthedRequest) -> HttpResponse:
    """Items in the user's scope, filtered (e.g. overdue only); HTMX filter changes get the results only."""
    form, filters = bound_filter(request, RectificationFilter)
    page = paginate(request, rectification_list(user=request.user, filters=filters))
    today = timezone.localdate()
    for row in page.object_list:
        row.due = due_info(row.due_date, row.clock_state, today)
    status = 400 if form.is_bound and not form.is_valid() else 200
    template = "rectification/list.html#results" if request.htmx else "rectification/list.html"
    context = {"form": form, "page": page, "query": query_without_page(request)}
    return render(request, template, context, status=status)


# --- opening --------------------------------------------------------------------------------------------


def _origin(request: AuthedRequest) -> tuple[Any, Any]:
    """The finding or complaint the item is opened from (`?finding=` / `?complaint=`), visible to the user."""
    finding = complaint = None
    params = request.GET if request.method == "GET" else request.POST
    raw_finding, raw_complaint = params.get("finding", ""), params.get("complaint", "")
    if raw_finding:
        if not raw_finding.isdigit():
            raise Http404
        finding = (
            Finding.objects.visible_to(request.user)
            .select_related("org_unit")
            .filter(pk=int(raw_finding))
            .first()
        )
        if finding is None:
            raise Http404
    elif raw_complaint:
        if not raw_complaint.isdigit():
            raise Http404
        complaint = (
            Complaint.objects.visible_to(request.user)
            .select_related("org_unit")
            .filter(pk=int(raw_complaint))
            .first()
        )
        if complaint is None:
            raise Http404
    return finding, complaint


@permission_required(OPEN_PERM, raise_exception=True)
def rectification_create(request: AuthedRequest) -> HttpResponse:
    """The "new rectification item" form: a regulator's opinion (监管意见), an audit or self-check, or
    opened from a finding (`?finding=<id>`) or a complaint's root cause (`?complaint=<id>`)."""
    finding, complaint = _origin(request)
    fixed = Source.INSPECTION if finding else Source.COMPLAINT if complaint else ""
    initial: dict[str, Any] = {}
    if finding is not None:
        initial = {
            "org_unit": finding.org_unit.code,
            "title": (finding.description.splitlines() or [""])[0][:200],
            "description": finding.description,
        }
    elif complaint is not None:
        initial = {
            "org_unit": complaint.org_unit.code,
            "title": _("Root cause of %(ref)s") % {"ref": complaint.reference},
        }
    elif request.user.org_unit is not None:
        initial = {"org_unit": request.user.org_unit.code}
    data = request.POST if request.method == "POST" else None
    form = RectificationForm(data, user=request.user, fixed_source=fixed, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                item = _open(request, form, finding, complaint)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except Conflict as exc:
                form.add_error(None, exc.message)
                status = 409
            else:
                messages.success(request, _("Rectification item %(ref)s opened.") % {"ref": item.reference})
                return redirect(item.get_absolute_url())
    context = {"form": form, "finding": finding, "complaint": complaint}
    return render(request, "rectification/form.html", context, status=status)


def _open(request: AuthedRequest, form: RectificationForm, finding: Any, complaint: Any) -> Rectification:
    data = form.to_data()
    if finding is not None:
        return rectification_from_finding(actor=request.user, finding=finding, data=data)
    if complaint is not None:
        return rectification_from_complaint(actor=request.user, complaint=complaint, data=data)
    return rectification_open(actor=request.user, data=data)


# --- one item -----------------------------------------------------------------------------------------


@require_GET
@permission_required(VIEW, raise_exception=True)
def rectification_detail_view(request: AuthedRequest, pk: int) -> HttpResponse:
    item = _get(request, pk)
    return render(request, "rectification/detail.html", _context(request, item))


@permission_required(VIEW, raise_exception=True)
def rectification_action(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    """GET: the step's form (an HTMX partial, or a page). POST: take the step with the version the user saw;
    the wrong person → 403 with the reason, a stale version or wrong state → 409, bad input → 400."""
    item = _get(request, pk)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    if not spec.permitted(request.user) or not can_reach(request.user, item, action):
        raise PermissionDenied
    form = FORMS[action](request.POST if request.method == "POST" else None, item=item)
    status = 200
    blocked = ""
    if not WORKFLOW.is_allowed(item.status, action):
        blocked = _("This step is not possible while the rectification item is “%(s)s”.") % {
            "s": item.get_status_display()
        }
        status = 409
    elif not role_allows(request.user, item, action):
        blocked = _("This step is not yours to take on this rectification item.")
        status = 403
    if request.method == "POST" and not blocked:
        status = _take(request, item, action, form)
        if status == 0:
            messages.success(request, _("%(step)s: done.") % {"step": spec.label})
            return redirect(item.get_absolute_url())
    elif request.method == "POST":
        form.is_valid()
        form.add_error(None, blocked)
    template = "rectification/action.html#action_form" if request.htmx else "rectification/action.html"
    return render(
        request, template, {"r": item, "action": spec, "form": form, "blocked": blocked}, status=status
    )


def _take(request: AuthedRequest, item: Rectification, action: str, form: Any) -> int:
    """0 when the step was taken, else the status to answer with (form errors attached)."""
    return take_step(
        form,
        lambda: rectification_transition(
            actor=request.user,
            item=item,
            action=action,
            data=form.to_data(),
            expected_version=form.cleaned_data["version"],
        ),
    )


@require_POST
@permission_required(VIEW, raise_exception=True)
def evidence_upload(request: AuthedRequest, pk: int) -> HttpResponse:
    item = _get(request, pk)
    if not can_add_evidence(request.user, item):
        raise PermissionDenied
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        f = form.cleaned_data["file"]
        try:
            evidence_add(
                actor=request.user,
                item=item,
                fileobj=f,
                name=f.name or "file",
                kind=form.cleaned_data["kind"],
                caption=form.cleaned_data["caption"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Evidence added."))
            return redirect(item.get_absolute_url())
    item = _get(request, pk)
    return render(request, "rectification/detail.html", _context(request, item, upload_form=form), status=400)


@require_GET
@permission_required(VIEW, raise_exception=True)
def evidence_download(request: HttpRequest, pk: int, evidence_id: int) -> FileResponse:
    item = _get(request, pk)  # type: ignore[arg-type]
    ev = item.evidence.filter(pk=evidence_id).first()
    if ev is None:
        raise Http404
    return evidence_response(ev, inline=request.GET.get("inline") == "1")
