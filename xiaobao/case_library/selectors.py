"""The case library's read side: every function takes the acting user and starts from `visible_to(user)`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from xiaobao.case_library.models import (
    MANAGE,
    VIEW,
    CaseEntry,
    Circulation,
    EntryStatus,
    Receipt,
)
from xiaobao.casework.scoping import in_subtree
from xiaobao.core.models import OrgUnit

MAX_IDS = 200


def entry_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[CaseEntry]:
    """Entries the user sees, filtered: q (text), business_type / cause (codes), tag, unit (its subtree),
    year, status (drafts: managers only — `visible_to` already holds that), ids."""
    f = filters or {}
    qs: QuerySet[CaseEntry] = CaseEntry.objects.visible_to(user).select_related(
        "org_unit", "business_type", "cause"
    )
    if f.get("q"):
        text = str(f["q"]).strip()
        for word in text.split()[:5]:
            qs = qs.filter(
                Q(title__icontains=word)
                | Q(facts__icontains=word)
                | Q(handling__icontains=word)
                | Q(outcome__icontains=word)
                | Q(lessons__icontains=word)
                | Q(tag_index__icontains=word)
            )
    if f.get("business_type"):
        qs = qs.filter(business_type__code=f["business_type"])
    if f.get("cause"):
        qs = qs.filter(cause__code=f["cause"])
    if f.get("tag"):
        qs = qs.filter(tag_index__contains=f"|{str(f['tag']).strip()}|")
    if f.get("unit") is not None and isinstance(f.get("unit"), OrgUnit):
        qs = in_subtree(qs, f["unit"])
    if f.get("year"):
        qs = qs.filter(year=f["year"])
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    if f.get("ids"):
        qs = qs.filter(pk__in=list(f["ids"])[:MAX_IDS])
    return qs.order_by("-published_at", "-pk")


def entry_detail(*, user: Any, pk: int) -> CaseEntry | None:
    if not 0 < pk < 2**31:
        return None
    return (
        CaseEntry.objects.visible_to(user)
        .select_related("org_unit", "business_type", "cause", "created_by", "published_by")
        .filter(pk=pk)
        .first()
    )


def source_visible(user: Any, entry: CaseEntry) -> bool:
    """The link to the source complaint is shown only to users who can see that complaint."""
    if not entry.source_complaint_id:
        return False
    from xiaobao.complaints.models import Complaint

    return Complaint.objects.visible_to(user).filter(pk=entry.source_complaint_id).exists()


def tags_in_use(user: Any, limit: int = 30) -> list[str]:
    """The tags of the entries the user sees, commonest first, then the suggested ones."""
    from xiaobao.case_library.services import SUGGESTED_TAGS

    counts: dict[str, int] = {}
    for tags in CaseEntry.objects.visible_to(user).published().values_list("tags", flat=True)[:2000]:
        for t in tags or []:
            counts[t] = counts.get(t, 0) + 1
    ordered = sorted(counts, key=lambda t: (-counts[t], t))
    return (ordered + [t for t in SUGGESTED_TAGS if t not in counts])[:limit]


def years_in_use(user: Any) -> list[int]:
    return sorted(
        set(CaseEntry.objects.visible_to(user).values_list("year", flat=True).distinct()), reverse=True
    )


def proposals(user: Any, limit: int = 50) -> QuerySet[Any]:
    """Closed complaints the handlers flagged for the case library that have no entry yet (managers)."""
    from xiaobao.complaints.models import Complaint

    if not (user.has_perm(MANAGE) and user.has_perm("complaints.view_complaint")):
        return Complaint.objects.none()
    taken = CaseEntry.objects.filter(source_complaint__isnull=False).values("source_complaint_id")
    return (
        Complaint.objects.visible_to(user)
        .filter(case_library=True, status__in=("closed", "archived"))
        .exclude(pk__in=taken)
        .select_related("business_type", "cause", "org_unit")
        .order_by("-closed_at", "-pk")[:limit]
    )


def entry_for_complaint(user: Any, complaint: Any) -> CaseEntry | None:
    return CaseEntry.objects.visible_to(user).filter(source_complaint=complaint).first()


# --- circulations -------------------------------------------------------------------------------------


def circulation_detail(*, user: Any, pk: int) -> Circulation | None:
    if not 0 < pk < 2**31:
        return None
    return Circulation.objects.visible_to(user).select_related("org_unit", "sender").filter(pk=pk).first()


def reading_detail(*, user: Any, pk: int) -> Circulation | None:
    """A circulation addressed to the user (readers), or one the user manages (senders)."""
    if not 0 < pk < 2**31:
        return None
    qs = Circulation.objects.select_related("org_unit", "sender")
    return (
        qs.filter(pk=pk, pk__in=Circulation.objects.addressed_to(user).values("pk")).first()
        or qs.filter(pk=pk, pk__in=Circulation.objects.visible_to(user).values("pk")).first()
    )


def sent_circulations(user: Any) -> QuerySet[Circulation]:
    return (
        Circulation.objects.visible_to(user)
        .select_related("org_unit", "sender")
        .annotate(
            n_readers=Count("receipts", distinct=True),
            n_read=Count("receipts", filter=Q(receipts__acknowledged_at__isnull=False), distinct=True),
            n_entries=Count("entries", distinct=True),
        )
        .order_by("-sent_at", "-pk")
    )


def my_reading(user: Any) -> list[dict[str, Any]]:
    """Circulations addressed to the user, newest first, with the user's own receipt (or none yet)."""
    circs = list(
        Circulation.objects.addressed_to(user)
        .select_related("org_unit", "sender")
        .annotate(n_entries=Count("entries", distinct=True))
        .order_by("-sent_at", "-pk")[:100]
    )
    receipts = {
        r.circulation_id: r
        for r in Receipt.objects.filter(user=user, circulation_id__in=[c.pk for c in circs])
    }
    return [{"circulation": c, "receipt": receipts.get(c.pk)} for c in circs]


