"""Write side of notes and reply templates, and the read helpers both sides share.

Notes: `note_add` resolves `@username` / `@姓名` mentions to people who can see the complaint, stores
the note and tells those people (a notification linking to the complaint, once the note is committed). The
author may edit or delete a note for `EDIT_MINUTES`; after that it is kept. Every write is in the audit
trail; the note's text goes there with ID, card and phone numbers masked (`audit_record` masks every string
with the vault's patterns), because notes may carry personal data.

Templates: `template_save` / `template_delete` for officers whose scope holds the owning unit;
placeholders are checked on saving (`placeholders.check`). `templates_for(complaint, kind)` lists the
templates that apply to a complaint, best match first.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaobao.casework.notifications import notify_on_commit
from xiaobao.complaints.models import Complaint, ComplaintCode
from xiaobao.core.errors import DomainError, field_error
from xiaobao.core.models import OrgUnit, User
from xiaobao.core.scoping import unit_in_scope
from xiaobao.core.services.audit import audit_record, snapshot
from xiaobao.core.vault.detect import contains_c3
from xiaobao.notes import placeholders
from xiaobao.notes.models import EDIT_MINUTES, Note, ReplyTemplate, TemplateKind

VIEW = "complaints.view_complaint"
WRITE = "notes.write_note"
MANAGE = "notes.manage_replytemplate"
MAX_NOTE = 5000
# "@" not glued to a word before it (e-mail addresses are not mentions), then a name of letters, digits, CJK,
# "_", "." or "-" (at most 30 characters: the longest prefix naming a person is taken).
MENTION = re.compile(r"(?<![\w@])@([\w.\-]{1,30})")


# --- who can see a complaint ------------------------------------------------------------------------------


def can_see(user: User, complaint: Complaint) -> bool:
    """Whether the user may read the complaint (the complaint page's own rule: permission, then scope)."""
    return bool(
        user.is_active
        and user.has_perm(VIEW)
        and Complaint.objects.visible_to(user).filter(pk=complaint.pk).exists()
    )


def mention_candidates(complaint: Complaint, q: str, limit: int = 8) -> list[User]:
    """People whose username or name contains `q` and who can see the complaint (for the suggestion list)."""
    q = (q or "").strip().lstrip("@")[:30]
    users = User.objects.filter(is_active=True).select_related("org_unit")
    if q:
        users = users.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    found: list[User] = []
    for user in users.order_by("full_name", "username")[:60]:
        if can_see(user, complaint):
            found.append(user)
            if len(found) >= limit:
                break
    return found


def resolve_mentions(complaint: Complaint, text: str) -> list[User]:
    """The people the text mentions who can see the complaint, in order of first mention.

    `@name` takes the longest prefix of the word after "@" that is a username or a full name of exactly one
    person who can see the complaint ("@张三请核实" mentions 张三). A name two such people share is refused
    with a message asking for the username; anybody else (no such person, or one who cannot see the
    complaint) is not mentioned and not told.
    """
    tokens = [m.group(1).rstrip(".-") for m in MENTION.finditer(text or "")]
    if not tokens:
        return []
    prefixes = {t[:i] for t in tokens for i in range(1, len(t) + 1)}
    people = list(
        User.objects.filter(is_active=True).filter(Q(username__in=prefixes) | Q(full_name__in=prefixes))
    )
    seeing = [u for u in people if can_see(u, complaint)]
    by_username = {u.username: u for u in seeing}
    by_name: dict[str, list[User]] = {}
    for u in seeing:
        if u.full_name:
            by_name.setdefault(u.full_name, []).append(u)
    found: dict[int, User] = {}
    for token in tokens:
        for end in range(len(token), 0, -1):
            word = token[:end]
            if word in by_username:
                found.setdefault(by_username[word].pk, by_username[word])
                break
            named = by_name.get(word, [])
            if len(named) > 1:
                raise field_error(
                    "text",
                    _("Several people are called %(name)s: mention them by username (@%(usernames)s).")
                    % {"name": word, "usernames": " @".join(sorted(u.username for u in named))},
                    code="ambiguous_mention",
                )
            if named:
                found.setdefault(named[0].pk, named[0])
                break
    return list(found.values())


# --- notes ------------------------------------------------------------------------------------------------


def _check_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise field_error("text", _("Write the note."), code="required")
    if len(text) > MAX_NOTE:
        raise field_error("text", _("At most %(n)d characters.") % {"n": MAX_NOTE}, code="max_length")
    if contains_c3(text):
        raise field_error(
            "text",
            _("This text appears to contain a password, PIN, CVV or verification code: remove it."),
            code="c3_information",
        )
    return text


def _require_writer(actor: User, complaint: Complaint) -> None:
    if not can_see(actor, complaint):
        raise PermissionDenied
    if not actor.has_perm(WRITE):
        raise PermissionDenied(_("You may not write notes."))


def _tell(note: Note, users: list[User], actor: User) -> None:
    users = [u for u in users if u.pk != actor.pk]
    if not users:
        return
    c = note.complaint
    notify_on_commit(
        users=users,
        subject=Complaint(pk=c.pk, reference=c.reference),
        kind="mention",
        message=_("%(ref)s: you were mentioned in an internal note") % {"ref": c.reference},
        key=f"note:{note.pk}:mention",
    )


@transaction.atomic
def note_add(*, actor: User, complaint: Complaint, text: str) -> Note:
    """Write a note on the complaint and tell the people it mentions (those who can see the complaint)."""
    _require_writer(actor, complaint)
    text = _check_text(text)
    mentioned = resolve_mentions(complaint, text)
    note = Note.objects.create(complaint=complaint, author=actor, text=text)
    note.mentions.set(mentioned)
    audit_record(
        actor=actor,
        action="create",
        obj=note,
        object_repr=f"{complaint.reference} note #{note.pk}",
        changes={
            "complaint": [None, complaint.reference],
            "text": [None, text],  # masked by audit_record (ID, card and phone numbers)
            "mentions": [None, [u.username for u in mentioned]],
        },
    )
    _tell(note, mentioned, actor)
    return note


def can_change(actor: User, note: Note, now: dt.datetime | None = None) -> bool:
    """The author, within EDIT_MINUTES of writing it."""
    now = now or timezone.now()
    return note.author_id == actor.pk and now - note.created_at <= dt.timedelta(minutes=EDIT_MINUTES)


def _require_change(actor: User, note: Note) -> None:
    if not can_see(actor, note.complaint):
        raise PermissionDenied
    if note.author_id != actor.pk:
        raise PermissionDenied(_("Only the author may change a note."))
    if not can_change(actor, note):
        raise PermissionDenied(
            _("A note can be changed for %(n)d minutes after it was written; it is kept now.")
            % {"n": EDIT_MINUTES}
        )


@transaction.atomic
def note_edit(*, actor: User, note: Note, text: str) -> Note:
    """The author corrects the note (within EDIT_MINUTES); people newly mentioned are told."""
    _require_change(actor, note)
    text = _check_text(text)
    before, before_mentions = note.text, set(note.mentions.values_list("pk", flat=True))
    mentioned = resolve_mentions(note.complaint, text)
    note.text, note.edited_at = text, timezone.now()
    note.save(update_fields=["text", "edited_at", "updated_at"])
    note.mentions.set(mentioned)
    audit_record(
        actor=actor,
        action="update",
        obj=note,
        object_repr=f"{note.complaint.reference} note #{note.pk}",
        changes={"text": [before, text], "mentions": [None, [u.username for u in mentioned]]},
    )
    new = [u for u in mentioned if u.pk not in before_mentions]
    if new:
        notify_on_commit(
            users=[u for u in new if u.pk != actor.pk],
            subject=Complaint(pk=note.complaint.pk, reference=note.complaint.reference),
            kind="mention",
            message=_("%(ref)s: you were mentioned in an internal note") % {"ref": note.complaint.reference},
            key=f"note:{note.pk}:mention",
        )
    return note


@transaction.atomic
def note_delete(*, actor: User, note: Note) -> None:
    """The author withdraws the note (within EDIT_MINUTES); the audit trail keeps what it said (masked)."""
    _require_change(actor, note)
    audit_record(
        actor=actor,
        action="delete",
        obj=note,
        object_repr=f"{note.complaint.reference} note #{note.pk}",
        changes={"text": [note.text, None]},
    )
    note.delete()


# --- templates: matching and rendering --------------------------------------------------------------------


def _ancestors_or_self(code: ComplaintCode | None) -> list[int]:
    ids: list[int] = []
    seen = 0
    while code is not None and seen < 10:
        ids.append(code.pk)
        code = code.parent
        seen += 1
    return ids


def match_score(t: ReplyTemplate, business_type: list[int], cause: list[int]) -> tuple[int, ...] | None:
    """How well a template fits (higher first), or None when it does not apply: an exact code beats its parent
    code, a parent beats "any"; business type weighs more than cause; a unit lower in the tree beats head
    office's."""

    def level(code_id: int | None, chain: list[int]) -> int | None:
        if code_id is None:
            return 0
        if code_id not in chain:
            return None
        return 10 - chain.index(code_id)  # exact = 10, parent = 9, …

    b = level(t.business_type_id, business_type)
    c = level(t.cause_id, cause)
    if b is None or c is None:
        return None
    return (b, c, len(t.org_unit.path))


def rank(
    templates: list[ReplyTemplate], business_type: ComplaintCode | None, cause: ComplaintCode | None
) -> list[ReplyTemplate]:
    bt, ca = _ancestors_or_self(business_type), _ancestors_or_self(cause)
    scored = [(s, t) for t in templates if (s := match_score(t, bt, ca)) is not None]
    scored.sort(key=lambda st: (tuple(-x for x in st[0]), st[1].name, st[1].pk))
    return [t for _s, t in scored]


def templates_for(complaint: Complaint, kind: str = TemplateKind.DECISION) -> list[ReplyTemplate]:
    """The active templates of `kind` that apply to the complaint, best match first: owned by its responsible
    unit or a unit above it, for its business type and cause (or a parent code of them, or any)."""
    qs = ReplyTemplate.objects.usable_at(complaint.org_unit.path).filter(kind=kind).select_related("org_unit")
    return rank(list(qs), complaint.business_type, complaint.cause)


def usable_by(user: User) -> Any:
    """Templates the user may use or manage: those of the units above the user's own unit and of the user's
    scope (head office's serve everybody)."""
    from xiaobao.core.scoping import ALL, user_scope

    scope = user_scope(user)
    if scope is None:
        return ReplyTemplate.objects.none()
    if scope == ALL:
        return ReplyTemplate.objects.all()
    path = scope.path  # type: ignore[union-attr]
    return ReplyTemplate.objects.filter(
        Q(pk__in=ReplyTemplate.objects.usable_at(path).values("pk"))
        | Q(pk__in=ReplyTemplate.objects.manageable_by(user).values("pk"))
    )


def template_render(user: User, complaint: Complaint, template: ReplyTemplate) -> dict[str, str]:
    """The template's texts filled in for the complaint (as this user may see it)."""
    values = placeholders.complaint_values(user, complaint)
    return {name: placeholders.fill(text, values) for name, text in template.texts().items()}


def best_notice_template(complaint: Complaint) -> ReplyTemplate | None:
    found = templates_for(complaint, TemplateKind.NOTICE)
    return found[0] if found else None


# --- templates: write side --------------------------------------------------------------------------------

FIELDS = ("name", "kind", "business_type", "cause", "org_unit", "is_active", *ReplyTemplate.TEXT_FIELDS)


def _code(dimension: str, value: Any, field: str) -> ComplaintCode | None:
    if value in (None, ""):
        return None
    if isinstance(value, ComplaintCode):
        return value
    code = ComplaintCode.objects.filter(dimension=dimension, code=str(value)).first()
    if code is None:
        raise field_error(field, _("Unknown code."))
    return code


def default_unit(actor: User) -> OrgUnit | None:
    """A new template's owner: head office for those who see every unit (their templates serve all), else
    the user's own unit."""
    from xiaobao.core.scoping import ALL, user_scope

    if user_scope(actor) == ALL:
        return OrgUnit.objects.filter(parent__isnull=True).order_by("pk").first()
    return actor.org_unit


def _unit(actor: User, value: Any) -> OrgUnit:
    unit = value if isinstance(value, OrgUnit) else OrgUnit.objects.filter(code=str(value or "")).first()
    if unit is None:
        raise field_error("org_unit", _("Unknown unit."))
    if not unit_in_scope(actor, unit):
        raise field_error("org_unit", _("Choose a unit within your scope."))
    return unit


def _validate(t: ReplyTemplate) -> None:
    errors: dict[str, list[str]] = {}
    if not t.name.strip():
        errors["name"] = [_("Give the template a name.")]
    if len(t.name) > 100:
        errors["name"] = [_("At most %(n)d characters.") % {"n": 100}]
    if t.kind not in TemplateKind.values:
        errors["kind"] = [_("Choose decision text or notice text.")]
    for name in ReplyTemplate.TEXT_FIELDS:
        text = getattr(t, name) or ""
        limit = 10000 if name == "body" else 5000
        problems = placeholders.check(text)
        if len(text) > limit:
            problems.append(_("At most %(n)d characters.") % {"n": limit})
        if contains_c3(text):
            problems.append(_("This text appears to contain a password, PIN, CVV or verification code."))
        if problems:
            errors[name] = problems
    if t.kind == TemplateKind.DECISION and not any(
        getattr(t, n).strip() for n in ReplyTemplate.DECISION_FIELDS
    ):
        errors.setdefault("result", []).append(_("Write at least one of the decision's texts."))
    if t.kind == TemplateKind.NOTICE and not t.body.strip():
        errors.setdefault("body", []).append(_("Write the notice text."))
    if errors:
        first = next(iter(errors.values()))[0]
        raise DomainError(first, code="invalid", fields=errors)


@transaction.atomic
def template_save(
    *, actor: User, data: dict[str, Any], template: ReplyTemplate | None = None
) -> ReplyTemplate:
    """Create (template=None) or update a reply template; only the keys given change on update."""
    if not actor.has_perm(MANAGE):
        raise PermissionDenied
    if (
        template is not None
        and not ReplyTemplate.objects.manageable_by(actor).filter(pk=template.pk).exists()
    ):
        raise PermissionDenied
    before = snapshot(template) if template is not None else None
    t = template or ReplyTemplate(created_by=actor)
    if template is None and not data.get("org_unit"):
        data = {**data, "org_unit": default_unit(actor)}
    for key, value in data.items():
        if key not in FIELDS:
            continue
        if key == "business_type":
            t.business_type = _code("business_type", value, key)
        elif key == "cause":
            t.cause = _code("cause", value, key)
        elif key == "org_unit":
            t.org_unit = _unit(actor, value)
        elif key == "is_active":
            t.is_active = bool(value)
        else:
            setattr(t, key, (value or "") if isinstance(value, str | type(None)) else str(value))
    _validate(t)
    t.save()
    after = snapshot(t)
    changes = {k: [(before or {}).get(k), v] for k, v in after.items() if (before or {}).get(k) != v}
    audit_record(actor=actor, action="update" if before else "create", obj=t, changes=changes)
    return t


@transaction.atomic
def template_delete(*, actor: User, template: ReplyTemplate) -> None:
    if (
        not actor.has_perm(MANAGE)
        or not ReplyTemplate.objects.manageable_by(actor).filter(pk=template.pk).exists()
    ):
        raise PermissionDenied
    audit_record(actor=actor, action="delete", obj=template, changes={"name": [template.name, None]})
    template.delete()
