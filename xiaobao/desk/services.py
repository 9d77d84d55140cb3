"""Write side of the desk: bulk runs over complaints and saved views.

A bulk run never updates complaints in bulk: each selected complaint goes through the complaints' one
transition service (`complaint_transition`) with its own permission and reach check, its version check,
its event and its audit row; one refused complaint is a line in the run's summary, not the end of the run.
The run is a `BulkRun` job (`xiaobao.core.jobs`): queued here, run by the task worker (`tasks.py`) with
progress, its summary stored on the row.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from xiaobao.complaints import workflow
from xiaobao.complaints.filtersets import ComplaintFilter
from xiaobao.complaints.models import Complaint, ExportJob
from xiaobao.core.errors import Conflict, DomainError, field_error
from xiaobao.core.jobs import (
    job_enqueue,
    job_finish,
    job_finish_with_file,
    job_progress,
    job_reap_stale,
    job_run,
)
from xiaobao.core.models import OrgUnit, User
from xiaobao.core.models.audit import AuditAction
from xiaobao.core.models.jobs import JobState
from xiaobao.core.services.audit import audit_record
from xiaobao.core.vault.detect import validate_no_c3
from xiaobao.desk.models import BulkAction, BulkRun, SavedView, ViewScope
from xiaobao.desk.selectors import filtered_rows

log = logging.getLogger(__name__)

VIEW = "complaints.view_complaint"
EXPORT = "complaints.export_complaint"
BULK_LIMIT = 5_000  # complaints in one run
PROGRESS_EVERY = 25  # complaints between two progress writes
CHUNK = 200  # complaints read at a time
MAX_QUERY = 1000  # characters of a saved view's query string

# The permission each bulk action needs at all (each complaint is checked again by the transition service).
ACTION_PERMISSION = {
    BulkAction.ASSIGN: workflow.ACTIONS["assign"].permission,
    BulkAction.TRANSFER: workflow.ACTIONS["transfer"].permission,
    BulkAction.MARK_MAJOR: workflow.ACTIONS["mark_major"].permission,
    BulkAction.EXPORT: EXPORT,
}
# The inputs each action takes (anything else is refused), with their longest value.
ACTION_PARAMS: dict[str, dict[str, int]] = {
    BulkAction.ASSIGN: {"handler": 150, "unit": 32, "note": 2000},
    BulkAction.TRANSFER: {"unit": 32, "reason": 2000, "note": 2000},
    BulkAction.MARK_MAJOR: {"reason": 200, "note": 2000},
    BulkAction.EXPORT: {},
}
VERBS = {
    BulkAction.ASSIGN: pgettext_lazy("bulk verb", "assign"),
    BulkAction.TRANSFER: pgettext_lazy("bulk verb", "transfer"),
    BulkAction.MARK_MAJOR: pgettext_lazy("bulk verb", "mark as major"),
    BulkAction.EXPORT: pgettext_lazy("bulk verb", "export"),
}


class BulkError(Exception):
    """A reason the whole run cannot go on, kept as the run's reason."""


# --- filters as the list's query string -----------------------------------------------------------------


def _querydict(data: Mapping[str, Any] | str, prefix: str) -> QueryDict:
    """The list's filter parameters as a QueryDict: from a query string, or from a JSON object (a value may
    be a list; booleans become true/false). Unknown names and empty values are refused or dropped."""
    params = QueryDict(mutable=True)
    source: Iterable[tuple[str, list[Any]]]
    if isinstance(data, str):
        source = QueryDict(data).lists()
    else:
        source = ((k, v if isinstance(v, list) else [v]) for k, v in data.items())
    for key, values in source:
        if key == "page":
            continue
        if key not in ComplaintFilter.base_fields:
            raise field_error(f"{prefix}.{key}" if prefix else key, _("Unknown filter."))
        kept = []
        for value in values:
            if isinstance(value, bool):
                value = "true" if value else "false"
            if value is None or value == "":
                continue
            if not isinstance(value, str | int | float):
                raise field_error(f"{prefix}.{key}", _("Enter a text, a number or true/false."))
            kept.append(str(value))
        if kept:
            params.setlist(key, kept)
    return params


