"""Forms of the review pages: the submission (with files), each workflow step, an opinion, the submitter's
answers (one row per open opinion), the head's decisions (one row per escalated opinion), an upload. The
services validate again; these shape the input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.complaints.forms import unit_choice_field, units_for
from xiaobao.review.choices import (
    EscalationDecision,
    Material,
    OpinionCategory,
    OpinionResponse,
    OpinionSeverity,
    ReviewKind,
    Track,
)
from xiaobao.review.models import ProductKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXTAREA = forms.Textarea(attrs={"rows": 3})
ACCEPT = ".docx,.pdf,.xlsx,.pptx,.png,.jpg,.jpeg"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (`<input type=file multiple>`); cleaned to a list."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT, "multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ReviewForm(forms.Form):
    """Submit a review request with its documents."""

    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of review"), choices=ReviewKind.choices)
    product_kind = forms.ChoiceField(label=_("Product kind"))
    product_name = forms.CharField(label=_("Product name"), max_length=200, required=False)
    material = forms.ChoiceField(
        label=_("Check the documents as"),
        choices=[("", _("By the kind of review")), *Material.choices],
        required=False,
        help_text=_("Contract reviews are checked as contract text, everything else as marketing text."),
    )
    track = forms.ChoiceField(label=_("Track"), choices=Track.choices, initial=Track.NORMAL)
    planned_launch = forms.DateField(label=_("Planned launch"), widget=DATE, required=False)
    description = forms.CharField(
        label=pgettext_lazy("review", "Description"), max_length=20000, required=False, widget=TEXTAREA
    )
    files = MultipleFileField(  # type: ignore[assignment]  # the field, not BaseForm.files
        label=_("Documents"),
        required=False,
        help_text=_("Word (.docx), PDF, Excel (.xlsx), PowerPoint (.pptx) or images; several at once."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"] = unit_choice_field(units_for(user), _("Submitting unit"))
        self.order_fields(["title", "kind", "product_kind", "product_name", "org_unit", "track"])
        self.fields["product_kind"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *ProductKind.objects.filter(active=True).values_list("code", "name"),
        ]

    def to_data(self) -> dict[str, Any]:
        d = {k: v for k, v in self.cleaned_data.items() if k != "files"}
        d["org_unit"] = d["org_unit"].code
        return d


class ActionForm(forms.Form):
    """Base of the step forms: the review's version (a stale one → 409)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, item: Any, **kwargs: Any) -> None:
        self.item = item
        kwargs.setdefault("initial", {}).setdefault("version", item.version)
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "version" in self.errors:
            self.add_error(None, _("This form is out of date. Reload the page and try again."))
        return data

    def to_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version" and v not in (None, "")}


