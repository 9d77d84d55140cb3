"""The working-day calendar page: year grid, overrides, hand-entered years, a deadline calculator."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from xiaobao.core.models import CalendarOverride
from xiaobao.core.roles import MANAGE_CALENDAR
from xiaobao.core.services.calendar import (
    calendar_override_delete,
    calendar_override_list,
    calendar_override_set,
    calendar_year_data,
    calendar_year_mark,
    calendar_year_row,
)
from xiaobao.core.workdays import MAX_YEAR, MIN_YEAR, Deadline, get_calendar

TEMPLATE = "core/calendar.html"
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OverrideForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("Date"), widget=DATE_WIDGET)
    is_workday = forms.TypedChoiceField(
        label=gettext_lazy("Kind"),
        coerce=lambda v: v == "1",
        choices=[("0", gettext_lazy("Holiday")), ("1", gettext_lazy("Working day"))],
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=60)
    source_document = forms.CharField(label=gettext_lazy("Source document"), max_length=200, required=False)

    def clean_date(self) -> dt.date:
        value: dt.date = self.cleaned_data["date"]
        if not MIN_YEAR <= value.year <= MAX_YEAR:
            raise ValidationError(
                _("Enter a date between %(min)s and %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR}
            )
        return value


class YearMarkForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    source_document = forms.CharField(label=gettext_lazy("Source document"), max_length=200)
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DeadlineForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("Day of receipt"), widget=DATE_WIDGET)
    days = forms.IntegerField(label=gettext_lazy("Days"), min_value=0, max_value=3650)
    unit = forms.ChoiceField(
        label=pgettext_lazy("deadline", "Count"),
        choices=[("calendar", gettext_lazy("Calendar days")), ("working", gettext_lazy("Working days"))],
    )
    roll_forward = forms.BooleanField(
        label=gettext_lazy("Move to the next working day"), required=False, initial=True
    )

    def clean_start(self) -> dt.date:
        value: dt.date = self.cleaned_data["start"]
        if not MIN_YEAR <= value.year <= MAX_YEAR - 11:
            raise ValidationError(
                _("Enter a date between %(min)s and %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR - 11}
            )
        return value

    def compute(self) -> Deadline:
        data = self.cleaned_data
        return get_calendar().deadline(
            data["start"], data["days"], data["unit"], roll_forward=data["roll_forward"]
        )


def _year_param(raw: str | None) -> int:
    """The `?year=` parameter; anything unusable falls back to the current year."""
    try:
        year = int(raw or "")
    except ValueError:
        return timezone.localdate().year
    return year if MIN_YEAR <= year <= MAX_YEAR else timezone.localdate().year


def _calculator(request: HttpRequest) -> tuple[DeadlineForm, Deadline | None]:
    if "calc" not in request.GET:
        return DeadlineForm(initial={"start": timezone.localdate(), "days": 15, "unit": "calendar"}), None
    form = DeadlineForm(request.GET)
    return form, form.compute() if form.is_valid() else None


def _render_page(
    request: HttpRequest,
    year: int,
    *,
    status: int = 200,
    override_form: OverrideForm | None = None,
    year_form: YearMarkForm | None = None,
) -> HttpResponse:
    cal = get_calendar()
    calc_form, result = _calculator(request)
    context: dict[str, Any] = {
        "year": year,
        "prev_year": year - 1,
        "next_year": year + 1,
        "source": cal.year_source(year),
        "provisional": cal.is_provisional(year, year),
        "year_row": calendar_year_row(year),
        "months": calendar_year_data(year),
        "overrides": calendar_override_list(year=year),
        "can_manage": request.user.has_perm(MANAGE_CALENDAR),
        "override_form": override_form or OverrideForm(),
        "year_form": year_form or YearMarkForm(initial={"year": year}),
        "calc_form": calc_form,
        "result": result,
    }
    return render(request, TEMPLATE, context, status=status)


def _back(year: int) -> HttpResponse:
    return redirect(f"{reverse('core:calendar')}?year={year}")


def _require_manager(request: HttpRequest) -> None:
    if not request.user.has_perm(MANAGE_CALENDAR):
        raise PermissionDenied


def _apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Attach a service's validation errors to the form (unknown fields become form-wide errors)."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    for field, msgs in errors.items():
        for msg in msgs:
            form.add_error(field if field in form.fields else None, msg)


@require_GET
def calendar_page(request: HttpRequest) -> HttpResponse:
    """The year grid; the deadline calculator answers with its partial alone for HTMX requests."""
    year = _year_param(request.GET.get("year"))
    if getattr(request, "htmx", False) and "calc" in request.GET:
        calc_form, result = _calculator(request)
        return render(
            request, f"{TEMPLATE}#calculator", {"calc_form": calc_form, "result": result, "year": year}
        )
    return _render_page(request, year)


@require_POST
def override_create(request: HttpRequest) -> HttpResponse:
    """Add (or replace) the override of a date."""
    _require_manager(request)
    form = OverrideForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            calendar_override_set(actor=request.user, **data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Override for %(date)s saved.") % {"date": data["date"]})
            return _back(data["date"].year)
    year = form.cleaned_data["date"].year if "date" in form.cleaned_data else _year_param(None)
    return _render_page(request, year, status=400, override_form=form)


@require_POST
def override_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete an override."""
    _require_manager(request)
    override = get_object_or_404(CalendarOverride, pk=pk)
    year, day = override.date.year, override.date
    try:
        calendar_override_delete(actor=request.user, override=override)
    except CalendarOverride.DoesNotExist as exc:  # deleted by someone else meanwhile
        raise Http404 from exc
    messages.success(request, _("Override for %(date)s deleted.") % {"date": day})
    return _back(year)


@require_POST
def year_mark(request: HttpRequest) -> HttpResponse:
    """Record that a year's official schedule has been entered by hand."""
    _require_manager(request)
    form = YearMarkForm(request.POST)
    if form.is_valid():
        try:
            row = calendar_year_mark(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request, _("The schedule of %(year)s is marked as entered.") % {"year": row.year}
            )
            return _back(row.year)
    year = form.cleaned_data.get("year") or _year_param(request.POST.get("year"))
    return _render_page(request, year, status=400, year_form=form)
