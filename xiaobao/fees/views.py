"""Fee catalogue pages (staff): the catalogue, one item with its versions and reviews, a new item, a fee
change, sending it to its fee review, publishing under a passed review, discarding a draft, the export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from xiaobao.core.clock import localdate
from xiaobao.core.errors import DomainError
from xiaobao.core.exports import xlsx_file_response
from xiaobao.core.http import AuthedRequest
from xiaobao.core.models import OrgUnit
from xiaobao.core.views.common import add_service_errors, bound_filter, paginate, query_without_page
from xiaobao.fees.choices import PENDING, Status
from xiaobao.fees.exports import catalogue_workbook
from xiaobao.fees.forms import FeeItemForm, FeeVersionForm, PublishForm, SubmitForm
from xiaobao.fees.models import MANAGE, VIEW, FeeItem, FeeVersion
from xiaobao.fees.reviews import is_withdrawn, passed_fee_reviews, review_url
from xiaobao.fees.selectors import FeeFilter, fee_detail, fee_list, first
from xiaobao.fees.services import (
    at_head_office,
    can_manage,
    can_publish,
    fee_change_discard,
    fee_change_draft,
    fee_change_publish,
    fee_change_submit,
    fee_item_create,
    pending_version,
)


def _get(request: AuthedRequest, pk: int) -> FeeItem:
    """The item if the user may see it; 404 otherwise (its existence is not revealed)."""
    item = fee_detail(user=request.user, pk=pk)
    if item is None:
        raise Http404
    return item


def _version(item: FeeItem, version_id: int) -> FeeVersion:
    version = next((v for v in item.versions.all() if v.pk == version_id), None)
    if version is None:
        raise Http404
    return version


# --- the catalogue -----------------------------------------------------------------------------------------


@require_GET
@permission_required(VIEW, raise_exception=True)
def fee_list_view(request: AuthedRequest) -> HttpResponse:
    """The items in the user's view with the fee in force today, the next scheduled one and a pending
    change; HTMX filter changes get the results only."""
    form, filters = bound_filter(request, FeeFilter)
    today = localdate()
    page = paginate(request, fee_list(user=request.user, filters=filters, day=today), per_page=100)
    for item in page.object_list:
        item.now = first(item.current)
        item.next = first(item.upcoming)
        item.change = first(item.pending)
    status = 400 if form.is_bound and not form.is_valid() else 200
    template = "fees/list.html#results" if request.htmx else "fees/list.html"
    context = {"form": form, "page": page, "query": query_without_page(request), "today": today}
    return render(request, template, context, status=status)


@require_GET
@permission_required(VIEW, raise_exception=True)
def fee_export(request: AuthedRequest) -> HttpResponse:
    """The catalogue as the list filters it: the fees in force today and every version (history)."""
    _form, filters = bound_filter(request, FeeFilter)
    today = localdate()
    items = list(fee_list(user=request.user, filters=filters, day=today).prefetch_related("versions"))
    content = catalogue_workbook(items, today=today, internal=True)
    return xlsx_file_response(f"fees-{today:%Y%m%d}.xlsx", content)


# --- a new item --------------------------------------------------------------------------------------------


@permission_required(MANAGE, raise_exception=True)
def fee_create(request: AuthedRequest) -> HttpResponse:
    """A new catalogue entry with its first fee as a draft change (sent to its fee review from the item)."""
    initial: dict[str, Any] = {}
    if at_head_office(request.user):  # the head office's people mostly keep the institution-wide fees
        initial["org_unit"] = (
            OrgUnit.objects.filter(parent__isnull=True).values_list("code", flat=True).first()
        )
    elif request.user.org_unit is not None:
        initial["org_unit"] = request.user.org_unit.code
    form = FeeItemForm(request.POST if request.method == "POST" else None, user=request.user, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                item = fee_item_create(actor=request.user, data=form.to_data())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("Fee item %(code)s created with a draft fee.") % {"code": item.code}
                )
                return redirect(item.get_absolute_url())
    return render(request, "fees/form.html", {"form": form}, status=status)


# --- one item ----------------------------------------------------------------------------------------------


def _context(request: AuthedRequest, item: FeeItem, **extra: Any) -> dict[str, Any]:
    today = localdate()
    versions = list(item.versions.all())
    reviews: dict[int, dict[str, Any]] = {}
    for v in versions:
        if v.review_id and v.review_id not in reviews:
            reviews[v.review_id] = {"review": v.review, "url": review_url(v.review), "versions": []}
        if v.review_id:
            reviews[v.review_id]["versions"].append(v.number)
    pending = next((v for v in versions if v.status in PENDING), None)
    may_publish = can_publish(request.user, item)
    return {
        "item": item,
        "today": today,
        "versions": versions,
        "current": next((v for v in versions if v.in_force_on(today)), None),
        "upcoming": [v for v in versions if v.status == Status.PUBLISHED and v.effective_from > today],
        "pending": pending,
        "withdrawn": pending is not None and is_withdrawn(pending.review),
        "reviews": list(reviews.values()),
        "can_manage": can_manage(request.user, item),
        "can_publish": may_publish,
        "can_view_reviews": request.user.has_perm("review.view_review"),
        "submit_form": extra.pop("submit_form", None) or SubmitForm(),
        **extra,
    }


@require_GET
@permission_required(VIEW, raise_exception=True)
def fee_detail_view(request: AuthedRequest, pk: int) -> HttpResponse:
    item = _get(request, pk)
    return render(request, "fees/detail.html", _context(request, item))


@permission_required(MANAGE, raise_exception=True)
def fee_change(request: AuthedRequest, pk: int) -> HttpResponse:
    """Draft a change of the fee (or edit the draft there is); refused while a change is in its review."""
    item = _get(request, pk)
    if not can_manage(request.user, item):
        raise PermissionDenied
    pending = pending_version(item)
    if pending is not None and pending.status == Status.IN_REVIEW and not is_withdrawn(pending.review):
        messages.error(request, _("A change of this fee is in its fee review; wait for the conclusion."))
        return render(request, "fees/detail.html", _context(request, item), status=409)
    base = pending or next((v for v in item.versions.all() if v.in_force_on(localdate())), None)
    initial: dict[str, Any] = {}
    if base is not None:
        initial = {
            k: getattr(base, k)
            for k in ("fee", "amount", "amount_unit", "basis", "basis_document", "discounts")
        }
        if pending is not None:
            initial.update(effective_from=pending.effective_from, reason=pending.reason)
    form = FeeVersionForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                version = fee_change_draft(actor=request.user, item=item, data=form.to_data())
            except ValidationError as exc:
                add_service_errors(form, exc)
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = exc.status
            else:
                messages.success(
                    request,
                    _("Draft change (version %(n)d) saved. Send it to its fee review when it is ready.")
                    % {"n": version.number},
                )
                return redirect(item.get_absolute_url())
    context = {"item": item, "form": form, "pending": pending}
    return render(request, "fees/change.html", context, status=status)


def _refuse(request: AuthedRequest, item: FeeItem, exc: Exception, **extra: Any) -> HttpResponse:
    """Back to the item page with the reason (status 400, 403 or 409); nothing was written."""
    if isinstance(exc, ValidationError):
        message, status = " ".join(exc.messages), 400
    elif isinstance(exc, PermissionDenied):
        message, status = str(exc) or _("You may not do this."), 403
    else:
        message, status = exc.message, exc.status  # type: ignore[attr-defined]
    messages.error(request, message)
    return render(
        request, "fees/detail.html", _context(request, _get(request, item.pk), **extra), status=status
    )


@require_POST
@permission_required(MANAGE, raise_exception=True)
def fee_submit(request: AuthedRequest, pk: int, version_id: int) -> HttpResponse:
    """Send the draft change to its fee review."""
    item = _get(request, pk)
    version = _version(item, version_id)
    if not can_manage(request.user, item):
        raise PermissionDenied
    form = SubmitForm(request.POST)
    if not form.is_valid():
        return render(request, "fees/detail.html", _context(request, item, submit_form=form), status=400)
    try:
        version = fee_change_submit(actor=request.user, version=version, note=form.cleaned_data["note"])
    except (ValidationError, PermissionDenied, DomainError) as exc:
        return _refuse(request, item, exc, submit_form=form)
    messages.success(
        request,
        _("Sent to the fee review %(ref)s.") % {"ref": version.review.reference if version.review else ""},
    )
    return redirect(item.get_absolute_url())


@require_POST
@permission_required(MANAGE, raise_exception=True)
def fee_discard(request: AuthedRequest, pk: int, version_id: int) -> HttpResponse:
    item = _get(request, pk)
    version = _version(item, version_id)
    if not can_manage(request.user, item):
        raise PermissionDenied
    try:
        fee_change_discard(actor=request.user, version=version)
    except (PermissionDenied, DomainError) as exc:
        return _refuse(request, item, exc)
    messages.success(request, _("Draft change discarded."))
    return redirect(item.get_absolute_url())


def fee_publish(request: AuthedRequest, pk: int, version_id: int) -> HttpResponse:
    """Publish a change under a fee review that has passed (one review may cover several items)."""
    if not request.user.has_perm("fees.publish_fees"):
        raise PermissionDenied
    item = _get(request, pk)
    version = _version(item, version_id)
    if not can_publish(request.user, item):
        raise PermissionDenied
    reviews = list(passed_fee_reviews(request.user)[:200])
    form = PublishForm(request.POST if request.method == "POST" else None, reviews=reviews)
    status = 200
    if version.status not in PENDING:
        form.is_valid()
        form.add_error(None, _("Only a draft or in-review change can be published."))
        status = 409
    elif request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                published = fee_change_publish(
                    actor=request.user, version=version, review=form.cleaned_data["review"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = exc.status
            else:
                messages.success(
                    request,
                    _("Published: in force from %(day)s.") % {"day": published.effective_from.isoformat()},
                )
                return redirect(item.get_absolute_url())
    context = {"item": item, "version": version, "form": form, "reviews": reviews}
    return render(request, "fees/publish.html", context, status=status)