def _note(label: Any = None, required: bool = False, max_length: int = 2000) -> forms.CharField:
    return forms.CharField(
        label=label or _("Note"),
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NoteForm(ActionForm):
    note = _note()


class ReasonForm(ActionForm):
    reason = _note(_("Reason"), required=True)


class AssignForm(ActionForm):
    reviewer = forms.ChoiceField(label=_("Reviewer"))
    note = _note()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from xiaobao.review.services import reviewer_candidates

        groups: dict[str, list[tuple[str, str]]] = {}
        for u in reviewer_candidates(self.item):
            label = f"{u.full_name} ({u.username})" if u.full_name else u.username
            groups.setdefault(u.org_unit.name, []).append((u.username, label))
        self.fields["reviewer"].choices = [("", "—"), *groups.items()]  # type: ignore[attr-defined]


class OpinionStepForm(ActionForm):
    """A step on one opinion (accept the reason, close, escalate)."""

    opinion = forms.IntegerField(label=_("Opinion No."), min_value=1, max_value=100000)
    note = _note()

    def __init__(self, *args: Any, note_required: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["note"].required = note_required


class ReasonOpinionStepForm(OpinionStepForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, note_required=True, **kwargs)
        self.fields["note"].label = _("Reason")


class PassForm(ActionForm):
    note = _note(_("Conclusion note"))
    valid_until = forms.DateField(
        label=_("Approval valid until"),
        widget=DATE,
        required=False,
        help_text=_("Leave empty for an approval without an end date."),
    )


class ExtendForm(ActionForm):
    to_days = forms.TypedChoiceField(label=_("Extend to"), coerce=int)
    reason = _note(_("Reason"), required=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        clock = next(iter(self.item.clocks.all()), None)
        self.fields["to_days"].choices = [  # type: ignore[attr-defined]
            (int(s["to_days"]), _("%(n)d days") % {"n": int(s["to_days"])})
            for s in self.item.rule.extensions or []
            if clock is None or int(s["to_days"]) > clock.days
        ]


class LaunchForm(ActionForm):
    launched_on = forms.DateField(label=_("Launched on"), widget=DATE)
    note = _note()


class AnswerForm(ActionForm):
    """One row per opinion waiting for an answer: the answer and, unless adopted, the reason."""

    note = _note()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "ans_%s")  # ids unique on the review page
        super().__init__(*args, **kwargs)
        from xiaobao.review.services import opinions_to_answer

        self.opinions = opinions_to_answer(self.item)
        for o in self.opinions:
            self.fields[f"response_{o.number}"] = forms.ChoiceField(
                label=_("Answer to No. %(n)d") % {"n": o.number},
                choices=[("", "—"), *OpinionResponse.choices],
            )
            self.fields[f"note_{o.number}"] = forms.CharField(
                label=_("Reason (No. %(n)d)") % {"n": o.number},
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self) -> list[tuple[Any, Any, Any]]:
        return [(o, self[f"response_{o.number}"], self[f"note_{o.number}"]) for o in self.opinions]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for o in self.opinions:
            response = data.get(f"response_{o.number}")
            if (
                response
                and response != OpinionResponse.ADOPTED
                and not (data.get(f"note_{o.number}") or "").strip()
            ):
                self.add_error(
                    f"note_{o.number}", _("Give the reason when an opinion is not (fully) adopted.")
                )
        return data

    def to_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "answers": [
                {
                    "opinion": o.number,
                    "response": d[f"response_{o.number}"],
                    "note": d.get(f"note_{o.number}") or "",
                }
                for o in self.opinions
            ],
            "note": d.get("note") or "",
        }


class DecideEscalationForm(ActionForm):
    """One row per escalated opinion: waive or uphold; one note for the decision."""

    note = _note(_("Reason for the decision"), required=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "dec_%s")  # ids unique on the review page
        super().__init__(*args, **kwargs)
        from xiaobao.review.choices import OpinionState

        self.opinions = [o for o in self.item.opinions.all() if o.state == OpinionState.ESCALATED]
        for o in self.opinions:
            self.fields[f"decision_{o.number}"] = forms.ChoiceField(
                label=_("Decision on No. %(n)d") % {"n": o.number},
                choices=[("", "—"), *EscalationDecision.choices],
            )
        self.order_fields([*(f"decision_{o.number}" for o in self.opinions), "note"])

    def to_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "decisions": [
                {"opinion": o.number, "decision": d[f"decision_{o.number}"]} for o in self.opinions
            ],
            "note": d.get("note") or "",
        }


FORMS: dict[str, type[ActionForm]] = {
    "submit": NoteForm,
    "claim": NoteForm,
    "assign": AssignForm,
    "issue_opinions": NoteForm,
    "answer": AnswerForm,
    "accept_reason": ReasonOpinionStepForm,
    "close_opinion": OpinionStepForm,
    "escalate": ReasonOpinionStepForm,
    "decide_escalation": DecideEscalationForm,
    "pass": PassForm,
    "pass_with_changes": PassForm,
    "reject": ReasonForm,
    "withdraw": ReasonForm,
    "extend": ExtendForm,
    "approve_extension": NoteForm,
    "reject_extension": NoteForm,
    "record_launch": LaunchForm,
}


class OpinionForm(forms.Form):
    """An opinion of the reviewer (from a checker finding: `finding` prefilled)."""

    category = forms.ChoiceField(label=_("Category"), choices=OpinionCategory.choices)
    severity = forms.ChoiceField(
        label=_("Must change or suggestion"),
        choices=OpinionSeverity.choices,
        initial=OpinionSeverity.MUST_CHANGE,
    )
    document = forms.ChoiceField(label=_("Document"), required=False)
    location = forms.CharField(label=_("Where (page or paragraph)"), max_length=100, required=False)
    quote = forms.CharField(
        label=_("Quoted text"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    body = forms.CharField(label=_("Opinion"), max_length=5000, widget=TEXTAREA)
    finding = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, review: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "op_%s")  # ids unique on the review page (several forms on it)
        super().__init__(*args, **kwargs)
        self.fields["document"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((str(d.pk), d.title) for d in review.documents.all()),
        ]

    def to_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class UploadForm(forms.Form):
    """A new document, or a new version of one (`document` chosen)."""

    document = forms.ChoiceField(label=_("New version of"), required=False)
    title = forms.CharField(label=_("Title of a new document"), max_length=200, required=False)
    file = forms.FileField(label=_("File"), widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))
    note = forms.CharField(label=_("What changed"), max_length=500, required=False)

    def __init__(self, *args: Any, review: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "up_%s")  # ids unique on the review page
        super().__init__(*args, **kwargs)
        self.fields["document"].choices = [  # type: ignore[attr-defined]
            ("", _("— a new document —")),
            *((str(d.pk), d.title) for d in review.documents.all()),
        ]


class FindingDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("confirmed", _("Confirm")), ("dismissed", _("Dismiss"))])
    note = forms.CharField(max_length=1000, required=False)
