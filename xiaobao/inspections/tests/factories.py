"""Test data for inspections: a small checklist and inspections built through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from xiaobao.inspections.models import ChecklistItem, ChecklistSection, ChecklistTemplate, Inspection


def small_template(code: str = "test_list") -> ChecklistTemplate:
    """Two sections: lobby (gated by L1, weight 2) and teller (T2 critical); 16 points in all."""
    t = ChecklistTemplate.objects.create(code=code, version=1, name="测试检查表", kind="onsite")
    lobby = ChecklistSection.objects.create(
        template=t, code="lobby", name="大堂", order=1, weight=2, gate_item_code="L1"
    )
    teller = ChecklistSection.objects.create(template=t, code="teller", name="柜员", order=2, weight=1)
    ChecklistItem.objects.create(
        template=t, section=lobby, code="L1", text="15分钟内有大堂经理接待", gating=True, max_score=2, order=1
    )
    ChecklistItem.objects.create(
        template=t, section=lobby, code="L2", text="主动询问业务需求", kind="score", max_score=4, order=2
    )
    ChecklistItem.objects.create(template=t, section=teller, code="T1", text="起身迎接", max_score=2, order=1)
    ChecklistItem.objects.create(
        template=t, section=teller, code="T2", text="唱收唱付", critical=True, max_score=2, order=2
    )
    ChecklistItem.objects.create(
        template=t, section=teller, code="T3", text="备注", kind="text", max_score=0, order=3
    )
    t.max_score = 16
    t.save(update_fields=["max_score"])
    return t


def make_inspection(
    unit: Any, handler: Any, template: ChecklistTemplate | None = None, **kw: Any
) -> Inspection:
    template = template or small_template()
    n = Inspection.objects.count() + 1
    defaults = {
        "reference": kw.pop("reference", f"JC-T{n:06d}"),
        "status": "planned",
        "kind": "routine",
        "due_date": dt.date(2026, 3, 31),
    }
    return Inspection.objects.create(org_unit=unit, handler=handler, template=template, **{**defaults, **kw})


def branch_one_inspection(ctx: Any, mark: str, finding_mark: str = "") -> None:
    """A planned inspection of the branch-1 outlet nobody holds yet (anyone allowed there may fill it), a
    finding and a photo."""
    from django.core.files.base import ContentFile

    from xiaobao.inspections.models import Finding, InspectionPhoto

    ctx.inspection = make_inspection(ctx.org.b1o, None, reference=mark)
    ctx.finding = Finding.objects.create(
        inspection=ctx.inspection, org_unit=ctx.org.b1o, item_code="T2", description=finding_mark or mark
    )
    photo = InspectionPhoto(
        inspection=ctx.inspection,
        original_name="lobby.jpg",
        content_type="image/jpeg",
        size=68,
        sha256="0" * 64,
        uploaded_by=ctx.b1_user,
    )
    photo.file.save("routes-photo.jpg", ContentFile(b"\xff\xd8\xff\xe0" + b"\x00" * 64), save=False)
    photo.save()
    ctx.photo = photo
