"""Demo data (`Module.demo`): every demo outlet's facilities register (mostly complete; a few items missing,
ticked over the last months by the branch officers, some re-checked) and a year of home services across the
demo bank's outlets with synthetic people (names, phones and ID numbers generated, in the vault)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction

from xiaobao.core.clock import localdate, now, recording_at
from xiaobao.core.models import OrgUnit, User
from xiaobao.core.models.org import OrgUnitKind
from xiaobao.core.services.audit import audit_change

NOTES_MISSING = ["已申请采购，预计下月到位", "原设备损坏，待更换", "网点面积受限，已设置就近指引", ""]
SERVICE_NOTES = [
    "客户卧床，经家属预约后两名员工上门，全程录音录像。",
    "客户在医院住院，携带移动设备现场办理。",
    "客户子女陪同，核实身份后办理。",
    "社区工作人员协助联系，上门核实意愿。",
    "",
]


def _officer(unit: OrgUnit) -> User | None:
    for u in [unit, *reversed(list(unit.ancestors()))]:
        found = (
            User.objects.filter(
                org_unit=u, is_active=True, groups__name__in=["branch_cp_officer", "hq_cp_officer"]
            )
            .order_by("pk")
            .first()
        )
        if found:
            return found
    return User.objects.filter(is_active=True, is_superuser=False).order_by("pk").first()


def demo_load(*, seed: int = 20261123, services: int = 160) -> dict[str, int]:
    from xiaobao.core.demo import synthetic_id_number, synthetic_name, synthetic_phone
    from xiaobao.special_services.models import (
        FacilityCheck,
        FacilityItem,
        Outcome,
        OutletFacility,
        Place,
        ServiceKind,
        ServiceReason,
    )
    from xiaobao.special_services.services import home_service_create

    rng = random.Random(seed)
    today = localdate()
    outlets = list(OrgUnit.objects.filter(kind=OrgUnitKind.OUTLET, is_active=True).order_by("path"))
    items = list(FacilityItem.objects.filter(active=True).order_by("sort_order"))
    out = {"outlets": 0, "ticks": 0, "services": 0}
    if not outlets or not items:
        return out
    with transaction.atomic():
        for o in outlets:
            actor = _officer(o)
            if actor is None:
                continue
            checked = today - dt.timedelta(days=rng.randint(5, 150))
            weak = rng.random() < 0.3  # some outlets miss an item or two
            for item in items:
                present = not (weak and rng.random() < 0.25)
                note = "" if present else rng.choice(NOTES_MISSING)
                row = OutletFacility.objects.create(
                    org_unit=o, item=item, present=present, note=note, checked_on=checked, checked_by=actor
                )
                FacilityCheck.objects.create(
                    org_unit=o,
                    item=item,
                    present=present,
                    note=note,
                    checked_on=checked,
                    checked_by=actor,
                    at=now() - dt.timedelta(days=(today - checked).days),
                )
                audit_change(actor=actor, obj=row, before=None)
                out["ticks"] += 1
            out["outlets"] += 1
        reasons = list(ServiceReason.objects.filter(active=True))
        kinds = list(ServiceKind.objects.filter(active=True))
        weights_r = [5, 2, 4, 2, 1][: len(reasons)] + [1] * max(0, len(reasons) - 5)
        weights_k = [2, 3, 3, 4, 5, 1][: len(kinds)] + [1] * max(0, len(kinds) - 6)
        for _i in range(services):
            o = rng.choice(outlets)
            actor = _officer(o)
            if actor is None:
                continue
            day = today - dt.timedelta(days=rng.randint(0, 360))
            region = o.region_code or "110000"
            with recording_at(dt.datetime.combine(day, dt.time(16, 0), tzinfo=dt.UTC)):
                home_service_create(
                    actor=actor,
                    data={
                        "org_unit": o,
                        "served_on": day,
                        "name": synthetic_name(rng),
                        "phone": synthetic_phone(rng),
                        "id_number": synthetic_id_number(rng, region if len(region) == 6 else "110000")
                        if rng.random() < 0.7
                        else "",
                        "reason": rng.choices(reasons, weights_r)[0],
                        "service": rng.choices(kinds, weights_k)[0],
                        "place": rng.choices(list(Place.values), [7, 2, 1, 0.5])[0],
                        "staff_involved": rng.choice([2, 2, 2, 3]),
                        "outcome": rng.choices(list(Outcome.values), [18, 2, 1])[0],
                        "notes": rng.choice(SERVICE_NOTES),
                    },
                )
            out["services"] += 1
    return out


def load(command: Any, *, seed: int = 20261123, **opts: Any) -> None:
    from xiaobao.special_services.models import OutletFacility

    if OutletFacility.objects.exists():
        command.stdout.write("Demo special-group services already loaded.")
        return
    command.stdout.write("Loading demo special-group services …")
    r = demo_load(seed=seed)
    command.stdout.write(
        command.style.SUCCESS(
            f"Demo special-group services loaded: {r['outlets']} outlets' facilities ({r['ticks']} ticks), "
            f"{r['services']} home services."
        )
    )
