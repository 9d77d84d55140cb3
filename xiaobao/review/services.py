"""Review services: create and submit a review request with its documents, upload document versions (each
checked by the wording checker), write opinions, take workflow steps through the one casework transition
service, recompute the review clock.

Keyword-only, own their transaction, validate everything before writing (all field errors at once).

Names other modules call (fees, approvals, the demo loader):
- `review_create(actor=, data=, files=, submit=True)` → Review (draft, or submitted when `submit`);
- `review_transition(actor=, review=, action=, data=, expected_version=)` for every workflow step
  (`workflow.py`: claim, assign, issue_opinions, answer, accept_reason, close_opinion, escalate,
  decide_escalation, pass, pass_with_changes, reject, withdraw, extend, …);
- `review_conclude(actor=, review=, conclusion=, note=, valid_until=)`: the step pass / pass_with_changes /
  reject;
- `opinion_add(actor=, review=, data=)`, `opinion_delete(actor=, opinion=)` (only before it is sent);
- `document_add(actor=, review=, fileobj=, name=, title=)`, `version_add(actor=, document=, fileobj=, name=,
  note=)` → DocumentVersion; `review_finding_decide(actor=, review=, finding=, decision=, note=)`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from xiaobao.casework.clocks import ClockResult, EventSpec, RuleSpec, run_clock
from xiaobao.casework.extensions import extension_request
from xiaobao.casework.models import DeadlineRule
from xiaobao.casework.notifications import notify_on_commit
from xiaobao.casework.transitions import Transitions
from xiaobao.core.clock import localdate as recorded_date
from xiaobao.core.clock import now as recorded_now
from xiaobao.core.errors import Conflict
from xiaobao.core.models import OrgUnit, User
from xiaobao.core.scoping import unit_in_scope, user_scope
from xiaobao.core.services.audit import audit_change, audit_record, snapshot
from xiaobao.core.workdays import get_calendar
from xiaobao.review.choices import (
    Conclusion,
    EscalationDecision,
    OpinionCategory,
    OpinionResponse,
    OpinionSeverity,
    OpinionState,
    ReviewKind,
    Status,
    Track,
    default_material,
)
from xiaobao.review.models import (
    DocumentVersion,
    ProductKind,
    Review,
    ReviewClock,
    ReviewDocument,
    ReviewEvent,
    ReviewOpinion,
)
from xiaobao.review.workflow import (
    CONDUCT,
    HEAD_ACTIONS,
    REVIEWER_ACTIONS,
    SUBMIT,
    SUBMITTER_ACTIONS,
    VIEW,
    WORKFLOW,
)

SUBJECT = "review.review"
CLOCK = "review"
DEFAULT_RULES = {Track.NORMAL: "review-10wd", Track.URGENT: "review-urgent-3wd"}
PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
# Kinds that may be submitted without a document (a fee change carries its own data in the fee catalogue).
NO_DOCUMENT_KINDS = frozenset({ReviewKind.FEE_CHANGE})
# Who may upload: the submitter, while the review waits for the reviewer or the answers.
UPLOAD_STATUSES = frozenset({Status.DRAFT, Status.SUBMITTED, Status.ANSWERING})
MAX_FILES = 20


# --- deadline rules -----------------------------------------------------------------------------------


def rules() -> Any:
    """The active deadline rules for reviews."""
    return DeadlineRule.objects.filter(subject=SUBJECT, clock=CLOCK, is_active=True)


def rule_for(track: str) -> DeadlineRule | None:
    """The track's rule: the active rule listing the track in `sources`, else the preset for the track."""
    active = list(rules())
    by_track = next((r for r in active if track in (r.sources or [])), None)
    return by_track or next((r for r in active if r.code == DEFAULT_RULES.get(track)), None)  # type: ignore[call-overload]


# --- who is who ----------------------------------------------------------------------------------------


def is_party(user: Any, review: Review) -> bool:
    """The user created or submitted the review (recusal: they may not review it)."""
    return bool(user.pk and user.pk in (review.created_by_id, review.submitted_by_id))


def can_reach(user: Any, review: Review, action: str = "") -> bool:
    """The review is visible to the user: its unit in their scope, or they submitted, created or review it."""
    if not user.has_perm(VIEW):
        return False
    if user.pk in (review.handler_id, review.submitted_by_id, review.created_by_id):
        return True
    return unit_in_scope(user, review.org_unit)


def role_allows(user: Any, review: Review, action: str) -> bool:
    """Who takes the step (the permission is the action's own): the submitter's steps, the assigned
    reviewer's (never a party), a department head's (neither a party nor the reviewer); a claim by anyone
    allowed who is not a party."""
    if action in SUBMITTER_ACTIONS:
        return is_party(user, review)
    if action == "claim":
        return not is_party(user, review)
    if action in REVIEWER_ACTIONS:
        return review.handler_id == user.pk and not is_party(user, review)
    if action in HEAD_ACTIONS:
        return review.handler_id != user.pk and not is_party(user, review)
    return True


def _recusal(user: Any, review: Review) -> None:
    if is_party(user, review):
        raise PermissionDenied(
            _("Recusal: you submitted or created review %(ref)s, so you may not review it.")
            % {"ref": review.reference}
        )


def _reviewer_only(user: Any, review: Review) -> None:
    _recusal(user, review)
    if review.handler_id != user.pk:
        raise PermissionDenied(
            _("Only the reviewer of %(ref)s may take this step.") % {"ref": review.reference}
        )


def _submitter_only(user: Any, review: Review) -> None:
    if not is_party(user, review):
        raise PermissionDenied(
            _("Only the submitter of %(ref)s may take this step.") % {"ref": review.reference}
        )


def _head_only(user: Any, review: Review) -> None:
    _recusal(user, review)
    if review.handler_id == user.pk:
        raise PermissionDenied(
            _("The reviewer may not decide this: the department head (somebody else) must.")
        )