def parse_filter(data: Mapping[str, Any] | str, *, prefix: str = "filter") -> tuple[str, dict[str, Any]]:
    """(normalised query string, cleaned filters) of the list's filter form; field errors as `prefix.name`."""
    params = _querydict(data, prefix)
    form = ComplaintFilter(params)
    if not form.is_valid():
        fields = {f"{prefix}.{k}" if prefix else k: [str(m) for m in v] for k, v in form.errors.items()}
        raise DomainError(_("Invalid filter."), fields=fields)
    return params.urlencode(), form.cleaned_data


# --- bulk runs ------------------------------------------------------------------------------------------


def _text(params: Mapping[str, Any], name: str, longest: int) -> str:
    value = params.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise field_error(f"params.{name}", _("Enter a text."))
    value = value.strip()
    if len(value) > longest:
        raise field_error(f"params.{name}", _("At most %(n)d characters.") % {"n": longest})
    if "\x00" in value:
        raise field_error(f"params.{name}", _("Null characters are not allowed."))
    try:
        validate_no_c3(value)
    except ValidationError as exc:
        raise field_error(f"params.{name}", exc.messages[0]) from exc
    return value


def eligible_handlers(user: Any) -> Any:
    """Active complaint handlers in the user's scope (what the assign picker offers)."""
    perm = Permission.objects.filter(content_type__app_label="complaints", codename="handle_complaint")
    return (
        User.objects.visible_to(user)
        .filter(is_active=True, is_service=False, org_unit__isnull=False)
        .filter(Q(groups__permissions__in=perm) | Q(user_permissions__in=perm))
        .distinct()
    )


def transfer_units(user: Any) -> Any:
    """Active units the user may transfer to: the scope, and the units above the user's own."""
    from xiaobao.complaints.forms import units_for

    return units_for(user, upward=True)


def bulk_params(*, actor: Any, action: str, params: Mapping[str, Any] | None) -> dict[str, str]:
    """The action's inputs checked once for the whole run (each complaint's handler checks them again):
    field errors name `params.<field>`."""
    params = dict(params or {})
    allowed = ACTION_PARAMS[action]
    for name in params:
        if name not in allowed:
            raise field_error(f"params.{name}", _("This action does not take this value."))
    data = {name: _text(params, name, longest) for name, longest in allowed.items()}
    data = {k: v for k, v in data.items() if v}
    if action == BulkAction.ASSIGN:
        if not data.get("handler") and not data.get("unit"):
            raise field_error("params.handler", _("Choose the handler (or the unit) to assign to."))
        if data.get("handler") and not eligible_handlers(actor).filter(username=data["handler"]).exists():
            raise field_error("params.handler", _("Unknown user, or the user does not handle complaints."))
        if (
            data.get("unit")
            and not OrgUnit.objects.visible_to(actor).active().filter(code=data["unit"]).exists()
        ):
            raise field_error("params.unit", _("Unknown or closed unit."))
    elif action == BulkAction.TRANSFER:
        if not data.get("unit"):
            raise field_error("params.unit", _("Choose the unit to transfer to."))
        if not transfer_units(actor).filter(code=data["unit"]).exists():
            raise field_error("params.unit", _("Unknown or closed unit."))
        if not data.get("reason"):
            raise field_error("params.reason", _("Say why the complaints are transferred."))
    elif action == BulkAction.MARK_MAJOR and not data.get("reason"):
        raise field_error("params.reason", _("Say why the complaints are major."))
    return data


def parse_items(values: Iterable[Any]) -> list[tuple[int, int | None]]:
    """Selected complaints as (id, version seen): ids, or "id:version" as the list's checkboxes send them;
    duplicates dropped, order kept."""
    items: dict[int, int | None] = {}
    for value in values:
        text = str(value).strip()
        pk_text, _sep, version_text = text.partition(":")
        if not pk_text.isdigit() or (version_text and not version_text.isdigit()) or len(text) > 40:
            raise field_error("ids", _("Select complaints from the list."))
        pk = int(pk_text)
        if pk < 1 or pk > 2**63 - 1:
            raise field_error("ids", _("Select complaints from the list."))
        items.setdefault(pk, int(version_text) if version_text else None)
    return list(items.items())


