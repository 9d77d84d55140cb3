"""Fee items for the tests, through the services."""

from __future__ import annotations

from typing import Any

from xiaobao.fees.services import fee_change_draft, fee_item_create, fee_publish_recorded


def version_data(fee: str = "每笔5元", since: Any = "2026-01-01", **over: Any) -> dict[str, Any]:
    return {
        "fee": fee,
        "amount": "",
        "amount_unit": "",
        "basis": "market",
        "basis_document": "本行服务价格目录",
        "discounts": "",
        "reason": "",
        "effective_from": since,
        **over,
    }


def draft_item(
    actor: Any, *, code: str, unit: Any, fee: str = "每笔5元", since: Any = "2026-01-01", **over: Any
):
    data = {
        "code": code,
        "name": over.pop("name", f"服务{code}"),
        "category": over.pop("category", "transfer"),
        "org_unit": unit.code,
        "order": 0,
        "description": "",
        **version_data(fee, since, **over),
    }
    return fee_item_create(actor=actor, data=data)


def published_item(
    actor: Any, *, code: str, unit: Any, fee: str = "每笔5元", since: Any = "2026-01-01", **over: Any
):
    """An item whose first version is published (recorded, without a review) from `since`."""
    item = draft_item(actor, code=code, unit=unit, fee=fee, since=since, **over)
    fee_publish_recorded(actor=actor, version=item.versions.get(), note="")
    return item


def publish_change(actor: Any, item: Any, *, fee: str, since: Any, **over: Any):
    version = fee_change_draft(actor=actor, item=item, data=version_data(fee, since, **over))
    return fee_publish_recorded(actor=actor, version=version)
