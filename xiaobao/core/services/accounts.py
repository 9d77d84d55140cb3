"""People: users and their roles, API tokens, login throttling, two-factor login."""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any

import pyotp
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from xiaobao.core.models import ApiToken, AuditEvent, OrgUnit, User
from xiaobao.core.models.audit import AuditAction
from xiaobao.core.roles import PENDING_ROLE_PREFIX, ROLES, reveals_personal_data, role_name
from xiaobao.core.services.audit import audit_change, audit_record, snapshot
from xiaobao.core.vault import crypto
from xiaobao.core.vault.detect import redact


def _roles_snapshot(user: User) -> list[str]:
    return sorted(user.groups.filter(name__in=ROLES).values_list("name", flat=True))


def _set_roles(user: User, roles: list[str]) -> None:
    """The user's roles become exactly `roles`; requested roles (pending groups) are kept."""
    requests = list(user.groups.filter(name__startswith=PENDING_ROLE_PREFIX))
    user.groups.set([*requests, *Group.objects.filter(name__in=roles)])
    _forget_permissions(user)


def _forget_permissions(user: User) -> None:
    for attr in ("_perm_cache", "_group_perm_cache", "_user_perm_cache", "_role_codes"):
        user.__dict__.pop(attr, None)


def _apply_roles(*, actor: Any, user: User, roles: list[str]) -> None:
    """Give `user` the roles asked for, under four eyes: nobody grants a role to themselves, and a role that
    reveals personal data granted by a person (not a command: actor None) is only requested — it takes
    effect when a second administrator approves it (`role_request_approve`). Removals take effect at once."""
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise ValidationError({"roles": _("Unknown role: %(r)s") % {"r": ", ".join(unknown)}})
    added = set(roles) - set(_roles_snapshot(user))
    if added and actor is not None and actor.pk == user.pk:
        raise ValidationError({"roles": _("You cannot grant roles to yourself.")})
    held = {r for r in added if actor is not None and reveals_personal_data(r)}
    _set_roles(user, sorted(set(roles) - held))
    for role in sorted(held):
        _role_request(actor=actor, user=user, role=role)


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    full_name: str,
    org_unit: OrgUnit,
    roles: list[str],
    password: str,
    email: str = "",
) -> User:
    user = User(
        username=username.strip(), full_name=full_name.strip(), email=email.strip(), org_unit=org_unit
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.full_clean()
    user.save()
    audit_change(actor=actor, obj=user, before=None)
    _apply_roles(actor=actor, user=user, roles=roles)
    audit_record(
        actor=actor, action=AuditAction.UPDATE, obj=user, changes={"roles": [None, _roles_snapshot(user)]}
    )
    return user


@transaction.atomic
def user_update(
    *,
    actor: Any,
    user: User,
    full_name: str | None = None,
    email: str | None = None,
    org_unit: OrgUnit | None = None,
    roles: list[str] | None = None,
    is_active: bool | None = None,
) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    before = snapshot(user)
    before_roles = _roles_snapshot(user)
    if full_name is not None:
        user.full_name = full_name.strip()
    if email is not None:
        user.email = email.strip()
    if org_unit is not None:
        user.org_unit = org_unit
    if is_active is not None:
        if not is_active and actor is not None and actor.pk == user.pk:
            raise ValidationError({"is_active": _("You cannot deactivate yourself.")})
        user.is_active = is_active
    user.full_clean()
    user.save()
    if roles is not None:
        _apply_roles(actor=actor, user=user, roles=roles)
    audit_change(actor=actor, obj=user, before=before)
    after_roles = _roles_snapshot(user)
    if after_roles != before_roles:
        audit_record(
            actor=actor, action=AuditAction.UPDATE, obj=user, changes={"roles": [before_roles, after_roles]}
        )
    return user


@transaction.atomic
def user_set_password(*, actor: Any, user: User, password: str) -> User:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "password_changed_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=user, changes={"password": ["***", "***"]})
    return user


# --- Role requests (four eyes on roles that reveal personal data) -------------------------------------


@dataclass(frozen=True)
class RoleRequest:
    role: str
    requested_by: User | None
    group: Group

    @property
    def name(self) -> str:
        return role_name(self.role)


def role_requests(user: User) -> list[RoleRequest]:
    """The roles requested for `user` and not yet approved, with who asked."""
    # from `groups.all()`, so a list that prefetched the groups asks nothing more when nothing is pending
    groups = sorted(
        (g for g in user.groups.all() if g.name.startswith(PENDING_ROLE_PREFIX)), key=lambda g: g.name
    )
    if not groups:
        return []
    parsed = [(g, *g.name.removeprefix(PENDING_ROLE_PREFIX).rpartition(":")[::2]) for g in groups]
    by_pk = User.objects.in_bulk([int(pk) for _g, _r, pk in parsed if pk.isdigit()])
    return [
        RoleRequest(role, by_pk.get(int(pk)) if pk.isdigit() else None, g)
        for g, role, pk in parsed
        if role in ROLES
    ]


def _role_request(*, actor: Any, user: User, role: str) -> None:
    if any(r.role == role for r in role_requests(user)):
        return
    group, _created = Group.objects.get_or_create(name=f"{PENDING_ROLE_PREFIX}{role}:{actor.pk}")
    user.groups.add(group)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=user, changes={"role_requested": [None, role]})


