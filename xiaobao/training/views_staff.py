"""Staff register pages: the register (unit picker, layer, status, search, counts, the year's hours against
each person's target), a new person, editing, marking as left (or back), the person's training record with
its Excel export, the register's Excel export, the import page (the import framework's `staff` kind) with a
template workbook, and every user's own record (/training/me/).

The register is staff data, not customers': names show plainly, but only to users with
`training.view_staff`, in their subtree (`StaffMember.objects.visible_to`). The own record needs only
`training.view_own_training` (every role, the learner included) and shows the user's own entry only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from xiaobao.core.clock import localdate
from xiaobao.core.exports import xlsx_book_bytes, xlsx_file_response
from xiaobao.core.http import AuthedRequest
from xiaobao.core.models.audit import AuditAction
from xiaobao.core.services.audit import audit_record
from xiaobao.core.views.common import add_service_errors, bound_filter, paginate, query_without_page
from xiaobao.training.forms_staff import (
    MAX_YEAR,
    MIN_YEAR,
    StaffFilter,
    StaffForm,
    filter_staff,
    unit_choices,
    year_of,
)
from xiaobao.training.importing import CODE as IMPORT_KIND
from xiaobao.training.importing import PRESET_NAME, TARGETS
from xiaobao.training.models import MANAGE_STAFF, OWN_RECORD, VIEW_STAFF, StaffMember
from xiaobao.training.records import (
    annotate_year,
    layer_counts,
    record_workbook,
    register_workbook,
    training_record,
)
from xiaobao.training.staff import may_manage, staff_create, staff_deactivate, staff_update


def _visible(request: AuthedRequest, pk: int) -> StaffMember:
    """The person if the user may see them; 404 otherwise (their existence is not revealed)."""
    staff = (
        StaffMember.objects.visible_to(request.user)
        .select_related("org_unit", "layer", "user")
        .filter(pk=pk)
        .first()
    )
    if staff is None:
        raise Http404
    return staff


def _year(request: AuthedRequest) -> int:
    try:
        year = int(request.GET.get("year") or localdate().year)
    except ValueError:
        return localdate().year
    return year if MIN_YEAR <= year <= MAX_YEAR else localdate().year


# --- the register ---------------------------------------------------------------------------------------


@require_GET
@permission_required(VIEW_STAFF, raise_exception=True)
def staff_list(request: AuthedRequest) -> HttpResponse:
    """The register in the user's subtree, filtered; HTMX filter changes get the results only."""
    form, filters = bound_filter(request, StaffFilter)
    year = year_of(filters)
    base = StaffMember.objects.visible_to(request.user)
    qs = filter_staff(base, filters, request.user) if not form.errors else base.none()
    people = qs.select_related("org_unit", "layer", "user").order_by("org_unit__path", "employee_no")
    page = paginate(request, people, per_page=50)
    annotate_year(list(page.object_list), year)
    counts = layer_counts(qs)
    context = {
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "year": year,
        "units": unit_choices(request.user),
        "counts": counts,
        "total": sum(c["n"] for c in counts),
        "active_total": sum(c["active"] for c in counts),
        "can_manage": request.user.has_perm(MANAGE_STAFF),
    }
    status = 400 if form.errors else 200
    template = "training/staff/list.html#results" if request.htmx else "training/staff/list.html"
    return render(request, template, context, status=status)


@require_GET
@permission_required(VIEW_STAFF, raise_exception=True)
def staff_export(request: AuthedRequest) -> HttpResponse:
    """The register as the list filters it, each person with the year's hours and target (audited)."""
    form, filters = bound_filter(request, StaffFilter)
    if form.errors:
        return HttpResponse(_("Invalid filter."), status=400)
    year = year_of(filters)
    qs = filter_staff(StaffMember.objects.visible_to(request.user), filters, request.user)
    content = register_workbook(qs, year)
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        object_type="training.staffmember",
        object_repr=_("Staff register"),
        changes={"filters": {k: str(v) for k, v in filters.items() if v not in (None, "")}, "year": year},
    )
    return xlsx_file_response(f"staff-register-{year}-{localdate():%Y%m%d}.xlsx", content)


# --- one person -----------------------------------------------------------------------------------------


@permission_required(MANAGE_STAFF, raise_exception=True)
def staff_new(request: AuthedRequest) -> HttpResponse:
    initial: dict[str, Any] = {}
    if request.user.org_unit_id:
        initial["org_unit"] = request.user.org_unit_id
    form = StaffForm(request.POST if request.method == "POST" else None, user=request.user, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                staff = staff_create(actor=request.user, data=form.to_data(editing=False))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("%(name)s (%(no)s) added to the register.")
                    % {"name": staff.name, "no": staff.employee_no},
                )
                return redirect("training:staff_record", pk=staff.pk)
    return render(request, "training/staff/form.html", {"form": form, "staff": None}, status=status)


@permission_required(MANAGE_STAFF, raise_exception=True)
def staff_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    staff = _visible(request, pk)
    if not may_manage(request.user, staff):
        raise PermissionDenied
    form = StaffForm(request.POST if request.method == "POST" else None, user=request.user, staff=staff)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                staff_update(actor=request.user, staff=staff, data=form.to_data(editing=True))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("training:staff_record", pk=staff.pk)
    return render(request, "training/staff/form.html", {"form": form, "staff": staff}, status=status)


