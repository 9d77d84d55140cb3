"""Write side of the fee catalogue: items, fee changes (draft versions), the fee review, publication.

- `fee_item_create`: a catalogue entry with its first version as a draft change.
- `fee_change_draft`: a fee change for an item — a new draft version, or the item's draft edited.
- `fee_change_submit`: the draft goes to a fee review (a `review.Review` of kind fee_change, opened and
  submitted through the review app's services, `xiaobao.fees.reviews`); the version is then in review.
- `fee_review_concluded`: the review app's `review_concluded` signal: a passed review (pass or pass with
  changes) publishes its versions, a rejected one rejects them.
- `fee_change_publish`: publish a change under a fee review that has already passed (e.g. one review for
  the year's fee schedule), for those who hold `fees.publish_fees`.

Publishing: the version is in force from its effective date; the item's previous disclosed version ends the
day before and is marked superseded. Who may act: `fees.manage_fees` on an item of the own subtree — the
head office's institution-wide items by users at the head office (its departments, not a branch).
"""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaobao.casework.notifications import notify_on_commit
from xiaobao.core.clock import localdate
from xiaobao.core.clock import now as recorded_now
from xiaobao.core.errors import Conflict
from xiaobao.core.models import OrgUnit
from xiaobao.core.models.org import OrgUnitKind
from xiaobao.core.scoping import unit_in_scope
from xiaobao.core.services.audit import audit_change, snapshot
from xiaobao.fees.choices import DISCLOSED, Category, PriceBasis, Status
from xiaobao.fees.models import MANAGE, PUBLISH, FeeItem, FeeVersion

PASSING = ("pass", "passed", "pass_with_changes", "passed_with_changes")
REJECTING = ("reject", "rejected")
OUTSIDE_HEAD_OFFICE = {OrgUnitKind.BRANCH, OrgUnitKind.SUB_BRANCH, OrgUnitKind.OUTLET}
VERSION_FIELDS = (
    "fee",
    "amount",
    "amount_unit",
    "basis",
    "basis_document",
    "discounts",
    "reason",
    "effective_from",
)
ITEM_LIMITS = {"code": 32, "name": 100, "description": 1000}
VERSION_LIMITS = {"fee": 200, "amount_unit": 20, "basis_document": 300, "discounts": 2000, "reason": 2000}


# --- who may act -----------------------------------------------------------------------------------------


def at_head_office(user: Any) -> bool:
    """The user's unit is the head office or one of its departments (no branch, sub-branch or outlet on
    the way up): such users prepare the institution-wide fees."""
    unit = getattr(user, "org_unit", None)
    if unit is None:
        return False
    kinds = {unit.kind, *unit.ancestors().values_list("kind", flat=True)}
    return not (kinds & OUTSIDE_HEAD_OFFICE)


def _in_reach(user: Any, unit: OrgUnit) -> bool:
    """The unit lies in the user's scope; the institution-wide fees (the head office's) are also within
    reach of the head office's people."""
    if unit.parent_id is None:
        return unit_in_scope(user, unit) or at_head_office(user)
    return unit_in_scope(user, unit)


def may_manage_unit(user: Any, unit: OrgUnit) -> bool:
    """Whether the user may prepare fee changes for the fees of `unit`."""
    return bool(user.has_perm(MANAGE)) and _in_reach(user, unit)


def can_manage(user: Any, item: FeeItem) -> bool:
    return may_manage_unit(user, item.org_unit)


def can_publish(user: Any, item: FeeItem) -> bool:
    return bool(user.has_perm(PUBLISH)) and _in_reach(user, item.org_unit)


def manageable_units(user: Any) -> Any:
    """Active units the user may create fee items for (the head office among them for head-office staff)."""
    from django.db.models import Q

    from xiaobao.core.scoping import scope_q

    units = OrgUnit.objects.active()
    q = scope_q(user, "path")
    if q is None:
        return units
    if at_head_office(user):
        q = q | Q(parent__isnull=True)
    return units.filter(q)


# --- validation ------------------------------------------------------------------------------------------


def _text(errors: dict[str, list[str]], data: dict[str, Any], key: str, limit: int, required: bool) -> str:
    value = data.get(key)
    value = "" if value is None else str(value).strip()
    if "\x00" in value:
        errors.setdefault(key, []).append(_("Null characters are not allowed."))
    elif len(value) > limit:
        errors.setdefault(key, []).append(
            _("At most %(n)d characters (it has %(m)d).") % {"n": limit, "m": len(value)}
        )
    elif required and not value:
        errors.setdefault(key, []).append(_("This field is required."))
    return value


