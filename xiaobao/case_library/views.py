"""Case library pages: browse and search, an entry, drafting (from fields or a closed complaint), publishing,
circulating a selection with read receipts, the reader's reading list, and the training export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiaobao.case_library import exports, selectors, services
from xiaobao.case_library.forms import CirculateForm, EntryFilter, EntryForm
from xiaobao.case_library.models import MANAGE, VIEW, Audience, CaseEntry, Circulation
from xiaobao.core.clock import localdate
from xiaobao.core.errors import DomainError
from xiaobao.core.exports import xlsx_file_response
from xiaobao.core.http import AuthedRequest
from xiaobao.core.services.audit import audit_record
from xiaobao.core.views.common import add_service_errors, paginate, query_without_page, take_step

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXPORT_MAX = 200


def _filters(request: AuthedRequest) -> tuple[EntryFilter, dict[str, Any]]:
    params = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        values = [v for v in values if v != ""]
        if values and key not in ("page", "ids"):
            params.setlist(key, values)
    form = EntryFilter(params or None, user=request.user)
    return form, (dict(form.cleaned_data) if form.is_valid() else {})


def _ids(request: AuthedRequest, name: str = "ids") -> list[int]:
    out = []
    for v in request.GET.getlist(name) + request.POST.getlist(name):
        if v.isdigit() and 0 < int(v) < 2**31 and int(v) not in out:
            out.append(int(v))
    return out[:EXPORT_MAX]


def _entry(request: AuthedRequest, pk: int) -> CaseEntry:
    entry = selectors.entry_detail(user=request.user, pk=pk)
    if entry is None:
        raise Http404
    return entry


def _manageable(request: AuthedRequest, pk: int) -> CaseEntry:
    if not request.user.has_perm(MANAGE):
        raise PermissionDenied
    entry = _entry(request, pk)
    if not services.may_manage(request.user, entry):
        raise PermissionDenied(_("This entry belongs to a unit outside your scope."))
    return entry


# --- browse -------------------------------------------------------------------------------------------


@require_GET
@permission_required(VIEW, raise_exception=True)
def home(request: AuthedRequest) -> HttpResponse:
    form, filters = _filters(request)
    if form.is_bound and not form.is_valid():
        filters = {}
    page = paginate(request, selectors.entry_list(user=request.user, filters=filters), per_page=20)
    can_manage = request.user.has_perm(MANAGE)
    context = {
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "can_manage": can_manage,
        "tags": selectors.tags_in_use(request.user, limit=20),
        "proposals": list(selectors.proposals(request.user, limit=20)) if can_manage else [],
        "reading": [
            r
            for r in selectors.my_reading(request.user)
            if not (r["receipt"] and r["receipt"].acknowledged_at)
        ][:5],
    }
    status = 400 if form.is_bound and not form.is_valid() else 200
    template = "case_library/home.html#results" if request.htmx else "case_library/home.html"
    return render(request, template, context, status=status)


@require_GET
@permission_required(VIEW, raise_exception=True)
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    context = {
        "entry": entry,
        "can_manage": services.may_manage(request.user, entry),
        "source_visible": selectors.source_visible(request.user, entry),
    }
    return render(request, "case_library/detail.html", context)


# --- drafting -----------------------------------------------------------------------------------------


def _form_data(form: EntryForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data["tags"] = services.clean_tags(data.get("tags", ""))
    return data


def _initial(entry: CaseEntry | None, user: Any) -> dict[str, Any]:
    if entry is None:
        return {
            "year": localdate().year,
            "org_unit": user.org_unit.code if user.org_unit_id else "",
            "audience": Audience.INSTITUTION if services.sees_all(user) else Audience.SUBTREE,
        }
    return {
        "title": entry.title,
        "facts": entry.facts,
        "handling": entry.handling,
        "outcome": entry.outcome,
        "lessons": entry.lessons,
        "business_type": entry.business_type.code if entry.business_type else "",
        "cause": entry.cause.code if entry.cause else "",
        "tags": "，".join(entry.tags),
        "org_unit": entry.org_unit.code,
        "year": entry.year,
        "audience": entry.audience,
    }


def _render_form(
    request: AuthedRequest, form: EntryForm, entry: CaseEntry | None, status: int = 200
) -> HttpResponse:
    from xiaobao.case_library.services import SUGGESTED_TAGS

    return render(
        request,
        "case_library/form.html",
        {"form": form, "entry": entry, "suggested": SUGGESTED_TAGS},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE, raise_exception=True)
def create(request: AuthedRequest) -> HttpResponse:
    if not request.user.has_perm(VIEW):
        raise PermissionDenied
    if request.method == "POST":
        form = EntryForm(request.POST, user=request.user)
        holder: dict[str, CaseEntry] = {}

        def run() -> None:
            holder["entry"] = services.entry_create(actor=request.user, data=_form_data(form))

        status = take_step(form, run)
        if not status:
            messages.success(request, _("Draft saved. Check it once more, then publish it."))
            return redirect("case_library:detail", holder["entry"].pk)
        return _render_form(request, form, None, status)
    return _render_form(request, EntryForm(initial=_initial(None, request.user), user=request.user), None)


@require_POST
@permission_required(MANAGE, raise_exception=True)
def from_complaint(request: AuthedRequest, complaint_pk: int) -> HttpResponse:
    """ "Add to the case library" from a closed complaint: an anonymised draft to check and edit."""
    if not request.user.has_perm(VIEW):
        raise PermissionDenied
    from xiaobao.complaints.models import Complaint

    if not Complaint.objects.visible_to(request.user).filter(pk=complaint_pk).exists():
        raise Http404
    existing = CaseEntry.objects.filter(source_complaint_id=complaint_pk).first()
    if existing is not None:
        messages.info(request, _("This complaint is already in the case library."))
        visible = selectors.entry_detail(user=request.user, pk=existing.pk)
        return redirect(visible or "case_library:home")
    try:
        complaint = services.closed_complaint_for(request.user, complaint_pk)
        entry = services.entry_create(actor=request.user, data={}, complaint=complaint)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("case_library:home")
    except Exception as exc:  # a ValidationError: the complaint is not closed, or a text still leaks
        from django.core.exceptions import ValidationError

        if not isinstance(exc, ValidationError):
            raise
        messages.error(request, " ".join(exc.messages))
        return redirect("complaints:detail", complaint_pk)
    messages.success(
        request,
        _("Draft made from the complaint with personal data removed: check every text, then publish."),
    )
    return redirect("case_library:edit", entry.pk)


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE, raise_exception=True)
def edit(request: AuthedRequest, pk: int) -> HttpResponse:
    entry = _manageable(request, pk)
    if request.method == "POST":
        form = EntryForm(request.POST, user=request.user)
        status = take_step(
            form, lambda: services.entry_update(actor=request.user, entry=entry, data=_form_data(form))
        )
        if not status:
            if request.POST.get("publish") and not entry.is_published:
                try:
                    services.entry_publish(actor=request.user, entry=entry)
                except DomainError as exc:
                    messages.error(request, exc.message)
                    return redirect("case_library:detail", entry.pk)
                messages.success(request, _("Entry published."))
            else:
                messages.success(request, _("Entry saved."))
            return redirect("case_library:detail", entry.pk)
        return _render_form(request, form, entry, status)
    form = EntryForm(initial=_initial(entry, request.user), user=request.user)
    # show the checks at once: a draft made from a complaint may still hold something the detector finds
    return _render_form(request, form, entry)


@require_POST
@permission_required(MANAGE, raise_exception=True)
def publish(request: AuthedRequest, pk: int) -> HttpResponse:
    entry = _manageable(request, pk)
    from django.core.exceptions import ValidationError

    try:
        services.entry_publish(actor=request.user, entry=entry)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("case_library:edit", entry.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("case_library:detail", entry.pk)
    messages.success(request, _("Entry published."))
    return redirect("case_library:detail", entry.pk)


@require_POST
@permission_required(MANAGE, raise_exception=True)
def withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    entry = _manageable(request, pk)
    services.entry_withdraw(actor=request.user, entry=entry)
    messages.success(request, _("Entry withdrawn: it is a draft again."))
    return redirect("case_library:detail", entry.pk)


# --- circulating --------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE, raise_exception=True)
def circulate(request: AuthedRequest) -> HttpResponse:
    if not request.user.has_perm(VIEW):
        raise PermissionDenied
    ids = _ids(request, "ids") or _ids(request, "entries")
    entries = (
        list(selectors.entry_list(user=request.user, filters={"status": "published", "ids": ids}))
        if ids
        else []
    )
    if request.method == "POST":
        form = CirculateForm(request.POST, user=request.user, entries=entries)
        holder: dict[str, Circulation] = {}

        def run() -> None:
            holder["c"] = services.circulation_send(
                actor=request.user,
                entry_ids=form.cleaned_data["entries"],
                unit_ids=form.cleaned_data["units"],
                message=form.cleaned_data["message"],
            )

        status = take_step(form, run)
        if not status:
            n = holder["c"].receipts.count()
            messages.success(request, _("Circulated to %(n)d readers.") % {"n": n})
            return redirect("case_library:circulation", holder["c"].pk)
    else:
        form = CirculateForm(initial={"entries": [e.pk for e in entries]}, user=request.user, entries=entries)
        status = 200
    return render(
        request, "case_library/circulate.html", {"form": form, "entries": entries}, status=status or 200
    )


@require_GET
@permission_required(MANAGE, raise_exception=True)
def circulations(request: AuthedRequest) -> HttpResponse:
    if not request.user.has_perm(VIEW):
        raise PermissionDenied
    page = paginate(request, selectors.sent_circulations(request.user), per_page=30)
    return render(request, "case_library/circulations.html", {"page": page})


def _circulation(request: AuthedRequest, pk: int) -> Circulation:
    if not (request.user.has_perm(MANAGE) and request.user.has_perm(VIEW)):
        raise PermissionDenied
    c = selectors.circulation_detail(user=request.user, pk=pk)
    if c is None:
        raise Http404
    return c


@require_GET
def circulation(request: AuthedRequest, pk: int) -> HttpResponse:
    c = _circulation(request, pk)
    groups = selectors.receipts_by_unit(c)
    total = sum(len(g.receipts) for g in groups)
    read = sum(g.read for g in groups)
    context = {
        "c": c,
        "groups": groups,
        "entries": list(c.entries.select_related("org_unit")),
        "units": list(c.units.order_by("path")),
        "total": total,
        "read": read,
        "opened": sum(g.opened for g in groups),
    }
    return render(request, "case_library/circulation.html", context)


@require_POST
def remind(request: AuthedRequest, pk: int) -> HttpResponse:
    c = _circulation(request, pk)
    n = services.circulation_remind(actor=request.user, circulation=c)
    if n:
        messages.success(request, _("Reminded %(n)d readers who have not read it yet.") % {"n": n})
    else:
        messages.info(request, _("Everyone has read it: nobody to remind."))
    return redirect("case_library:circulation", c.pk)


# --- reading ------------------------------------------------------------------------------------------


@require_GET
@permission_required(VIEW, raise_exception=True)
def reading_list(request: AuthedRequest) -> HttpResponse:
    return render(request, "case_library/reading_list.html", {"rows": selectors.my_reading(request.user)})


def _addressed(request: AuthedRequest, pk: int) -> Circulation:
    if not request.user.has_perm(VIEW):
        raise PermissionDenied
    c = (
        Circulation.objects.addressed_to(request.user)
        .select_related("org_unit", "sender")
        .filter(pk=pk)
        .first()
        if 0 < pk < 2**31
        else None
    )
    if c is None:
        raise Http404
    return c


@require_GET
def reading(request: AuthedRequest, pk: int) -> HttpResponse:
    """A circulation as its reader sees it; opening it is recorded. A sender who is not a reader is sent to
    the receipts."""
    if not request.user.has_perm(VIEW):
        raise PermissionDenied
    c = Circulation.objects.addressed_to(request.user).filter(pk=pk).first() if 0 < pk < 2**31 else None
    if c is None:
        if selectors.circulation_detail(user=request.user, pk=pk) is not None:
            return redirect("case_library:circulation", pk)
        raise Http404
    c = _addressed(request, pk)
    receipt = services.receipt_open(user=request.user, circulation=c)
    entries = list(c.entries.select_related("org_unit", "business_type", "cause").filter(status="published"))
    return render(request, "case_library/reading.html", {"c": c, "receipt": receipt, "entries": entries})


@require_POST
def acknowledge(request: AuthedRequest, pk: int) -> HttpResponse:
    c = _addressed(request, pk)
    services.receipt_acknowledge(user=request.user, circulation=c)
    messages.success(request, _("Thank you: your reading is recorded."))
    return redirect("case_library:reading", c.pk)


# --- export -------------------------------------------------------------------------------------------


def _export_rows(request: AuthedRequest) -> list[CaseEntry]:
    ids = _ids(request)
    if ids:
        filters: dict[str, Any] = {"ids": ids}
    else:
        _form, filters = _filters(request)
    qs = selectors.entry_list(user=request.user, filters=filters).filter(status="published")
    return list(qs[:EXPORT_MAX])


def _audit_export(request: AuthedRequest, rows: list[CaseEntry], fmt: str) -> None:
    audit_record(
        actor=request.user,
        action="export",
        object_type="case_library.caseentry",
        object_repr=f"{len(rows)} entries ({fmt})",
        changes={"ids": [None, [e.pk for e in rows]]},
    )


@require_GET
@permission_required(VIEW, raise_exception=True)
def export_docx(request: AuthedRequest) -> HttpResponse:
    rows = _export_rows(request)
    _audit_export(request, rows, "docx")
    response = HttpResponse(exports.entries_docx(rows), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="case-library-{localdate().isoformat()}.docx"'
    return response


@require_GET
@permission_required(VIEW, raise_exception=True)
def export_xlsx(request: AuthedRequest) -> HttpResponse:
    rows = _export_rows(request)
    _audit_export(request, rows, "xlsx")
    return xlsx_file_response(f"case-library-{localdate().isoformat()}.xlsx", exports.entries_xlsx(rows))


__all__ = ["add_service_errors"]
