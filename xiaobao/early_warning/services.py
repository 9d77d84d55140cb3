"""Write side of early warnings: acknowledge a warning, edit the watch-word list. All audited.

The scan itself (`warning_scan`) lives in `scan.py`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaobao.core.errors import Conflict
from xiaobao.core.models import User
from xiaobao.core.models.audit import AuditAction
from xiaobao.core.services.audit import audit_change, audit_record, snapshot
from xiaobao.core.vault.detect import CARD, ID_NUMBER, PHONE, validate_no_c3
from xiaobao.early_warning.models import EarlyWarning, WatchWord

ACKNOWLEDGE = "early_warning.acknowledge_earlywarning"
MANAGE_WORDS = "early_warning.manage_watchword"
VIEW = "early_warning.view_earlywarning"


def may_see_words(user: Any) -> bool:
    """Whoever sees warnings may read the watch-word list; administrators edit it."""
    return bool(user.has_perm(VIEW) or user.has_perm(MANAGE_WORDS))


NOTE_MAX = 1000


def _no_personal_data(text: str, field: str) -> None:
    """Warnings carry no personal data: refuse ID, phone and card numbers (and C3) in what people write."""
    try:
        validate_no_c3(text)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc
    if any(p.search(text) for p in (ID_NUMBER, PHONE, CARD)):
        raise ValidationError(
            {field: [_("Do not write ID, phone or card numbers here: warnings carry no personal data.")]}
        )


def warning_acknowledge(*, actor: User, warning: EarlyWarning, note: str = "") -> EarlyWarning:
    """Mark a warning seen and handled, with an optional note. Only once: a second time is a conflict."""
    if not actor.has_perm(ACKNOWLEDGE):
        raise PermissionDenied(_("You may not acknowledge early warnings."))
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": [_("At most %(n)d characters.") % {"n": NOTE_MAX}]})
    _no_personal_data(note, "note")
    with transaction.atomic():
        w = EarlyWarning.objects.select_for_update().select_related("org_unit").get(pk=warning.pk)
        if w.acknowledged_at is not None:
            raise Conflict(_("This warning was acknowledged already."), code="already_acknowledged")
        before = snapshot(w)
        w.acknowledged_by, w.acknowledged_at, w.acknowledgement_note = actor, timezone.now(), note
        w.save(update_fields=["acknowledged_by", "acknowledged_at", "acknowledgement_note", "updated_at"])
        audit_change(actor=actor, obj=w, before=before, action=AuditAction.UPDATE)
    return w


def _clean_word(word: str) -> str:
    word = " ".join((word or "").split())
    if not word:
        raise ValidationError({"word": [_("Enter a word or phrase.")]})
    if len(word) > 40:
        raise ValidationError({"word": [_("At most %(n)d characters.") % {"n": 40}]})
    _no_personal_data(word, "word")
    return word


def _require_manage(actor: User) -> None:
    if not actor.has_perm(MANAGE_WORDS):
        raise PermissionDenied(_("You may not edit the watch words."))


def _save_word(actor: User, obj: WatchWord, before: dict | None) -> WatchWord:
    try:
        with transaction.atomic():
            obj.save()
            audit_change(actor=actor, obj=obj, before=before)
    except IntegrityError as exc:
        raise ValidationError({"word": [_("This word is on the list already.")]}) from exc
    return obj


def watch_word_create(*, actor: User, word: str, is_active: bool = True) -> WatchWord:
    _require_manage(actor)
    word = _clean_word(word)
    if WatchWord.objects.filter(word=word).exists():
        raise ValidationError({"word": [_("This word is on the list already.")]})
    return _save_word(actor, WatchWord(word=word, is_active=is_active, created_by=actor), None)


def watch_word_update(
    *, actor: User, watch_word: WatchWord, word: str | None = None, is_active: bool | None = None
) -> WatchWord:
    """Rename or switch a word on or off; it applies to complaints registered from the next scan on."""
    _require_manage(actor)
    before = snapshot(watch_word)
    if word is not None:
        word = _clean_word(word)
        if WatchWord.objects.filter(word=word).exclude(pk=watch_word.pk).exists():
            raise ValidationError({"word": [_("This word is on the list already.")]})
        watch_word.word = word
    if is_active is not None:
        watch_word.is_active = is_active
    return _save_word(actor, watch_word, before)


def watch_word_delete(*, actor: User, watch_word: WatchWord) -> None:
    _require_manage(actor)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            obj=watch_word,
            changes={"word": [watch_word.word, None]},
        )
        watch_word.delete()
