"""Approvals: the pass bound to the exact approved file.

A passed review gets one `Approval` per document — for the document's current version: a number
("XB-SC-2026-0012", a sequence per year), a short public code for a label or QR (8 characters from an alphabet
without 0/O/1/I/L), the file's SHA-256 and the product's name. A later pass of the same document supersedes
the earlier approval; an approval can be withdrawn (marketing taken off after launch) and expires after its
`valid_until`. Anybody can check a code, a number or a file (`verify`, the public page /public/verify/).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaobao.casework.notifications import notify_on_commit
from xiaobao.core.clock import localdate as recorded_date
from xiaobao.core.clock import now as recorded_now
from xiaobao.core.errors import Conflict, field_error
from xiaobao.core.models.audit import AuditAction
from xiaobao.core.services.audit import audit_record
from xiaobao.review.choices import ApprovalState
from xiaobao.review.models import Approval, DocumentVersion, Review

# Neither 0/O nor 1/I/L: a code read off paper and typed in cannot be mistaken.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
NUMBER_PREFIX = "XB-SC"
MANAGE_PERM = "review.manage_approval"
_NUMBER_RE = re.compile(r"^XB-SC-(\d{4})-(\d+)$")
_CODE_RE = re.compile(rf"^[{ALPHABET}]{{{CODE_LENGTH}}}$")
_SHA_RE = re.compile(r"^[0-9a-f]{64}$")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str) -> str:
    """What a person typed (lower case, spaces or a dash in the middle: "abcd-efgh") as a stored code."""
    return re.sub(r"[\s\-]", "", raw or "").upper()


def format_code(code: str) -> str:
    """The code as printed: two groups of four ("ABCD-EFGH")."""
    return f"{code[:4]}-{code[4:]}" if len(code) == CODE_LENGTH else code


def _next_number(year: int) -> str:
    prefix = f"{NUMBER_PREFIX}-{year}-"
    last = 0
    for number in Approval.objects.filter(number__startswith=prefix).values_list("number", flat=True):
        match = _NUMBER_RE.match(number)
        if match:
            last = max(last, int(match.group(2)))
    return f"{prefix}{last + 1:04d}"


def _create(**fields: Any) -> Approval:
    """Insert one approval with a fresh number and code; a clash (another pass at the same moment, or a
    code drawn twice) is retried in a savepoint."""
    year = timezone.localtime(fields["issued_at"]).year
    for _attempt in range(8):
        try:
            with transaction.atomic():
                return Approval.objects.create(number=_next_number(year), code=new_code(), **fields)
        except IntegrityError:
            continue
    raise Conflict(_("No approval number could be allocated; try again."), code="approval_number")


def current_versions(review: Review) -> list[DocumentVersion]:
    """The newest version of each of the review's documents (documents without a file are skipped)."""
    out = []
    for document in review.documents.prefetch_related("versions"):
        version = document.current_version()
        if version is not None:
            out.append(version)
    return out


def issue_for(review: Review, *, by: Any, valid_until: dt.date | None = None) -> list[Approval]:
    """Approve the current version of each of the review's documents (called when a review passes, inside
    the conclusion's transaction). An earlier active approval of the same document is superseded."""
    now = recorded_now()
    issued = []
    with transaction.atomic():
        for version in current_versions(review):
            earlier = list(
                Approval.objects.select_for_update().filter(
                    version__document_id=version.document_id, state=ApprovalState.ACTIVE
                )
            )
            for old in earlier:
                Approval.objects.filter(pk=old.pk).update(state=ApprovalState.SUPERSEDED)
                audit_record(
                    actor=by,
                    action=AuditAction.UPDATE,
                    obj=old,
                    object_repr=old.number,
                    changes={"state": [old.state, ApprovalState.SUPERSEDED]},
                )
            approval = _create(
                review=review,
                version=version,
                sha256=version.sha256,
                product_name=(review.product_name or review.title)[:200],
                valid_until=valid_until,
                issued_at=now,
                issued_by=by,
            )
            audit_record(
                actor=by,
                action=AuditAction.CREATE,
                obj=approval,
                object_repr=approval.number,
                changes={
                    "review": review.reference,
                    "version": version.number,
                    "sha256": version.sha256,
                    "valid_until": valid_until.isoformat() if valid_until else None,
                    "supersedes": [o.number for o in earlier],
                },
            )
            issued.append(approval)
    return issued


