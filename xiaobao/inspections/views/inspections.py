"""Inspection pages: the list, one inspection (scores by section, findings, photos), the fill page for a phone
(answers saved one by one as JSON by its script), photos, actions and the findings list."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xiaobao.core.errors import DomainError
from xiaobao.core.http import AuthedRequest
from xiaobao.core.views.common import bound_filter, paginate, query_without_page
from xiaobao.inspections.filtersets import InspectionFilter
from xiaobao.inspections.forms import ActionForm, AnswerForm, FindingFilter, PhotoForm
from xiaobao.inspections.models import Inspection, InspectionPhoto
from xiaobao.inspections.photos import photo_response
from xiaobao.inspections.selectors import (
    finding_list,
    inspection_detail,
    inspection_list,
    inspection_sheet,
    loose_photos,
    outlet_complaints,
)
from xiaobao.inspections.services import TRANSITIONS, answer_save, inspection_act, photo_add, rating_bands
from xiaobao.inspections.workflow import CONDUCT, VIEW, WORKFLOW


def _get(request: AuthedRequest, pk: int) -> Inspection:
    inspection = inspection_detail(user=request.user, pk=pk)
    if inspection is None:
        raise Http404
    return inspection


@permission_required(VIEW, raise_exception=True)
def inspection_list_view(request: AuthedRequest) -> HttpResponse:
    """Inspections in the user's scope, filtered; HTMX filter changes get the results only."""
    form, filters = bound_filter(request, InspectionFilter)
    page = paginate(request, inspection_list(user=request.user, filters=filters))
    status = 400 if form.is_bound and not form.is_valid() else 200
    template = "inspections/list.html#results" if request.htmx else "inspections/list.html"
    context = {"form": form, "page": page, "query": query_without_page(request)}
    return render(request, template, context, status=status)


def _detail_context(request: AuthedRequest, inspection: Inspection) -> dict[str, Any]:
    return {
        "i": inspection,
        "sheet": inspection_sheet(inspection),
        "loose_photos": loose_photos(inspection),
        "findings": list(inspection.findings.select_related("repeat_of__inspection").order_by("pk")),
        "actions": TRANSITIONS.allowed_actions(request.user, inspection),
        "complaints": outlet_complaints(user=request.user, unit=inspection.org_unit),
        "may_fill": _may_fill(request, inspection),
        "action_form": ActionForm(),
    }


def _may_fill(request: AuthedRequest, inspection: Inspection) -> bool:
    return (
        request.user.has_perm(CONDUCT)
        and inspection.status in WORKFLOW.group("fillable")
        and inspection.handler_id in (None, request.user.pk)
    )


@permission_required(VIEW, raise_exception=True)
def inspection_detail_view(request: AuthedRequest, pk: int) -> HttpResponse:
    inspection = _get(request, pk)
    return render(request, "inspections/detail.html", _detail_context(request, inspection))


@permission_required(VIEW, raise_exception=True)
def inspection_fill_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """The phone page: one card per item, each answer saved as it is given."""
    inspection = _get(request, pk)
    if not _may_fill(request, inspection):
        raise PermissionDenied(_("This inspection is not yours to fill in now."))
    return render(request, "inspections/fill.html", _fill_context(inspection))


def _fill_context(inspection: Inspection, errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {
        "i": inspection,
        "sheet": inspection_sheet(inspection),
        "errors": errors or {},
        "loose_photos": loose_photos(inspection),
        "bands": [[s, float(p)] for s, p in rating_bands()],
    }


def _json_error(
    status: int, code: str, message: str, fields: dict[str, list[str]] | None = None
) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "fields": fields or {}}, status=status)


