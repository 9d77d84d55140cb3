"""The policy catalogue's write side: `policy_create` (a policy with its first, enacting draft),
`revision_draft` / `repeal_draft` (a new draft version), `version_update` (a draft only), `version_approve`
(freezes the version and makes it current), `version_discard`, `document_attach`, `mapping_add` /
`mapping_remove`, `policy_mark_reviewed`, `regulation_create` / `article_create`.

Every service checks permission and reach (the unit lies in the actor's subtree: a branch cannot change head
office's policies it sees), validates everything before writing (field errors as a ValidationError, nothing
stored), runs atomically and writes the audit trail. An approved version raises `FrozenVersion` (409).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from xiaobao.complaints.attachments import KINDS, max_size
from xiaobao.core.clock import localdate, now
from xiaobao.core.errors import Conflict
from xiaobao.core.models import OrgUnit
from xiaobao.core.scoping import unit_in_scope
from xiaobao.core.services.audit import audit_change, audit_record, diff, snapshot
from xiaobao.policies.models import (
    APPROVE,
    MANAGE,
    MANAGE_REGULATIONS,
    ChangeKind,
    ClauseArticle,
    FrozenVersion,
    Level,
    Policy,
    PolicyClause,
    PolicyReview,
    PolicyStatus,
    PolicyVersion,
    Regulation,
    RegulationArticle,
    SelfApproval,
)

LEVEL_OF_KIND = {"head_office": Level.HEAD_OFFICE, "branch": Level.BRANCH}
MAX_CLAUSES = 300
CLAUSE_HEAD = re.compile(r"^\s*(第[一二三四五六七八九十百零〇\d]+条)\s*(.*)$")
DOCUMENT_KINDS = ("pdf", "docx")


# --- audit of versions (their document is a file: recorded by name and checksum) ---------------------------

VERSION_FIELDS = ("number", "kind", "title", "document_number", "reason", "effective_on")


def _vsnap(version: PolicyVersion) -> dict[str, Any]:
    return {k: str(getattr(version, k)) for k in VERSION_FIELDS}


def _audit_version(actor: Any, version: PolicyVersion, before: dict[str, Any] | None) -> None:
    changes = diff(before, _vsnap(version))
    if before is None or changes:
        audit_record(
            actor=actor, action="create" if before is None else "update", obj=version, changes=changes
        )


# --- reach ------------------------------------------------------------------------------------------------


def may_change(user: Any, policy: Policy, perm: str = MANAGE) -> bool:
    """The user holds the permission and the policy's unit lies in the user's subtree."""
    return bool(user.has_perm(perm)) and unit_in_scope(user, policy.org_unit)


def _require(user: Any, policy: Policy, perm: str = MANAGE) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied(_("You may not do this."))
    if not unit_in_scope(user, policy.org_unit):
        raise PermissionDenied(_("This policy belongs to a unit above yours; only that unit may change it."))


# --- input ------------------------------------------------------------------------------------------------


def parse_clauses(text: str) -> list[dict[str, str]]:
    """Clauses from pasted text: a line starting with 第…条 begins a clause; following lines belong to it."""
    clauses: list[dict[str, str]] = []
    for line in (text or "").splitlines():
        m = CLAUSE_HEAD.match(line)
        if m:
            clauses.append({"number": m.group(1), "text": m.group(2).strip()})
        elif line.strip():
            if not clauses:
                clauses.append({"number": "", "text": line.strip()})
            else:
                clauses[-1]["text"] = (clauses[-1]["text"] + "\n" + line.strip()).strip()
    return clauses


def clauses_text(clauses: Any) -> str:
    return "\n".join(f"{c.number} {c.text}" for c in clauses)


def _text(data: dict[str, Any], key: str, errors: dict[str, list[str]], *, required: bool, limit: int) -> str:
    value = data.get(key)
    value = "" if value is None else str(value).strip()
    if "\x00" in value:
        errors[key] = [_("Remove the null character.")]
    elif required and not value:
        errors[key] = [_("This field is required.")]
    elif len(value) > limit:
        errors[key] = [_("At most %(n)d characters.") % {"n": limit}]
    return value


def _date(data: dict[str, Any], key: str, errors: dict[str, list[str]], *, required: bool) -> dt.date | None:
    raw = data.get(key)
    if raw in (None, ""):
        if required:
            errors[key] = [_("This field is required.")]
        return None
    if isinstance(raw, dt.date):
        return raw
    try:
        value = parse_date(str(raw))
    except ValueError:
        value = None
    if value is None:
        errors[key] = [_("Enter a date as YYYY-MM-DD.")]
    elif not dt.date(1990, 1, 1) <= value <= dt.date(2100, 12, 31):
        errors[key] = [_("Enter a date between 1990 and 2100.")]
        value = None
    return value


def _clauses(data: dict[str, Any], errors: dict[str, list[str]], *, required: bool) -> list[dict[str, str]]:
    raw = data.get("clauses")
    if isinstance(raw, str):
        raw = parse_clauses(raw)
    if raw is None:
        raw = []
    if not isinstance(raw, list) or not all(isinstance(c, dict) for c in raw):
        errors["clauses"] = [_("Give the clauses as a list of {number, text}.")]
        return []
    out, seen = [], set()
    for i, c in enumerate(raw, 1):
        number = str(c.get("number") or "").strip()
        text = str(c.get("text") or "").strip()
        if not number or not text:
            errors["clauses"] = [_("Clause %(i)d needs a number (第…条) and its text.") % {"i": i}]
            return []
        if len(number) > 40 or len(text) > 10000 or "\x00" in number + text:
            errors["clauses"] = [_("Clause %(i)d is too long.") % {"i": i}]
            return []
        if number in seen:
            errors["clauses"] = [_("Clause number %(n)s appears twice.") % {"n": number}]
            return []
        seen.add(number)
        out.append({"number": number, "text": text})
    if len(out) > MAX_CLAUSES:
        errors["clauses"] = [_("At most %(n)d clauses.") % {"n": MAX_CLAUSES}]
    elif required and not out:
        errors["clauses"] = [_("Give at least one clause (a line starting with 第…条).")]
    return out


def _unit(actor: Any, code: Any, errors: dict[str, list[str]]) -> OrgUnit | None:
    code = str(code or "").strip()
    if not code:
        errors["org_unit"] = [_("This field is required.")]
        return None
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None or not unit_in_scope(actor, unit):
        errors["org_unit"] = [_("No such unit in your scope.")]
        return None
    if unit.kind not in LEVEL_OF_KIND:
        errors["org_unit"] = [_("Policies belong to head office or a branch.")]
        return None
    return unit


def _regulation(code: Any, errors: dict[str, list[str]]) -> Regulation | None:
    code = str(code or "").strip()
    if not code:
        return None
    reg = Regulation.objects.filter(code=code).first()
    if reg is None:
        errors["regulation"] = [_("No such regulation.")]
    return reg


def _write_clauses(
    version: PolicyVersion, clauses: list[dict[str, str]], mappings: dict[str, list[Any]]
) -> None:
    made = PolicyClause.objects.bulk_create(
        [
            PolicyClause(version=version, number=c["number"], text=c["text"], sort_order=(i + 1) * 10)
            for i, c in enumerate(clauses)
        ]
    )
    links = [
        ClauseArticle(clause=clause, article_id=m.article_id, note=m.note, created_by_id=m.created_by_id)
        for clause in made
        for m in mappings.get(clause.number, [])
    ]
    ClauseArticle.objects.bulk_create(links)


# --- policies and versions ----------------------------------------------------------------------------------


def policy_create(*, actor: Any, data: dict[str, Any]) -> Policy:
    """A new policy (awaiting enactment) with its first version: a draft of kind 制定."""
    if not actor.has_perm(MANAGE):
        raise PermissionDenied(_("You may not do this."))
    errors: dict[str, list[str]] = {}
    unit = _unit(actor, data.get("org_unit"), errors)
    number = _text(data, "number", errors, required=True, limit=40)
    title = _text(data, "title", errors, required=True, limit=200)
    document_number = _text(data, "document_number", errors, required=False, limit=100)
    owner = _text(data, "owner_department", errors, required=True, limit=100)
    higher = _text(data, "higher_rule", errors, required=False, limit=300)
    reason = _text(data, "reason", errors, required=True, limit=4000)
    effective = _date(data, "effective_on", errors, required=True)
    regulation = _regulation(data.get("regulation"), errors)
    clauses = _clauses(data, errors, required=True)
    if unit is not None and number and Policy.objects.filter(org_unit=unit, number=number).exists():
        errors["number"] = [_("This unit already has a policy with this catalogue number.")]
    if errors:
        raise ValidationError(errors)
    assert unit is not None and effective is not None
    try:
        with transaction.atomic():
            policy = Policy.objects.create(
                org_unit=unit,
                level=LEVEL_OF_KIND[unit.kind],
                number=number,
                title=title,
                document_number=document_number,
                owner_department=owner,
                higher_rule=higher,
                regulation=regulation,
                status=PolicyStatus.DRAFT,
                created_by=actor,
            )
            version = PolicyVersion.objects.create(
                policy=policy,
                number=1,
                kind=ChangeKind.ENACT,
                title=title,
                document_number=document_number,
                reason=reason,
                effective_on=effective,
                created_by=actor,
            )
            _write_clauses(version, clauses, {})
            audit_change(actor=actor, obj=policy, before=None)
            _audit_version(actor, version, None)
    except IntegrityError as exc:
        raise ValidationError(
            {"number": [_("This unit already has a policy with this catalogue number.")]}
        ) from exc
    return policy


def open_draft(policy: Policy) -> PolicyVersion | None:
    return policy.versions.filter(approved_at__isnull=True).order_by("-number").first()


def _next_draft(*, actor: Any, policy: Policy, kind: str, data: dict[str, Any]) -> PolicyVersion:
    _require(actor, policy)
    errors: dict[str, list[str]] = {}
    reason = _text(data, "reason", errors, required=True, limit=4000)
    effective = _date(data, "effective_on", errors, required=True)
    title = _text(data, "title", errors, required=False, limit=200) or policy.title
    document_number = _text(data, "document_number", errors, required=False, limit=100)
    clauses: list[dict[str, str]] = []
    if kind == ChangeKind.REVISE:
        clauses = _clauses(data, errors, required=False)
    if errors:
        raise ValidationError(errors)
    assert effective is not None
    with transaction.atomic():
        locked = Policy.objects.select_for_update().get(pk=policy.pk)
        if locked.status == PolicyStatus.REPEALED:
            raise Conflict(_("This policy has been repealed."), code="repealed")
        if locked.status == PolicyStatus.DRAFT or locked.current_version_id is None:
            raise Conflict(
                _("The policy is not in force yet: approve or edit its enacting draft."), code="not_in_force"
            )
        if open_draft(locked) is not None:
            raise Conflict(
                _("A draft version of this policy is already waiting for approval."), code="draft_exists"
            )
        current = locked.current_version
        assert current is not None
        number = (locked.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        version = PolicyVersion.objects.create(
            policy=locked,
            number=number,
            kind=kind,
            title=title,
            document_number=document_number or (locked.document_number if kind == ChangeKind.REVISE else ""),
            reason=reason,
            effective_on=effective,
            created_by=actor,
        )
        if kind == ChangeKind.REVISE:
            old = list(current.clauses.prefetch_related("mappings"))
            mappings = {c.number: list(c.mappings.all()) for c in old}
            if not clauses:
                clauses = [{"number": c.number, "text": c.text} for c in old]
            _write_clauses(version, clauses, mappings)
        _audit_version(actor, version, None)
    return version


def revision_draft(*, actor: Any, policy: Policy, data: dict[str, Any]) -> PolicyVersion:
    """A draft revision (修订): the current clauses copied (with their mapping) unless new ones are given."""
    return _next_draft(actor=actor, policy=policy, kind=ChangeKind.REVISE, data=data)


def repeal_draft(*, actor: Any, policy: Policy, data: dict[str, Any]) -> PolicyVersion:
    """A draft repeal (废止) with its reason; approving it sets the policy repealed."""
    return _next_draft(actor=actor, policy=policy, kind=ChangeKind.REPEAL, data=data)


def version_update(*, actor: Any, version: PolicyVersion, data: dict[str, Any]) -> PolicyVersion:
    """Edit a draft: title, document number, reason, effective date, clauses (replaced when given)."""
    _require(actor, version.policy)
    if version.frozen:
        raise FrozenVersion
    errors: dict[str, list[str]] = {}
    fields: dict[str, Any] = {}
    for key, limit, required in (
        ("title", 200, True),
        ("document_number", 100, False),
        ("reason", 4000, True),
    ):
        if key in data:
            fields[key] = _text(data, key, errors, required=required, limit=limit)
    if "effective_on" in data:
        fields["effective_on"] = _date(data, "effective_on", errors, required=True)
    clauses = None
    if "clauses" in data and version.kind != ChangeKind.REPEAL:
        clauses = _clauses(data, errors, required=version.kind == ChangeKind.ENACT)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = PolicyVersion.objects.select_for_update().get(pk=version.pk)
        if locked.frozen:
            raise FrozenVersion
        before = _vsnap(locked)
        for key, value in fields.items():
            setattr(locked, key, value)
        locked.save()
        if clauses is not None:
            existing = list(locked.clauses.prefetch_related("mappings"))
            mappings = {c.number: list(c.mappings.all()) for c in existing}
            old_text = clauses_text(existing)
            locked.clauses.all().delete()
            _write_clauses(locked, clauses, mappings)
            new_text = "\n".join(f"{c['number']} {c['text']}" for c in clauses)
            if old_text != new_text:
                audit_record(
                    actor=actor,
                    action="update",
                    obj=locked,
                    changes={"clauses": [len(existing), len(clauses)]},
                )
        _audit_version(actor, locked, before)
    return locked


def draft_authors(version: PolicyVersion) -> set[int]:
    """Who wrote this version: its drafter and everyone who changed its text or attached its document (from
    the audit trail, written in the same transaction as every change). Mapping clauses to articles is an
    annotation and does not count."""
    from xiaobao.core.models.audit import AuditEvent

    edited = AuditEvent.objects.filter(
        object_type=PolicyVersion._meta.label_lower,
        object_id=str(version.pk),
        action__in=["create", "update"],
        actor__isnull=False,
    ).values_list("actor_id", flat=True)
    return {version.created_by_id, *edited}


def may_approve(user: Any, version: PolicyVersion) -> bool:
    """The approve button: permission, reach, a draft, and not one the user wrote (four eyes)."""
    return (
        not version.frozen
        and may_change(user, version.policy, APPROVE)
        and user.pk not in draft_authors(version)
    )


def version_approve(
    *, actor: Any, version: PolicyVersion, approved_on: dt.date | None = None, note: str = ""
) -> PolicyVersion:
    """Approve a draft: it is frozen from now on and becomes the policy's current version; the policy takes
    its title, document number and effective date, and its status (制定 → in force, 修订 → in force
    (revised), 废止 → repealed). Counts as a review.

    Four-eyes rule: the approver is never the drafter nor anyone who changed the draft (`SelfApproval`, 403)
    — a bank's policy is approved by someone other than the one who wrote it."""
    _require(actor, version.policy, APPROVE)
    if version.frozen:
        raise FrozenVersion
    if actor.pk in draft_authors(version):
        raise SelfApproval
    errors: dict[str, list[str]] = {}
    day = approved_on or localdate()
    if day > localdate():
        errors["approved_on"] = [_("The approval date cannot be in the future.")]
    if len(note or "") > 500:
        errors["note"] = [_("At most %(n)d characters.") % {"n": 500}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        policy = Policy.objects.select_for_update().get(pk=version.policy_id)
        locked = PolicyVersion.objects.select_for_update().get(pk=version.pk)
        if locked.frozen:
            raise FrozenVersion
        if actor.pk in draft_authors(locked):
            raise SelfApproval
        if locked.kind != ChangeKind.REPEAL and not locked.clauses.exists():
            raise ValidationError({"clauses": [_("Give at least one clause (a line starting with 第…条).")]})
        if policy.status == PolicyStatus.REPEALED:
            raise Conflict(_("This policy has been repealed."), code="repealed")
        locked.approved_by = actor
        locked.approved_at = now()
        locked.approved_on = day
        locked.save()
        before = snapshot(policy)
        policy.current_version = locked
        policy.title = locked.title
        if locked.document_number:
            policy.document_number = locked.document_number
        policy.effective_on = locked.effective_on
        policy.status = {
            ChangeKind.ENACT: PolicyStatus.IN_FORCE,
            ChangeKind.REVISE: PolicyStatus.REVISED,
            ChangeKind.REPEAL: PolicyStatus.REPEALED,
        }[ChangeKind(locked.kind)]
        policy.last_reviewed_on = day
        policy.save()
        audit_record(
            actor=actor,
            action="approve",
            obj=locked,
            changes={
                "approved_on": [None, day.isoformat()],
                "kind": [None, locked.kind],
                "note": [None, note],
            },
        )
        audit_change(actor=actor, obj=policy, before=before)
    return locked


def version_discard(*, actor: Any, version: PolicyVersion) -> None:
    """Throw a draft away (an enacting draft takes its never-enacted policy with it)."""
    _require(actor, version.policy)
    if version.frozen:
        raise FrozenVersion
    with transaction.atomic():
        locked = PolicyVersion.objects.select_for_update().get(pk=version.pk)
        if locked.frozen:
            raise FrozenVersion
        policy = locked.policy
        audit_record(actor=actor, action="delete", obj=locked, changes={"kind": [locked.kind, None]})
        locked.delete()
        if policy.status == PolicyStatus.DRAFT and not policy.versions.exists():
            audit_record(actor=actor, action="delete", obj=policy, changes={"number": [policy.number, None]})
            policy.delete()


def document_attach(*, actor: Any, version: PolicyVersion, fileobj: IO[bytes], name: str) -> PolicyVersion:
    """The version's document (PDF or .docx, content-checked), while it is a draft."""
    _require(actor, version.policy)
    if version.frozen:
        raise FrozenVersion
    data = fileobj.read(max_size() + 1)
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if len(data) > max_size():
        raise ValidationError(
            {"file": [_("The file is larger than %(mb)d MB.") % {"mb": max_size() // 2**20}]}
        )
    if not data:
        raise ValidationError({"file": [_("The file is empty.")]})
    if ext not in DOCUMENT_KINDS:
        raise ValidationError({"file": [_("The document must be a PDF or a Word (.docx) file.")]})
    if not KINDS[ext].matches(data):
        raise ValidationError({"file": [_("The file's content is not a .%(ext)s file.") % {"ext": ext}]})
    safe = name.replace("/", "_").replace("\\", "_")[-200:]
    with transaction.atomic():
        locked = PolicyVersion.objects.select_for_update().get(pk=version.pk)
        if locked.frozen:
            raise FrozenVersion
        locked.document.save(f"{uuid.uuid4().hex}.{ext}", ContentFile(data), save=False)
        locked.document_name = safe
        locked.document_type = KINDS[ext].content_type
        locked.document_sha256 = hashlib.sha256(data).hexdigest()
        locked.save()
        audit_record(
            actor=actor,
            action="update",
            obj=locked,
            changes={"document": [None, safe], "sha256": [None, locked.document_sha256]},
        )
    return locked


# --- mapping ------------------------------------------------------------------------------------------------


def mapping_add(*, actor: Any, clause: PolicyClause, article_id: Any, note: str = "") -> ClauseArticle:
    _require(actor, clause.version.policy)
    errors: dict[str, list[str]] = {}
    article = None
    if not str(article_id or "").isdigit():
        errors["article"] = [_("Choose an article.")]
    else:
        article = RegulationArticle.objects.filter(pk=int(article_id)).first()
        if article is None:
            errors["article"] = [_("No such article.")]
    note = str(note or "").strip()
    if len(note) > 300 or "\x00" in note:
        errors["note"] = [_("At most %(n)d characters.") % {"n": 300}]
    if article is not None and ClauseArticle.objects.filter(clause=clause, article=article).exists():
        errors["article"] = [_("This clause is already mapped to that article.")]
    if errors:
        raise ValidationError(errors)
    assert article is not None
    with transaction.atomic():
        link = ClauseArticle.objects.create(clause=clause, article=article, note=note, created_by=actor)
        audit_record(
            actor=actor,
            action="create",
            obj=link,
            object_repr=f"{clause.version} {clause.number} → {article}",
            changes={"article": [None, str(article)], "note": [None, note]},
        )
    return link


def mapping_remove(*, actor: Any, clause: PolicyClause, article_id: int) -> None:
    _require(actor, clause.version.policy)
    link = (
        ClauseArticle.objects.filter(clause=clause, article_id=article_id).select_related("article").first()
    )
    if link is None:
        from django.http import Http404

        raise Http404
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="delete",
            obj=link,
            object_repr=f"{clause.version} {clause.number} → {link.article}",
            changes={"article": [str(link.article), None]},
        )
        link.delete()


# --- reviews ------------------------------------------------------------------------------------------------


def policy_mark_reviewed(*, actor: Any, policy: Policy, data: dict[str, Any]) -> PolicyReview:
    """A review that changes nothing: recorded, and the review clock starts again."""
    _require(actor, policy)
    errors: dict[str, list[str]] = {}
    day = _date(data, "reviewed_on", errors, required=False) or localdate()
    note = _text(data, "note", errors, required=False, limit=500)
    if "reviewed_on" not in errors and day > localdate():
        errors["reviewed_on"] = [_("The review date cannot be in the future.")]
    if policy.status not in (PolicyStatus.IN_FORCE, PolicyStatus.REVISED):
        errors["policy"] = [_("Only a policy in force is reviewed.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Policy.objects.select_for_update().get(pk=policy.pk)
        review = PolicyReview.objects.create(policy=locked, reviewed_on=day, note=note, reviewed_by=actor)
        before = snapshot(locked)
        if locked.last_reviewed_on is None or day > locked.last_reviewed_on:
            locked.last_reviewed_on = day
            locked.save(update_fields=["last_reviewed_on", "updated_at"])
        audit_change(actor=actor, obj=locked, before=before, action="review")
    return review


# --- regulations --------------------------------------------------------------------------------------------


def regulation_create(*, actor: Any, data: dict[str, Any]) -> Regulation:
    if not actor.has_perm(MANAGE_REGULATIONS):
        raise PermissionDenied(_("You may not do this."))
    errors: dict[str, list[str]] = {}
    code = _text(data, "code", errors, required=True, limit=60)
    if code and not re.fullmatch(r"[a-z0-9][a-z0-9-]*", code):
        errors["code"] = [_("Lower-case letters, digits and hyphens only.")]
    name = _text(data, "name", errors, required=True, limit=200)
    number = _text(data, "document_number", errors, required=False, limit=100)
    issuer = _text(data, "issuer", errors, required=False, limit=100)
    effective = _date(data, "effective_on", errors, required=False)
    note = _text(data, "note", errors, required=False, limit=300)
    if code and Regulation.objects.filter(code=code).exists():
        errors["code"] = [_("A regulation with this code exists.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        order = (
            Regulation.objects.order_by("-sort_order").values_list("sort_order", flat=True).first() or 0
        ) + 10
        reg = Regulation.objects.create(
            code=code,
            name=name,
            document_number=number,
            issuer=issuer,
            effective_on=effective,
            unconfirmed=bool(data.get("unconfirmed")),
            note=note,
            sort_order=order,
        )
        audit_change(actor=actor, obj=reg, before=None)
    return reg


def article_create(*, actor: Any, regulation: Regulation, data: dict[str, Any]) -> RegulationArticle:
    if not actor.has_perm(MANAGE_REGULATIONS):
        raise PermissionDenied(_("You may not do this."))
    errors: dict[str, list[str]] = {}
    number = _text(data, "number", errors, required=True, limit=40)
    summary = _text(data, "summary", errors, required=True, limit=2000)
    if number and regulation.articles.filter(number=number).exists():
        errors["number"] = [_("This regulation already has this article.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        order = (
            regulation.articles.order_by("-sort_order").values_list("sort_order", flat=True).first() or 0
        ) + 10
        article = RegulationArticle.objects.create(
            regulation=regulation,
            number=number,
            summary=summary,
            unconfirmed=bool(data.get("unconfirmed")),
            sort_order=order,
        )
        audit_change(actor=actor, obj=article, before=None)
    return article
