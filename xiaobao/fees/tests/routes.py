"""Scoping-quartet entries for the fee catalogue pages and API operations (see core/tests/route_table.py).

Branch 1 holds a fee item of its own (code B1FEEMARK-1) with a published fee and a draft change; the allowed
user — branch 1's power user — prepares, sends and publishes changes. The public pages (no login, under
/public/fees/) are listed in PUBLIC_PAGES: the sweep's anonymous → login test does not apply to them;
`fees/tests/test_public.py` checks them without a login and that they show only disclosed fees."""

from __future__ import annotations

from xiaobao.core.tests.route_table import Route

POWER_PERMS = [
    "fees.view_feeitem",
    "fees.manage_fees",
    "fees.publish_fees",
    "review.view_review",
    "review.submit_review",
]
# Pages reachable without logging in, on purpose (the fees in force, for the banking hall and the website).
PUBLIC_PAGES = {"fees_public:list", "fees_public:history", "fees_public:export"}


def _day(offset: int) -> str:
    """A day relative to today: the sweep runs unpinned (and a year ahead), and a fee review refuses a
    planned launch more than a year ago."""
    import datetime as dt

    from xiaobao.core.clock import localdate

    return (localdate() + dt.timedelta(days=offset)).isoformat()


def change(offset: int = 90) -> dict[str, str]:
    return {
        "fee": "每笔3元",
        "amount": "3.00",
        "amount_unit": "元/笔",
        "basis": "market",
        "basis_document": "分行收费调整通知",
        "effective_from": _day(offset),
        "reason": "下调",
    }


def setup(ctx):
    from conftest import make_user
    from xiaobao.core.models import User
    from xiaobao.fees.services import fee_change_draft
    from xiaobao.fees.tests.factories import published_item

    preparer = make_user("b1_fee_preparer", ctx.org.b1, ["branch_cp_officer"])
    preparer = User.objects.get(pk=preparer.pk)
    item = published_item(preparer, code="B1FEEMARK-1", unit=ctx.org.b1, fee="每笔5元", since=_day(-200))
    ctx.fee_item = item
    ctx.fee_draft = fee_change_draft(actor=preparer, item=item, data=change(60))


PAGE_ROUTES: list[Route] = [
    Route("fees:list", "get", kind="list", marker=lambda c: c.fee_item.code),
    Route("fees:export", "get", kind="global"),
    Route("fees:create", "get", kind="global"),
    Route("fees:detail", "get", lambda c: {"pk": c.fee_item.pk}),
    Route("fees:change", "get", lambda c: {"pk": c.fee_item.pk}),
    Route(
        "fees:submit",
        "post",
        lambda c: {"pk": c.fee_item.pk, "version_id": c.fee_draft.pk},
        lambda c: {"note": "请审查"},
        ok=(302,),
    ),
    Route("fees:publish", "get", lambda c: {"pk": c.fee_item.pk, "version_id": c.fee_draft.pk}),
    Route("fees:discard", "post", lambda c: {"pk": c.fee_item.pk, "version_id": c.fee_draft.pk}, ok=(302,)),
]
API_ROUTES: list[Route] = [
    Route("GET /api/v1/fees", "get", kind="list", marker=lambda c: c.fee_item.code),
    Route("GET /api/v1/fees/{fee_id}", "get", lambda c: {"fee_id": c.fee_item.pk}),
    Route(
        "POST /api/v1/fees",
        "post",
        kind="global",
        ok=(201,),
        data=lambda c: {
            **change(),
            "code": "B1-NEW-1",
            "name": "新收费项目",
            "category": "other",
            "org_unit": c.org.b1s.code,
        },
    ),
    Route(
        "POST /api/v1/fees/{fee_id}/changes",
        "post",
        lambda c: {"fee_id": c.fee_item.pk},
        lambda c: change(),
        ok=(201,),
    ),
    Route(
        "POST /api/v1/fees/{fee_id}/changes/{version_id}/submit",
        "post",
        lambda c: {"fee_id": c.fee_item.pk, "version_id": c.fee_draft.pk},
        lambda c: {"note": "请审查"},
    ),
]
