"""Activity pages: the list (filters, awaiting my approval, Excel), reporting an activity on a phone (saves
as it goes: a draft kept in the browser), one activity with its photos, events and steps (approve, return),
correcting (and resubmitting) it, photo upload and display."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from xiaobao.core.clock import localdate
from xiaobao.core.errors import DomainError
from xiaobao.core.exports import xlsx_file_response
from xiaobao.core.http import AuthedRequest
from xiaobao.core.views.common import (
    add_service_errors,
    bound_filter,
    paginate,
    query_without_page,
    take_step,
)
from xiaobao.education.exports import activities_xlsx
from xiaobao.education.filtersets import ActivityFilter, is_true
from xiaobao.education.forms import FORMS, ActivityForm, PhotoForm
from xiaobao.education.models import Activity, ActivityStatus, Topic
from xiaobao.education.photos import MAX_PHOTOS, can_add_photo, photo_add, photo_response
from xiaobao.education.selectors import activity_detail, activity_list, awaiting_count
from xiaobao.education.services import (
    activity_report,
    activity_transition,
    activity_update,
    allowed_actions,
    can_edit,
    can_reach,
    role_allows,
)
from xiaobao.education.workflow import ACTIONS, APPROVE, REPORT, RETURNED, VIEW, WORKFLOW

EVENT_LABELS = {
    "report": gettext_lazy("Reported"),
    "edit": gettext_lazy("Corrected"),
    "photo": gettext_lazy("Photo added"),
}
DATA_LABELS = {
    "reason": gettext_lazy("reason"),
    "fields": gettext_lazy("fields changed"),
    "photos": gettext_lazy("photos"),
    "name": gettext_lazy("file"),
    "taken_on": gettext_lazy("taken on"),
    "topics": gettext_lazy("topics"),
}
STATUS_LABELS = dict(ActivityStatus.choices)
DRAFT_KEY = "xb-edu-activity-new"


def _get(request: AuthedRequest, pk: int) -> Activity:
    """The activity if the user may see it; 404 otherwise (its existence is not revealed)."""
    item = activity_detail(user=request.user, pk=pk)
    if item is None:
        raise Http404
    return item


def _value(key: str, value: Any, topics: dict[str, str] | None = None) -> str:
    if isinstance(value, list):
        if key == "fields":
            return "、".join(str(_field_label(v)) for v in value) or "—"
        if key == "topics":
            return "、".join((topics or {}).get(str(v), str(v)) for v in value) or "—"
        return "、".join(map(str, value)) or "—"
    return "—" if value in (None, "") else str(value)


def _field_label(name: str) -> Any:
    try:
        return getattr(Activity._meta.get_field(name), "verbose_name", name)
    except Exception:
        return name


def timeline(item: Activity) -> list[dict[str, Any]]:
    """The events, newest last; topic codes stored in an event's data are shown by their names."""
    rows = []
    events = list(item.events.select_related("actor"))
    codes = {str(c) for e in events for c in (e.data or {}).get("topics") or [] if isinstance(c, str)}
    topics = dict(Topic.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
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
                    (str(DATA_LABELS.get(k, k)), _value(k, v, topics)) for k, v in (e.data or {}).items()
                ],
            }
        )
    return rows


def _context(request: AuthedRequest, item: Activity, **extra: Any) -> dict[str, Any]:
    photos = list(item.photos.all())
    returned = (
        next((e for e in reversed(list(item.events.all())) if e.action == "return"), None)
        if item.status == RETURNED
        else None
    )
    return {
        "a": item,
        "topics": list(item.topics.all()),
        "segments": [(str(_field_label(f"audience_{s}")), n) for s, n in item.audience().items()],
        "photos": photos,
        "mismatches": sum(1 for p in photos if p.date_mismatch),
        "undated": sum(1 for p in photos if p.taken_on is None),
        "events": timeline(item),
        "actions": allowed_actions(request.user, item),
        "can_edit": can_edit(request.user, item),
        "can_upload": can_add_photo(request.user, item) and len(photos) < MAX_PHOTOS,
        "upload_form": extra.pop("upload_form", None) or PhotoForm(),
        "returned_reason": (returned.data or {}).get("reason", "") if returned else "",
        "draft_key": DRAFT_KEY,
        **extra,
    }