def _open_request(user: User, role: str) -> RoleRequest:
    found = [r for r in role_requests(user) if r.role == role]
    if not found:
        raise ValidationError({"roles": _("No request for this role is waiting.")})
    return found[0]


@transaction.atomic
def role_request_approve(*, actor: Any, user: User, role: str) -> User:
    """A second administrator approves a requested role: never the one who asked, nor the person concerned."""
    user = User.objects.select_for_update().get(pk=user.pk)
    request = _open_request(user, role)
    asked_by = request.requested_by
    if actor.pk == user.pk or (asked_by is not None and actor.pk == asked_by.pk):
        raise ValidationError(
            {
                "roles": _(
                    "Another administrator must approve: not the one who asked, nor the person concerned."
                )
            }
        )
    before = _roles_snapshot(user)
    user.groups.remove(request.group)
    user.groups.add(Group.objects.get(name=role))
    _forget_permissions(user)
    changes = {"roles": [before, _roles_snapshot(user)], "role_approved": [_username(asked_by), role]}
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=user, changes=changes)
    return user


@transaction.atomic
def role_request_reject(*, actor: Any, user: User, role: str) -> User:
    """Withdraw or refuse a requested role (any administrator, the one who asked included)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    request = _open_request(user, role)
    user.groups.remove(request.group)
    changes = {"role_rejected": [_username(request.requested_by), role]}
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=user, changes=changes)
    return user


def _username(user: User | None) -> str:
    return user.username if user is not None else "?"


# --- API tokens --------------------------------------------------------------------------------------

TOKEN_PREFIX = "xb_"


@transaction.atomic
def api_token_create(*, actor: Any, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create a token; the raw value is returned once and only its digest is stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[:10], digest=ApiToken.digest_of(raw))
    audit_record(
        actor=actor, action=AuditAction.TOKEN, obj=user, changes={"token": [None, f"{token.prefix}… created"]}
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoke()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.TOKEN,
            obj=token.user,
            changes={"token": [f"{token.prefix}…", "revoked"]},
        )
    return token


def api_token_authenticate(raw: str) -> User | None:
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.active()
        .select_related("user", "user__org_unit")
        .filter(digest=ApiToken.digest_of(raw))
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# --- Login throttling --------------------------------------------------------------------------------


def login_is_locked(*, username: str, ip: str | None) -> bool:
    """True after LOGIN_FAILURE_LIMIT failures for this username (or 4× that from this address)
    within the window. Failures are read from the audit trail, so every process agrees."""
    since = timezone.now() - dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    recent = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, at__gte=since)
    if recent.filter(object_repr=username[:200]).count() >= settings.LOGIN_FAILURE_LIMIT:
        return True
    return bool(ip) and recent.filter(ip=ip).count() >= settings.LOGIN_FAILURE_LIMIT * 4


# --- Self-service password reset -------------------------------------------------------------------------
# The requester never learns whether an account exists: the request is recorded and the e-mail queued the
# same way for any username or e-mail typed; the lookup and the sending happen in the background task.

REQUESTED, LINK_SENT, SEND_FAILED, PASSWORD_SET = "requested", "link sent", "sending failed", "password set"


def password_reset_login_key(login: str) -> str:
    """What a request is recorded and throttled under: the text typed, personal numbers masked."""
    return redact(login.strip())[:200]


def password_reset_is_throttled(*, login: str, ip: str | None) -> bool:
    """True after PASSWORD_RESET_LIMIT requests for this username/e-mail, or from this address, within the
    login throttle's window — for existing and unknown accounts alike. Counted from the audit trail."""
    since = timezone.now() - dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    recent = AuditEvent.objects.filter(action=AuditAction.PASSWORD_RESET, at__gte=since, object_id="")
    limit = settings.PASSWORD_RESET_LIMIT
    if recent.filter(object_repr=password_reset_login_key(login)).count() >= limit:
        return True
    return bool(ip) and recent.filter(ip=ip).count() >= limit


