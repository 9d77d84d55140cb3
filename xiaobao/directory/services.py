"""Writes of directory sign-in: the group → role mapping, an account applied from its directory entry
(sign-in and sync), deactivation, the test-a-user lookup (audited) and the sync run.

Which roles the directory owns: `DirectoryAccount.granted_roles` holds the roles the directory *added*. At
every sign-in (and sync) the user gets every role their groups map to; a role in `granted_roles` whose group
the user left is removed; a role an administrator gave by hand (held, but not in `granted_roles`) is never
removed by the directory — not even when a group also maps to it."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaobao.core.models import OrgUnit, User
from xiaobao.core.models.audit import AuditAction
from xiaobao.core.roles import ROLES
from xiaobao.core.services.accounts import user_update
from xiaobao.core.services.audit import audit_change, audit_record, snapshot
from xiaobao.core.vault.masking import mask
from xiaobao.directory import dn as dnlib
from xiaobao.directory.entries import Entry, Refused
from xiaobao.directory.models import (
    AccountState,
    DirectoryAccount,
    DirectorySyncRun,
    GroupRoleMapping,
    SyncTrigger,
)

log = logging.getLogger(__name__)


def directory_enabled() -> bool:
    return bool(getattr(settings, "DIRECTORY", {}).get("enabled"))


# --- the mapping table ------------------------------------------------------------------------------------


@transaction.atomic
def mapping_save(
    *, actor: Any, data: dict[str, Any], mapping: GroupRoleMapping | None = None
) -> GroupRoleMapping:
    """Create or change a mapping; `data` may hold group_dn, role, org_unit (an OrgUnit or None), note."""
    before = snapshot(mapping) if mapping is not None else None
    obj = mapping or GroupRoleMapping()
    for name in ("group_dn", "role", "org_unit", "note"):
        if name in data:
            setattr(obj, name, data[name] if data[name] is not None or name == "org_unit" else "")
    obj.full_clean()
    obj.save()
    audit_change(actor=actor, obj=obj, before=before)
    return obj


@transaction.atomic
def mapping_delete(*, actor: Any, mapping: GroupRoleMapping) -> None:
    audit_record(actor=actor, action=AuditAction.DELETE, obj=mapping, changes=snapshot(mapping))
    mapping.delete()


@dataclass
class Mapped:
    roles: list[str]
    unit: OrgUnit | None
    mappings: list[GroupRoleMapping] = field(default_factory=list)


def roles_for(group_dns: list[str]) -> Mapped:
    """The roles the groups give and the unit the first mapping with a unit override names."""
    keys = {dnlib.normalize_or_raw(g) for g in group_dns}
    rows = list(GroupRoleMapping.objects.filter(group_key__in=keys).select_related("org_unit"))
    unit = next((m.org_unit for m in rows if m.org_unit is not None), None)
    return Mapped(roles=sorted({m.role for m in rows if m.role in ROLES}), unit=unit, mappings=rows)


# --- applying an entry ------------------------------------------------------------------------------------


def _unit(entry: Entry, mapped: Mapped) -> OrgUnit:
    if mapped.unit is not None:
        return mapped.unit
    if not entry.unit_code:
        raise Refused(
            _("Your directory entry names no unit; ask your administrator to fill it in."), "unit_missing"
        )
    unit = OrgUnit.objects.filter(code=entry.unit_code, is_active=True).first()
    if unit is None:
        raise Refused(
            _(
                "Your directory entry names the unit “%(code)s”, which Xiaobao does not know. "
                "Ask your administrator."
            )
            % {"code": entry.unit_code[:32]},
            "unit_unknown",
        )
    return unit


def _email(value: str) -> str:
    try:
        validate_email(value)
    except ValidationError:
        return ""
    return value[:254]


def account_apply(*, user: User, entry: Entry, built: bool = False) -> User:
    """Bring the user in line with the directory entry: name, e-mail, unit, roles (the directory's own),
    active again when the directory had deactivated them. Runs in the caller's transaction; `Refused`
    when Xiaobao cannot take the entry (unknown unit, invalid data) — the caller rolls back."""
    mapped = roles_for(entry.group_dns)
    unit = _unit(entry, mapped)
    account = DirectoryAccount.objects.select_for_update().filter(user=user).first()
    if built:
        audit_change(actor=None, obj=user, before=None)
    if account is None:
        account = DirectoryAccount(user=user, dn=entry.dn)
        if user.has_usable_password():  # a local account taken over: its password no longer signs in
            user.set_unusable_password()
            user.save(update_fields=["password"])
    reactivate = None
    if not user.is_active:
        if account.pk is None or account.state == AccountState.ACTIVE:
            raise Refused(_("Your Xiaobao account is deactivated. Ask your administrator."), "inactive")
        reactivate = True  # the directory had deactivated it; the directory has it again
    held = set(user.role_codes)
    granted = set(account.granted_roles or [])
    wanted = set(mapped.roles)
    roles = sorted((held - (granted - wanted)) | wanted)
    try:
        user = user_update(
            actor=None,
            user=user,
            full_name=entry.name or user.full_name or user.username,
            email=_email(entry.email),
            org_unit=unit,
            roles=roles,
            is_active=reactivate,
        )
    except ValidationError as exc:
        raise Refused(
            _("Your directory entry cannot be taken: %(e)s") % {"e": "; ".join(exc.messages)}
        ) from exc
    account.dn = entry.dn
    account.granted_roles = sorted((granted & wanted) | (wanted - held))
    account.state = AccountState.ACTIVE
    account.synced_at = timezone.now()
    account.full_clean()
    account.save()
    return user


def account_gone(*, username: str, state: str) -> bool:
    """The directory no longer has the user (`missing`) or has disabled them (`disabled`): the local account
    of a directory user is deactivated (audited). True when that changed something."""
    account = (
        DirectoryAccount.objects.ldap()  # an OpenID provider's user is not the LDAP directory's to deactivate
        .select_related("user")
        .filter(user__username__iexact=username.strip())
        .first()
    )
    if account is None:
        return False
    return _deactivate(account, state)


@transaction.atomic
def _deactivate(account: DirectoryAccount, state: str) -> bool:
    changed = account.user.is_active or account.state != state
    if account.user.is_active:
        user_update(actor=None, user=account.user, is_active=False)
    if account.state != state:
        account.state = state
        account.synced_at = timezone.now()
        account.save(update_fields=["state", "synced_at", "updated_at"])
        audit_record(
            actor=None,
            action=AuditAction.UPDATE,
            obj=account.user,
            changes={"directory": [None, str(AccountState(state).label)]},
        )
    return changed


def sign_in_refused(*, username: str, entry: Entry, reason: Refused) -> None:
    """The audit row of a sign-in the directory allowed but Xiaobao refused (why, and the unit named)."""
    audit_record(
        actor=None,
        action=AuditAction.UPDATE,
        object_type="directory.directoryaccount",
        object_repr=username[:200],
        changes={"sign_in_refused": [None, reason.code], "unit": [None, entry.unit_code[:32]]},
    )


# --- test a user ------------------------------------------------------------------------------------------


@dataclass
class Lookup:
    found: bool
    username: str
    dn: str = ""
    name: str = ""
    email_masked: str = ""
    unit_code: str = ""
    unit: OrgUnit | None = None
    unit_problem: str = ""
    disabled: bool = False
    groups: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    mapped_groups: list[str] = field(default_factory=list)

    @property
    def role_names(self) -> list[str]:
        return [str(ROLES[r].name) for r in self.roles if r in ROLES]


def _backend() -> Any:
    from xiaobao.directory.backends import DirectoryBackend

    return DirectoryBackend()


def directory_lookup(*, actor: Any, username: str) -> Lookup:
    """What the directory says about `username` and what they would get at sign-in (audited; the e-mail
    masked). Raises DomainError when the directory is off or cannot be reached."""
    from xiaobao.core.errors import Conflict

    if not directory_enabled():
        raise Conflict(_("Directory sign-in is not configured."), code="directory_off")
    import ldap

    username = username.strip()
    backend = _backend()
    try:
        conn = backend.service_connection()
        try:
            entry = backend.read_entry(conn, username)
        finally:
            conn.unbind_s()
    except ldap.LDAPError as exc:
        raise Conflict(
            _("The directory cannot be reached: %(e)s") % {"e": type(exc).__name__}, code="directory_down"
        ) from exc
    audit_record(
        actor=actor,
        action=AuditAction.REVEAL,
        object_type="directory.entry",
        object_repr=username[:200],
        changes={"lookup": [None, "found" if entry else "not found"]},
    )
    if entry is None:
        return Lookup(found=False, username=username)
    mapped = roles_for(entry.group_dns)
    result = Lookup(
        found=True,
        username=entry.username,
        dn=entry.dn,
        name=entry.name,
        email_masked=mask(entry.email, "email") if entry.email else "",
        unit_code=entry.unit_code,
        disabled=entry.disabled,
        groups=entry.group_dns,
        roles=mapped.roles,
        mapped_groups=sorted({m.group_key for m in mapped.mappings}),
    )
    try:
        result.unit = _unit(entry, mapped)
    except Refused as exc:
        result.unit_problem = exc.message
    return result


# --- the sync ---------------------------------------------------------------------------------------------


def sync_request(*, actor: User) -> DirectorySyncRun:
    """Queue a sync run (the API's 202; the task worker runs it)."""
    from xiaobao.core.errors import Conflict
    from xiaobao.core.jobs import job_enqueue
    from xiaobao.directory.tasks import directory_sync_task

    if not directory_enabled():
        raise Conflict(_("Directory sign-in is not configured."), code="directory_off")
    run = DirectorySyncRun.objects.create(
        requested_by=actor, org_unit=actor.org_unit, trigger=SyncTrigger.MANUAL
    )
    audit_record(actor=actor, action=AuditAction.CREATE, obj=run)
    transaction.on_commit(lambda: job_enqueue(run, directory_sync_task))
    return run


def sync_run(run: DirectorySyncRun) -> DirectorySyncRun:
    from xiaobao.core.jobs import job_finish, job_progress, job_run

    def work(job: DirectorySyncRun) -> None:
        summary = directory_sync(progress=lambda done, total: job_progress(job, done=done, total=total))
        job.summary = summary
        DirectorySyncRun.objects.filter(pk=job.pk).update(summary=summary)
        job_finish(job, message=summary_text(summary))

    return job_run(run, work)


def summary_text(s: dict[str, int]) -> str:
    return _("%(checked)d checked, %(updated)d updated, %(deactivated)d deactivated, %(errors)d refused") % {
        k: s.get(k, 0) for k in ("checked", "updated", "deactivated", "errors")
    }


def directory_sync(*, progress: Any = None) -> dict[str, int]:
    """Read every directory account again: deactivate those gone or disabled, update name, unit and roles.
    An unreachable directory raises (LDAPError) before anybody is touched."""
    backend = _backend()
    conn = backend.service_connection()
    summary = {"checked": 0, "updated": 0, "deactivated": 0, "unchanged": 0, "errors": 0}
    # the LDAP directory's accounts only: an OpenID provider's users are read at their sign-in
    accounts = list(DirectoryAccount.objects.ldap().select_related("user").order_by("pk"))
    try:
        for i, account in enumerate(accounts):
            summary["checked"] += 1
            summary[_sync_one(backend, conn, account)] += 1
            if progress is not None and (i % 20 == 0 or i == len(accounts) - 1):
                progress(i + 1, len(accounts))
    finally:
        conn.unbind_s()
    log.info("directory sync: %s", summary)
    return summary


def _sync_one(backend: Any, conn: Any, account: DirectoryAccount) -> str:
    user = account.user
    entry = backend.read_entry(conn, user.username)
    if entry is None or entry.disabled:
        state = AccountState.MISSING if entry is None else AccountState.DISABLED
        return "deactivated" if _deactivate(account, state) else "unchanged"
    if not user.is_active and account.state == AccountState.ACTIVE:
        return "unchanged"  # deactivated by an administrator: the directory does not undo that
    before = (snapshot(user), sorted(user.role_codes), user.is_active)
    try:
        with transaction.atomic():
            after = account_apply(user=user, entry=entry)
    except Refused:
        return "errors"
    changed = (snapshot(after), sorted(after.role_codes), after.is_active) != before
    return "updated" if changed else "unchanged"


def periodic_sync(*, now: dt.datetime) -> str:
    """`xiaobao sweep`'s pass (Module.periodic): only when the directory is configured, and at most once per
    XIAOBAO_LDAP_SYNC_MINUTES (default 60) counting every kind of run."""
    if not directory_enabled():
        return "directory off"
    minutes = int(getattr(settings, "DIRECTORY", {}).get("sync_minutes", 60))
    recent = DirectorySyncRun.objects.filter(created_at__gt=now - dt.timedelta(minutes=minutes))
    if recent.exists():  # the sweep runs every minute; the directory is read every XIAOBAO_LDAP_SYNC_MINUTES
        return "synced recently"
    run = DirectorySyncRun.objects.create(trigger=SyncTrigger.PERIODIC)
    run = sync_run(run)
    return run.message or run.error
