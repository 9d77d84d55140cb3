"""Education demo data (`Module.demo`, run by `xiaobao demo_load`): a year of campaign editions — the eight
campaigns of the catalogue in their real seasons of 2026 — with head office's targets for every demo branch,
and some hundreds of activities across the demo bank's outlets and branches (mostly approved, some awaiting
approval, a few returned), with realistic audiences, topics and venues, the events the transition service
writes, and a few photos (small JPEGs made with Pillow, their EXIF date set; one a day off to show the
date check). Synthetic throughout; loaded once (skipped when editions exist)."""

from __future__ import annotations

import datetime as dt
import io
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

# campaign code → (starts, ends, report by, theme) in 2026
SEASONS: dict[str, tuple[dt.date, dt.date, dt.date, str]] = {
    "consumer_rights_week": (
        dt.date(2026, 3, 9),
        dt.date(2026, 3, 15),
        dt.date(2026, 3, 25),
        "共筑诚信 保障权益",
    ),
    "financial_knowledge_tour": (
        dt.date(2026, 4, 1),
        dt.date(2026, 5, 31),
        dt.date(2026, 6, 10),
        "金融知识万里行 守护百姓钱袋子",
    ),
    "illegal_fundraising_month": (
        dt.date(2026, 6, 1),
        dt.date(2026, 6, 30),
        dt.date(2026, 7, 10),
        "守住钱袋子 护好养老钱",
    ),
    "credit_care_day": (
        dt.date(2026, 6, 14),
        dt.date(2026, 6, 14),
        dt.date(2026, 6, 24),
        "珍爱信用记录 享受幸福人生",
    ),
    "financial_knowledge_countryside": (
        dt.date(2026, 7, 1),
        dt.date(2026, 8, 31),
        dt.date(2026, 9, 10),
        "金融知识进乡村 助力乡村振兴",
    ),
    "financial_literacy_month": (
        dt.date(2026, 9, 1),
        dt.date(2026, 9, 30),
        dt.date(2026, 10, 10),
        "金融为民谱新篇 守护权益防风险",
    ),
    "fintech_week": (dt.date(2026, 10, 19), dt.date(2026, 10, 25), dt.date(2026, 11, 5), "科技赋能 安全用数"),
    "financial_knowledge_homes": (
        dt.date(2026, 11, 1),
        dt.date(2026, 12, 20),
        dt.date(2026, 12, 31),
        "金融知识进万家 普惠金融暖人心",
    ),
}
# which topics each campaign leans to
LEANS: dict[str, list[str]] = {
    "consumer_rights_week": ["personal_information", "telecom_fraud", "bank_card_security", "credit"],
    "financial_knowledge_tour": ["investment_risk", "deposit_insurance", "telecom_fraud"],
    "illegal_fundraising_month": ["illegal_fundraising", "pension_fraud", "investment_risk"],
    "credit_care_day": ["credit", "impersonated_loans"],
    "financial_knowledge_countryside": [
        "rmb_counterfeit",
        "illegal_fundraising",
        "insurance_knowledge",
        "credit",
    ],
    "financial_literacy_month": [
        "telecom_fraud",
        "deposit_insurance",
        "personal_information",
        "pension_fraud",
    ],
    "fintech_week": ["personal_information", "bank_card_security", "telecom_fraud"],
    "financial_knowledge_homes": ["deposit_insurance", "rmb_counterfeit", "insurance_knowledge"],
}
VENUE_AUDIENCE: dict[str, dict[str, float]] = {
    "community": {"elderly": 0.55, "young": 0.15, "new_citizens": 0.1, "disabled": 0.05, "other": 0.15},
    "village": {"rural": 0.6, "elderly": 0.3, "other": 0.1},
    "campus": {"students": 0.85, "young": 0.1, "other": 0.05},
    "enterprise": {"young": 0.6, "new_citizens": 0.25, "other": 0.15},
    "business_district": {"young": 0.45, "new_citizens": 0.2, "elderly": 0.15, "other": 0.2},
    "outlet_education_area": {"elderly": 0.5, "young": 0.2, "disabled": 0.05, "other": 0.25},
    "online": {"young": 0.5, "students": 0.2, "elderly": 0.1, "other": 0.2},
}
PLACES = {
    "community": ["{n}社区活动中心", "{n}街道便民服务站", "{n}老年大学"],
    "village": ["{n}村委会", "{n}乡镇集市", "{n}村文化礼堂"],
    "campus": ["{n}中学", "{n}职业技术学院", "{n}小学"],
    "enterprise": ["{n}产业园", "{n}工业园区食堂", "{n}物流园"],
    "business_district": ["{n}商业广场", "{n}步行街", "{n}购物中心"],
    "outlet_education_area": ["本网点公众教育区"],
    "online": ["微信公众号", "视频号直播", "抖音官方账号"],
}
ACTIVITIES = 600
PHOTOS = 12


