"""Forms of the question bank pages: the list's filters (shared with the export and the API list), a
question (the fields adapt to its kind: options with the correct ones ticked, true or false, a blank's
accepted answers), a tag, a regulation revised, the Excel import."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.core.models import OrgUnit
from xiaobao.exams.choices import QuestionKind, TagKind
from xiaobao.exams.models import Question, Tag
from xiaobao.exams.questions import (
    LETTERS,
    MAX_OPTIONS,
    TRUE_FALSE_OPTIONS,
    clean_question,
    default_unit,
    manageable_units,
    split_tag_names,
)

YES_NO = [("", "—"), ("yes", _("Yes")), ("no", _("No"))]
DIFFICULTIES = [(str(i), str(i)) for i in range(1, 6)]


class QuestionFilter(forms.Form):
    """One filter set for the list page, its Excel export and the API list."""

    q = forms.CharField(label=_("Text in the question"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=pgettext_lazy("question bank", "Kind"),
        choices=[("", "—"), *QuestionKind.choices],
        required=False,
    )
    tag = forms.CharField(label=_("Tag"), required=False, max_length=100)
    difficulty = forms.TypedChoiceField(
        label=_("Difficulty"),
        choices=[("", "—"), *DIFFICULTIES],
        coerce=int,
        empty_value=None,
        required=False,
    )
    needs_review = forms.ChoiceField(label=_("Needs review"), choices=YES_NO, required=False)
    active = forms.ChoiceField(label=_("In use"), choices=YES_NO, required=False)
    unit = forms.CharField(label=_("Unit code (with sub-units)"), required=False, max_length=32)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        tags = list(Tag.objects.order_by("kind", "regulation", "name").values_list("pk", "name", "kind"))
        topics = [(str(pk), name) for pk, name, kind in tags if kind == TagKind.TOPIC]
        regulations = [(str(pk), name) for pk, name, kind in tags if kind == TagKind.REGULATION]
        choices: list[Any] = [("", "—")]
        if topics:
            choices.append((TagKind.TOPIC.label, topics))
        if regulations:
            choices.append((TagKind.REGULATION.label, regulations))
        self.fields["tag"].widget = forms.Select(choices=choices)

    def clean_tag(self) -> Tag | None:
        value = (self.cleaned_data.get("tag") or "").strip()
        if not value:
            return None
        tag = Tag.objects.filter(pk=int(value)).first() if value.isdigit() else None
        tag = tag or Tag.objects.filter(name=value).order_by("-kind").first()
        if tag is None:
            raise ValidationError(_("There is no tag %(name)s.") % {"name": value})
        return tag

    def clean_unit(self) -> OrgUnit | None:
        code = (self.cleaned_data.get("unit") or "").strip()
        if not code:
            return None
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None:
            raise ValidationError(_("Unknown unit code."))
        return unit


class KindRadio(forms.RadioSelect):
    option_template_name = "django/forms/widgets/radio_option.html"


class QuestionForm(forms.Form):
    """A question as people write it: the kind, the stem, up to eight options with the correct ones ticked
    (single and multiple choice), 正确 or 错误 (true or false), the accepted answers of a blank (a|b), the
    explanation, difficulty, tags (existing ones ticked, new topics typed) and, for a new question, its unit.

    `options` and `answer` are not inputs: they carry the errors about the options and the key as a whole."""

    kind = forms.ChoiceField(
        label=pgettext_lazy("question bank", "Kind"), choices=QuestionKind.choices, widget=KindRadio
    )
    stem = forms.CharField(
        label=pgettext_lazy("question bank", "Question"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    options = forms.CharField(required=False, widget=forms.HiddenInput)
    answer = forms.CharField(required=False, widget=forms.HiddenInput)
    true_false = forms.ChoiceField(
        label=_("The statement is"),
        choices=[("0", TRUE_FALSE_OPTIONS[0]), ("1", TRUE_FALSE_OPTIONS[1])],
        widget=forms.RadioSelect,
        required=False,
    )
    blank_answer = forms.CharField(
        label=_("Accepted answers"),
        required=False,
        max_length=500,
        help_text=_(
            "Separate answers that are all right with |, e.g. 15|十五. Case, spaces and full-width "
            "characters are ignored when grading."
        ),
    )
    explanation = forms.CharField(
        label=_("Explanation"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )
    difficulty = forms.TypedChoiceField(
        label=_("Difficulty"),
        choices=DIFFICULTIES,
        coerce=int,
        initial="3",
        help_text=_("1 easy … 5 hard"),
    )
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"), queryset=Tag.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )
    new_tags = forms.CharField(
        label=_("New topic tags"),
        required=False,
        max_length=500,
        help_text=_("Names separated by commas or 、"),
    )
    org_unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none(), to_field_name="code")
    active = forms.BooleanField(label=_("In use (drawn and picked for new exams)"), required=False)
    reviewed = forms.BooleanField(
        label=_("Checked against the revised regulation: clear the flag"), required=False
    )

    def __init__(self, *args: Any, user: Any, question: Question | None = None, **kwargs: Any) -> None:
        self.question = question
        if question is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_for(question)
        super().__init__(*args, **kwargs)
        for i in range(MAX_OPTIONS):
            self.fields[f"option_{i}"] = forms.CharField(
                label=_("Option %(letter)s") % {"letter": LETTERS[i]}, required=False, max_length=500
            )
            self.fields[f"correct_{i}"] = forms.BooleanField(
                label=_("Option %(letter)s is correct") % {"letter": LETTERS[i]}, required=False
            )
        self.fields["tags"].queryset = Tag.objects.order_by("kind", "regulation", "name")  # type: ignore[attr-defined]
        if question is None:
            self.fields["org_unit"].queryset = manageable_units(user).order_by("path")  # type: ignore[attr-defined]
            unit = default_unit(user)
            if unit is not None and not self.is_bound:
                self.initial.setdefault("org_unit", unit.code)
            del self.fields["active"]
            del self.fields["reviewed"]
            self.initial.setdefault("kind", QuestionKind.SINGLE)
        else:
            del self.fields["org_unit"]
            if not question.needs_review:
                del self.fields["reviewed"]

    def option_rows(self) -> list[tuple[str, Any, Any]]:
        return [(LETTERS[i], self[f"option_{i}"], self[f"correct_{i}"]) for i in range(MAX_OPTIONS)]

    def tag_groups(self) -> list[tuple[str, list[Any]]]:
        """The tag checkboxes grouped: topics, then regulations."""
        widgets = list(self["tags"])
        by_kind: dict[str, list[Any]] = {TagKind.TOPIC: [], TagKind.REGULATION: []}
        kinds = dict(Tag.objects.values_list("pk", "kind"))
        for w in widgets:
            by_kind.setdefault(kinds.get(int(str(w.data["value"])), TagKind.TOPIC), []).append(w)
        return [(str(TagKind(k).label), v) for k, v in by_kind.items() if v]

    def to_data(self) -> dict[str, Any]:
        """What the services take (`questions.clean_question`), from the cleaned fields."""
        d = self.cleaned_data
        kind = d.get("kind")
        options: list[str] = []
        answer: Any = []
        if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            options = [d.get(f"option_{i}") or "" for i in range(MAX_OPTIONS)]
            answer = [i for i in range(MAX_OPTIONS) if d.get(f"correct_{i}")]
        elif kind == QuestionKind.TRUE_FALSE:
            options = list(TRUE_FALSE_OPTIONS)
            answer = [int(d["true_false"])] if d.get("true_false") in ("0", "1") else []
        elif kind == QuestionKind.BLANK:
            answer = d.get("blank_answer") or ""
        tags: list[Any] = list(d.get("tags") or [])
        tags += [n for n in split_tag_names(d.get("new_tags") or "") if n not in {t.name for t in tags}]
        data = {
            "kind": kind,
            "stem": d.get("stem"),
            "options": options,
            "answer": answer,
            "explanation": d.get("explanation") or "",
            "difficulty": d.get("difficulty"),
            "tags": tags,
        }
        if "active" in self.fields:
            data["active"] = bool(d.get("active"))
        if d.get("reviewed"):
            data["reviewed"] = True
        return data

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        try:
            clean_question(self.to_data())
        except ValidationError as exc:
            self.add_service_errors(exc)
        return cleaned

    def add_service_errors(self, exc: ValidationError) -> None:
        """A service's field errors on the form: options and answer errors on their anchors, tags on the
        new-tags box, the rest by name or on the form."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc.messages)
            return
        kind = self.cleaned_data.get("kind") if hasattr(self, "cleaned_data") else None
        for field, messages in exc.message_dict.items():
            target = field
            if field == "answer" and kind == QuestionKind.TRUE_FALSE:
                target = "true_false"
            elif field == "answer" and kind == QuestionKind.BLANK:
                target = "blank_answer"
            elif field == "tags":
                target = "new_tags"
            self.add_error(target if target in self.fields else None, messages)