@dataclass
class UnitReceipts:
    unit: OrgUnit
    receipts: list[Receipt] = field(default_factory=list)

    @property
    def read(self) -> int:
        return sum(1 for r in self.receipts if r.acknowledged_at)

    @property
    def opened(self) -> int:
        return sum(1 for r in self.receipts if r.opened_at)


def receipts_by_unit(circulation: Circulation) -> list[UnitReceipts]:
    """The readers grouped by their unit (in tree order), each with opened / read times."""
    groups: dict[int, UnitReceipts] = {}
    for r in (
        Receipt.objects.filter(circulation=circulation)
        .select_related("user", "unit")
        .order_by("unit__path", "user__username")
    ):
        groups.setdefault(r.unit_id, UnitReceipts(r.unit)).receipts.append(r)
    return list(groups.values())


# --- home, figures, search ----------------------------------------------------------------------------


def home_panel(user: Any) -> dict[str, Any]:
    """The user's unread circulated cases (not yet confirmed as read), and managers' proposals waiting."""
    if not user.has_perm(VIEW):
        return {}
    unread = [row for row in my_reading(user) if not (row["receipt"] and row["receipt"].acknowledged_at)]
    n_proposals = 0
    if user.has_perm(MANAGE):
        n_proposals = len(list(proposals(user, limit=100)))
    if not unread and not n_proposals:
        return {}
    return {"unread": unread[:5], "unread_count": len(unread), "proposals": n_proposals}


@dataclass
class Figure:
    key: str
    label: Any
    kind: str
    value: float | None
    url: str = ""


def figures(user: Any, start: dt.date, end: dt.date, *, unit: OrgUnit | None = None) -> list[Figure]:
    """For reports: entries published in the period, circulations sent, and their read rate (readers who
    confirmed ÷ readers), within the user's scope (and the unit's subtree when given)."""
    from django.utils import timezone
    from django.utils.translation import gettext_lazy as _

    if not user.has_perm(VIEW):
        return []
    tz = timezone.get_default_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    entries: QuerySet[Any] = CaseEntry.objects.visible_to(user).filter(
        status=EntryStatus.PUBLISHED, published_at__gte=lo, published_at__lt=hi
    )
    circs: QuerySet[Any] = Circulation.objects.visible_to(user).filter(sent_at__gte=lo, sent_at__lt=hi)
    if unit is not None:
        entries = in_subtree(entries, unit)
        circs = in_subtree(circs, unit)
    receipts = Receipt.objects.filter(circulation__in=circs).aggregate(
        n=Count("pk"), read=Count("pk", filter=Q(acknowledged_at__isnull=False))
    )
    rate = receipts["read"] / receipts["n"] if receipts["n"] else None
    home = reverse("case_library:home")
    return [
        Figure("case_library_published", _("Case library entries published"), "count", entries.count(), home),
        Figure(
            "case_library_circulations",
            _("Case library circulations"),
            "count",
            circs.count(),
            reverse("case_library:circulations"),
        ),
        Figure(
            "case_library_read_rate",
            _("Case library read rate"),
            "rate",
            rate,
            reverse("case_library:circulations"),
        ),
    ]


def search(user: Any, query: str, limit: int = 10) -> list[Any]:
    """The header's global search: entries whose title, texts or tags hold the words (published ones, and
    the drafts a manager may edit), in the user's scope. Entries hold no personal data."""
    from django.utils.translation import gettext_lazy as _

    from xiaobao.casework.registry import SearchHit

    text = str(query or "").strip()[:100]
    if not text or not user.has_perm(VIEW):
        return []
    rows = entry_list(user=user, filters={"q": text})[: max(1, min(int(limit), 50))]
    return [
        SearchHit(
            kind=_("Case library"),
            title=e.title,
            url=e.get_absolute_url(),
            subtitle=" · ".join(
                x
                for x in [
                    str(e.year),
                    e.org_unit.name,
                    e.business_type.name if e.business_type else "",
                    "" if e.is_published else str(_("Draft")),
                ]
                if x
            ),
        )
        for e in rows
    ]