def reviewer_candidates(review: Review) -> Any:
    """Active users who may review it: the conduct permission, the review's unit in their scope, not a
    party (recusal)."""
    from django.contrib.auth.models import Permission

    perm = Permission.objects.filter(content_type__app_label="review", codename="conduct_review")
    users = (
        User.objects.filter(is_active=True, org_unit__isnull=False)
        .filter(Q(groups__permissions__in=perm) | Q(user_permissions__in=perm))
        .exclude(pk__in=[p for p in (review.created_by_id, review.submitted_by_id) if p])
        .distinct()
        .select_related("org_unit")
        .order_by("org_unit__path", "username")
    )
    return [u for u in users if unit_in_scope(u, review.org_unit)]


# --- field checks ----------------------------------------------------------------------------------------


def _text(
    errors: dict[str, list[str]], data: dict[str, Any], name: str, max_length: int, required: bool
) -> str:
    value = data.get(name)
    value = "" if value is None else str(value).strip()
    if "\x00" in value:
        errors.setdefault(name, []).append(_("Null characters are not allowed."))
    elif required and not value:
        errors.setdefault(name, []).append(_("This field is required."))
    elif len(value) > max_length:
        errors.setdefault(name, []).append(_("At most %(n)d characters.") % {"n": max_length})
    return value


def _choice(
    errors: dict[str, list[str]], data: dict[str, Any], name: str, choices: Any, default: str = ""
) -> str:
    value = str(data.get(name) or default)
    if value not in choices.values:
        errors.setdefault(name, []).append(_("Choose one of: %(s)s.") % {"s": ", ".join(choices.values)})
    return value