def _jpeg(day: dt.date, rng: random.Random) -> bytes:
    """A small JPEG with EXIF DateTimeOriginal set to `day`."""
    from PIL import Image

    img = Image.new("RGB", (320, 240), (rng.randint(120, 230), rng.randint(120, 230), rng.randint(120, 230)))
    exif = Image.Exif()
    stamp = f"{day:%Y:%m:%d} 10:{rng.randint(10, 59):02d}:00"
    exif[0x0132] = stamp  # DateTime
    exif.get_ifd(0x8769)[0x9003] = stamp  # DateTimeOriginal
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=70, exif=exif)
    return buf.getvalue()


def _audience(venue: str, total: int, rng: random.Random) -> dict[str, int]:
    from xiaobao.education.models import SEGMENTS

    shares = VENUE_AUDIENCE.get(venue, {"other": 1.0})
    out = {s: 0 for s in SEGMENTS}
    left = total
    items = list(shares.items())
    for seg, share in items[:-1]:
        n = min(left, max(0, round(total * share * rng.uniform(0.7, 1.3))))
        out[seg] = n
        left -= n
    out[items[-1][0]] += left
    return out


def demo_load(*, seed: int = 20261116, activities: int = ACTIVITIES, photos: int = PHOTOS) -> dict[str, int]:
    from xiaobao.core.models import OrgUnit, User
    from xiaobao.education.models import (
        Activity,
        ActivityEvent,
        Campaign,
        CampaignEdition,
        EditionTarget,
        Topic,
        Venue,
    )

    rng = random.Random(seed)
    ho = OrgUnit.objects.filter(parent__isnull=True).order_by("path").first()
    hq = User.objects.filter(groups__name="hq_cp_officer", is_active=True).order_by("pk").first()
    if ho is None or hq is None:
        return {}
    branches = list(OrgUnit.objects.filter(kind="branch", is_active=True, parent=ho).order_by("path"))
    outlets = list(OrgUnit.objects.filter(kind="outlet", is_active=True).order_by("path"))
    if not branches or not outlets:
        return {}
    officers = {
        b.pk: User.objects.filter(groups__name="branch_cp_officer", org_unit=b, is_active=True).first()
        for b in branches
    }
    reporters = {
        b.pk: User.objects.filter(
            groups__name__in=["complaint_handler", "branch_cp_officer"], org_unit=b
        ).first()
        for b in branches
    }
    branch_of = {o.pk: next((b for b in branches if o.path.startswith(b.path)), None) for o in outlets}
    campaigns = {c.code: c for c in Campaign.objects.all()}
    venues = {v.code: v for v in Venue.objects.filter(active=True)}
    topics = {t.code: t for t in Topic.objects.filter(active=True)}
    counts = {"editions": 0, "targets": 0, "activities": 0, "photos": 0}
    tz = timezone.get_default_timezone()
    with transaction.atomic():
        editions = {}
        for code, (starts, ends, report_by, theme) in SEASONS.items():
            campaign = campaigns.get(code)
            if campaign is None:
                continue
            e = CampaignEdition.objects.create(
                campaign=campaign,
                year=2026,
                theme=theme,
                starts_on=starts,
                ends_on=ends,
                report_by=report_by,
                org_unit=ho,
                created_by=hq,
                notes="总行消费者权益保护部统一部署，各分行组织辖内网点开展。",
            )
            editions[code] = e
            counts["editions"] += 1
            big = code in ("consumer_rights_week", "financial_literacy_month", "illegal_fundraising_month")
            for b in branches:
                n_out = sum(1 for o in outlets if branch_of[o.pk] == b)
                acts = max(3, n_out * (3 if big else 1))
                EditionTarget.objects.create(
                    edition=e,
                    org_unit=b,
                    activities=acts,
                    people_reached=acts * rng.choice([80, 100, 120]),
                    leaflets=acts * rng.choice([150, 200, 300]),
                )
                counts["targets"] += 1
        codes = list(editions)
        weights = [3 if c in ("consumer_rights_week", "financial_literacy_month") else 1.5 for c in codes]
        rows: list[Any] = []
        plan: list[tuple[Any, list[str], str, Any]] = []
        for n in range(activities):
            outlet_level = rng.random() < 0.85
            unit = rng.choice(outlets) if outlet_level else rng.choice(branches)
            branch = branch_of.get(unit.pk) or unit
            reporter = reporters.get(branch.pk) or hq
            code = rng.choices([*codes, ""], weights=[*weights, 1.5])[0]
            e = editions.get(code)  # type: ignore[assignment]
            if e is not None:
                held = e.starts_on + dt.timedelta(days=rng.randint(0, (e.ends_on - e.starts_on).days))
            else:
                held = dt.date(2026, 1, 5) + dt.timedelta(days=rng.randint(0, 350))
            venue_code = rng.choices(
                list(venues), weights=[4 if v == "outlet_education_area" else 2 for v in venues]
            )[0]
            if code == "financial_knowledge_countryside" and rng.random() < 0.6:
                venue_code = "village"
            venue = venues[venue_code]
            online = venue.online
            people = rng.randint(15, 120) if not online else rng.randint(0, 40)
            if rng.random() < 0.05:
                people = rng.randint(200, 600)  # a large event
            audience = _audience(venue_code, people, rng)
            status = rng.choices(["approved", "submitted", "returned"], weights=[85, 11, 4])[0]
            if held > dt.date(2026, 12, 1) and status == "approved" and rng.random() < 0.4:
                status = "submitted"
            lean = LEANS.get(code) or list(topics)
            chosen = sorted(
                {t for t in rng.sample(lean, k=min(len(lean), rng.randint(1, 3))) if t in topics}
                or {"other"} & set(topics)
            )
            title_place = rng.choice(PLACES[venue_code]).format(n=unit.name.replace("网点", "")[:4])
            title = (
                f"{e.campaign.name if e else '日常宣传'} · {venue.name}"
                if rng.random() < 0.5
                else title_place
            )
            at = timezone.make_aware(
                dt.datetime.combine(held + dt.timedelta(days=rng.randint(0, 3)), dt.time(17)), tz
            )
            rows.append(
                Activity(
                    reference=f"ED2026D{n + 1:05d}",
                    status=status,
                    org_unit=unit,
                    edition=e,
                    title=title[:200],
                    held_on=held,
                    venue=venue,
                    place=title_place if not online else venue.name,
                    description="向群众讲解"
                    + "、".join(topics[t].name for t in chosen)
                    + "等金融知识，现场解答咨询。",
                    people_reached=people,
                    staff_involved=rng.randint(1, 6),
                    leaflets=0 if online else people * rng.randint(1, 3),
                    online_articles=rng.randint(1, 3) if online else 0,
                    online_reads=rng.randint(200, 8000) if online else 0,
                    videos=rng.randint(0, 2) if online else 0,
                    media_reports=1 if rng.random() < 0.06 else 0,
                    reported_by=reporter,
                    submitted_at=at,
                    approved_by=officers.get(branch.pk) if status == "approved" else None,
                    approved_at=at + dt.timedelta(days=rng.randint(1, 4)) if status == "approved" else None,
                    **{f"audience_{s}": v for s, v in audience.items()},
                )
            )
            plan.append((officers.get(branch.pk) or hq, chosen, status, at))
        made = Activity.objects.bulk_create(rows, batch_size=500)
        through = Activity.topics.through
        links, events = [], []
        for item, (approver, chosen, status, at) in zip(made, plan, strict=True):
            links += [through(activity_id=item.pk, topic_id=topics[t].pk) for t in chosen]
            events.append(
                ActivityEvent(
                    item=item,
                    at=at,
                    effective_date=at.date(),
                    actor=item.reported_by,
                    action="report",
                    to_status="submitted",
                    data={"topics": chosen, "photos": 0},
                )
            )
            if status != "submitted":
                later = at + dt.timedelta(days=2)
                events.append(
                    ActivityEvent(
                        item=item,
                        at=later,
                        effective_date=later.date(),
                        actor=approver,
                        action="approve" if status == "approved" else "return",
                        from_status="submitted",
                        to_status=status,
                        note="" if status == "approved" else "受众人数与照片不符，请补充现场照片后重新提交。",
                    )
                )
        through.objects.bulk_create(links, batch_size=1000)
        ActivityEvent.objects.bulk_create(events, batch_size=1000)
        counts["activities"] = len(made)
    counts["photos"] = _photos(made, photos, rng)
    return counts