def can_manage(user: Any, approval: Approval) -> bool:
    """Whether `user` may withdraw `approval`: the permission and the review within their reach."""
    return bool(
        user.has_perm(MANAGE_PERM) and Review.objects.visible_to(user).filter(pk=approval.review_id).exists()
    )


def approval_withdraw(approval: Approval, *, by: Any, reason: str) -> Approval:
    """Withdraw an active approval (e.g. marketing material taken off after launch): the public check then
    says so in red. Needs `review.manage_approval` and the review in the user's reach; a reason is
    required."""
    if not can_manage(by, approval):
        raise PermissionDenied(_("You may not withdraw this approval."))
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _("Give the reason for the withdrawal."), code="required")
    if len(reason) > 1000:
        raise field_error("reason", _("At most 1,000 characters."))
    with transaction.atomic():
        locked = Approval.objects.select_for_update().select_related("review").get(pk=approval.pk)
        if locked.state != ApprovalState.ACTIVE:
            raise Conflict(
                _("Approval %(number)s is not in force (%(state)s).")
                % {"number": locked.number, "state": locked.get_state_display()},
                code="approval_not_active",
            )
        previous = locked.state
        locked.state = ApprovalState.WITHDRAWN
        locked.withdrawn_at = recorded_now()
        locked.withdrawn_by = by
        locked.withdrawn_reason = reason
        locked.save(update_fields=["state", "withdrawn_at", "withdrawn_by", "withdrawn_reason"])
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            obj=locked,
            object_repr=locked.number,
            changes={"state": [previous, ApprovalState.WITHDRAWN], "reason": reason},
        )
        review = locked.review
        people = [u for u in (review.submitted_by, review.handler) if u is not None and u.pk != by.pk]
        if people:
            notify_on_commit(
                users=people,
                subject=review,
                kind="approval_withdrawn",
                message=_("Approval %(number)s of review %(ref)s was withdrawn.")
                % {"number": locked.number, "ref": review.reference},
                key=f"review:approval-withdrawn:{locked.pk}",
            )
    return locked


@dataclass
class ExpiryReport:
    expired: int = 0

    def __str__(self) -> str:
        return f"expired={self.expired}"


def approvals_expire(*, now: dt.datetime | None = None) -> ExpiryReport:
    """Periodic (`xiaobao sweep`): active approvals whose `valid_until` lies before today become expired."""
    today = timezone.localdate(now or recorded_now())
    with transaction.atomic():
        due = list(
            Approval.objects.select_for_update()
            .filter(state=ApprovalState.ACTIVE, valid_until__lt=today)
            .values_list("pk", "number")
        )
        if due:
            Approval.objects.filter(pk__in=[pk for pk, _n in due]).update(state=ApprovalState.EXPIRED)
            for pk, number in due:
                audit_record(
                    actor=None,
                    action=AuditAction.UPDATE,
                    object_type="review.approval",
                    object_id=str(pk),
                    object_repr=number,
                    changes={"state": [ApprovalState.ACTIVE, ApprovalState.EXPIRED]},
                )
    return ExpiryReport(expired=len(due))


# --- checking an approval (the public page and the API) -------------------------------------------------


def effective_state(approval: Approval, today: dt.date | None = None) -> str:
    """The state as of today: an active approval past its `valid_until` is expired even before the periodic
    job has marked it."""
    today = today or recorded_date()
    if approval.state == ApprovalState.ACTIVE and approval.valid_until and approval.valid_until < today:
        return str(ApprovalState.EXPIRED)
    return str(approval.state)


