"""Early-warning API: /api/v1/early-warnings (list, detail, acknowledge) and /api/v1/watch-words."""

import datetime as dt
from typing import Any, cast

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from xiaobao.complaints.models import Complaint
from xiaobao.core.api.common import get_visible, require_perm
from xiaobao.core.errors import DomainError
from xiaobao.core.models import User
from xiaobao.core.scoping import scope_q
from xiaobao.early_warning.filtersets import WarningFilter
from xiaobao.early_warning.models import EarlyWarning, WarningKind, WatchWord
from xiaobao.early_warning.selectors import warning_detail, warning_list, watch_word_list
from xiaobao.early_warning.services import (
    ACKNOWLEDGE,
    MANAGE_WORDS,
    VIEW,
    may_see_words,
    warning_acknowledge,
    watch_word_create,
    watch_word_delete,
    watch_word_update,
)

router = Router(tags=["early_warning"])


class WarningOut(Schema):
    id: int
    kind: str
    unit: str = Field(..., description="Unit code")
    unit_name: str
    category: str
    category_label: str
    count: int
    baseline: float | None
    threshold: int | None
    period_start: dt.date
    period_end: dt.date
    summary: str
    complaint_ids: list[int]
    drill_down: dict[str, str] = Field(..., description="Complaint-list filters (GET /api/v1/complaints)")
    created_at: dt.datetime
    acknowledged: bool
    acknowledged_by: str | None
    acknowledged_at: dt.datetime | None
    note: str

    @staticmethod
    def resolve_complaint_ids(obj: EarlyWarning, context: dict[str, Any]) -> list[int]:
        """Only the complaints the caller may see (a repeat complainant's earlier complaints may lie in
        another branch); whole-institution users need no query."""
        ids = [int(i) for i in obj.complaint_ids or []]
        user = context["request"].user
        if not ids or scope_q(user, "org_unit__path") is None:
            return ids
        visible = set(Complaint.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
        return [i for i in ids if i in visible]

    @staticmethod
    def resolve_unit(obj: EarlyWarning) -> str:
        return obj.org_unit.code

    @staticmethod
    def resolve_unit_name(obj: EarlyWarning) -> str:
        return obj.org_unit.name

    @staticmethod
    def resolve_category(obj: EarlyWarning) -> str:
        return obj.category_code

    @staticmethod
    def resolve_summary(obj: EarlyWarning) -> str:
        return obj.summary()

    @staticmethod
    def resolve_acknowledged(obj: EarlyWarning) -> bool:
        return obj.acknowledged_at is not None

    @staticmethod
    def resolve_acknowledged_by(obj: EarlyWarning) -> str | None:
        return obj.acknowledged_by.username if obj.acknowledged_by else None

    @staticmethod
    def resolve_note(obj: EarlyWarning) -> str:
        return obj.acknowledgement_note


class WarningDetailOut(WarningOut):
    rule: str

    @staticmethod
    def resolve_rule(obj: EarlyWarning) -> str:
        return obj.rule_text()


class WarningListFilter(Schema):
    kind: WarningKind | None = None
    state: str = Field("", pattern="^(|open|acknowledged)$")
    unit: str = Field("", max_length=32)
    date_from: dt.date | None = None
    date_to: dt.date | None = None


class AcknowledgeIn(Schema):
    note: str = Field("", max_length=1000)


class WatchWordOut(Schema):
    id: int
    word: str
    is_active: bool


class WatchWordIn(Schema):
    word: str = Field(..., min_length=1, max_length=40)
    is_active: bool = True


class WatchWordPatch(Schema):
    word: str | None = Field(None, min_length=1, max_length=40)
    is_active: bool | None = None


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _visible(request: HttpRequest, warning_id: int) -> EarlyWarning:
    require_perm(request.user, VIEW)
    warning = warning_detail(user=request.user, pk=warning_id)
    if warning is None:
        get_visible(EarlyWarning.objects.none(), pk=warning_id)  # raises the shared 404
    return warning  # type: ignore[return-value]


@router.get(
    "/early-warnings", response=list[WarningOut], summary="Early warnings in your scope, newest first"
)
@paginate(LimitOffsetPagination)
def warnings(request: HttpRequest, filters: Query[WarningListFilter]):
    require_perm(request.user, VIEW)
    form = WarningFilter({k: v for k, v in filters.dict().items() if v not in (None, "")})
    if not form.is_valid():
        raise DomainError(
            _("Invalid filter."), fields={k: [str(m) for m in v] for k, v in form.errors.items()}
        )
    return warning_list(user=request.user, filters=form.cleaned_data)


@router.get("/early-warnings/{warning_id}", response=WarningDetailOut)
def warning_get(request: HttpRequest, warning_id: int):
    return _visible(request, warning_id)


@router.post(
    "/early-warnings/{warning_id}/acknowledge",
    response=WarningDetailOut,
    summary="Acknowledge a warning with a note (409 when acknowledged already)",
)
def warning_ack(request: HttpRequest, warning_id: int, payload: AcknowledgeIn):
    warning = _visible(request, warning_id)
    require_perm(request.user, ACKNOWLEDGE)
    return warning_acknowledge(actor=_user(request), warning=warning, note=payload.note)


def _word_out(w: WatchWord) -> dict[str, Any]:
    return {"id": w.pk, "word": w.word, "is_active": w.is_active}


def _may_see_words(request: HttpRequest) -> None:
    if not may_see_words(request.user):
        require_perm(request.user, MANAGE_WORDS)  # raises the shared 403


@router.get("/watch-words", response=list[WatchWordOut], summary="The watch-word list")
def words(request: HttpRequest):
    _may_see_words(request)
    return [_word_out(w) for w in watch_word_list()]


@router.post("/watch-words", response={201: WatchWordOut}, summary="Add a watch word (administrators)")
def word_create(request: HttpRequest, payload: WatchWordIn):
    require_perm(request.user, MANAGE_WORDS)
    w = watch_word_create(actor=_user(request), word=payload.word, is_active=payload.is_active)
    return Status(201, _word_out(w))


@router.put("/watch-words/{word_id}", response=WatchWordOut, summary="Rename or switch a watch word")
def word_update(request: HttpRequest, word_id: int, payload: WatchWordPatch):
    require_perm(request.user, MANAGE_WORDS)
    w = get_visible(watch_word_list(), pk=word_id)
    w = watch_word_update(actor=_user(request), watch_word=w, word=payload.word, is_active=payload.is_active)
    return _word_out(w)


@router.delete("/watch-words/{word_id}", response={204: None}, summary="Remove a watch word")
def word_delete(request: HttpRequest, word_id: int):
    require_perm(request.user, MANAGE_WORDS)
    watch_word_delete(actor=_user(request), watch_word=get_visible(watch_word_list(), pk=word_id))
    return Status(204, None)
