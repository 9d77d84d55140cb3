"""Helpers shared by the foundation's views."""

from __future__ import annotations

from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, QueryDict

F = TypeVar("F", bound=forms.Form)


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Attach a service's ValidationError to the form: known fields by name, the rest to the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def paginate(request: HttpRequest, queryset: Any, per_page: int = 50) -> Page:
    paginator = Paginator(queryset, per_page)
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