def _with_versions(actor: Any, items: list[tuple[int, int | None]]) -> list[list[int | None]]:
    """Fill in the current version where the selection did not say which it saw (ids from the API)."""
    missing = [pk for pk, version in items if version is None]
    current: dict[int, int] = {}
    for start in range(0, len(missing), 500):
        chunk = missing[start : start + 500]
        current.update(Complaint.objects.visible_to(actor).filter(pk__in=chunk).values_list("pk", "version"))
    return [[pk, version if version is not None else current.get(pk)] for pk, version in items]


def matching_items(*, actor: Any, scope: str, filters: dict[str, Any]) -> list[tuple[int, int | None]]:
    """Every complaint matching the filters in the user's scope (list) or queue, up to the limit."""
    rows = filtered_rows(user=actor, scope=scope, filters=filters).values_list("pk", "version")
    found = list(rows[: BULK_LIMIT + 1])
    if len(found) > BULK_LIMIT:
        raise field_error(
            "filter",
            _("More than %(n)s complaints match; narrow the filter (at most %(n)s at once).")
            % {"n": f"{BULK_LIMIT:,}"},
        )
    return [(pk, version) for pk, version in found]


def bulk_request(
    *,
    actor: Any,
    action: str,
    items: list[tuple[int, int | None]] | None = None,
    match: Mapping[str, Any] | str | None = None,
    scope: str = ViewScope.LIST,
    params: Mapping[str, Any] | None = None,
) -> BulkRun:
    """Check the request (the action's permission, its inputs, the selection), record the run (audited) and
    queue it; returns the run as it stands (finished already when the tasks run in place)."""
    if not actor.has_perm(VIEW):
        raise PermissionDenied
    if action not in BulkAction.values:
        raise field_error("action", _("Unknown action."))
    if not actor.has_perm(ACTION_PERMISSION[BulkAction(action)]):
        raise PermissionDenied(_("You may not do this."))
    if scope not in ViewScope.values:
        raise field_error("scope", _("Unknown value."))
    data = bulk_params(actor=actor, action=action, params=params)
    if (items is None) == (match is None):
        raise field_error("ids", _("Give either the ids of the complaints or a filter."))
    if match is not None:
        _query, filters = parse_filter(match)
        items = matching_items(actor=actor, scope=scope, filters=filters)
    assert items is not None
    if not items:
        raise field_error("ids", _("Select at least one complaint."))
    if len(items) > BULK_LIMIT:
        raise field_error("ids", _("At most %(n)s complaints at once.") % {"n": f"{BULK_LIMIT:,}"})
    unit = actor.org_unit or OrgUnit.objects.filter(parent__isnull=True).order_by("pk").first()
    if unit is None:
        raise Conflict(_("The institution has no units yet."), code="no_unit")
    job_reap_stale(BulkRun)
    with transaction.atomic():
        run = BulkRun.objects.create(
            requested_by=actor,
            org_unit=unit,
            action=action,
            params=data,
            items=_with_versions(actor, items),
            scope=scope,
            progress_total=len(items),
            language=translation.get_language() or "zh-hans",
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=run,
            changes={"action": action, "complaints": len(items), "params": sorted(data)},
        )
    from xiaobao.desk.tasks import desk_bulk_task

    job_enqueue(run, desk_bulk_task)
    run.refresh_from_db()
    return run


def bulk_run(run: BulkRun) -> BulkRun:
    """Claim and run one bulk run (the task comes here); a failure of the whole run is recorded on it."""
    return job_run(run, _work)


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _reason(exc: Exception, action: str, pk: int) -> str:
    """Why one complaint was not changed, in the requester's words."""
    if isinstance(exc, Conflict) and exc.code == "invalid_state":
        status = Complaint.objects.filter(pk=pk).values_list("status", flat=True).first()
        label = dict(Complaint._meta.get_field("status").choices or []).get(status, status)
        return _("%(status)s, cannot %(action)s") % {"status": label, "action": VERBS[BulkAction(action)]}
    if isinstance(exc, Conflict) and exc.code == "conflict":
        return _("Changed by someone else after it was selected (stale); not changed.")
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, PermissionDenied):
        return _("No permission: %(why)s") % {"why": str(exc) or _("You may not do this.")}
    if isinstance(exc, ValidationError):
        return "; ".join(dict.fromkeys(exc.messages))
    return _("Unexpected error; the complaint was not changed.")