# --- list and export ------------------------------------------------------------------------------------


@require_GET
@permission_required(VIEW, raise_exception=True)
def activity_list_view(request: AuthedRequest) -> HttpResponse:
    """Activities in the user's scope, filtered; `?awaiting=1` is "awaiting my approval"."""
    form, filters = bound_filter(request, ActivityFilter)
    page = paginate(request, activity_list(user=request.user, filters=filters))
    status = 400 if form.is_bound and not form.is_valid() else 200
    template = "education/activities/list.html#results" if request.htmx else "education/activities/list.html"
    context = {
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "awaiting": awaiting_count(request.user) if request.user.has_perm(APPROVE) else 0,
        "awaiting_view": is_true(filters.get("awaiting")),
        "can_report": request.user.has_perm(REPORT),
    }
    return render(request, template, context, status=status)


@require_GET
@permission_required(VIEW, raise_exception=True)
def activity_export(request: AuthedRequest) -> HttpResponse:
    form, filters = bound_filter(request, ActivityFilter)
    if form.is_bound and not form.is_valid():
        return HttpResponse(_("Invalid filter."), status=400)
    content = activities_xlsx(activity_list(user=request.user, filters=filters))
    return xlsx_file_response(f"activities-{localdate():%Y%m%d}.xlsx", content)


# --- reporting ------------------------------------------------------------------------------------------


def _files(request: AuthedRequest) -> list[tuple[str, bytes]]:
    from xiaobao.complaints.attachments import max_size

    out = []
    for f in request.FILES.getlist("photos"):
        out.append((f.name or "photo", f.read(max_size() + 1)))
    return out


@permission_required(REPORT, raise_exception=True)
def activity_new(request: AuthedRequest) -> HttpResponse:
    """The phone form. `?org_unit=&topics=&campaign=` (or the short `?unit=&topic=`) preset it — the
    suggestion panel's and the edition page's links."""
    if not request.user.has_perm(VIEW):
        raise PermissionDenied
    initial: dict[str, Any] = {"held_on": localdate()}
    if request.user.org_unit is not None:
        initial["org_unit"] = request.user.org_unit.code
    unit = request.GET.get("org_unit") or request.GET.get("unit")
    if unit:
        initial["org_unit"] = unit[:40]
    if request.GET.get("campaign"):
        initial["campaign"] = request.GET["campaign"][:40]
    topics = [t[:40] for t in [*request.GET.getlist("topics"), *request.GET.getlist("topic")] if t][:20]
    if topics:
        initial["topics"] = topics
    data = request.POST if request.method == "POST" else None
    form = ActivityForm(data, request.FILES or None, user=request.user, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                item = activity_report(actor=request.user, data=form.to_data(), photos=_files(request))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("Activity %(ref)s reported: it now awaits approval.") % {"ref": item.reference}
                )
                return redirect(f"{item.get_absolute_url()}?saved=1")
    context = {"form": form, "draft_key": DRAFT_KEY, "mode": "new"}
    return render(request, "education/activities/form.html", context, status=status)


