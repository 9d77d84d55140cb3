"""Helpers shared by the foundation's views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, QueryDict
from django.utils.functional import cached_property

F = TypeVar("F", bound=forms.Form)


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Attach a service's ValidationError to the form: known fields by name, the rest to the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def take_step(
    form: Any,
    run: Callable[[], Any],
    *,
    field_errors: Callable[[Any, ValidationError], None] = add_service_errors,
) -> int:
    """Run a work item's step from a validated page form: 0 when it was taken, else the status to answer
    with and the service's reasons on the form (field errors by `field_errors`, refusals and conflicts)."""
    from django.utils.translation import gettext as _

    from xiaobao.core.errors import DomainError

    if not form.is_valid():
        return 400
    try:
        run()
    except ValidationError as exc:
        field_errors(form, exc)
        return 400
    except PermissionDenied as exc:
        form.add_error(None, str(exc) or _("You may not do this."))
        return 403
    except DomainError as exc:
        form.add_error(None, exc.message)
        return exc.status
    return 0


class CappedPaginator(Paginator):
    """Counts at most `cap` + 1 rows (`SELECT COUNT(*) FROM (… LIMIT cap + 1)`): a text search that
    matches a fifth of millions of complaints shows "more than 1,000" instead of reading every match."""

    def __init__(self, object_list: Any, per_page: int, cap: int) -> None:
        super().__init__(object_list, per_page)
        self.cap = cap

    @cached_property
    def count(self) -> int:
        queryset: Any = self.object_list  # a QuerySet (the cap needs SQL), or a list that counts itself
        if hasattr(queryset, "capped_count"):
            return int(queryset.capped_count(self.cap))
        return queryset.order_by()[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap


def paginate(request: HttpRequest, queryset: Any, per_page: int = 50, cap: int | None = None) -> Page:
    """One page of `queryset`; with `cap` the total is counted only up to cap + 1 (`paginator.capped`)."""
    paginator = CappedPaginator(queryset, per_page, cap) if cap else Paginator(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def bound_filter(request: HttpRequest, form_class: type[F]) -> tuple[F, dict[str, Any]]:
    """A list's filter form bound to the query string without the page number and empty values, and its
    cleaned data ({} while invalid) — shared by every filtered list page and its export."""
    params = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        values = [v for v in values if v != ""]
        if values and key != "page":
            params.setlist(key, values)
    form = form_class(params or None)
    return form, (form.cleaned_data if form.is_valid() else {})
