"""Organisation pages: the tree, a unit, and its actions (create, edit, move, close, figures, import)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xiaobao.core.forms import FiguresForm, ImportForm, MoveForm, OrgUnitForm
from xiaobao.core.models import OrgUnit
from xiaobao.core.scoping import ALL, import_root, user_scope
from xiaobao.core.selectors import org_tree_rows, user_list
from xiaobao.core.services import org as svc
from xiaobao.core.views.common import add_service_errors

MANAGE = "core.manage_org"


def _visible_unit(request: HttpRequest, pk: int) -> OrgUnit:
    return get_object_or_404(OrgUnit.objects.visible_to(request.user), pk=pk)


def tree(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:50]
    include_closed = request.GET.get("closed") == "1"
    rows = org_tree_rows(user=request.user, q=q, include_closed=include_closed)
    return render(request, "core/org_tree.html", {"rows": rows, "q": q, "include_closed": include_closed})


def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _visible_unit(request, pk)
    ancestors = [a for a in unit.ancestors() if _in_scope(request, a)]
    children = unit.children.order_by("sort_order", "path")
    users = user_list(user=request.user, unit=unit).filter(org_unit=unit)
    return render(
        request,
        "core/org_unit.html",
        {
            "unit": unit,
            "ancestors": ancestors,
            "children": children,
            "users": users,
            "figures": unit.year_figures.all(),
            "figures_form": FiguresForm(),
            "move_form": MoveForm(user=request.user),
        },
    )


def _in_scope(request: HttpRequest, unit: OrgUnit) -> bool:
    scope = user_scope(request.user)
    return scope == ALL or (scope is not None and unit.path.startswith(scope.path))  # type: ignore[union-attr]


@permission_required(MANAGE, raise_exception=True)
def unit_create(request: HttpRequest) -> HttpResponse:
    initial = {"parent": request.GET.get("parent")} if request.GET.get("parent") else None
    form = OrgUnitForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit = svc.org_unit_create(
                actor=request.user,
                code=data["code"],
                name=data["name"],
                kind=data["kind"],
                parent=data["parent"],
                region_code=data["region_code"],
                sort_order=data["sort_order"] or 0,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Unit %(name)s created.") % {"name": unit.name})
            return redirect("core:org_unit_detail", pk=unit.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "core/org_unit_form.html", {"form": form, "title": _("New unit")}, status=status)


@permission_required(MANAGE, raise_exception=True)
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _visible_unit(request, pk)
    initial = {
        "code": unit.code,
        "name": unit.name,
        "region_code": unit.region_code,
        "sort_order": unit.sort_order,
    }
    form = OrgUnitForm(request.POST or None, user=request.user, with_parent=False, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            svc.org_unit_update(actor=request.user, unit=unit, **{k: v for k, v in form.cleaned_data.items()})
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("core:org_unit_detail", pk=unit.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "core/org_unit_form.html",
        {"form": form, "unit": unit, "title": _("Edit unit")},
        status=status,
    )


def _redirect_with_errors(request: HttpRequest, unit: OrgUnit, exc: ValidationError) -> HttpResponse:
    for msg in exc.messages:
        messages.error(request, msg)
    return redirect("core:org_unit_detail", pk=unit.pk)


@require_POST
@permission_required(MANAGE, raise_exception=True)
def unit_move(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _visible_unit(request, pk)
    form = MoveForm(request.POST, user=request.user)
    if not form.is_valid():
        return _redirect_with_errors(request, unit, ValidationError(list(form.errors.get("parent", []))))
    try:
        svc.org_unit_move(actor=request.user, unit=unit, new_parent=form.cleaned_data["parent"])
    except ValidationError as exc:
        return _redirect_with_errors(request, unit, exc)
    messages.success(request, _("Unit moved."))
    return redirect("core:org_unit_detail", pk=unit.pk)


@require_POST
@permission_required(MANAGE, raise_exception=True)
def unit_close(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _visible_unit(request, pk)
    try:
        svc.org_unit_close(actor=request.user, unit=unit)
    except ValidationError as exc:
        return _redirect_with_errors(request, unit, exc)
    messages.success(request, _("Unit closed."))
    return redirect("core:org_unit_detail", pk=unit.pk)


@require_POST
@permission_required(MANAGE, raise_exception=True)
def unit_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _visible_unit(request, pk)
    try:
        svc.org_unit_reopen(actor=request.user, unit=unit)
    except ValidationError as exc:
        return _redirect_with_errors(request, unit, exc)
    messages.success(request, _("Unit reopened."))
    return redirect("core:org_unit_detail", pk=unit.pk)


@require_POST
@permission_required(MANAGE, raise_exception=True)
def unit_figures(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _visible_unit(request, pk)
    form = FiguresForm(request.POST)
    if not form.is_valid():
        for field, errs in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, _("%(field)s: %(error)s") % {"field": label, "error": errs[0]})
        return redirect("core:org_unit_detail", pk=unit.pk)
    svc.org_figures_set(actor=request.user, unit=unit, **form.cleaned_data)
    messages.success(request, _("Figures saved."))
    return redirect("core:org_unit_detail", pk=unit.pk)


@permission_required(MANAGE, raise_exception=True)
def unit_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            scope_root = import_root(request.user)
            try:
                report = svc.org_units_import(
                    actor=request.user, fileobj=form.cleaned_data["file"], scope_root=scope_root
                )  # type: ignore[arg-type]
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if report.ok:
                    messages.success(
                        request,
                        _("Imported: %(c)d created, %(u)d updated.")
                        % {"c": report.created, "u": report.updated},
                    )
                    return redirect("core:org_tree")
    return render(request, "core/org_import.html", {"form": form, "report": report}, status=status)
