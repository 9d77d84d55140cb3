"""The roles of Xiaobao and the actions each may take: one declared table.

Permissions are per action (Django permissions `<app>.<codename>`); a role is a named set of them, kept in
sync with a Django Group of the same code after every migrate. This table holds core's own permissions;
each module adds what its permissions grant to which role in its `AppConfig.module.roles` (the registry,
`xiaobao.casework.registry.role_grants`), so adding a module edits nothing here. `role_permissions(code)` is
the whole set. Scope is not a role setting: a user sees their own unit's subtree unless a role grants
`view_all_units`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Role:
    code: str
    name: str | Promise
    description: str | Promise
    permissions: frozenset[str]


# Permission codenames are "app_label.codename" and must exist in some model's Meta.permissions
# (or be a Django default permission).
VIEW_ALL = "core.view_all_units"
MANAGE_ORG = "core.manage_org"
MANAGE_USERS = "core.manage_users"
VIEW_AUDIT = "core.view_auditevent"
EXPORT_AUDIT = "core.export_auditevent"
MANAGE_CALENDAR = "core.manage_calendar"
VIEW_CONSUMERS = "core.view_consumer"
MANAGE_CONSUMERS = "core.manage_consumer"
REVEAL_PERSONAL_DATA = "core.reveal_personal_data"

ROLES: dict[str, Role] = {
    r.code: r
    for r in [
        Role(
            "sysadmin",
            _("System administrator"),
            _("Maintains units, users, roles, code tables and the calendar; sees no personal data in clear."),
            frozenset(
                {
                    VIEW_ALL,
                    MANAGE_ORG,
                    MANAGE_USERS,
                    VIEW_AUDIT,
                    EXPORT_AUDIT,
                    MANAGE_CALENDAR,
                }
            ),
        ),
        Role(
            "hq_cp_officer",
            _("Head-office consumer-protection officer"),
            _("Sees and manages the work of the whole institution."),
            frozenset(
                {
                    VIEW_ALL,
                    MANAGE_ORG,
                    VIEW_AUDIT,
                    EXPORT_AUDIT,
                    MANAGE_CALENDAR,
                    VIEW_CONSUMERS,
                    MANAGE_CONSUMERS,
                    REVEAL_PERSONAL_DATA,
                }
            ),
        ),
        Role(
            "branch_cp_officer",
            _("Branch consumer-protection officer"),
            _("Manages the work of the own branch and everything below it."),
            frozenset(
                {
                    VIEW_AUDIT,
                    VIEW_CONSUMERS,
                    MANAGE_CONSUMERS,
                    REVEAL_PERSONAL_DATA,
                }
            ),
        ),
        Role(
            "complaint_handler",
            _("Complaint handler"),
            _("Registers and handles complaints in the own unit's subtree."),
            frozenset({VIEW_CONSUMERS, MANAGE_CONSUMERS, REVEAL_PERSONAL_DATA}),
        ),
        Role(
            "business_responder",
            _("Business-line responder"),
            _("Answers complaints about the own product line."),
            frozenset({VIEW_CONSUMERS}),
        ),
        Role(
            "approver",
            _("Approver (leadership)"),
            _("Approves extensions and decisions for the own subtree."),
            frozenset({VIEW_CONSUMERS}),
        ),
        Role(
            "auditor",
            _("Auditor (read-only)"),
            _("Reads everything, changes nothing."),
            frozenset({VIEW_ALL, VIEW_AUDIT, EXPORT_AUDIT, VIEW_CONSUMERS}),
        ),
        Role(
            "learner",
            _("Learner"),
            _("Takes training and exams and sees the own training record; nothing else."),
            frozenset(),
        ),
    ]
}


def role_permissions(code: str) -> frozenset[str]:
    """Every permission the role grants: core's (above) and each module's (its `Module.roles`)."""
    from xiaobao.casework.registry import role_grants

    role = ROLES.get(code)
    if role is None:
        return frozenset()
    return role.permissions | frozenset(role_grants().get(code, ()))


def reveals_personal_data(code: str) -> bool:
    """Whether the role may reveal personal data in clear: granting it needs a second administrator."""
    role = ROLES.get(code)
    return role is not None and REVEAL_PERSONAL_DATA in role.permissions


# A requested, not yet approved role is a membership of a group without permissions named
# "pending:<role>:<id of the administrator who asked>" (see services.accounts.role_requests).
PENDING_ROLE_PREFIX = "pending:"


def role_name(code: str) -> str:
    role = ROLES.get(code)
    return str(role.name) if role else code
