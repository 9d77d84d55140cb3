"""Helpers for the plan tests: outlets in bulk, inspection permissions granted directly."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

PERMS = ("view_inspection", "plan_inspection", "conduct_inspection")


def grant(user: Any, *, plan: bool = True) -> Any:
    """The inspection permissions (planning only when `plan`), whatever the roles grant; a fresh copy."""
    from django.contrib.auth.models import Permission

    from xiaobao.core.models import User

    codes = [c for c in PERMS if plan or c != "plan_inspection"]
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="inspections", codename__in=codes)
    )
    return User.objects.get(pk=user.pk)


def outlets_under(parent: Any, prefix: str, numbers: Iterable[int]) -> list[Any]:
    from xiaobao.core.services.org import org_unit_create

    return [
        org_unit_create(actor=None, code=f"{prefix}{n}", name=f"网点{n}", kind="outlet", parent=parent)
        for n in numbers
    ]


def complaint_data(unit_code: str, received_at: str) -> dict[str, Any]:
    """A complaint registered at `unit_code` (the complaint service's input)."""
    return {
        "received_at": received_at,
        "channel": "A0302",
        "business_type": "B0303",
        "cause": "C07",
        "source": "direct",
        "org_unit": unit_code,
        "complainant": {"name": "张伟", "phone": "13812345678"},
        "request": "退还多收的年费 200 元",
        "description": "客户称信用卡年费未经同意扣收，要求退还。",
    }
