"""Scoping-quartet entries for the inspection pages and API operations (see core/tests/route_table.py).

Plan routes (helper-owned `routes_plans.py`, when present) are added to these lists.
"""

from __future__ import annotations

import importlib
from typing import Any

from xiaobao.core.tests.route_table import Route

MARK = "B1INSPMARK"  # the branch-1 inspection's reference: must not show in another branch's lists
FINDING_MARK = "B1FINDINGMARK"  # the branch-1 finding's description
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def _photo(c: Any) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile("IMG_1.jpg", JPEG), "item": "T1"}


def _checklist(code: str) -> dict[str, Any]:
    items = [{"code": "X1", "text": "主动问候客户", "max_score": 2}, {"code": "X2", "text": "唱收唱付"}]
    return {
        "code": code,
        "name": "测试检查表",
        "kind": "onsite",
        "sections": [{"code": "s", "name": "柜员", "items": items}],
    }


POWER_PERMS = [
    "inspections.view_inspection",
    "inspections.plan_inspection",
    "inspections.conduct_inspection",
    "inspections.manage_checklist",
]


def setup(ctx: Any) -> None:
    from xiaobao.inspections.tests.factories import branch_one_inspection

    branch_one_inspection(ctx, MARK, FINDING_MARK)
    for extra in _extras():
        if hasattr(extra, "setup"):
            extra.setup(ctx)


PAGE_ROUTES: list[Route] = [
    Route("inspections:list", "get", kind="list", marker=lambda c: MARK),
    Route("inspections:findings", "get", kind="list", marker=lambda c: FINDING_MARK),
    Route("inspections:detail", "get", lambda c: {"pk": c.inspection.pk}),
    Route("inspections:fill", "get", lambda c: {"pk": c.inspection.pk}),
    Route(
        "inspections:answer",
        "post",
        lambda c: {"pk": c.inspection.pk, "item_code": "L1"},
        lambda c: {"value": "yes", "given_at": "2026-03-02T02:00:00Z"},
    ),
    Route("inspections:photo_upload", "post", lambda c: {"pk": c.inspection.pk}, _photo, ok=(201,)),
    Route("inspections:photo", "get", lambda c: {"pk": c.inspection.pk, "photo_pk": c.photo.pk}),
    Route(
        "inspections:action",
        "post",
        lambda c: {"pk": c.inspection.pk, "action": "cancel"},
        lambda c: {"note": "网点装修暂停营业"},
        ok=(302,),
    ),
    Route("inspections:checklists", "get", kind="global"),
    Route("inspections:checklist_create", "get", kind="global"),
    Route("inspections:checklist_detail", "get", lambda c: {"pk": c.inspection.template_id}, kind="global"),
    Route("inspections:checklist_edit", "get", lambda c: {"pk": c.inspection.template_id}, kind="global"),
    Route("inspections:rating_bands", "get", kind="global"),
]
API_ROUTES: list[Route] = [
    Route("GET /api/v1/inspections", "get", kind="list", marker=lambda c: MARK),
    Route("GET /api/v1/inspections/findings", "get", kind="list", marker=lambda c: FINDING_MARK),
    Route("GET /api/v1/inspections/{inspection_id}", "get", lambda c: {"inspection_id": c.inspection.pk}),
    Route(
        "PUT /api/v1/inspections/{inspection_id}/answers/{item_code}",
        "put",
        lambda c: {"inspection_id": c.inspection.pk, "item_code": "L1"},
        lambda c: {"value": "yes"},
    ),
    Route(
        "POST /api/v1/inspections/{inspection_id}/photos",
        "post",
        lambda c: {"inspection_id": c.inspection.pk},
        ok=(201,),
        extra={"multipart": True, "file": ("IMG_2.jpg", JPEG)},
    ),
    Route(
        "GET /api/v1/inspections/{inspection_id}/photos/{photo_id}",
        "get",
        lambda c: {"inspection_id": c.inspection.pk, "photo_id": c.photo.pk},
    ),
    Route(
        "POST /api/v1/inspections/{inspection_id}/actions/{action}",
        "post",
        lambda c: {"inspection_id": c.inspection.pk, "action": "cancel"},
        lambda c: {"note": "网点装修暂停营业"},
    ),
    Route("GET /api/v1/inspections/checklists", "get", kind="global"),
    Route(
        "POST /api/v1/inspections/checklists",
        "post",
        kind="global",
        data=lambda c: _checklist("route_test"),
        ok=(201,),
    ),
    Route(
        "GET /api/v1/inspections/checklists/{checklist_id}",
        "get",
        lambda c: {"checklist_id": c.inspection.template_id},
        kind="global",
    ),
    Route(
        "PUT /api/v1/inspections/checklists/{checklist_id}",
        "put",
        lambda c: {"checklist_id": c.inspection.template_id},
        lambda c: {k: v for k, v in _checklist("x").items() if k != "code"},
        kind="global",
    ),
]


def _extras() -> list[Any]:
    out = []
    for name in ("routes_plans",):
        try:
            out.append(importlib.import_module(f"xiaobao.inspections.tests.{name}"))
        except ModuleNotFoundError:
            continue
    return out


for _extra in _extras():
    PAGE_ROUTES += getattr(_extra, "PAGE_ROUTES", [])
    API_ROUTES += getattr(_extra, "API_ROUTES", [])
    POWER_PERMS += [p for p in getattr(_extra, "POWER_PERMS", []) if p not in POWER_PERMS]


# --- inspection figures (helper F): the Excel export of the statistics page's inspection section -----------
# "global": every user with inspections.view_inspection exports their own subtree; another branch's unit is a
# 404 (tests/test_figures.py).
PAGE_ROUTES += [Route("inspections:figures_export", "get", kind="global")]