def password_reset_request(*, login: str, domain: str, use_https: bool) -> None:
    """Record the request (no account named: the row is the same for every login typed) and queue the
    e-mail in the user's language. Same work, same answer, whether or not an account matches."""
    from xiaobao.core.tasks import password_reset_task

    audit_record(
        actor=None,
        action=AuditAction.PASSWORD_RESET,
        object_type="core.user",
        object_repr=password_reset_login_key(login),
        changes={"step": REQUESTED},
    )
    password_reset_task.enqueue(
        login=login.strip(), domain=domain, use_https=use_https, language=translation.get_language()
    )


def password_reset_recipients(login: str) -> list[User]:
    """Who gets a link for `login` (a username, or an e-mail address): active users with a usable password
    and an e-mail address, whose login is not locked by failed attempts. Nobody else, and nobody is told."""
    login = login.strip()
    if not login:
        return []
    users = User.objects.filter(Q(username=login) | Q(email__iexact=login), is_active=True).exclude(email="")
    return [u for u in users if u.has_usable_password() and not login_is_locked(username=u.username, ip=None)]


def password_reset_sent(*, user: User, ok: bool) -> None:
    """Audit one link e-mailed (or not, when the mail server refused it) to `user`."""
    audit_record(
        actor=None,
        action=AuditAction.PASSWORD_RESET,
        obj=user,
        changes={"step": LINK_SENT if ok else SEND_FAILED},
    )


@transaction.atomic
def password_reset_complete(*, user: User, password: str) -> User:
    """Set the password chosen through a reset link (validators applied). A new password hash ends every
    session of the user (Django's session auth hash) and makes the link unusable."""
    user_set_password(actor=user, user=user, password=password)
    audit_record(actor=user, action=AuditAction.PASSWORD_RESET, obj=user, changes={"step": PASSWORD_SET})
    return user


# --- Two-factor login (TOTP) ---------------------------------------------------------------------------


def totp_new_secret() -> str:
    return pyotp.random_base32()


def totp_provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=settings.INSTITUTION_NAME)


# The stored two-factor state is one encrypted value: "<base32 secret>:<last accepted time step>", so a code
# is accepted once (RFC 6238 §5.2) without a column of its own.


def _totp_state(user: User) -> tuple[str, int | None]:
    secret, _sep, step = crypto.decrypt(user.totp_secret, "totp").partition(":")
    return secret, int(step) if step.isdigit() else None


def _totp_store(user: User, secret: str, step: int) -> None:
    user.totp_secret = crypto.encrypt(f"{secret}:{step}", "totp")
    user.save(update_fields=["totp_secret"])


def _totp_step(secret: str, code: str) -> int | None:
    """The time step (this one, or one either side for clock drift) whose code `code` is."""
    totp, code = pyotp.TOTP(secret), (code or "").strip()
    now = int(time.time()) // totp.interval
    for step in (now - 1, now, now + 1):
        if len(code) == totp.digits and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


@transaction.atomic
def totp_enable(*, user: User, secret: str, code: str) -> None:
    if User.objects.select_for_update().get(pk=user.pk).totp_secret:
        raise ValidationError({"code": _("Two-factor login is already on: turn it off first.")})
    step = _totp_step(secret, code)
    if step is None:
        raise ValidationError({"code": _("The code is not valid. Check the time on your device.")})
    _totp_store(user, secret, step)
    audit_record(actor=user, action=AuditAction.UPDATE, obj=user, changes={"two_factor": [False, True]})


@transaction.atomic
def totp_disable(*, actor: Any, user: User, password: str, code: str) -> None:
    """Turn two-factor login off: only with the current password and a valid, unused code."""
    errors = {}
    if not user.check_password(password or ""):
        errors["password"] = [_("The password is not correct.")]
    if not totp_verify(user=user, code=code):
        errors["code"] = [_("The code is not valid.")]
    if errors:
        raise ValidationError(errors)
    user.totp_secret = ""
    user.save(update_fields=["totp_secret"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=user, changes={"two_factor": [True, False]})


@transaction.atomic
def totp_verify(*, user: User, code: str) -> bool:
    """Whether `code` is the user's current code and newer than the last one accepted; if so it is used up."""
    locked = User.objects.select_for_update().filter(pk=user.pk).first()
    if locked is None or not locked.totp_secret:
        return False
    secret, last = _totp_state(locked)
    step = _totp_step(secret, code)
    if step is None or (last is not None and step <= last):
        return False
    _totp_store(locked, secret, step)
    user.totp_secret = locked.totp_secret
    return True


def user_needs_2fa(user: User) -> bool:
    return user.has_2fa or (settings.REQUIRE_2FA_FOR_ADMINS and "sysadmin" in user.role_codes)
