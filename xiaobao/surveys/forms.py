"""Forms of the survey pages; they check the shape of the input, the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xiaobao.core.models import OrgUnit
from xiaobao.surveys.models import Question, QuestionKind, Questionnaire, SurveyStatus, SurveyTarget

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class QuestionnaireForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    intro = forms.CharField(
        label=_("introduction"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    org_unit = forms.ModelChoiceField(
        label=_("owning unit"), queryset=OrgUnit.objects.none(), to_field_name="code"
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = OrgUnit.objects.visible_to(user).filter(is_active=True).order_by("path")
        self.fields["org_unit"].queryset = units  # type: ignore[attr-defined]


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=QuestionKind.choices)
    text = forms.CharField(label=_("question"), max_length=300)
    help_text = forms.CharField(label=_("hint"), max_length=300, required=False)
    required = forms.BooleanField(label=_("required"), required=False, initial=True)
    options = forms.CharField(
        label=_("options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For choice questions: one option a line."),
    )
    scale_max = forms.TypedChoiceField(
        label=_("scale"), coerce=int, choices=[(5, _("1–5")), (10, _("0–10"))], initial=5, required=False
    )
    satisfied_from = forms.IntegerField(
        label=_("satisfied from"),
        required=False,
        min_value=1,
        max_value=10,
        help_text=_("Lowest answer counted as satisfied; empty: the top two steps (4–5, 9–10)."),
    )
    counts_for_satisfaction = forms.BooleanField(label=_("counts for the satisfaction rate"), required=False)

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        scale_max = data.get("scale_max") or 5
        data["scale_max"] = scale_max
        data["scale_min"] = 0 if scale_max == 10 else 1
        return data

    @classmethod
    def initial_for(cls, question: Question) -> dict[str, Any]:
        return {
            "kind": question.kind,
            "text": question.text,
            "help_text": question.help_text,
            "required": question.required,
            "options": "\n".join(o.label for o in question.options.all()),
            "scale_max": question.scale_max,
            "satisfied_from": question.satisfied_from,
            "counts_for_satisfaction": question.counts_for_satisfaction,
        }


class SurveyForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    questionnaire = forms.ModelChoiceField(label=_("questionnaire"), queryset=Questionnaire.objects.none())
    target = forms.ChoiceField(label=_("target"), choices=SurveyTarget.choices)
    org_unit = forms.ModelChoiceField(label=_("unit"), queryset=OrgUnit.objects.none(), to_field_name="code")
    opens_on = forms.DateField(label=_("opens on"), widget=DATE)
    closes_on = forms.DateField(label=_("closes on"), widget=DATE)
    activity = forms.IntegerField(
        label=_("education activity (id)"),
        required=False,
        min_value=1,
        help_text=_("For an event's audience: the activity recorded in education."),
    )
    one_per_browser = forms.BooleanField(
        label=_("one answer per browser"),
        required=False,
        initial=True,
        help_text=_("Untick for a shared tablet at an event where several people answer in turn."),
    )
    ask_contact = forms.BooleanField(label=_("offer to leave a contact"), required=False, initial=True)
    notes = forms.CharField(
        label=_("notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        from xiaobao.surveys.selectors import questionnaires_usable

        super().__init__(*args, **kwargs)
        usable = questionnaires_usable(user).order_by("-created_at")
        self.fields["questionnaire"].queryset = usable  # type: ignore[attr-defined]
        units = OrgUnit.objects.visible_to(user).filter(is_active=True).order_by("path")
        self.fields["org_unit"].queryset = units  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("opens_on") and data.get("closes_on") and data["closes_on"] < data["opens_on"]:
            self.add_error("closes_on", _("The closing date cannot be before the opening date."))
        return data


class SurveyFilter(forms.Form):
    q = forms.CharField(label=_("search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("status"), required=False, choices=[("", "—"), *SurveyStatus.choices])
    target = forms.ChoiceField(label=_("target"), required=False, choices=[("", "—"), *SurveyTarget.choices])
    unit = forms.CharField(label=_("unit"), required=False, max_length=32)
    year = forms.IntegerField(label=_("year"), required=False, min_value=2000, max_value=2100)


class InvitationForm(forms.Form):
    """A complaint's reference, or the first day of decisions to invite every complainant since."""

    reference = forms.CharField(label=_("complaint reference"), max_length=24, required=False)
    decided_from = forms.DateField(label=_("or every complaint decided since"), required=False, widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("reference") and not data.get("decided_from") and not self.errors:
            self.add_error("reference", _("Give a complaint reference or a first day of decisions."))
        return data


class ScaleWidget(forms.RadioSelect):
    template_name = "surveys/widgets/scale.html"


class AnswerForm(forms.Form):
    """The public page's form, built from the questionnaire: one field per question (`q<id>`), then the
    optional consent and contact, and the hidden one-time nonce."""

    nonce = forms.CharField(widget=forms.HiddenInput, max_length=200)

    def __init__(self, *args: Any, questions: list[Question], ask_contact: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for n, q in enumerate(questions, start=1):
            label = f"{n}. {q.text}"
            common: dict[str, Any] = {"label": label, "required": q.required, "help_text": q.help_text}
            if q.kind == QuestionKind.CHOICE_ONE:
                field: forms.Field = forms.TypedChoiceField(
                    choices=[(o.pk, o.label) for o in q.options.all()],
                    coerce=int,
                    widget=forms.RadioSelect,
                    **common,
                )
            elif q.kind == QuestionKind.CHOICE_MANY:
                field = forms.TypedMultipleChoiceField(
                    choices=[(o.pk, o.label) for o in q.options.all()],
                    coerce=int,
                    widget=forms.CheckboxSelectMultiple,
                    **common,
                )
            elif q.kind == QuestionKind.SCALE:
                field = forms.TypedChoiceField(
                    choices=[(v, str(v)) for v in q.scale_values], coerce=int, widget=ScaleWidget, **common
                )
                field.low, field.high = q.scale_min, q.scale_max  # type: ignore[attr-defined]
            else:
                field = forms.CharField(
                    max_length=2000, widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}), **common
                )
            field.error_messages["required"] = _("Please answer this question.")
            field.error_messages["invalid_choice"] = _("Choose one of the answers offered.")
            self.fields[f"q{q.pk}"] = field
        if ask_contact:
            self.fields["consent"] = forms.BooleanField(
                label=_("I agree to be contacted about my answers"), required=False
            )
            self.fields["contact_name"] = forms.CharField(label=_("Your name"), required=False, max_length=50)
            self.fields["contact_phone"] = forms.CharField(
                label=_("Mobile number"),
                required=False,
                max_length=20,
                widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
            )

    def answers(self) -> dict[int, Any]:
        return {q.pk: self.cleaned_data.get(f"q{q.pk}") for q in self.questions}

    def question_fields(self) -> list[forms.BoundField]:
        return [self[f"q{q.pk}"] for q in self.questions]
