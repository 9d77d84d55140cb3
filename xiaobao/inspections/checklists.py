"""Checklist templates: create, edit (a version inspections use is never changed: editing it makes the next
version, which becomes current), and the rating bands.

The input is one nested structure (`ChecklistIn`), the same for the edit page and the API.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from pydantic import BaseModel, Field
from pydantic import ValidationError as PydanticError

from xiaobao.core.errors import Conflict
from xiaobao.core.models.audit import AuditAction
from xiaobao.core.services.audit import audit_record
from xiaobao.inspections import scoring
from xiaobao.inspections.choices import ChecklistKind, ItemKind
from xiaobao.inspections.models import ChecklistItem, ChecklistSection, ChecklistTemplate, RatingBand

CODE = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")


class ItemIn(BaseModel):
    code: str = Field(..., min_length=1, max_length=40)
    text: str = Field(..., min_length=1, max_length=300)
    kind: str = ItemKind.YES_NO.value
    max_score: int = Field(1, ge=0, le=100)
    weight: Decimal = Field(Decimal(1), ge=0, le=1000, max_digits=6, decimal_places=2)
    critical: bool = False
    gating: bool = False
    photo_required: bool = False
    guidance: str = Field("", max_length=2000)


class SectionIn(BaseModel):
    code: str = Field(..., min_length=1, max_length=40)
    name: str = Field(..., min_length=1, max_length=100)
    weight: Decimal = Field(Decimal(1), ge=0, le=1000, max_digits=6, decimal_places=2)
    gate_item_code: str = Field("", max_length=40)
    items: list[ItemIn] = Field(..., min_length=1, max_length=200)


class ChecklistIn(BaseModel):
    code: str = Field(..., min_length=1, max_length=40)
    name: str = Field(..., min_length=1, max_length=100)
    kind: str
    description: str = Field("", max_length=4000)
    sections: list[SectionIn] = Field(..., min_length=1, max_length=50)


def parse(data: dict[str, Any]) -> ChecklistIn:
    """The input checked as a whole; errors name their place (`sections.0.items.2.text`)."""
    try:
        parsed = ChecklistIn.model_validate(data)
    except PydanticError as exc:
        fields: dict[str, list[str]] = {}
        for err in exc.errors():
            loc = ".".join(str(p) for p in err.get("loc", ())) or "__all__"
            msg = _("This field is required.") if err["type"] == "missing" else _("This value is not valid.")
            fields.setdefault(loc, []).append(msg)
        raise ValidationError(fields) from None
    _check(parsed)
    return parsed


def _check(data: ChecklistIn) -> None:
    errors: dict[str, list[str]] = {}

    def err(where: str, msg: str) -> None:
        errors.setdefault(where, []).append(msg)

    if not CODE.match(data.code):
        err("code", _("Use letters, digits, '_', '-' or '.' only."))
    if data.kind not in ChecklistKind.values:
        err("kind", _("Select a valid choice."))
    seen_sections: set[str] = set()
    seen_items: set[str] = set()
    for si, sec in enumerate(data.sections):
        where = f"sections.{si}"
        if not CODE.match(sec.code) or sec.code in seen_sections:
            err(f"{where}.code", _("Section codes are unique, letters, digits, '_', '-' or '.'."))
        seen_sections.add(sec.code)
        codes = {i.code for i in sec.items}
        if sec.gate_item_code and sec.gate_item_code not in codes:
            err(f"{where}.gate_item_code", _("The gating item must be an item of this section."))
        for ii, item in enumerate(sec.items):
            at = f"{where}.items.{ii}"
            if not CODE.match(item.code) or item.code in seen_items:
                err(
                    f"{at}.code",
                    _("Item codes are unique in the checklist, letters, digits, '_', '-' or '.'."),
                )
            seen_items.add(item.code)
            if item.kind not in ItemKind.values:
                err(f"{at}.kind", _("Select a valid choice."))
            elif item.kind in (ItemKind.TEXT, ItemKind.NUMBER) and (item.critical or item.gating):
                err(f"{at}.kind", _("Only yes/no, score and photo items can be critical or gating."))
            if item.kind == ItemKind.YES_NO and item.max_score < 1 and (item.critical or item.gating):
                err(f"{at}.max_score", _("A critical or gating item needs a score."))
    if errors:
        raise ValidationError(errors)


def _specs(data: ChecklistIn) -> tuple[list[scoring.SectionSpec], list[scoring.ItemSpec]]:
    sections = [scoring.SectionSpec(s.code, s.name, s.weight, s.gate_item_code) for s in data.sections]
    items = [
        scoring.ItemSpec(
            i.code, s.code, i.kind, i.max_score if i.kind in scoring.SCORED_KINDS else 0, i.weight
        )
        for s in data.sections
        for i in s.items
    ]
    return sections, items


def _write_body(template: ChecklistTemplate, data: ChecklistIn) -> None:
    for so, sec in enumerate(data.sections, start=1):
        row = ChecklistSection.objects.create(
            template=template,
            code=sec.code,
            name=sec.name,
            order=so,
            weight=sec.weight,
            gate_item_code=sec.gate_item_code,
        )
        ChecklistItem.objects.bulk_create(
            ChecklistItem(
                template=template,
                section=row,
                code=i.code,
                text=i.text,
                kind=i.kind,
                max_score=i.max_score if i.kind in scoring.SCORED_KINDS else 0,
                weight=i.weight,
                critical=i.critical,
                gating=i.gating or i.code == sec.gate_item_code,
                photo_required=i.photo_required or i.kind == ItemKind.PHOTO,
                order=io,
                guidance=i.guidance,
            )
            for io, i in enumerate(sec.items, start=1)
        )


def checklist_create(*, actor: Any, data: dict[str, Any]) -> ChecklistTemplate:
    """Version 1 of a new checklist family."""
    parsed = parse(data)
    with transaction.atomic():
        if ChecklistTemplate.objects.filter(code=parsed.code).exists():
            raise ValidationError({"code": [_("A checklist with this code exists; edit it instead.")]})
        template = ChecklistTemplate.objects.create(
            code=parsed.code,
            version=1,
            name=parsed.name,
            kind=parsed.kind,
            description=parsed.description,
            is_current=True,
            max_score=scoring.max_score(*_specs(parsed)),
        )
        _write_body(template, parsed)
        audit_record(actor=actor, action=AuditAction.CREATE, obj=template, changes={"version": [None, 1]})
    return template


def checklist_update(*, actor: Any, template: ChecklistTemplate, data: dict[str, Any]) -> ChecklistTemplate:
    """Edit the current version: in place while no inspection uses it, else as the next version (which becomes
    current; the inspections keep theirs). The code of a family does not change."""
    parsed = parse({**data, "code": template.code})
    with transaction.atomic():
        current = ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
        if not current.is_current:
            raise Conflict(_("Only the current version of a checklist can be edited."), code="not_current")
        if current.inspections.exists():
            top = ChecklistTemplate.objects.filter(code=current.code).aggregate(v=Max("version"))["v"]
            ChecklistTemplate.objects.filter(pk=current.pk).update(is_current=False)
            target = ChecklistTemplate.objects.create(
                code=current.code, version=int(top) + 1, kind=parsed.kind, is_current=True, name=parsed.name
            )
        else:
            target = current
            ChecklistItem.objects.filter(template=target).delete()
            ChecklistSection.objects.filter(template=target).delete()
        target.name, target.kind, target.description = parsed.name, parsed.kind, parsed.description
        target.max_score = scoring.max_score(*_specs(parsed))
        target.save()
        _write_body(target, parsed)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=target,
            changes={"version": [current.version, target.version]},
        )
    return target


def checklist_as_input(template: ChecklistTemplate) -> dict[str, Any]:
    """A stored version as the nested input structure (to edit it, or to copy it)."""
    sections = list(template.sections.order_by("order", "id").prefetch_related("items"))
    return {
        "code": template.code,
        "name": template.name,
        "kind": template.kind,
        "description": template.description,
        "sections": [
            {
                "code": s.code,
                "name": s.name,
                "weight": s.weight,
                "gate_item_code": s.gate_item_code,
                "items": [
                    {
                        "code": i.code,
                        "text": i.text,
                        "kind": i.kind,
                        "max_score": i.max_score,
                        "weight": i.weight,
                        "critical": i.critical,
                        "gating": i.gating,
                        "photo_required": i.photo_required,
                        "guidance": i.guidance,
                    }
                    for i in sorted(s.items.all(), key=lambda i: (i.order, i.pk))
                ],
            }
            for s in sections
        ],
    }


def rating_bands_update(*, actor: Any, bands: dict[int, Decimal]) -> list[RatingBand]:
    """Set the minimum percentage of each star level (1–5): more stars need strictly more."""
    if sorted(bands) != [1, 2, 3, 4, 5]:
        raise ValidationError({"bands": [_("Give a minimum for each of 1 to 5 stars.")]})
    errors: dict[str, list[str]] = {}
    for stars in range(1, 6):
        v = bands[stars]
        if not Decimal(0) <= v <= Decimal(100):
            errors.setdefault(f"stars_{stars}", []).append(_("Between 0 and 100."))
        if stars > 1 and v <= bands[stars - 1]:
            errors.setdefault(f"stars_{stars}", []).append(_("More stars need a higher minimum."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = dict(RatingBand.objects.values_list("stars", "min_percent"))
        for stars, v in bands.items():
            RatingBand.objects.update_or_create(stars=stars, defaults={"min_percent": v})
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="inspections.ratingband",
            object_repr="rating bands",
            changes={str(s): [str(before.get(s)), str(v)] for s, v in bands.items() if before.get(s) != v},
        )
    return list(RatingBand.objects.all())
