"""Review personas: a product department in branch 1 submits, a head-office reviewer reviews, a department
head decides escalations, a branch-1 officer may review its branch's requests. Permissions are also granted
directly, so the tests do not depend on how roles pick up module grants."""

from __future__ import annotations

import io
from typing import Any

import pytest
import time_machine

from conftest import make_user

VIEW = "review.view_review"
SUBMIT = "review.submit_review"
CONDUCT = "review.conduct_review"
DECIDE = "review.decide_review"
SUBMITTED = "2026-03-02 10:00 +0800"  # a Monday

LEAFLET = [
    "“稳盈”系列理财产品宣传单",
    "本产品保本保收益，零风险，收益率全市场最高！",
    "欲购从速，名额有限。",
    "详情请咨询网点理财经理。",
]
LEAFLET_V2 = [
    "“稳盈”系列理财产品宣传单",
    "本产品为非保本浮动收益型理财产品，产品风险等级R2（中低风险），业绩比较基准为年化3.2%，业绩比较基准根据"
    "投资策略和市场环境测算，不代表产品未来表现和实际收益，不构成收益承诺。理财非存款、产品有风险、投资须谨慎。",
    "详情请咨询网点理财经理。",
]


def grant(user: Any, *perms: str) -> Any:
    from django.contrib.auth.models import Permission

    from xiaobao.core.models import User

    for perm in perms:
        app, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    return User.objects.get(pk=user.pk)


def docx(paragraphs: list[str]) -> io.BytesIO:
    import docx as python_docx

    doc = python_docx.Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    out.seek(0)
    return out


@pytest.fixture
def submitter(org):
    return grant(make_user("b1_product", org.b1s, ["business_responder"]), VIEW, SUBMIT)


@pytest.fixture
def reviewer(org):
    return grant(make_user("hq_reviewer", org.cpd, ["hq_cp_officer"]), VIEW, SUBMIT, CONDUCT)


@pytest.fixture
def head(org):
    return grant(make_user("cp_head", org.cpd, ["approver", "hq_cp_officer"]), VIEW, DECIDE)


@pytest.fixture
def branch_reviewer(branch_officer):
    return grant(branch_officer, VIEW, SUBMIT, CONDUCT)


@pytest.fixture
def other_branch_reviewer(other_branch_officer):
    return grant(other_branch_officer, VIEW, SUBMIT, CONDUCT)


def review_data(org: Any, **over: Any) -> dict[str, Any]:
    return {
        "title": "稳盈理财宣传单审查",
        "kind": "marketing",
        "product_kind": "wealth",
        "product_name": "稳盈1号",
        "track": "normal",
        "planned_launch": "2026-04-01",
        "description": "网点张贴宣传单",
        "org_unit": org.b1s.code,
        **over,
    }


@pytest.fixture
def make_review(org, submitter):
    """`make_review(**over)`: a marketing review of a wealth leaflet (docx) submitted on 2026-03-02."""
    from xiaobao.review.services import review_create

    def make(submit: bool = True, paragraphs: list[str] | None = None, **over: Any) -> Any:
        with time_machine.travel(SUBMITTED, tick=False):
            return review_create(
                actor=over.pop("actor", submitter),
                data=review_data(org, **over),
                files=[(docx(paragraphs or LEAFLET), "leaflet.docx", "宣传单")],
                submit=submit,
            )

    return make


def at(day: str) -> Any:
    """Travel to 10:00 local time of `day` (YYYY-MM-DD)."""
    return time_machine.travel(f"{day} 10:00 +0800", tick=False)


def zh(msgid: str, **values: Any) -> str:
    from django.utils import translation

    with translation.override("zh-hans"):
        text = translation.gettext(msgid)
        return text % values if values else text
