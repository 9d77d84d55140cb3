"""Forms of the plan, session, attendance, sign-in and coverage pages. They validate and shape input for the
services (`to_data()`); choices come from `visible_to(user)`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.core.clock import localdate
from xiaobao.core.forms import UnitChoiceField
from xiaobao.core.models import OrgUnit
from xiaobao.training.choices import SessionKind, SessionMode, TrainerKind
from xiaobao.training.models import PlanCourse, PositionLayer, TrainingPlan, TrainingSession
from xiaobao.training.selectors import plan_choices

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
MIN_YEAR, MAX_YEAR = 2000, 2100
MONTHS = [("", "—"), *[(str(m), f"{m}月") for m in range(1, 13)]]


def hours_field(
    label: Any, *, required: bool = True, low: str = "0.5", high: str = "24"
) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal(low),
        max_value=Decimal(high),
        max_digits=4,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
    )


def unit_select(user: Any, label: Any, *, required: bool = True) -> UnitChoiceField:
    """Active units of the user's scope; the value is the unit code (what the services take)."""
    return UnitChoiceField(
        queryset=OrgUnit.objects.visible_to(user)
        .active()
        .only("id", "name", "code", "depth", "path")
        .order_by("path"),
        to_field_name="code",
        label=label,
        required=required,
    )


def layer_choices() -> list[tuple[str, str]]:
    return list(PositionLayer.objects.filter(active=True).values_list("code", "name"))


# --- plans --------------------------------------------------------------------------------------------------


class PlanForm(forms.Form):
    """A plan with one target field per active position layer (`target_<code>`, empty = no target)."""

    year = forms.IntegerField(label=_("Year"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    org_unit = forms.CharField(label=_("Unit"))  # replaced in __init__
    title = forms.CharField(label=_("Title"), max_length=200)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, user: Any, plan: TrainingPlan | None = None, **kwargs: Any) -> None:
        if plan is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "year": plan.year,
                "org_unit": plan.org_unit.code,
                "title": plan.title,
                "notes": plan.notes,
                **{f"target_{t.layer.code}": t.target_hours for t in plan.targets.all()},
            }
        elif plan is None:
            kwargs.setdefault("initial", {"year": localdate().year})
        super().__init__(*args, **kwargs)
        self.fields["org_unit"] = unit_select(user, _("Unit"))
        self.layers = list(PositionLayer.objects.filter(active=True))
        for layer in self.layers:
            self.fields[f"target_{layer.code}"] = hours_field(
                _("%(layer)s: target hours") % {"layer": layer.name}, required=False, low="0", high="999"
            )

    def target_fields(self) -> list[Any]:
        return [self[f"target_{layer.code}"] for layer in self.layers]

    def to_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "year": d["year"],
            "org_unit": d["org_unit"],
            "title": d["title"],
            "notes": d.get("notes", ""),
            "targets": {layer.code: d.get(f"target_{layer.code}") for layer in self.layers},
        }


class CourseForm(forms.Form):
    title = forms.CharField(label=_("Course"), max_length=200)
    layer = forms.ChoiceField(label=_("Position layer"), required=False)
    topic = forms.CharField(label=_("Topic"), required=False, max_length=200)
    hours = hours_field(_("Hours"), high="999")
    planned_month = forms.ChoiceField(label=_("Planned month"), required=False, choices=MONTHS)

    def __init__(self, *args: Any, course: PlanCourse | None = None, **kwargs: Any) -> None:
        if course is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": course.title,
                "layer": course.layer.code if course.layer else "",
                "topic": course.topic,
                "hours": course.hours,
                "planned_month": str(course.planned_month or ""),
            }
        kwargs.setdefault("initial", {"hours": Decimal("2.0")})
        super().__init__(*args, **kwargs)
        self.fields["layer"].choices = [("", _("Everyone")), *layer_choices()]  # type: ignore[attr-defined]

    def to_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


# --- sessions -----------------------------------------------------------------------------------------------


class SessionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    topic = forms.CharField(label=_("Topic"), required=False, max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=SessionKind.choices, initial=SessionKind.LECTURE)
    org_unit = forms.CharField(label=_("Organising unit"))  # replaced in __init__
    date = forms.DateField(label=_("Date"), widget=DATE)
    start_time = forms.TimeField(label=_("Start time"), required=False, widget=TIME)
    end_time = forms.TimeField(label=_("End time"), required=False, widget=TIME)
    hours = hours_field(_("Hours"))
    trainer_kind = forms.ChoiceField(
        label=_("Trainer"), choices=TrainerKind.choices, initial=TrainerKind.INTERNAL
    )
    trainer_name = forms.CharField(label=_("Trainer name"), required=False, max_length=100)
    mode = forms.ChoiceField(label=_("Mode"), choices=SessionMode.choices, initial=SessionMode.ONSITE)
    venue = forms.CharField(label=_("Venue or link"), required=False, max_length=200)
    layers = forms.MultipleChoiceField(
        label=_("For position layers"), required=False, widget=forms.CheckboxSelectMultiple
    )
    plan = forms.ChoiceField(label=_("Training plan"), required=False)
    course = forms.ChoiceField(label=_("Course of the plan"), required=False)
    description = forms.CharField(
        label=pgettext_lazy("training", "Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, user: Any, session: TrainingSession | None = None, **kwargs: Any) -> None:
        if session is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{
                    k: getattr(session, k)
                    for k in (
                        "title",
                        "topic",
                        "kind",
                        "date",
                        "start_time",
                        "end_time",
                        "hours",
                        "trainer_kind",
                        "trainer_name",
                        "mode",
                        "venue",
                        "description",
                    )
                },
                "org_unit": session.org_unit.code,
                "layers": [layer.code for layer in session.layers.all()],
                "plan": str(session.plan_id or ""),
                "course": str(session.course_id or ""),
            }
        elif session is None:
            kwargs.setdefault("initial", {"date": localdate(), "hours": Decimal("2.0")})
        super().__init__(*args, **kwargs)
        self.fields["org_unit"] = unit_select(user, _("Organising unit"))
        self.fields["layers"].choices = layer_choices()  # type: ignore[attr-defined]
        visible = list(plan_choices(user)[:200])
        self.fields["plan"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *[(str(p.pk), f"{p.year} · {p.org_unit.name} · {p.title}") for p in visible],
        ]
        courses = (
            PlanCourse.objects.filter(plan__in=visible)
            .select_related("plan")
            .order_by("plan_id", "planned_month", "pk")
        )
        groups: dict[str, list[tuple[str, str]]] = {}
        for course in courses:
            groups.setdefault(f"{course.plan.year} · {course.plan.title}", []).append(
                (str(course.pk), course.title)
            )
        self.fields["course"].choices = [("", "—"), *groups.items()]  # type: ignore[attr-defined]

    def to_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class SessionFilter(forms.Form):
    """GET names: q, year, month, unit (code, with sub-units), kind, mode, when (upcoming / past)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=MIN_YEAR, max_value=MAX_YEAR)
    month = forms.TypedChoiceField(
        label=_("Month"), required=False, choices=MONTHS, coerce=int, empty_value=None
    )
    unit = forms.CharField(label=_("Unit (with sub-units)"), required=False, max_length=32)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All")), *SessionKind.choices])
    mode = forms.ChoiceField(label=_("Mode"), required=False, choices=[("", _("All")), *SessionMode.choices])
    when = forms.ChoiceField(
        label=_("When"),
        required=False,
        choices=[("", _("All")), ("upcoming", _("Today and later")), ("past", _("Past"))],
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_unit(self) -> OrgUnit | None:
        code = str(self.cleaned_data.get("unit") or "").strip()
        if not code:
            return None
        unit = OrgUnit.objects.visible_to(self.user).filter(code=code).first()
        if unit is None:
            raise forms.ValidationError(_("Unknown unit."))
        return unit


# --- attendance ---------------------------------------------------------------------------------------------


class AttendanceAddForm(forms.Form):
    employee_no = forms.CharField(label=_("Employee number"), max_length=30)
    hours = hours_field(_("Hours (empty: the session's)"), required=False, low="0.1")


class AttendanceHoursForm(forms.Form):
    hours = hours_field(_("Hours"), low="0.1")


class SigninListForm(forms.Form):
    file = forms.FileField(
        label=_("Sign-in list (.xlsx or .csv)"),
        help_text=_("Columns: employee number, name, and optionally hours; the first row names them."),
    )


class MaterialForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("PDF, PowerPoint, Word, Excel or an image."))


class PublicSignInForm(forms.Form):
    employee_no = forms.CharField(
        label=_("Employee number"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "off", "inputmode": "text"}),
    )
    name = forms.CharField(
        label=pgettext_lazy("person", "Name"),
        max_length=60,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )


# --- coverage -----------------------------------------------------------------------------------------------


class CoverageFilter(forms.Form):
    unit = forms.CharField(label=pgettext_lazy("coverage", "Unit"), required=False, max_length=32)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=MIN_YEAR, max_value=MAX_YEAR)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_unit(self) -> OrgUnit | None:
        code = str(self.cleaned_data.get("unit") or "").strip()
        if not code:
            return None
        unit = OrgUnit.objects.visible_to(self.user).filter(code=code).first()
        if unit is None:
            raise forms.ValidationError(_("Unknown unit."))
        return unit
