from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404

M = TypeVar("M", bound=Model)


def require_perm(user: Any, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


def get_visible(queryset: QuerySet[M], **lookup: Any) -> M:
    """One object from a queryset already limited by `visible_to(user)`; anything else is a 404."""
    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise Http404
    return obj