@dataclass
class Verification:
    """What a check found: the approval (None: no such code, number or file), its state today, and — when a
    file was given — whether the file is exactly the approved one."""

    approval: Approval | None
    state: str  # active | withdrawn | expired | superseded | not_found
    file_checked: bool = False
    file_matches: bool | None = None

    @property
    def found(self) -> bool:
        return self.approval is not None

    @property
    def valid(self) -> bool:
        return self.state == ApprovalState.ACTIVE and self.file_matches is not False


def sha256_of(fileobj: IO[bytes], *, limit: int) -> str | None:
    """SHA-256 of an uploaded file read in chunks (nothing stored); None when it is larger than `limit`."""
    digest = hashlib.sha256()
    size = 0
    for chunk in iter(lambda: fileobj.read(1024 * 1024), b""):
        size += len(chunk)
        if size > limit:
            return None
        digest.update(chunk)
    return digest.hexdigest()


def find(code_or_number: str) -> Approval | None:
    """The approval with this code (any case, dashes and spaces ignored) or number."""
    raw = (code_or_number or "").strip()
    if not raw or len(raw) > 40:
        return None
    qs = Approval.objects.select_related("version")
    number = raw.upper()
    if _NUMBER_RE.match(number):
        return qs.filter(number=number).first()
    code = normalise_code(raw)
    if _CODE_RE.match(code):
        return qs.filter(code=code).first()
    return None


def _by_sha(sha: str) -> Approval | None:
    """The approval of a file with this hash: the one in force, else the newest."""
    rows = list(Approval.objects.select_related("version").filter(sha256=sha).order_by("-issued_at", "-id"))
    today = recorded_date()
    live = [a for a in rows if effective_state(a, today) == ApprovalState.ACTIVE]
    chosen = live or rows
    return chosen[0] if chosen else None


def verify(code_or_number: str | None, file_sha256: str | None = None) -> Verification:
    """Check a code or approval number, a file's SHA-256, or both (the file must be the approved one)."""
    sha = (file_sha256 or "").strip().lower() or None
    if sha is not None and not _SHA_RE.match(sha):
        sha = "invalid"
    approval = find(code_or_number or "") if code_or_number else None
    if approval is None and code_or_number:
        return Verification(None, "not_found", file_checked=sha is not None, file_matches=None)
    if approval is None:
        if sha is None:
            return Verification(None, "not_found")
        approval = _by_sha(sha)
        if approval is None:
            return Verification(None, "not_found", file_checked=True, file_matches=False)
        return Verification(approval, effective_state(approval), file_checked=True, file_matches=True)
    matches = None if sha is None else approval.sha256 == sha
    return Verification(
        approval, effective_state(approval), file_checked=sha is not None, file_matches=matches
    )


def public_facts(approval: Approval) -> dict[str, Any]:
    """What the public page and the public API show: nothing internal (no ids, no people, no review
    reference), only what the printed label promises."""
    return {
        "number": approval.number,
        "code": format_code(approval.code),
        "product_name": approval.product_name,
        "file_name": approval.version.original_name,
        "sha256": approval.sha256,
        "issued_on": timezone.localdate(approval.issued_at),
        "valid_until": approval.valid_until,
        "withdrawn_on": timezone.localdate(approval.withdrawn_at) if approval.withdrawn_at else None,
    }


def approvals_visible_to(user: Any) -> Any:
    """Approvals of the reviews the user may see."""
    return Approval.objects.filter(review__in=Review.objects.visible_to(user).values("pk"))


def live_approvals(today: dt.date | None = None) -> Any:
    """Approvals in force today (active and not past their date)."""
    today = today or recorded_date()
    return Approval.objects.filter(state=ApprovalState.ACTIVE).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )


def active_versions(today: dt.date | None = None) -> Any:
    """The document versions of every live approval: the approved material in use."""
    return DocumentVersion.objects.filter(pk__in=live_approvals(today).values("version_id")).select_related(
        "document__review__product_kind"
    )