def initial_for(question: Question) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "kind": question.kind,
        "stem": question.stem,
        "explanation": question.explanation,
        "difficulty": str(question.difficulty),
        "tags": list(question.tags.all()),
        "active": question.active,
    }
    answer = question.answer
    if question.kind == QuestionKind.BLANK:
        initial["blank_answer"] = answer or ""
    elif question.kind == QuestionKind.TRUE_FALSE:
        initial["true_false"] = str(answer[0]) if answer else ""
    else:
        for i, option in enumerate(question.options or []):
            initial[f"option_{i}"] = option
            initial[f"correct_{i}"] = i in (answer or [])
    return initial


class TagForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=TagKind.choices, initial=TagKind.TOPIC)
    name = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=100,
        help_text=_("A regulation tag is named after its regulation and article when left empty."),
    )
    regulation = forms.CharField(
        label=_("Regulation"),
        required=False,
        max_length=200,
        help_text=_("e.g. 《银行保险机构消费者权益保护管理办法》"),
    )
    article = forms.CharField(label=_("Article"), required=False, max_length=60, help_text=_("e.g. 第十三条"))


class RevisedForm(forms.Form):
    on = forms.DateField(label=_("Revised on"), widget=forms.DateInput(attrs={"type": "date"}))
    whole_regulation = forms.BooleanField(
        label=_("Every article of the regulation"), required=False, initial=True
    )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel workbook (.xlsx) in the template's layout"))
    org_unit = forms.ModelChoiceField(
        label=_("Unit the new questions belong to"), queryset=OrgUnit.objects.none(), to_field_name="code"
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = manageable_units(user).order_by("path")  # type: ignore[attr-defined]
        unit = default_unit(user)
        if unit is not None:
            self.initial.setdefault("org_unit", unit.code)