def _not_found(pk: int) -> dict[str, Any]:
    return {"id": pk, "reference": "", "reason": _("Not found, or outside your scope.")}


def _work(run: BulkRun) -> None:
    with translation.override(run.language or None):
        user = run.requested_by
        if not (user.is_active and user.has_perm(VIEW)):
            raise BulkError(_("The requester may no longer work on complaints."))
        items = [(int(pk), version) for pk, version in run.items]
        job_progress(run, done=0, total=len(items), message=_("Working"))
        if run.action == BulkAction.EXPORT:
            _export(run, user, items)
            return
        succeeded, failed, done = 0, [], 0
        for chunk in _chunks(items, CHUNK):
            found = {
                c.pk: c
                for c in Complaint.objects.visible_to(user)
                .filter(pk__in=[pk for pk, _v in chunk])
                .only("pk", "reference", "version", "status")
            }
            for pk, version in chunk:
                complaint = found.get(pk)
                if complaint is None:
                    failed.append(_not_found(pk))
                else:
                    try:
                        _transition(user, complaint, run.action, dict(run.params), version)
                        succeeded += 1
                    except Exception as exc:  # one complaint's refusal is a line of the summary
                        if not isinstance(exc, PermissionDenied | ValidationError | DomainError):
                            log.warning(
                                "bulk run %s: complaint %s failed: %s", run.pk, pk, type(exc).__name__
                            )
                        failed.append(
                            {
                                "id": pk,
                                "reference": complaint.reference,
                                "reason": _reason(exc, run.action, pk),
                            }
                        )
                done += 1
                if done % PROGRESS_EVERY == 0:
                    job_progress(run, done=done)
        summary = {"succeeded": succeeded, "failed": failed}
        job_finish(run, summary=summary, message=_summary_line(succeeded, len(failed)))


def _transition(user: Any, complaint: Complaint, action: str, params: dict[str, Any], version: Any) -> None:
    from xiaobao.complaints.services import complaint_transition

    complaint_transition(
        actor=user,
        complaint=complaint,
        action=action,
        data=params,
        expected_version=int(version) if version is not None else None,
    )


def _summary_line(succeeded: int, failed: int) -> str:
    return _("%(ok)d succeeded, %(failed)d not changed") % {"ok": succeeded, "failed": failed}


def _export(run: BulkRun, user: Any, items: list[tuple[int, Any]]) -> None:
    """The selected complaints the requester still sees, as the list's export workbook (masked), stored as
    a complaint export (`complaints.ExportJob`: its page, its audited download, its retention)."""
    from xiaobao.complaints.exports import complaint_sheet
    from xiaobao.complaints.selectors import complaint_list
    from xiaobao.core.exports import xlsx_bytes

    if not user.has_perm(EXPORT):
        raise BulkError(_("The requester may no longer export complaints."))
    rows: list[Complaint] = []
    failed = []
    for chunk in _chunks(items, CHUNK):
        found = {c.pk: c for c in complaint_list(user=user).filter(pk__in=[pk for pk, _v in chunk])}
        for pk, _version in chunk:
            if pk in found:
                rows.append(found[pk])
            else:
                failed.append(_not_found(pk))
        job_progress(run, done=len(rows) + len(failed))
    headers, sheet = complaint_sheet(rows)
    now = timezone.now()
    export = ExportJob.objects.create(
        requested_by=user,
        org_unit=run.org_unit,
        state=JobState.RUNNING,
        started_at=now,
        heartbeat_at=now,
        language=run.language,
    )
    audit_record(
        actor=user,
        action=AuditAction.CREATE,
        obj=export,
        changes={"bulk_run": run.pk, "rows": len(sheet)},
    )
    filename = f"complaints-{timezone.localdate():%Y%m%d}-{export.pk}.xlsx"
    job_finish_with_file(
        export,
        stored=f"job{export.pk}_{filename}",
        filename=filename,
        content=xlsx_bytes(_("Complaints"), headers, sheet),
        rows=len(sheet),
        query={},
    )
    summary = {"succeeded": len(sheet), "failed": failed, "export_job": export.pk}
    job_finish(run, summary=summary, message=_summary_line(len(sheet), len(failed)))