def _date(errors: dict[str, list[str]], data: dict[str, Any], key: str) -> dt.date | None:
    value = data.get(key)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if value in (None, ""):
        errors.setdefault(key, []).append(_("This field is required."))
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        errors.setdefault(key, []).append(_("Enter a valid date (YYYY-MM-DD)."))
        return None


def _amount(errors: dict[str, list[str]], value: Any) -> decimal.Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = decimal.Decimal(str(value).strip())
    except (decimal.InvalidOperation, ValueError):
        errors.setdefault("amount", []).append(_("Enter a number."))
        return None
    if not amount.is_finite() or amount < 0 or amount >= decimal.Decimal("1e10"):
        errors.setdefault("amount", []).append(_("Enter an amount between 0 and 9,999,999,999.99."))
        return None
    if amount != amount.quantize(decimal.Decimal("0.01")):
        errors.setdefault("amount", []).append(_("At most two decimal places."))
        return None
    return amount


def clean_version(data: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    """The version fields of `data` checked and normalised (errors collected by field)."""
    out: dict[str, Any] = {
        key: _text(errors, data, key, limit, required=key == "fee") for key, limit in VERSION_LIMITS.items()
    }
    out["amount"] = _amount(errors, data.get("amount"))
    basis = str(data.get("basis") or "")
    if basis not in PriceBasis.values:
        errors.setdefault("basis", []).append(_("Choose a pricing basis."))
    out["basis"] = basis
    out["effective_from"] = _date(errors, data, "effective_from")
    return out


def _clean_item(actor: Any, data: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    out: dict[str, Any] = {
        key: _text(errors, data, key, limit, required=key != "description")
        for key, limit in ITEM_LIMITS.items()
    }
    if out["code"] and FeeItem.objects.filter(code=out["code"]).exists():
        errors.setdefault("code", []).append(_("A fee item with this code exists already."))
    category = str(data.get("category") or "")
    if category not in Category.values:
        errors.setdefault("category", []).append(_("Choose a category."))
    out["category"] = category
    try:
        order = int(data.get("order") or 0)
    except (TypeError, ValueError):
        order = -1
    if not 0 <= order <= 32767:
        errors.setdefault("order", []).append(_("Enter a whole number between 0 and 32767."))
    out["order"] = max(order, 0)
    unit = data.get("org_unit")
    if not isinstance(unit, OrgUnit):
        unit = manageable_units(actor).filter(code=str(unit or "")).first()
        if unit is None:
            errors.setdefault("org_unit", []).append(_("No such unit in your scope."))
    out["org_unit"] = unit
    return out


def _latest_disclosed(item: FeeItem) -> FeeVersion | None:
    return item.versions.filter(status__in=DISCLOSED).order_by("-effective_from", "-number").first()


def _check_after_latest(item: FeeItem, effective_from: dt.date | None, errors: dict[str, list[str]]) -> None:
    latest = _latest_disclosed(item)
    if latest is not None and effective_from is not None and effective_from <= latest.effective_from:
        errors.setdefault("effective_from", []).append(
            _("The change must take effect after %(day)s, the day the current fee (version %(n)d) did.")
            % {"day": latest.effective_from.isoformat(), "n": latest.number}
        )


# --- items and changes -----------------------------------------------------------------------------------


def fee_item_create(*, actor: Any, data: dict[str, Any]) -> FeeItem:
    """A catalogue entry (code, name, category, org_unit as a code or unit, order, description) and its first
    fee as a draft change (the version fields: fee, amount, amount_unit, basis, basis_document, discounts,
    reason, effective_from)."""
    if not actor.has_perm(MANAGE):
        raise PermissionDenied(_("You may not prepare fee changes."))
    errors: dict[str, list[str]] = {}
    item_data = _clean_item(actor, data, errors)
    version_data = clean_version(data, errors)
    if item_data.get("org_unit") is not None and not may_manage_unit(actor, item_data["org_unit"]):
        errors.setdefault("org_unit", []).append(_("You may not prepare the fees of this unit."))
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            item = FeeItem.objects.create(**item_data, created_by=actor)
            version = FeeVersion.objects.create(
                item=item, number=1, status=Status.DRAFT, created_by=actor, **version_data
            )
            audit_change(actor=actor, obj=item, before=None)
            audit_change(actor=actor, obj=version, before=None)
    except IntegrityError as exc:  # the same code created at the same moment
        raise ValidationError({"code": [_("A fee item with this code exists already.")]}) from exc
    return item


def pending_version(item: FeeItem) -> FeeVersion | None:
    return item.versions.filter(status__in=(Status.DRAFT, Status.IN_REVIEW)).first()


def fee_change_draft(*, actor: Any, item: FeeItem, data: dict[str, Any]) -> FeeVersion:
    """Draft a change of the item's fee: a new draft version, or the item's draft edited. Refused while a
    change is in its fee review (one change at a time)."""
    if not can_manage(actor, item):
        raise PermissionDenied(_("You may not prepare changes of this fee."))
    errors: dict[str, list[str]] = {}
    clean = clean_version(data, errors)
    _check_after_latest(item, clean.get("effective_from"), errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        FeeItem.objects.select_for_update().filter(pk=item.pk).first()  # one change at a time per item
        pending = pending_version(item)
        if pending is not None:
            pending = _reopen_if_withdrawn(pending, actor)
        if pending is not None and pending.status == Status.IN_REVIEW:
            raise Conflict(
                _("A change of this fee is in its fee review; wait for the conclusion."), "in_review"
            )
        if pending is not None:
            before = snapshot(pending)
            for key, value in clean.items():
                setattr(pending, key, value)
            pending.save()
            audit_change(actor=actor, obj=pending, before=before)
            return pending
        number = (item.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = FeeVersion.objects.create(
            item=item, number=number, status=Status.DRAFT, created_by=actor, **clean
        )
        audit_change(actor=actor, obj=version, before=None)
    return version


def _reopen_if_withdrawn(version: FeeVersion, actor: Any) -> FeeVersion:
    """An in-review change whose review was withdrawn (no conclusion reaches this app then) is a draft
    again: it can be edited and sent to a new review."""
    from xiaobao.fees.reviews import is_withdrawn

    if version.status != Status.IN_REVIEW or not is_withdrawn(version.review):
        return version
    before = snapshot(version)
    version.status = Status.DRAFT
    version.save(update_fields=["status", "updated_at"])
    audit_change(actor=actor, obj=version, before=before)
    return version


def _locked(version: FeeVersion) -> FeeVersion:
    return FeeVersion.objects.select_for_update().select_related("item__org_unit").get(pk=version.pk)


def fee_change_discard(*, actor: Any, version: FeeVersion) -> None:
    """Delete a draft change nobody has submitted."""
    if not can_manage(actor, version.item):
        raise PermissionDenied(_("You may not prepare changes of this fee."))
    with transaction.atomic():
        version = _locked(version)
        if version.status != Status.DRAFT:
            raise Conflict(_("Only a draft change can be discarded."), "not_draft")
        before = snapshot(version)
        audit_change(actor=actor, obj=version, before=before, action="delete")
        version.delete()


def fee_change_submit(*, actor: Any, version: FeeVersion, note: str = "") -> FeeVersion:
    """Send a draft change to its fee review: a review of kind fee_change is opened and submitted in the
    actor's name (the reviewer concludes it; the review app tells this app through `review_concluded`)."""
    from xiaobao.fees.reviews import open_fee_review

    if not can_manage(actor, version.item):
        raise PermissionDenied(_("You may not prepare changes of this fee."))
    errors: dict[str, list[str]] = {}
    note = _text(errors, {"note": note}, "note", 2000, required=False)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        version = _reopen_if_withdrawn(_locked(version), actor)
        if version.status != Status.DRAFT:
            raise Conflict(_("Only a draft change can be sent to a fee review."), "not_draft")
        errors = {}
        _check_after_latest(version.item, version.effective_from, errors)
        if errors:
            raise ValidationError(errors)
        before = snapshot(version)
        version.review = open_fee_review(actor=actor, version=version, note=note)
        version.status = Status.IN_REVIEW
        version.submitted_by = actor
        version.submitted_at = recorded_now()
        version.save()
        audit_change(actor=actor, obj=version, before=before)
    return version


# --- publication -----------------------------------------------------------------------------------------


def _publish(version: FeeVersion, *, actor: Any, review: Any = None, note: str = "") -> FeeVersion:
    """Inside a transaction, `version` locked: publish it from its effective date; the previous disclosed
    version ends the day before (superseded). When a later version was published meanwhile, the change takes
    effect the day after that one's start (said in the note)."""
    item = FeeItem.objects.select_for_update().get(pk=version.item_id)
    latest = _latest_disclosed(item)
    if latest is not None and version.effective_from <= latest.effective_from:
        moved = latest.effective_from + dt.timedelta(days=1)
        note = " ".join(
            filter(
                None,
                [
                    note,
                    _("Effective date moved from %(old)s to %(new)s (after version %(n)d).")
                    % {
                        "old": version.effective_from.isoformat(),
                        "new": moved.isoformat(),
                        "n": latest.number,
                    },
                ],
            )
        )
        version.effective_from = moved
    before = snapshot(version)
    if latest is not None:
        latest_before = snapshot(latest)
        latest.effective_to = version.effective_from - dt.timedelta(days=1)
        latest.status = Status.SUPERSEDED
        latest.save(update_fields=["effective_to", "status", "updated_at"])
        audit_change(actor=actor, obj=latest, before=latest_before)
    version.status = Status.PUBLISHED
    version.effective_to = None
    version.published_by = actor
    version.published_at = recorded_now()
    if review is not None:
        version.review = review
    if note:
        version.decision_note = note
    version.save()
    audit_change(actor=actor, obj=version, before=before)
    _tell(
        version,
        "fee_published",
        gettext_lazy("Fee %(code)s: the change is published, in force from %(day)s."),
    )
    return version


def _tell(version: FeeVersion, kind: str, message: Any) -> None:
    users = {u for u in (version.created_by_id, version.submitted_by_id) if u}
    if not users:
        return
    notify_on_commit(
        users=users,
        subject=version.item,
        kind=kind,
        message=str(message) % {"code": version.item.code, "day": version.effective_from.isoformat()},
        key=f"fees:{version.pk}:{kind}",
    )


def fee_change_publish(*, actor: Any, version: FeeVersion, review: Any) -> FeeVersion:
    """Publish a draft or in-review change under a fee review that has passed (e.g. one review for several
    items); needs `fees.publish_fees` and the item within reach."""
    from xiaobao.fees.reviews import is_passed_fee_review

    if not can_publish(actor, version.item):
        raise PermissionDenied(_("You may not publish fee changes."))
    if review is None or not is_passed_fee_review(review):
        raise ValidationError({"review": [_("Choose a fee review that has passed.")]})
    with transaction.atomic():
        version = _locked(version)
        if version.status not in (Status.DRAFT, Status.IN_REVIEW):
            raise Conflict(_("Only a draft or in-review change can be published."), "not_pending")
        return _publish(version, actor=actor, review=review)


def fee_publish_recorded(*, actor: Any, version: FeeVersion, note: str = "") -> FeeVersion:
    """Publish a change without a fee review: only for loading the fees that were in force before the
    catalogue was kept here (the demo, an initial import). No page or API operation calls it."""
    with transaction.atomic():
        version = _locked(version)
        if version.status not in (Status.DRAFT, Status.IN_REVIEW):
            raise Conflict(_("Only a draft or in-review change can be published."), "not_pending")
        return _publish(version, actor=actor, note=note)


def fee_review_concluded(*, review: Any, conclusion: str, **_: Any) -> list[FeeVersion]:
    """The fee review's conclusion reached this app: pass or pass with changes publishes its in-review
    versions; reject rejects them; a withdrawn review returns them to draft. Idempotent."""
    conclusion = str(conclusion or getattr(review, "conclusion", "") or "")
    actor = getattr(review, "concluded_by", None) or getattr(review, "handler", None)
    note = str(getattr(review, "conclusion_note", "") or "")
    done: list[FeeVersion] = []
    with transaction.atomic():
        waiting = FeeVersion.objects.select_for_update().filter(review=review, status=Status.IN_REVIEW)
        for version in waiting.select_related("item__org_unit").order_by("pk"):
            if conclusion in PASSING:
                done.append(_publish(version, actor=actor, note=note))
            elif conclusion in REJECTING or conclusion == "withdrawn":
                before = snapshot(version)
                version.status = Status.REJECTED if conclusion in REJECTING else Status.DRAFT
                version.decision_note = note
                version.save(update_fields=["status", "decision_note", "updated_at"])
                audit_change(actor=actor, obj=version, before=before)
                if version.status == Status.REJECTED:
                    _tell(
                        version,
                        "fee_rejected",
                        gettext_lazy("Fee %(code)s: the fee review rejected the change."),
                    )
                done.append(version)
    return done


def on_review_concluded(sender: Any, review: Any = None, conclusion: str = "", **kwargs: Any) -> None:
    """Receiver of `xiaobao.review.signals.review_concluded` (connected in `FeesConfig.ready`)."""
    if review is None:
        return
    fee_review_concluded(review=review, conclusion=conclusion)


def today() -> dt.date:
    return localdate()
