"""Scoping-quartet entries for the rectification pages and API operations (see core/tests/route_table.py).

Branch 1 holds a submitted item (owned by the branch-1 clerk, with an "after" photo); the allowed user —
branch 1's power user, who is not its owner — verifies it."""

from __future__ import annotations

from xiaobao.core.tests.route_table import Route

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
POWER_PERMS = [
    "rectification.view_rectification",
    "rectification.open_rectification",
    "rectification.work_rectification",
    "rectification.verify_rectification",
]


def setup(ctx):
    from io import BytesIO

    from django.contrib.auth.models import Permission

    from conftest import make_user
    from xiaobao.core.models import User
    from xiaobao.rectification.evidence import evidence_add
    from xiaobao.rectification.services import rectification_open, rectification_transition

    def with_perms(user, *codenames):
        for codename in codenames:
            user.user_permissions.add(
                Permission.objects.get(content_type__app_label="rectification", codename=codename)
            )
        return User.objects.get(pk=user.pk)

    opener = with_perms(
        make_user("b1_rect_opener", ctx.org.b1, []), "view_rectification", "open_rectification"
    )
    clerk = with_perms(ctx.b1_user, "view_rectification", "work_rectification")
    item = rectification_open(
        actor=opener,
        data={
            "org_unit": ctx.org.b1s.code,
            "title": "B1RECTMARK 爱心窗口未设置",
            "description": "检查发现未设置爱心窗口",
            "source": "inspection",
            "opened_on": "2026-03-02",
            "owner": clerk.username,
        },
    )
    ctx.evidence = evidence_add(actor=clerk, item=item, fileobj=BytesIO(PNG), name="after.png", kind="after")
    ctx.rectification = rectification_transition(
        actor=clerk, item=item, action="submit", data={"result": "已设置爱心窗口"}
    )


def _png(c):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile("after.png", PNG), "kind": "after"}


PAGE_ROUTES: list[Route] = [
    Route("rectification:list", "get", kind="list", marker=lambda c: c.rectification.reference),
    Route("rectification:create", "get", kind="global"),
    Route("rectification:detail", "get", lambda c: {"pk": c.rectification.pk}),
    Route(
        "rectification:action",
        "post",
        lambda c: {"pk": c.rectification.pk, "action": "verify"},
        lambda c: {"version": c.rectification.version, "note": "复核通过"},
        ok=(302,),
    ),
    Route("rectification:evidence_upload", "post", lambda c: {"pk": c.rectification.pk}, _png, ok=(302,)),
    Route(
        "rectification:evidence", "get", lambda c: {"pk": c.rectification.pk, "evidence_id": c.evidence.pk}
    ),
]
API_ROUTES: list[Route] = [
    Route(
        "POST /api/v1/rectifications",
        "post",
        kind="global",
        ok=(201,),
        data=lambda c: {
            "org_unit": c.org.b1s.code,
            "title": "监管意见：适老化服务不到位",
            "description": "监管检查指出网点适老化设施不足",
            "source": "regulator",
            "opened_on": "2026-03-02",
            "owner": c.b1_user.username,
        },
    ),
    Route("GET /api/v1/rectifications", "get", kind="list", marker=lambda c: c.rectification.reference),
    Route(
        "GET /api/v1/rectifications/{rectification_id}",
        "get",
        lambda c: {"rectification_id": c.rectification.pk},
    ),
    Route(
        "GET /api/v1/rectifications/{rectification_id}/events",
        "get",
        lambda c: {"rectification_id": c.rectification.pk},
    ),
    Route(
        "POST /api/v1/rectifications/{rectification_id}/actions/{action}",
        "post",
        lambda c: {"rectification_id": c.rectification.pk, "action": "verify"},
        lambda c: {"note": "复核通过"},
    ),
    Route(
        "POST /api/v1/rectifications/{rectification_id}/evidence",
        "post",
        lambda c: {"rectification_id": c.rectification.pk},
        ok=(201,),
        extra={"multipart": True, "file": ("after.png", PNG)},
    ),
    Route(
        "GET /api/v1/rectifications/{rectification_id}/evidence/{evidence_id}",
        "get",
        lambda c: {"rectification_id": c.rectification.pk, "evidence_id": c.evidence.pk},
    ),
]