# --- saved views ----------------------------------------------------------------------------------------

# Who keeps saved views: staff who work on complaints. A read-only role (the auditor) changes nothing, not
# even a view of its own: it reads the lists with their filters.
WORKING_PERMISSIONS = (
    "complaints.register_complaint",
    "complaints.handle_complaint",
    "complaints.assign_complaint",
    "complaints.approve_complaint",
    "complaints.respond_complaint",
)


def can_save_views(user: Any) -> bool:
    return user.has_perm(VIEW) and any(user.has_perm(p) for p in WORKING_PERMISSIONS)


def _view_fields(actor: Any, *, name: Any, scope: Any, query: Any, shared: Any) -> dict[str, Any]:
    if not isinstance(name, str) or not name.strip():
        raise field_error("name", _("Give the view a name."))
    name = name.strip()
    if len(name) > 60:
        raise field_error("name", _("At most %(n)d characters.") % {"n": 60})
    if "\x00" in name:
        raise field_error("name", _("Null characters are not allowed."))
    if scope not in ViewScope.values:
        raise field_error("scope", _("Choose list or queue."))
    if not isinstance(query, str):
        raise field_error("query", _("Enter a text."))
    query = query.strip().lstrip("?")
    if len(query) > MAX_QUERY:
        raise field_error("query", _("At most %(n)d characters.") % {"n": MAX_QUERY})
    if "\x00" in query:
        raise field_error("query", _("Null characters are not allowed."))
    normalised, _filters = parse_filter(query, prefix="")
    if len(normalised) > MAX_QUERY:
        raise field_error("query", _("At most %(n)d characters.") % {"n": MAX_QUERY})
    shared = bool(shared)
    if shared and actor.org_unit_id is None:
        raise field_error("shared", _("You have no unit to share the view with."))
    return {
        "name": name,
        "scope": scope,
        "query": normalised,
        "shared": shared,
        "org_unit_id": actor.org_unit_id,
    }


def _name_taken(actor: Any, scope: str, name: str, exclude: int | None = None) -> None:
    taken = SavedView.objects.filter(owner=actor, scope=scope, name=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise field_error("name", _("You have a view with this name already."))


def view_save(
    *, actor: Any, name: Any, scope: Any = ViewScope.LIST, query: Any = "", shared: Any = False
) -> SavedView:
    """Save the list's (or the queue's) filters and ordering under a name; `shared`: the owner's unit sees
    it."""
    if not can_save_views(actor):
        raise PermissionDenied(_("Saved views are for staff who work on complaints."))
    fields = _view_fields(actor, name=name, scope=scope, query=query, shared=shared)
    _name_taken(actor, fields["scope"], fields["name"])
    with transaction.atomic():
        view = SavedView.objects.create(owner=actor, **fields)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=view,
            changes={"name": view.name, "shared": view.shared},
        )
    return view


def view_update(*, actor: Any, view: SavedView, **changes: Any) -> SavedView:
    """Rename, re-filter or (un)share one's own view; another's view is refused (the caller shows 404)."""
    if view.owner_id != actor.pk:
        raise PermissionDenied(_("Only the owner may change a saved view."))
    current = {"name": view.name, "scope": view.scope, "query": view.query, "shared": view.shared}
    current.update({k: v for k, v in changes.items() if v is not None and k in current})
    fields = _view_fields(actor, **current)
    _name_taken(actor, fields["scope"], fields["name"], exclude=view.pk)
    with transaction.atomic():
        for key, value in fields.items():
            setattr(view, key, value)
        view.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=view,
            changes={"name": view.name, "shared": view.shared},
        )
    return view


def view_delete(*, actor: Any, view: SavedView) -> None:
    if view.owner_id != actor.pk:
        raise PermissionDenied(_("Only the owner may delete a saved view."))
    with transaction.atomic():
        audit_record(actor=actor, action=AuditAction.DELETE, obj=view, changes={"name": view.name})
        view.delete()