@require_POST
@permission_required(VIEW, raise_exception=True)
def answer_view(request: AuthedRequest, pk: int, item_code: str) -> HttpResponse:
    """Save one answer from the fill page; JSON back (the running score, or the error shape)."""
    inspection = _get(request, pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        fields = {k: [str(m) for m in v] for k, v in form.errors.items()}
        return _json_error(422, "invalid", _("Invalid input."), fields)
    try:
        saved = answer_save(
            actor=request.user,
            inspection=inspection,
            item_code=item_code,
            value=form.cleaned_data["value"],
            note=form.cleaned_data["note"],
            given_at=form.cleaned_data["given_at"],
        )
    except ValidationError as exc:
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"value": exc.messages}
        return _json_error(422, "invalid", next(iter(fields.values()))[0], fields)
    except DomainError as exc:
        return _json_error(exc.status, exc.code, exc.message, exc.fields)
    except PermissionDenied as exc:
        return _json_error(403, "forbidden", str(exc) or _("You do not have permission to do this."))
    r = saved.result
    return JsonResponse(
        {
            "item": item_code,
            "applied": saved.applied,
            "passed": saved.answer.passed,
            "status": saved.inspection.status,
            "score": str(r.score),
            "max_score": str(r.max_score),
            "percent": None if r.percent is None else str(r.percent),
            "complete": r.complete,
            "sections": [s.as_dict() for s in r.sections],
        }
    )


@require_POST
@permission_required(VIEW, raise_exception=True)
def photo_upload_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """A photo from the camera (JSON back for the fill page's script)."""
    inspection = _get(request, pk)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        return _json_error(
            422, "invalid", _("Choose a photo."), {k: [str(m) for m in v] for k, v in form.errors.items()}
        )
    upload = form.cleaned_data["file"]
    try:
        photo, created = photo_add(
            actor=request.user,
            inspection=inspection,
            fileobj=upload,
            name=upload.name or "photo",
            item_code=form.cleaned_data["item"],
        )
    except ValidationError as exc:
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"file": exc.messages}
        return _json_error(422, "invalid", next(iter(fields.values()))[0], fields)
    except DomainError as exc:
        return _json_error(exc.status, exc.code, exc.message, exc.fields)
    except PermissionDenied as exc:
        return _json_error(403, "forbidden", str(exc) or _("You do not have permission to do this."))
    url = reverse("inspections:photo", args=[inspection.pk, photo.pk])
    return JsonResponse({"id": photo.pk, "url": url, "created": created}, status=201 if created else 200)


@permission_required(VIEW, raise_exception=True)
def photo_view(request: AuthedRequest, pk: int, photo_pk: int) -> FileResponse:
    inspection = _get(request, pk)
    photo = InspectionPhoto.objects.filter(inspection=inspection, pk=photo_pk).first()
    if photo is None:
        raise Http404
    return photo_response(photo)


@require_POST
@permission_required(VIEW, raise_exception=True)
def action_view(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    """start / submit / cancel / reopen from the detail or fill page; errors shown on the page (4xx)."""
    inspection = _get(request, pk)
    if action not in WORKFLOW:
        raise Http404
    form = ActionForm(request.POST)
    errors: dict[str, list[str]] = {}
    if form.is_valid():
        note = form.cleaned_data["note"]
        try:
            inspection_act(
                actor=request.user, inspection=inspection, action=action, data={"note": note} if note else {}
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        except DomainError as exc:
            errors = {"__all__": [exc.message]}
        else:
            messages.success(
                request,
                _("%(ref)s: %(action)s done.")
                % {"ref": inspection.reference, "action": WORKFLOW[action].label},
            )
            return redirect("inspections:detail", pk=inspection.pk)
    else:
        errors = {k: [str(m) for m in v] for k, v in form.errors.items()}
    inspection = _get(request, pk)
    if action == "submit" and _may_fill(request, inspection):
        return render(request, "inspections/fill.html", _fill_context(inspection, errors), status=400)
    context = {**_detail_context(request, inspection), "errors": errors, "failed_action": action}
    return render(request, "inspections/detail.html", context, status=400)


@permission_required(VIEW, raise_exception=True)
def finding_list_view(request: AuthedRequest) -> HttpResponse:
    form, filters = bound_filter(request, FindingFilter)
    page = paginate(request, finding_list(user=request.user, filters=filters))
    status = 400 if form.is_bound and not form.is_valid() else 200
    template = "inspections/findings.html#results" if request.htmx else "inspections/findings.html"
    return render(
        request, template, {"form": form, "page": page, "query": query_without_page(request)}, status=status
    )
