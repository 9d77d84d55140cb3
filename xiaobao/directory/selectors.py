"""Reads of directory sign-in (the mapping table is institution-wide: its permission is the scope)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from xiaobao.directory.models import DirectoryAccount, DirectorySyncRun, GroupRoleMapping


def mapping_list(*, user: Any) -> QuerySet[GroupRoleMapping]:
    return GroupRoleMapping.objects.select_related("org_unit")


def configuration() -> dict[str, Any]:
    """The directory settings as the page shows them (the bind password is never among them)."""
    return dict(getattr(settings, "DIRECTORY", {}))


def last_sync() -> DirectorySyncRun | None:
    return DirectorySyncRun.objects.order_by("-created_at", "-id").first()


def account_counts() -> dict[str, int]:
    qs = DirectoryAccount.objects.all()
    return {"total": qs.count(), "inactive": qs.filter(user__is_active=False).count()}
