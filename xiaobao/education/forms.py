"""Forms of the activity pages: report (and correct) an activity on a phone, add a photo, approve or return.
The services validate again; these shape the input (codes, counts, the photo files)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaobao.complaints.forms import unit_choice_field, units_for
from xiaobao.core.clock import localdate
from xiaobao.education.models import SEGMENTS, Activity, Campaign, Topic, Venue
from xiaobao.education.services import COUNTS, MAX_COUNT

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NUMBER = forms.NumberInput(attrs={"min": 0, "inputmode": "numeric", "step": 1})
SEGMENT_LABELS = {
    "elderly": _("elderly"),
    "students": _("students"),
    "young": _("young people"),
    "new_citizens": _("new citizens"),
    "rural": _("rural residents"),
    "disabled": _("people with disabilities"),
    "other": _("others"),
}
COUNT_LABELS = {
    "people_reached": _("People reached"),
    "staff_involved": _("Staff involved"),
    "leaflets": _("Leaflets handed out"),
    "online_articles": _("Online articles"),
    "online_reads": _("Online reads"),
    "videos": _("Videos"),
    "media_reports": _("Media reports"),
}
ONLINE_COUNTS = ("online_articles", "online_reads", "videos", "media_reports")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several photos in one <input type=file multiple>; the service checks each."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png", "multiple": True})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if isinstance(data, list | tuple):
            return [super(MultipleImageField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


def _count_field(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, min_value=0, max_value=MAX_COUNT, initial=0, required=False, widget=NUMBER
    )


class ActivityForm(forms.Form):
    """Report an activity (or correct a returned one). The unit defaults to the reporter's own."""

    held_on = forms.DateField(label=_("Held on"), widget=DATE, initial=localdate)
    campaign = forms.ChoiceField(label=_("Campaign"), required=False)
    venue = forms.ChoiceField(label=_("Venue type"), widget=forms.RadioSelect)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to use the campaign and venue."),
    )
    topics = forms.MultipleChoiceField(label=_("Topics"), widget=forms.CheckboxSelectMultiple)
    description = forms.CharField(
        label=pgettext_lazy("education activity", "What was done"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, user: Any, with_photos: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"] = unit_choice_field(units_for(user), _("Unit that held it"))
        self.fields["campaign"].choices = [  # type: ignore[attr-defined]
            ("", _("None")),
            *Campaign.objects.filter(active=True).values_list("code", "name"),
        ]
        venues = list(Venue.objects.filter(active=True))
        self.online_venues = [v.code for v in venues if v.online]
        self.fields["venue"].choices = [(v.code, v.name) for v in venues]  # type: ignore[attr-defined]
        topics = list(Topic.objects.filter(active=True))
        self.fields["topics"].choices = [(t.code, t.name) for t in topics]  # type: ignore[attr-defined]
        for s in SEGMENTS:
            self.fields[f"audience_{s}"] = _count_field(SEGMENT_LABELS[s])
        # the service's rule on the segments' sum reports on `audience`: shown in the audience box
        self.fields["audience"] = forms.CharField(required=False, widget=forms.HiddenInput)
        for name in COUNTS:
            self.fields[name] = _count_field(COUNT_LABELS[name])
        if with_photos:
            self.fields["photos"] = MultipleImageField(
                label=_("Photos"),
                required=False,
                help_text=_("JPEG or PNG; several at once. More can be added after saving."),
            )

    def segment_fields(self) -> list[Any]:
        return [self[f"audience_{s}"] for s in SEGMENTS]

    def count_fields(self) -> list[Any]:
        return [self[n] for n in COUNTS if n not in ONLINE_COUNTS and n != "people_reached"]

    def online_fields(self) -> list[Any]:
        return [self[n] for n in ONLINE_COUNTS]

    def to_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "org_unit": d["org_unit"].code,
            "held_on": d["held_on"],
            "campaign": d.get("campaign") or "",
            "venue": d["venue"],
            "topics": list(d["topics"]),
            "audience": {s: d.get(f"audience_{s}") or 0 for s in SEGMENTS},
            **{n: d.get(n) or 0 for n in COUNTS},
            "title": d.get("title") or "",
            "place": d.get("place") or "",
            "description": d.get("description") or "",
        }

    @classmethod
    def initial_from(cls, item: Activity) -> dict[str, Any]:
        return {
            "org_unit": item.org_unit.code,
            "held_on": item.held_on,
            "campaign": item.edition.campaign.code if item.edition_id else "",  # type: ignore[union-attr]
            "venue": item.venue.code,
            "topics": [t.code for t in item.topics.all()],
            "title": item.title,
            "place": item.place,
            "description": item.description,
            **{f"audience_{s}": n for s, n in item.audience().items()},
            **{n: getattr(item, n) for n in COUNTS},
        }


class PhotoForm(forms.Form):
    photo = forms.ImageField(
        label=_("Photo"), widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"})
    )
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the service checks the content itself (JPEG/PNG, decodable, size): a plain file field here
        self.fields["photo"] = forms.FileField(label=_("Photo"), widget=self.fields["photo"].widget)


class ActionForm(forms.Form):
    """Base of the step forms: the activity's version (a stale one → 409)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, item: Activity, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"version": item.version})
        super().__init__(*args, **kwargs)

    def to_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class ApproveForm(ActionForm):
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)


class ReturnForm(ActionForm):
    reason = forms.CharField(
        label=_("Reason (what to correct)"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


FORMS: dict[str, type[ActionForm]] = {"approve": ApproveForm, "return": ReturnForm}