def _photos(items: list[Any], count: int, rng: random.Random) -> int:
    """A few photos on approved on-site activities through edu-activities' photo store (when present)."""
    try:
        from xiaobao.education.photos import store_photo
    except ImportError:
        return 0
    chosen = [a for a in items if a.status == "approved" and not a.venue.online][:count]
    n = 0
    for i, item in enumerate(chosen):
        day = item.held_on + dt.timedelta(days=2 if i == 0 else 0)  # the first one a couple of days off
        store_photo(
            actor=item.reported_by,
            item=item,
            name=f"现场照片{i + 1}.jpg",
            data=_jpeg(day, rng),
            key="jpg",
            caption="活动现场",
            event=False,
        )
        n += 1
    return n


def load(command: Any, **opts: Any) -> None:
    """Education's part of `xiaobao demo_load` (once: skipped when editions exist)."""
    from xiaobao.education.models import CampaignEdition

    out = command.stdout
    if CampaignEdition.objects.exists():
        out.write("Demo education already loaded.")
        return
    counts = demo_load()
    if not counts:
        out.write("Demo education skipped: no demo bank.")
        return
    out.write(
        command.style.SUCCESS(
            f"Demo education loaded: {counts['editions']} campaign editions, {counts['targets']} targets, "
            f"{counts['activities']} activities, {counts['photos']} photos."
        )
    )