@permission_required(REPORT, raise_exception=True)
def activity_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Correct an activity awaiting approval; a returned one is resubmitted with the corrections."""
    item = _get(request, pk)
    if not can_reach(request.user, item):
        raise PermissionDenied
    status = 200
    blocked = ""
    if not can_edit(request.user, item):
        blocked = _("An approved activity can no longer be changed.")
        status = 409
    data = request.POST if request.method == "POST" else None
    form = ActivityForm(data, user=request.user, with_photos=False, initial=ActivityForm.initial_from(item))
    form.fields["version"] = FORMS["approve"].base_fields["version"]
    form.initial["version"] = item.version
    if request.method == "POST" and not blocked:
        resubmit = item.status == RETURNED

        def run() -> Any:
            version = form.cleaned_data["version"]
            if resubmit:
                return activity_transition(
                    actor=request.user,
                    item=item,
                    action="resubmit",
                    data=form.to_data(),
                    expected_version=version,
                )
            return activity_update(
                actor=request.user, item=item, data=form.to_data(), expected_version=version
            )

        status = take_step(form, run)
        if status == 0:
            done = _("Resubmitted for approval.") if resubmit else _("Activity corrected.")
            messages.success(request, done)
            return redirect(item.get_absolute_url())
    elif request.method == "POST":
        form.is_valid()
        form.add_error(None, blocked)
    context = {"form": form, "a": item, "mode": "edit", "blocked": blocked, "draft_key": ""}
    return render(request, "education/activities/form.html", context, status=status)


# --- one activity ---------------------------------------------------------------------------------------


@require_GET
@permission_required(VIEW, raise_exception=True)
def activity_detail_view(request: AuthedRequest, pk: int) -> HttpResponse:
    item = _get(request, pk)
    saved = request.GET.get("saved") == "1"
    return render(request, "education/activities/detail.html", _context(request, item, just_saved=saved))


@permission_required(VIEW, raise_exception=True)
def activity_action(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    """GET: the step's form (an HTMX partial, or a page). POST: take the step with the version the user saw;
    the wrong person → 403 with the reason, a stale version or the wrong state → 409, bad input → 400."""
    item = _get(request, pk)
    spec = ACTIONS.get(action)
    if spec is None or action not in FORMS:
        raise Http404
    if not spec.permitted(request.user) or not can_reach(request.user, item, action):
        raise PermissionDenied
    form = FORMS[action](request.POST if request.method == "POST" else None, item=item)
    status = 200
    blocked = ""
    if not WORKFLOW.is_allowed(item.status, action):
        blocked = _("This step is not possible while the activity is “%(s)s”.") % {
            "s": item.get_status_display()
        }
        status = 409
    elif not role_allows(request.user, item, action):
        blocked = _(
            "You reported this activity: somebody else with approval rights must approve or return it."
        )
        status = 403
    if request.method == "POST" and not blocked:
        status = take_step(
            form,
            lambda: activity_transition(
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
    template = (
        "education/activities/action.html#action_form" if request.htmx else "education/activities/action.html"
    )
    return render(
        request, template, {"a": item, "action": spec, "form": form, "blocked": blocked}, status=status
    )


@require_POST
@permission_required(VIEW, raise_exception=True)
def photo_upload(request: AuthedRequest, pk: int) -> HttpResponse:
    item = _get(request, pk)
    if not can_add_photo(request.user, item):
        raise PermissionDenied
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        from xiaobao.complaints.attachments import max_size

        f = form.cleaned_data["photo"]
        try:
            photo_add(
                actor=request.user,
                item=item,
                name=f.name or "photo",
                data=f.read(max_size() + 1),
                caption=form.cleaned_data["caption"],
            )
        except ValidationError as exc:
            errors = dict(exc.message_dict)
            photo_errors = errors.pop("photos", [])
            if photo_errors:
                form.add_error("photo", photo_errors)
            if errors:
                add_service_errors(form, ValidationError(errors))
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Photo added."))
            return redirect(item.get_absolute_url())
    item = _get(request, pk)
    return render(
        request, "education/activities/detail.html", _context(request, item, upload_form=form), status=400
    )


@require_GET
@permission_required(VIEW, raise_exception=True)
def photo_view(request: AuthedRequest, pk: int, photo_id: int) -> FileResponse:
    item = _get(request, pk)
    photo = item.photos.filter(pk=photo_id).first()
    if photo is None:
        raise Http404
    return photo_response(photo, inline=request.GET.get("inline") == "1")
