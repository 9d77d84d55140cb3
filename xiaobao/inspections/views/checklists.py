"""Checklist pages: the list, one version, the editor (new checklist or edit: a used version gets a new
version), and the rating bands."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from xiaobao.core.errors import DomainError
from xiaobao.core.http import AuthedRequest
from xiaobao.inspections.checklists import (
    checklist_as_input,
    checklist_create,
    checklist_update,
    rating_bands_update,
)
from xiaobao.inspections.forms import (
    ITEM_KIND_CHOICES,
    KIND_CHOICES,
    RatingBandForm,
    checklist_from_post,
    editor_rows,
)
from xiaobao.inspections.models import ChecklistTemplate, RatingBand
from xiaobao.inspections.selectors import (
    checklist_detail,
    checklist_list,
    checklist_sheet,
    checklist_versions,
)
from xiaobao.inspections.workflow import CHECKLISTS, VIEW

FIELD_NAMES = {
    "code": "代码",
    "name": "名称",
    "text": "检查项",
    "kind": "类型",
    "max_score": "分值",
    "weight": "权重",
    "gate_item_code": "否决项",
    "guidance": "说明",
    "sections": "部分",
    "items": "检查项",
    "description": "说明",
}


def _where(key: str) -> str:
    """`sections.1.items.2.text` → “第2部分 第3项 · 检查项”."""
    m = re.match(r"^sections\.(\d+)(?:\.items\.(\d+))?(?:\.(\w+))?$", key)
    if not m:
        return FIELD_NAMES.get(key, key if key != "__all__" else "")
    sec, item, field = m.groups()
    parts = [_("Section %(n)d") % {"n": int(sec) + 1}]
    if item is not None:
        parts.append(_("item %(n)d") % {"n": int(item) + 1})
    if field:
        parts.append(FIELD_NAMES.get(field, field))
    return " · ".join(parts)


def _get(request: AuthedRequest, pk: int) -> ChecklistTemplate:
    template = checklist_detail(user=request.user, pk=pk)
    if template is None:
        raise Http404
    return template


@permission_required(VIEW, raise_exception=True)
def checklist_list_view(request: AuthedRequest) -> HttpResponse:
    old = request.GET.get("all") == "1"
    context = {
        "templates": checklist_list(user=request.user, include_old=old),
        "all": old,
        "bands": RatingBand.objects.all(),
        "may_edit": request.user.has_perm(CHECKLISTS),
    }
    return render(request, "inspections/checklists.html", context)


@permission_required(VIEW, raise_exception=True)
def checklist_detail_view(request: AuthedRequest, pk: int) -> HttpResponse:
    template = _get(request, pk)
    context = {
        "t": template,
        "sheet": checklist_sheet(template),
        "versions": checklist_versions(template),
        "may_edit": request.user.has_perm(CHECKLISTS) and template.is_current,
    }
    return render(request, "inspections/checklist_detail.html", context)


def _editor(
    request: AuthedRequest,
    data: dict[str, Any],
    template: ChecklistTemplate | None,
    errors: dict[str, list[str]],
) -> HttpResponse:
    context = {
        "t": template,
        "data": data,
        "rows": editor_rows(data),
        "errors": [(_where(k), v) for k, v in errors.items()],
        "error_keys": set(errors),
        "kinds": KIND_CHOICES,
        "item_kinds": ITEM_KIND_CHOICES,
        "used": template is not None and template.inspections.exists(),
    }
    return render(request, "inspections/checklist_edit.html", context, status=400 if errors else 200)


def _save(request: AuthedRequest, template: ChecklistTemplate | None) -> HttpResponse:
    data = checklist_from_post(request.POST)
    try:
        if template is None:
            saved = checklist_create(actor=request.user, data=data)
        else:
            saved = checklist_update(actor=request.user, template=template, data=data)
    except ValidationError as exc:
        return _editor(
            request,
            data,
            template,
            exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages},
        )
    except DomainError as exc:
        return _editor(request, data, template, {"__all__": [exc.message]})
    if template is not None and saved.pk != template.pk:
        messages.success(
            request,
            _("Inspections used version %(old)d: saved as version %(new)d.")
            % {"old": template.version, "new": saved.version},
        )
    else:
        messages.success(request, _("Checklist saved."))
    return redirect("inspections:checklist_detail", pk=saved.pk)


@permission_required(VIEW, raise_exception=True)
@permission_required(CHECKLISTS, raise_exception=True)
def checklist_create_view(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        return _save(request, None)
    copy = request.GET.get("copy")
    data: dict[str, Any] = {"code": "", "name": "", "kind": "onsite", "description": "", "sections": []}
    if copy and copy.isdigit():
        source = checklist_detail(user=request.user, pk=int(copy))
        if source is not None:
            data = {**checklist_as_input(source), "code": "", "name": f"{source.name}（副本）"}
    return _editor(request, data, None, {})


@permission_required(VIEW, raise_exception=True)
@permission_required(CHECKLISTS, raise_exception=True)
def checklist_edit_view(request: AuthedRequest, pk: int) -> HttpResponse:
    template = _get(request, pk)
    if request.method == "POST":
        return _save(request, template)
    return _editor(request, checklist_as_input(template), template, {})


@permission_required(VIEW, raise_exception=True)
@permission_required(CHECKLISTS, raise_exception=True)
def rating_bands_view(request: AuthedRequest) -> HttpResponse:
    current = dict(RatingBand.objects.values_list("stars", "min_percent"))
    form = RatingBandForm(request.POST or None, initial_bands=current)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                rating_bands_update(actor=request.user, bands=form.bands())
            except ValidationError as exc:
                for k, v in exc.message_dict.items():
                    form.add_error(k if k in form.fields else None, v)
            else:
                messages.success(request, _("Rating bands saved."))
                return redirect("inspections:checklists")
    return render(request, "inspections/rating_bands.html", {"form": form}, status=status)