@permission_required(MANAGE_STAFF, raise_exception=True)
def staff_deactivate_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """Confirm and mark a person as left (POST `active=1` brings them back)."""
    staff = _visible(request, pk)
    if not may_manage(request.user, staff):
        raise PermissionDenied
    if request.method == "POST":
        back = request.POST.get("active") == "1"
        staff_deactivate(actor=request.user, staff=staff, active=back)
        if back:
            messages.success(request, _("%(name)s is active again.") % {"name": staff.name})
        else:
            messages.success(
                request,
                _("%(name)s is marked as left: no longer counted in coverage; the record is kept.")
                % {"name": staff.name},
            )
        return redirect("training:staff_record", pk=staff.pk)
    return render(request, "training/staff/deactivate.html", {"staff": staff})


@require_GET
@permission_required(VIEW_STAFF, raise_exception=True)
def staff_record(request: AuthedRequest, pk: int) -> HttpResponse:
    """A person's training record of a year (sessions, hours against the target, exams)."""
    staff = _visible(request, pk)
    year = _year(request)
    context = {
        "record": training_record(staff, year),
        "mine": False,
        "can_manage": may_manage(request.user, staff),
        "years": _year_links(year),
        "export_url": reverse("training:staff_record_export", args=[staff.pk]) + f"?year={year}",
    }
    return render(request, "training/record.html", context)


@require_GET
@permission_required(VIEW_STAFF, raise_exception=True)
def staff_record_export(request: AuthedRequest, pk: int) -> HttpResponse:
    staff = _visible(request, pk)
    year = _year(request)
    audit_record(actor=request.user, action=AuditAction.EXPORT, obj=staff, changes={"record_year": year})
    return xlsx_file_response(
        f"training-record-{staff.employee_no}-{year}.xlsx", record_workbook(training_record(staff, year))
    )


def _year_links(year: int) -> list[int]:
    """This year and the four before (and the year shown, when older)."""
    this = localdate().year
    years = list(range(this, this - 5, -1))
    return years if year in years else [*years, year]


# --- the own record -------------------------------------------------------------------------------------


def _own(request: AuthedRequest) -> StaffMember | None:
    return StaffMember.objects.select_related("org_unit", "layer", "user").filter(user=request.user).first()


@require_GET
@permission_required(OWN_RECORD, raise_exception=True)
def my_record(request: AuthedRequest) -> HttpResponse:
    """The user's own training record; a user without an entry in the register is told why and what to do."""
    staff = _own(request)
    year = _year(request)
    context: dict[str, Any] = {"mine": True, "years": _year_links(year), "year": year}
    if staff is None:
        return render(request, "training/record_missing.html", context)
    context.update(
        record=training_record(staff, year),
        export_url=reverse("training:my_record_export") + f"?year={year}",
    )
    return render(request, "training/record.html", context)


@require_GET
@permission_required(OWN_RECORD, raise_exception=True)
def my_record_export(request: AuthedRequest) -> HttpResponse:
    staff = _own(request)
    if staff is None:
        raise Http404
    year = _year(request)
    return xlsx_file_response(
        f"training-record-{staff.employee_no}-{year}.xlsx", record_workbook(training_record(staff, year))
    )


# --- import ---------------------------------------------------------------------------------------------


@require_GET
@permission_required(MANAGE_STAFF, raise_exception=True)
def staff_import(request: AuthedRequest) -> HttpResponse:
    """Importing the register: the columns a file can have, the template, the upload, recent imports."""
    from xiaobao.imports.models import ImportJob

    jobs = (
        ImportJob.objects.visible_to(request.user)
        .filter(kind=IMPORT_KIND)
        .select_related("org_unit", "requested_by")
        .defer("profile", "errors", "value_maps", "columns", "defaults")
        .order_by("-created_at", "-id")[:20]
    )
    context = {
        "jobs": jobs,
        "targets": TARGETS,
        "upload_url": f"{reverse('imports:create')}?kind={IMPORT_KIND}",
        "preset_name": PRESET_NAME,
    }
    return render(request, "training/staff/import.html", context)


@require_GET
@permission_required(MANAGE_STAFF, raise_exception=True)
def staff_import_template(request: AuthedRequest) -> HttpResponse:
    """An empty register with the preset's column names, two example rows and a sheet explaining them."""
    from xiaobao.training.importing import PRESET

    columns = PRESET["columns"]
    headers = [columns[t.name][0] for t in TARGETS]  # type: ignore[index]
    examples = [
        ["000123", "张三", "", "一线员工", "柜员", "2021-07-01", "在职"],
        ["000456", "李四", "", "新入职员工", "客户经理", "2026-02-01", "在职"],
    ]
    readme = [
        (columns[t.name][0], str(t.label), str(t.help), "、".join(columns[t.name][1:]))  # type: ignore[index]
        for t in TARGETS
    ]
    content = xlsx_book_bytes(
        [
            (_("Staff register"), headers, examples),
            (
                pgettext("template sheet", "Columns"),
                [_("Column"), _("Field"), _("Notes"), _("Also read as")],
                readme,
            ),
        ]
    )
    return xlsx_file_response("staff-register-template.xlsx", content)
