"""The sentences a warning is shown with, built from its figures in the active language.

Nothing here reads personal data: complaints are named by reference, people not at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from xiaobao.complaints.choices import SensitivityTag

if TYPE_CHECKING:
    from xiaobao.early_warning.models import EarlyWarning


def _unit(w: EarlyWarning) -> str:
    return w.org_unit.name


def _day(value: Any) -> str:
    return date_format(value, "Y-m-d") if value else ""


def _reasons(details: dict[str, Any]) -> str:
    tags = dict(SensitivityTag.choices)
    parts = []
    if details.get("major"):
        parts.append(_("marked major"))
    if details.get("people"):
        parts.append(_("%(n)d people") % {"n": details["people"]})
    parts += [str(tags.get(t, t)) for t in details.get("tags", [])]
    return "、".join(parts)


def warning_summary(w: EarlyWarning) -> str:
    d, ref = w.details or {}, (w.details or {}).get("reference", "")
    if w.kind == "spike":
        return _(
            "%(count)d complaints about %(category)s at %(unit)s on %(day)s, baseline %(baseline).1f/day, "
            "limit %(limit)d"
        ) % {
            "count": w.count,
            "category": w.category_label or w.category_code,
            "unit": _unit(w),
            "day": _day(w.period_end),
            "baseline": w.baseline or 0.0,
            "limit": w.threshold or 0,
        }
    if w.kind == "watch_word":
        return _("Complaint %(ref)s at %(unit)s mentions %(words)s") % {
            "ref": ref,
            "unit": _unit(w),
            "words": "、".join(d.get("words", [])),
        }
    if w.kind == "repeat_complainant":
        return ngettext(
            "One complainant made %(count)d complaint in %(days)d days (latest %(ref)s at %(unit)s)",
            "One complainant made %(count)d complaints in %(days)d days (latest %(ref)s at %(unit)s)",
            w.count,
        ) % {"count": w.count, "days": d.get("days", 0), "ref": ref, "unit": _unit(w)}
    if w.kind == "group_or_major":
        return _("Complaint %(ref)s at %(unit)s: %(reasons)s") % {
            "ref": ref,
            "unit": _unit(w),
            "reasons": _reasons(d),
        }
    if w.kind == "near_breach":
        return _("Complaint %(ref)s at %(unit)s is still open; its decision is due %(due)s") % {
            "ref": ref,
            "unit": _unit(w),
            "due": d.get("due", ""),
        }
    return str(w.get_kind_display())


def rule_explanation(w: EarlyWarning) -> str:
    """Why this warning was raised: the rule and its parameters, in words."""
    d = w.details or {}
    if w.kind == "spike":
        text = _(
            "The day's count is compared with the unit's own baseline for the category: the mean daily count "
            "over the previous %(days)d days%(same)s (at least %(floor)s a day). A day is a spike when the "
            "count reaches the limit: the smallest count a Poisson distribution with that mean reaches with "
            "probability at most %(alpha)s, and at least %(min)d."
        ) % {
            "days": d.get("baseline_days", 28),
            "same": _(" of the same type (working day or day off)") if d.get("same_day_type") else "",
            "floor": d.get("min_baseline", 0.5),
            "alpha": d.get("alpha", 0.001),
            "min": d.get("min_count", 5),
        }
        if d.get("explains"):
            text += " " + _("Counted after removing the units below that have their own warning.")
        return text
    if w.kind == "watch_word":
        return _("A complaint registered since the previous scan mentions a word of the watch-word list.")
    if w.kind == "repeat_complainant":
        return _(
            "The same complainant (same consumer record or same ID number) made at least %(min)d complaints "
            "within %(days)d days. Told at most once per person per %(days)d days."
        ) % {"min": d.get("min", 3), "days": d.get("days", 30)}
    if w.kind == "group_or_major":
        return _(
            "The complaint is marked major, was made by at least %(people)d people, or carries a sensitivity "
            "tag that needs attention."
        ) % {"people": d.get("min_people", 5)}
    if w.kind == "near_breach":
        return _(
            "The decision deadline is due within %(days)d working day(s) and the complaint is still open; "
            "the unit's consumer-protection officers are told (the handler is warned by the SLA sweeper)."
        ) % {"days": d.get("working_days", 1)}
    return ""
