"""Scoping-quartet entries for this app's pages and API operations (see core/tests/route_table.py)."""

import datetime as dt

from django.urls import reverse

from xiaobao.core.tests.route_table import Route

MARK = "B1MARK"  # category code of the branch-1 warning: must not show in another branch's lists


def setup(ctx):
    from xiaobao.early_warning.models import EarlyWarning, WatchWord

    day = dt.date(2026, 3, 2)
    ctx.warning = EarlyWarning.objects.create(
        kind="spike",
        org_unit=ctx.org.b1s,
        category_code=MARK,
        category_label="银行卡",
        count=7,
        baseline=1.3,
        threshold=6,
        period_start=day,
        period_end=day,
        complaint_ids=[ctx.complaint.pk],
        drill_down={"unit": ctx.org.b1s.code, "business_type": "B03"},
        dedupe_key="spike:test:b1",
    )
    ctx.watch_word = WatchWord.objects.create(word="测试词")


PAGE_ROUTES: list[Route] = [
    Route(
        "early_warning:list",
        "get",
        kind="list",
        marker=lambda c: reverse("early_warning:detail", args=[c.warning.pk]),
    ),
    Route("early_warning:export", "get", kind="global"),
    Route("early_warning:detail", "get", lambda c: {"pk": c.warning.pk}),
    Route(
        "early_warning:acknowledge",
        "post",
        lambda c: {"pk": c.warning.pk},
        lambda c: {"note": "已核实，系统故障已修复"},
        ok=(302,),
    ),
    Route("early_warning:watch_words", "get", kind="global"),
    Route(
        "early_warning:watch_word_edit",
        "post",
        lambda c: {"pk": c.watch_word.pk},
        lambda c: {"is_active": "0"},
        kind="global",
        ok=(302,),
        actor="sysadmin",
    ),
    Route(
        "early_warning:watch_word_delete",
        "post",
        lambda c: {"pk": c.watch_word.pk},
        kind="global",
        ok=(302,),
        actor="sysadmin",
    ),
]
API_ROUTES: list[Route] = [
    Route("GET /api/v1/early-warnings", "get", kind="list", marker=lambda c: MARK),
    Route("GET /api/v1/early-warnings/{warning_id}", "get", lambda c: {"warning_id": c.warning.pk}),
    Route(
        "POST /api/v1/early-warnings/{warning_id}/acknowledge",
        "post",
        lambda c: {"warning_id": c.warning.pk},
        lambda c: {"note": "已核实"},
    ),
    Route("GET /api/v1/watch-words", "get", kind="global"),
    Route(
        "POST /api/v1/watch-words",
        "post",
        kind="global",
        data=lambda c: {"word": "新增词"},
        ok=(201,),
        actor="sysadmin",
    ),
    Route(
        "PUT /api/v1/watch-words/{word_id}",
        "put",
        lambda c: {"word_id": c.watch_word.pk},
        lambda c: {"is_active": False},
        kind="global",
        actor="sysadmin",
    ),
    Route(
        "DELETE /api/v1/watch-words/{word_id}",
        "delete",
        lambda c: {"word_id": c.watch_word.pk},
        kind="global",
        ok=(204,),
        actor="sysadmin",
    ),
]