def _date(errors: dict[str, list[str]], name: str, value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            value = None
    if not isinstance(value, dt.date) or value.year < 2000 or value.year > 2999:
        errors.setdefault(name, []).append(_("Enter a date (YYYY-MM-DD)."))
        return None
    return value


def _product_kind(errors: dict[str, list[str]], value: Any) -> ProductKind | None:
    if isinstance(value, ProductKind):
        return value
    code = str(value or "").strip()
    kind = ProductKind.objects.filter(code=code, active=True).first() if code and len(code) <= 40 else None
    if kind is None:
        errors.setdefault("product_kind", []).append(_("No such product kind."))
    return kind


def _unit(errors: dict[str, list[str]], actor: User, value: Any) -> OrgUnit | None:
    if value in (None, ""):
        unit: OrgUnit | None = actor.org_unit
    elif isinstance(value, OrgUnit):
        unit = value
    else:
        code = str(value).strip()
        unit = OrgUnit.objects.filter(code=code).first() if len(code) <= 32 else None
    if unit is None or not unit_in_scope(actor, unit):
        errors.setdefault("org_unit", []).append(_("No such unit in your scope."))
        return None
    if not unit.is_active:
        errors.setdefault("org_unit", []).append(_("This unit is closed."))
        return None
    return unit


def _clean_review(actor: User, data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {
        "title": _text(errors, data, "title", 200, True),
        "product_name": _text(errors, data, "product_name", 200, False),
        "description": _text(errors, data, "description", 20000, False),
        "kind": _choice(errors, data, "kind", ReviewKind),
        "track": _choice(errors, data, "track", Track, Track.NORMAL),
        "product_kind": _product_kind(errors, data.get("product_kind")),
        "org_unit": _unit(errors, actor, data.get("org_unit")),
        "planned_launch": _date(errors, "planned_launch", data.get("planned_launch")),
    }
    from xiaobao.review.choices import Material

    out["material"] = (
        _choice(errors, data, "material", Material) if data.get("material") else default_material(out["kind"])
    )
    if out["planned_launch"] is not None and out["planned_launch"] < recorded_date() - dt.timedelta(days=366):
        errors.setdefault("planned_launch", []).append(_("The planned launch is more than a year ago."))
    out["rule"] = rule_for(out["track"]) if out["track"] in Track.values else None
    if out["rule"] is None and "track" not in errors:
        errors.setdefault("track", []).append(_("No deadline rule applies."))
    if errors:
        raise ValidationError(errors)
    return out


# --- creating ----------------------------------------------------------------------------------------------


def review_create(
    *,
    actor: User,
    data: dict[str, Any],
    files: list[tuple[IO[bytes], str, str]] | None = None,
    submit: bool = True,
) -> Review:
    """Create a review request (`data`: title, kind, product_kind (code), product_name, material (default by
    kind), track, planned_launch, description, org_unit (code; default the actor's unit)) with its documents
    (`files`: (file object, file name, document title)), and submit it unless `submit` is False. All in one
    transaction: a refused file stores nothing."""
    if not actor.has_perm(SUBMIT):
        raise PermissionDenied(_("You may not submit review requests."))
    clean = _clean_review(actor, data)
    files = list(files or [])
    if len(files) > MAX_FILES:
        raise ValidationError({"files": [_("At most %(n)d files at once.") % {"n": MAX_FILES}]})
    # Every file checked before anything is written: one refused file stores nothing at all.
    validated = []
    for index, (fileobj, name, title) in enumerate(files):
        field = f"files.{index}" if len(files) > 1 else "files"
        validated.append((_validate(fileobj, name, field), name, title))
    with transaction.atomic():
        review = Review(
            **clean,
            status=Status.DRAFT,
            created_by=actor,
            reference=f"tmp-{uuid.uuid4().hex[:20]}",
        )
        review.save()
        review.reference = f"SC{recorded_date():%Y}{review.pk:06d}"
        Review.objects.filter(pk=review.pk).update(reference=review.reference)
        ReviewEvent.objects.create(
            item=review,
            at=recorded_now(),
            effective_date=recorded_date(),
            actor=actor,
            action="create",
            to_status=review.status,
            data={"kind": review.kind, "track": review.track, "rule": review.rule.code},
        )
        audit_change(actor=actor, obj=review, before=None)
        stored: list[DocumentVersion] = []
        try:
            for upload, name, title in validated:
                stored.append(_store_document(actor, review, upload, name, title))
            if submit:
                review = review_transition(actor=actor, review=review, action="submit", data={})
        except Exception:
            for version in stored:  # the rows roll back; the files written to disk go too
                version.file.delete(save=False)
            raise
    return review


# --- documents and versions -----------------------------------------------------------------------------


def can_upload(user: Any, review: Review) -> bool:
    """The submitter uploads documents and new versions while the review is a draft, waits for a reviewer,
    or waits for the answers."""
    return bool(user.has_perm(SUBMIT) and is_party(user, review) and review.status in UPLOAD_STATUSES)


def _check_upload_allowed(actor: Any, review: Review) -> None:
    if not actor.has_perm(SUBMIT) or not is_party(actor, review):
        raise PermissionDenied(
            _("Only the submitter of %(ref)s may upload documents.") % {"ref": review.reference}
        )
    if review.status not in UPLOAD_STATUSES:
        raise Conflict(
            _(
                "Documents can be uploaded while the review is a draft, submitted or awaiting answers, "
                "not while it is “%(s)s”."
            )
            % {"s": review.get_status_display()},
            code="invalid_state",
        )


def _extract(validated: Any) -> tuple[str, list[list[Any]], str]:
    """Text and blocks of a validated upload (the checker's extraction). A file that cannot be read keeps
    the reader's message (and its warnings, e.g. an image has no text): it is stored and read by eye."""
    from xiaobao.checker.extract import ExtractionError, extract_text

    try:
        result = extract_text(validated.file, validated.kind)
    except ExtractionError as exc:
        return "", [], str(exc)[:2000] or _("The file's text could not be read.")
    finally:
        validated.file.seek(0)
    blocks = [[int(b[0]), int(b[1]), str(b[2]) if len(b) > 2 else ""] for b in result.blocks]
    return result.text, blocks, "\n".join(str(w) for w in result.warnings)[:2000]


def _validate(fileobj: Any, name: str, field: str = "file") -> Any:
    from xiaobao.checker.uploads import validate_upload

    return validate_upload(fileobj, name or "", field=field)


def _store_version(
    actor: Any, document: ReviewDocument, fileobj: Any, name: str, note: str, field: str = "file"
) -> DocumentVersion:
    """Validate (unless `fileobj` is already a validated upload), store, extract and check one file as the
    document's next version (inside the caller's transaction: a refusal raises before anything is
    written; a failure after the file is written removes it)."""
    from xiaobao.checker.services import check_and_store
    from xiaobao.checker.uploads import ValidatedFile

    validated = fileobj if isinstance(fileobj, ValidatedFile) else _validate(fileobj, name, field)
    text, blocks, error = _extract(validated)
    review = document.review
    number = (document.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = DocumentVersion(
        document=document,
        number=number,
        original_name=validated.name,
        content_type=validated.content_type,
        size=validated.size,
        sha256=validated.sha256,
        text=text,
        blocks=blocks,
        extraction_error=error,
        note=note,
        uploaded_by=actor,
    )
    version.file.save(f"{uuid.uuid4().hex}.{validated.extension}", File(validated.file), save=False)
    try:
        version.save()
        if text:
            check_and_store(
                version,
                text=text,
                blocks=blocks or None,
                product_kind=review.product_kind.checker_kind,
                material=review.material,
            )
    except Exception:
        version.file.delete(save=False)
        raise
    ReviewEvent.objects.create(
        item=review,
        at=recorded_now(),
        effective_date=recorded_date(),
        actor=actor,
        action="upload",
        from_status=review.status,
        to_status=review.status,
        data={
            "document": document.title[:100],
            "version": number,
            "name": validated.name,
            "sha256": validated.sha256,
        },
    )
    audit_record(
        actor=actor,
        action="create",
        obj=version,
        changes={
            "file": [None, validated.name],
            "sha256": [None, validated.sha256],
            "version": [None, number],
        },
    )
    return version


def _store_document(
    actor: Any, review: Review, fileobj: IO[bytes], name: str, title: str, field: str = "file"
) -> DocumentVersion:
    title = (title or "").strip() or (name or "").rsplit(".", 1)[0].strip()[:200] or _("Document")
    if len(title) > 200 or "\x00" in title:
        raise ValidationError({"title": [_("At most %(n)d characters.") % {"n": 200}]})
    position = (review.documents.aggregate(n=Max("position"))["n"] or 0) + 1
    document = ReviewDocument.objects.create(review=review, title=title, position=position)
    return _store_version(actor, document, fileobj, name, "", field=field)


def _locked_review(pk: int) -> Review:
    """The review row locked for the rest of the transaction, fresh from the database (a caller's instance
    may be stale: its status read before another step)."""
    return Review.objects.select_for_update().select_related("product_kind").get(pk=pk)  # type: ignore[no-any-return]


def document_add(
    *, actor: Any, review: Review, fileobj: IO[bytes], name: str, title: str = ""
) -> DocumentVersion:
    """A new document (its version 1) on the review, checked by the wording checker; nothing is stored when
    the file is refused."""
    with transaction.atomic():
        locked = _locked_review(review.pk)
        _check_upload_allowed(actor, locked)
        return _store_document(actor, locked, fileobj, name, title)


def version_add(
    *, actor: Any, document: ReviewDocument, fileobj: IO[bytes], name: str, note: str = ""
) -> DocumentVersion:
    """The document's next version (a changed leaflet after the opinions), checked by the wording checker;
    the diff against the previous version is on the review page."""
    note = (note or "").strip()
    if len(note) > 500 or "\x00" in note:
        raise ValidationError({"note": [_("At most %(n)d characters.") % {"n": 500}]})
    with transaction.atomic():
        locked = _locked_review(document.review_id)
        _check_upload_allowed(actor, locked)
        document = ReviewDocument.objects.get(pk=document.pk)
        document.review = locked
        return _store_version(actor, document, fileobj, name, note)


# --- findings ---------------------------------------------------------------------------------------------


def version_findings(version: DocumentVersion) -> Any:
    from xiaobao.checker.services import subject_findings

    return subject_findings(version)


def review_finding_decide(*, actor: Any, review: Review, finding: Any, decision: str, note: str = "") -> Any:
    """The reviewer confirms or dismisses a checker finding on one of the review's versions."""
    from xiaobao.checker.services import finding_decide

    if not actor.has_perm(CONDUCT):
        raise PermissionDenied(_("You may not do this."))
    review = Review.objects.get(pk=review.pk)
    _reviewer_only(actor, review)
    if review.status not in WORKFLOW.group("live"):
        raise Conflict(_("The review is not open for review."), code="invalid_state")
    version = DocumentVersion.objects.filter(pk=finding.object_id, document__review=review).first()
    if version is None or finding.content_type.model_class() is not DocumentVersion:
        raise PermissionDenied(_("This finding is not on this review's documents."))
    with transaction.atomic():
        out = finding_decide(finding, decision=decision, by=actor, note=note)
        ReviewEvent.objects.create(
            item=review,
            at=recorded_now(),
            effective_date=recorded_date(),
            actor=actor,
            action="finding",
            from_status=review.status,
            to_status=review.status,
            data={"finding": finding.pk, "checker_rule": finding.rule_code, "decision": decision},
        )
    return out


# --- opinions -------------------------------------------------------------------------------------------


def can_write_opinions(user: Any, review: Review) -> bool:
    return bool(
        user.has_perm(CONDUCT)
        and review.handler_id == user.pk
        and not is_party(user, review)
        and review.status == Status.IN_REVIEW
    )


def opinion_add(*, actor: Any, review: Review, data: dict[str, Any]) -> ReviewOpinion:
    """The reviewer writes an opinion (sent to the submitter with `issue_opinions`): category, severity
    (must_change | suggestion), body, and where: document (id), version (id), location, quote; `finding`: a
    checker finding it comes from."""
    if not actor.has_perm(CONDUCT):
        raise PermissionDenied(_("You may not do this."))
    review = Review.objects.get(pk=review.pk)
    _reviewer_only(actor, review)
    if review.status != Status.IN_REVIEW:
        raise Conflict(
            _("Opinions are written while the review is in review, not while it is “%(s)s”.")
            % {"s": review.get_status_display()},
            code="invalid_state",
        )
    fields = _opinion_fields(review, data)
    with transaction.atomic():
        locked = Review.objects.select_for_update().get(pk=review.pk)
        number = (locked.opinions.aggregate(n=Max("number"))["n"] or 0) + 1
        opinion = ReviewOpinion.objects.create(review=locked, number=number, author=actor, **fields)
        ReviewEvent.objects.create(
            item=locked,
            at=recorded_now(),
            effective_date=recorded_date(),
            actor=actor,
            action="opinion",
            from_status=locked.status,
            to_status=locked.status,
            data={"opinion": number, "category": fields["category"], "severity": fields["severity"]},
        )
        audit_change(actor=actor, obj=opinion, before=None)
    return opinion


def _opinion_fields(review: Review, data: dict[str, Any], finding: Any = None) -> dict[str, Any]:
    """An opinion's fields from `data`, checked (ValidationError with field messages): category, severity,
    body, location, quote and where — a checker finding (`finding`: its version and document; `finding`
    given: the one the opinion already comes from), a version, a document, else the review's only document
    (its current version)."""
    errors: dict[str, list[str]] = {}
    category = _choice(errors, data, "category", OpinionCategory)
    severity = _choice(errors, data, "severity", OpinionSeverity)
    body = _text(errors, data, "body", 5000, True)
    location = _text(errors, data, "location", 100, False)
    quote = _text(errors, data, "quote", 2000, False)
    document = version = None
    if data.get("finding") not in (None, ""):
        finding = _finding_of(errors, review, data.get("finding"))
    elif finding is not None and str(data.get("document") or "") not in (
        "",
        str(_version_of(finding).document_id),
    ):
        finding = None  # an edit moved the opinion to another document: no longer about that finding
    if finding is not None:
        version = _version_of(finding)
        document = version.document
    if version is None and data.get("version") not in (None, ""):
        version = _one(
            errors, "version", DocumentVersion.objects.filter(document__review=review), data.get("version")
        )
        document = version.document if version is not None else None
    if document is None and data.get("document") not in (None, ""):
        document = _one(errors, "document", review.documents.all(), data.get("document"))
    if errors:
        raise ValidationError(errors)
    if document is None:  # a review of one document: the opinion is about it (its current version)
        documents = list(review.documents.prefetch_related("versions")[:2])
        if len(documents) == 1:
            document = documents[0]
            version = version or document.current_version()
    elif version is None:
        version = document.current_version()
    return {
        "category": category,
        "severity": severity,
        "document": document,
        "version": version,
        "location": location,
        "quote": quote or (finding.excerpt if finding is not None else ""),
        "body": body,
        "finding": finding,
    }


def _version_of(finding: Any) -> DocumentVersion:
    return DocumentVersion.objects.select_related("document").get(pk=finding.object_id)  # type: ignore[no-any-return]


def opinion_update(*, actor: Any, opinion: ReviewOpinion, data: dict[str, Any]) -> ReviewOpinion:
    """The reviewer edits an opinion not yet sent to the submitter (the same fields as `opinion_add`; the
    checker finding it comes from is kept unless it is moved to another document). A sent opinion stays as
    it was sent: 409."""
    if not actor.has_perm(CONDUCT):
        raise PermissionDenied(_("You may not do this."))
    review = Review.objects.get(pk=opinion.review_id)
    _reviewer_only(actor, review)
    if opinion.issued:
        raise Conflict(_("This opinion was sent to the submitter and stays on record."), code="issued")
    if review.status != Status.IN_REVIEW:
        raise Conflict(
            _("Opinions are written while the review is in review, not while it is “%(s)s”.")
            % {"s": review.get_status_display()},
            code="invalid_state",
        )
    fields = _opinion_fields(review, data, finding=opinion.finding)
    with transaction.atomic():
        locked = ReviewOpinion.objects.select_for_update().get(pk=opinion.pk)
        if locked.issued:  # sent in the meantime
            raise Conflict(_("This opinion was sent to the submitter and stays on record."), code="issued")
        before = snapshot(locked)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save()
        ReviewEvent.objects.create(
            item=review,
            at=recorded_now(),
            effective_date=recorded_date(),
            actor=actor,
            action="opinion_edited",
            from_status=review.status,
            to_status=review.status,
            data={"opinion": locked.number},
        )
        audit_change(actor=actor, obj=locked, before=before)  # the fields that changed (none: nothing)
    return locked


def _one(errors: dict[str, list[str]], name: str, qs: Any, value: Any) -> Any:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        pk = 0
    obj = qs.filter(pk=pk).first() if pk > 0 else None
    if obj is None:
        errors.setdefault(name, []).append(_("Not one of this review's documents."))
    return obj


def _finding_of(errors: dict[str, list[str]], review: Review, value: Any) -> Any:
    from django.contrib.contenttypes.models import ContentType

    from xiaobao.checker.models import CheckFinding

    try:
        pk = int(value)
    except (TypeError, ValueError):
        pk = 0
    ct = ContentType.objects.get_for_model(DocumentVersion)
    versions = DocumentVersion.objects.filter(document__review=review).values("pk")
    finding = (
        CheckFinding.objects.filter(pk=pk, content_type=ct, object_id__in=versions).first()
        if pk > 0
        else None
    )
    if finding is None:
        errors.setdefault("finding", []).append(_("No such finding on this review's documents."))
    return finding


def opinion_delete(*, actor: Any, opinion: ReviewOpinion) -> None:
    """The reviewer takes back an opinion not yet sent to the submitter."""
    review = opinion.review
    if not actor.has_perm(CONDUCT):
        raise PermissionDenied(_("You may not do this."))
    _reviewer_only(actor, review)
    if opinion.issued:
        raise Conflict(_("This opinion was sent to the submitter and stays on record."), code="issued")
    with transaction.atomic():
        before = snapshot(opinion)
        ReviewEvent.objects.create(
            item=review,
            at=recorded_now(),
            effective_date=recorded_date(),
            actor=actor,
            action="opinion_deleted",
            from_status=review.status,
            to_status=review.status,
            data={"opinion": opinion.number},
        )
        audit_record(
            actor=actor, action="delete", obj=opinion, changes={k: [v, None] for k, v in before.items()}
        )
        opinion.delete()


def opinions_to_answer(review: Review) -> list[ReviewOpinion]:
    """The opinions sent to the submitter that wait for an answer."""
    return [o for o in review.opinions.all() if o.issued and o.state == OpinionState.OPEN]


def blocking_opinions(review: Review) -> list[ReviewOpinion]:
    """Must-change opinions neither closed nor waived: they block a pass."""
    return [
        o
        for o in review.opinions.all()
        if o.severity == OpinionSeverity.MUST_CHANGE
        and o.state not in (OpinionState.CLOSED, OpinionState.WAIVED)
    ]


def pass_blocked_reason(review: Review) -> str:
    """Why the review cannot pass now, "" when it can: the must-change opinions neither closed nor waived
    (`blocking_opinions`). The pass steps refuse with this message (409) and the review page shows it on
    its disabled pass buttons."""
    blocking = blocking_opinions(review)
    if not blocking:
        return ""
    numbers = pgettext("list separator", ", ").join(str(o.number) for o in blocking)
    return _("Must-change opinions %(n)s are neither closed nor waived: the review cannot pass yet.") % {
        "n": numbers
    }


# --- clocks -------------------------------------------------------------------------------------------


PAUSE_ACTIONS = {"issue_opinions": "pause", "answer": "resume"}
# Steps that end the review, and with it any pause still open (a rejection or a withdrawal while the
# submitter answers): the pause ends that day, so an ended review's due date never moves again.
ENDING_ACTIONS = frozenset({*Conclusion.values, "withdraw"})


def clock_specs(events: list[Any]) -> list[EventSpec]:
    """The review's events as the shared clock reads them: sending opinions pauses, the answer resumes,
    and a conclusion or withdrawal resumes first (a no-op unless a pause is open) on its own day."""
    specs: list[EventSpec] = []
    for e in events:
        if e.action in ENDING_ACTIONS:
            specs.append(EventSpec("resume", e.effective_date, {}))
        specs.append(EventSpec(PAUSE_ACTIONS.get(e.action, e.action), e.effective_date, e.data or {}))
    return specs


def compute_clock(review: Review, events: list[Any], today: dt.date | None = None) -> ClockResult | None:
    """The review clock from the submission day: met by a conclusion, stopped by a withdrawal, paused while
    the submitter answers opinions (from sending them to the answer, or to a conclusion or withdrawal that
    comes first). None before submission. An ended review gives the same result on any later day."""
    if review.submitted_on is None:
        return None
    rule = review.rule
    specs = clock_specs(events)
    return run_clock(
        get_calendar(),
        RuleSpec(rule.code, rule.days, rule.unit, rule.roll_forward),
        review.submitted_on,
        specs,
        today or recorded_date(),
        name=CLOCK,
        met_by=set(Conclusion.values),
        stopped=review.status == Status.WITHDRAWN,
        pausable=True,
    )


def review_recompute_clocks(review: Review, today: dt.date | None = None) -> ReviewClock | None:
    """Recompute the clock from the events and store it, with its outcome on the review row."""
    events = list(review.events.order_by("at", "id").only("action", "effective_date", "data"))
    result = compute_clock(review, events, today)
    if result is None:
        return None
    existing = ReviewClock.objects.filter(item=review, name=CLOCK).only("due_date").first()
    defaults: dict[str, Any] = {"rule": review.rule, **result.stored()}
    if existing is None or existing.due_date != result.due_date:
        defaults |= {"warned": [], "escalation_level": 0}
    clock, _created = ReviewClock.objects.update_or_create(item=review, name=CLOCK, defaults=defaults)
    if (review.due_date, review.clock_state) != (result.due_date, result.state):
        Review.objects.filter(pk=review.pk).update(due_date=result.due_date, clock_state=result.state)
        review.due_date, review.clock_state = result.due_date, result.state
    return clock


# --- transitions --------------------------------------------------------------------------------------


TRANSITIONS = Transitions(
    model=Review,
    event_model=ReviewEvent,
    workflow=WORKFLOW,
    recompute=review_recompute_clocks,
    reach=can_reach,
    noun="review",
    lock_related=("org_unit", "rule", "product_kind"),
    messages={
        "unreachable": gettext_lazy("This review is not in your scope."),
        "invalid_state": gettext_lazy("This step is not possible while the review is “%(s)s”."),
    },
)


def allowed_actions(user: Any, review: Review) -> list[Any]:
    """The steps the user may take now (table, permission, scope and who takes it), without the extension
    decisions when nothing waits and the request when one does."""
    pending = any(x.state == PENDING for x in review.extensions.all())
    skip = {"extend"} if pending else {"approve_extension", "reject_extension"}
    if review.handler_id is not None:
        skip.add("claim")
    return [
        a
        for a in TRANSITIONS.allowed_actions(user, review)
        if a.code not in skip and role_allows(user, review, a.code)
    ]


def review_transition(
    *,
    actor: User,
    review: Review,
    action: str,
    data: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> Review:
    """Take a workflow step (see `workflow.py`); 403 with a reason for the wrong person, 409 for the wrong
    state or a stale version, 422 with field messages for bad input."""
    return TRANSITIONS.run(  # type: ignore[no-any-return]
        actor=actor, item=review, action=action, data=data, expected_version=expected_version
    )


def review_conclude(
    *,
    actor: User,
    review: Review,
    conclusion: str,
    note: str = "",
    valid_until: dt.date | None = None,
    expected_version: int | None = None,
) -> Review:
    """The reviewer's conclusion: pass | pass_with_changes | reject (a rejection needs `note` as reason)."""
    if conclusion not in Conclusion.values:
        raise ValidationError(
            {"conclusion": [_("Choose one of: %(s)s.") % {"s": ", ".join(Conclusion.values)}]}
        )
    data: dict[str, Any] = {"reason": note} if conclusion == Conclusion.REJECT else {"note": note}
    if valid_until is not None and conclusion != Conclusion.REJECT:
        data["valid_until"] = valid_until
    return review_transition(
        actor=actor, review=review, action=conclusion, data=data, expected_version=expected_version
    )


@TRANSITIONS.handles("submit")
def _submit(actor: User, review: Review, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    if review.created_by_id != actor.pk:
        raise PermissionDenied(
            _("Only the person who created %(ref)s may submit it.") % {"ref": review.reference}
        )
    documents = review.documents.count()
    if documents == 0 and review.kind not in NO_DOCUMENT_KINDS:
        raise ValidationError({"files": [_("Upload at least one document to review.")]})
    review.submitted_by, review.submitted_on = actor, recorded_date()
    return {"documents": documents}, None


@TRANSITIONS.handles("claim")
def _claim(actor: User, review: Review, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    _recusal(actor, review)
    if review.handler_id is not None and review.handler_id != actor.pk:
        raise Conflict(_("Another reviewer has this review."), code="taken")
    review.handler = actor
    return {"reviewer": actor.username}, None


@TRANSITIONS.handles("assign")
def _assign(actor: User, review: Review, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    name = str(data["reviewer"]).strip()
    reviewer = User.objects.select_related("org_unit").filter(username=name, is_active=True).first()
    if reviewer is None:
        raise ValidationError({"reviewer": [_("No such user.")]})
    if is_party(reviewer, review):
        raise ValidationError(
            {
                "reviewer": [
                    _("Recusal: %(name)s submitted or created this review and may not review it.")
                    % {"name": reviewer.full_name or reviewer.username}
                ]
            }
        )
    if (
        not reviewer.has_perm(CONDUCT)
        or user_scope(reviewer) is None
        or not unit_in_scope(reviewer, review.org_unit)
    ):
        raise ValidationError({"reviewer": [_("This user may not review requests of this unit.")]})
    previous = review.handler.username if review.handler else ""
    review.handler = reviewer
    _tell_later(
        review, [reviewer.pk], "review_assigned", gettext_lazy("Review %(ref)s is yours to review: %(title)s")
    )
    return {"reviewer": reviewer.username, **({"previous": previous} if previous else {})}, None


@TRANSITIONS.handles("issue_opinions")
def _issue_opinions(actor: User, review: Review, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    _reviewer_only(actor, review)
    opinions = [o for o in review.opinions.all() if o.state == OpinionState.OPEN]
    if not opinions:
        raise ValidationError({"__all__": [_("Write at least one opinion before sending them.")]})
    ReviewOpinion.objects.filter(pk__in=[o.pk for o in opinions], issued=False).update(issued=True)
    _tell_later(
        review,
        [review.submitted_by_id or review.created_by_id],
        "review_opinions",
        gettext_lazy("Review %(ref)s: opinions await your answer"),
    )
    return {"opinions": [o.number for o in opinions]}, None


@TRANSITIONS.handles("answer")
def _answer(actor: User, review: Review, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    _submitter_only(actor, review)
    waiting = {o.number: o for o in opinions_to_answer(review)}
    errors: dict[str, list[str]] = {}
    given: dict[int, dict[str, Any]] = {}
    for row in data["answers"]:
        row = dict(row)
        number = int(row["opinion"])
        if number not in waiting:
            errors.setdefault("answers", []).append(
                _("Opinion No. %(n)d does not wait for an answer.") % {"n": number}
            )
            continue
        if row["response"] != OpinionResponse.ADOPTED and not str(row.get("note") or "").strip():
            errors.setdefault(f"answers.{number}.note", []).append(
                _("Give the reason when an opinion is not (fully) adopted.")
            )
        given[number] = row
    missing = sorted(set(waiting) - set(given))
    if missing:
        errors.setdefault("answers", []).append(
            _("Answer every opinion: No. %(n)s not answered.") % {"n": ", ".join(str(n) for n in missing)}
        )
    if errors:
        raise ValidationError(errors)
    now = recorded_now()
    current = {d.pk: d.current_version() for d in review.documents.prefetch_related("versions")}
    for number, row in given.items():
        opinion = waiting[number]
        before = snapshot(opinion)
        opinion.response = row["response"]
        opinion.response_note = str(row.get("note") or "").strip()
        opinion.responded_by, opinion.responded_at = actor, now
        opinion.answered_version = current.get(opinion.document_id) if opinion.document_id else None
        opinion.state = OpinionState.ANSWERED
        opinion.save()
        audit_change(actor=actor, obj=opinion, before=before)
    _tell_later(
        review, [review.handler_id], "review_answered", gettext_lazy("Review %(ref)s: the submitter answered")
    )
    return {"answers": {str(n): r["response"] for n, r in sorted(given.items())}}, None


def _opinion(review: Review, number: int) -> ReviewOpinion:
    opinion = review.opinions.filter(number=number).first()
    if opinion is None:
        raise ValidationError({"opinion": [_("No such opinion on this review.")]})
    return opinion  # type: ignore[no-any-return]


def _settle(actor: User, opinion: ReviewOpinion, state: str, note: str) -> None:
    before = snapshot(opinion)
    opinion.state = state
    opinion.reviewer_note = note
    opinion.settled_by, opinion.settled_at = actor, recorded_now()
    opinion.save()
    audit_change(actor=actor, obj=opinion, before=before)


@TRANSITIONS.handles("accept_reason")
def _accept_reason(actor: User, review: Review, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    _reviewer_only(actor, review)
    opinion = _opinion(review, data["opinion"])
    if opinion.state != OpinionState.ANSWERED or opinion.response == OpinionResponse.ADOPTED:
        raise Conflict(
            _("Opinion No. %(n)d has no reason to accept: only an answered opinion not (fully) adopted.")
            % {"n": opinion.number},
            code="opinion_state",
        )
    if opinion.decision == EscalationDecision.UPHOLD:
        raise Conflict(
            _("The department head upheld opinion No. %(n)d: it must be changed.") % {"n": opinion.number},
            code="upheld",
        )
    _settle(actor, opinion, OpinionState.WAIVED, data["note"])
    return {"opinion": opinion.number}, None


@TRANSITIONS.handles("close_opinion")
def _close_opinion(actor: User, review: Review, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    _reviewer_only(actor, review)
    opinion = _opinion(review, data["opinion"])
    if opinion.state != OpinionState.ANSWERED or opinion.response not in (
        OpinionResponse.ADOPTED,
        OpinionResponse.PARTLY_ADOPTED,
    ):
        raise Conflict(
            _("Opinion No. %(n)d cannot be closed: only an answered opinion that was adopted.")
            % {"n": opinion.number},
            code="opinion_state",
        )
    _settle(actor, opinion, OpinionState.CLOSED, data.get("note") or "")
    return {"opinion": opinion.number}, None


@TRANSITIONS.handles("escalate")
def _escalate(actor: User, review: Review, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    _reviewer_only(actor, review)
    opinion = _opinion(review, data["opinion"])
    if (
        opinion.severity != OpinionSeverity.MUST_CHANGE
        or opinion.state != OpinionState.ANSWERED
        or opinion.response == OpinionResponse.ADOPTED
    ):
        raise Conflict(
            _(
                "Only an answered must-change opinion that was not (fully) adopted can be escalated; "
                "No. %(n)d cannot."
            )
            % {"n": opinion.number},
            code="opinion_state",
        )
    before = snapshot(opinion)
    opinion.state = OpinionState.ESCALATED
    opinion.reviewer_note = data["note"]
    opinion.escalated_by, opinion.escalated_at = actor, recorded_now()
    opinion.save()
    audit_change(actor=actor, obj=opinion, before=before)
    _tell_later(
        review,
        _heads(review),
        "review_escalated",
        gettext_lazy("Review %(ref)s: an opinion awaits your decision"),
    )
    return {"opinion": opinion.number}, None


def _heads(review: Review) -> list[int]:
    """Department heads who may decide: the decide permission, the review in their scope, not a party or the
    reviewer."""
    from django.contrib.auth.models import Permission

    perm = Permission.objects.filter(content_type__app_label="review", codename="decide_review")
    users = (
        User.objects.filter(is_active=True, org_unit__isnull=False)
        .filter(Q(groups__permissions__in=perm) | Q(user_permissions__in=perm))
        .exclude(pk__in=[p for p in (review.created_by_id, review.submitted_by_id, review.handler_id) if p])
        .distinct()
        .select_related("org_unit")[:50]
    )
    return [u.pk for u in users if unit_in_scope(u, review.org_unit)]


@TRANSITIONS.handles("decide_escalation")
def _decide_escalation(actor: User, review: Review, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    _head_only(actor, review)
    escalated = {o.number: o for o in review.opinions.all() if o.state == OpinionState.ESCALATED}
    decisions = {int(dict(r)["opinion"]): str(dict(r)["decision"]) for r in data["decisions"]}
    unknown = sorted(set(decisions) - set(escalated))
    missing = sorted(set(escalated) - set(decisions))
    errors: dict[str, list[str]] = {}
    if unknown:
        errors.setdefault("decisions", []).append(
            _("Not escalated: No. %(n)s.") % {"n": ", ".join(str(n) for n in unknown)}
        )
    if missing:
        errors.setdefault("decisions", []).append(
            _("Decide every escalated opinion: No. %(n)s not decided.")
            % {"n": ", ".join(str(n) for n in missing)}
        )
    if errors:
        raise ValidationError(errors)
    now = recorded_now()
    for number, decision in sorted(decisions.items()):
        opinion = escalated[number]
        before = snapshot(opinion)
        opinion.decision, opinion.decision_note = decision, data["note"]
        opinion.decided_by, opinion.decided_at = actor, now
        if decision == EscalationDecision.WAIVE:
            opinion.state = OpinionState.WAIVED
            opinion.settled_by, opinion.settled_at = actor, now
        else:  # upheld: back to the submitter, who must change it
            opinion.state = OpinionState.OPEN
            opinion.response, opinion.response_note = "", ""
        opinion.save()
        audit_change(actor=actor, obj=opinion, before=before)
    _tell_later(
        review,
        [review.handler_id],
        "review_decided",
        gettext_lazy("Review %(ref)s: the escalation was decided"),
    )
    return {"decisions": {str(n): d for n, d in sorted(decisions.items())}}, None


def _conclude(actor: User, review: Review, conclusion: str, note: str) -> None:
    review.conclusion = conclusion
    review.conclusion_note = note
    review.concluded_by, review.concluded_at = actor, recorded_now()
    ReviewOpinion.objects.filter(review=review, issued=False).update(issued=True)
    party = review.submitted_by_id or review.created_by_id
    _tell_later(review, [party], "review_concluded", gettext_lazy("Review %(ref)s is concluded"))

    def send() -> None:
        from xiaobao.review.signals import review_concluded

        review_concluded.send(sender=Review, review=review, conclusion=conclusion)

    transaction.on_commit(send)


def _pass(actor: User, review: Review, data: dict[str, Any], conclusion: str) -> tuple[dict[str, Any], None]:
    _reviewer_only(actor, review)
    blocked = pass_blocked_reason(review)
    if blocked:
        raise Conflict(blocked, code="opinions_open")
    valid_until = data.get("valid_until")
    if valid_until is not None and valid_until <= recorded_date():
        raise ValidationError({"valid_until": [_("The approval must be valid beyond today.")]})
    _conclude(actor, review, conclusion, data.get("note") or "")
    review.save()
    from xiaobao.review.approvals import issue_for

    approvals = issue_for(review, by=actor, valid_until=valid_until)
    return {"approvals": [a.number for a in approvals]}, None


@TRANSITIONS.handles("pass")
def _pass_plain(actor: User, review: Review, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    return _pass(actor, review, data, Conclusion.PASS)


@TRANSITIONS.handles("pass_with_changes")
def _pass_with_changes(actor: User, review: Review, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    return _pass(actor, review, data, Conclusion.PASS_WITH_CHANGES)


@TRANSITIONS.handles("reject")
def _reject(actor: User, review: Review, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    _reviewer_only(actor, review)
    _conclude(actor, review, Conclusion.REJECT, data["reason"])
    return {"reason": data["reason"]}, None


@TRANSITIONS.handles("withdraw")
def _withdraw(actor: User, review: Review, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    _submitter_only(actor, review)
    review.extensions.filter(state=PENDING).update(
        state=REJECTED, decided_by=actor, decided_at=recorded_now()
    )
    if review.handler_id:
        _tell_later(
            review, [review.handler_id], "review_withdrawn", gettext_lazy("Review %(ref)s was withdrawn")
        )
    return {"reason": data["reason"]}, None


@TRANSITIONS.handles("record_launch")
def _record_launch(actor: User, review: Review, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    _submitter_only(actor, review)
    day = data["launched_on"]
    if day > recorded_date():
        raise ValidationError({"launched_on": [_("The launch day cannot be in the future.")]})
    if review.concluded_at is not None and day < review.concluded_at.date():
        raise ValidationError({"launched_on": [_("The launch day is before the review passed.")]})
    review.launched_on = day
    return {"launched_on": day.isoformat()}, None


@TRANSITIONS.handles("extend")
def _extend(actor: User, review: Review, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    _reviewer_only(actor, review)
    to_days = int(data["to_days"])
    ext, needs_approval = extension_request(
        review, clock=CLOCK, to_days=to_days, reason=data["reason"], actor=actor
    )
    if needs_approval:
        _tell_later(
            review,
            _heads(review),
            "review_extension",
            gettext_lazy("Review %(ref)s: an extension awaits approval"),
        )
    return {
        "to_days": to_days,
        "needs_approval": needs_approval,
        "extension": ext.pk,
        "reason": data["reason"],
    }, None


def _decide_extension(actor: User, review: Review, approve: bool) -> tuple[dict[str, Any], None]:
    _head_only(actor, review)
    ext = review.extensions.filter(state=PENDING).first()
    if ext is None:
        raise Conflict(_("No extension awaits approval."), code="no_pending_extension")
    ext.state = APPROVED if approve else REJECTED
    ext.decided_by, ext.decided_at = actor, recorded_now()
    ext.save()
    return {"to_days": ext.to_days, "extension": ext.pk}, None


@TRANSITIONS.handles("approve_extension")
def _approve_extension(actor: User, review: Review, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    return _decide_extension(actor, review, True)


@TRANSITIONS.handles("reject_extension")
def _reject_extension(actor: User, review: Review, data: dict[str, Any]) -> tuple[dict[str, Any], None]:
    return _decide_extension(actor, review, False)


# --- notifications after commit -------------------------------------------------------------------------


def _tell_later(review: Review, user_ids: list[Any], kind: str, template: Any) -> None:
    """An in-app notification about the review to each user, once the step commits."""
    ids = sorted({i for i in user_ids if i})
    if not ids:
        return
    notify_on_commit(
        users=ids,
        subject=review,
        kind=kind,
        message=(str(template) % {"ref": review.reference, "title": review.title[:80]})[:300],
        key=f"{kind}:{review.pk}:{review.version}",
    )
