"""The roles of Xiaobao and the actions each may take: one declared table.

Permissions are per action (Django permissions `core.<codename>`); a role is a named set of them, kept in
sync with a Django Group of the same code after every migrate. Scope is not a role setting: a user sees
their own unit's subtree unless a role grants `view_all_units`.
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
# complaints
C_VIEW = "complaints.view_complaint"
C_REGISTER = "complaints.register_complaint"
C_HANDLE = "complaints.handle_complaint"
C_ASSIGN = "complaints.assign_complaint"
C_APPROVE = "complaints.approve_complaint"
C_RESPOND = "complaints.respond_complaint"
C_EXPORT = "complaints.export_complaint"
C_CODES = "complaints.manage_codes"
C_HOLD = "complaints.hold_complaint"

# early warning
EW_VIEW = "early_warning.view_earlywarning"
EW_ACK = "early_warning.acknowledge_earlywarning"
EW_WORDS = "early_warning.manage_watchword"

# reports
R_VIEW = "reports.view_reportjob"
R_RUN = "reports.run_report"
R_TEMPLATES = "reports.manage_reporttemplate"

# imports
I_IMPORT = "imports.import_complaints"
I_PRESETS = "imports.manage_importpreset"

COMPLAINT_WORK = {C_VIEW, C_REGISTER, C_HANDLE}

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
                    C_CODES,
                    EW_WORDS,
                    R_TEMPLATES,
                    I_PRESETS,
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
                    *COMPLAINT_WORK,
                    C_ASSIGN,
                    C_EXPORT,
                    C_CODES,
                    C_HOLD,
                    EW_VIEW,
                    EW_ACK,
                    EW_WORDS,
                    R_VIEW,
                    R_RUN,
                    R_TEMPLATES,
                    I_IMPORT,
                    I_PRESETS,
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
                    *COMPLAINT_WORK,
                    C_ASSIGN,
                    C_EXPORT,
                    EW_VIEW,
                    EW_ACK,
                    R_VIEW,
                    R_RUN,
                    I_IMPORT,
                }
            ),
        ),
        Role(
            "complaint_handler",
            _("Complaint handler"),
            _("Registers and handles complaints in the own unit's subtree."),
            frozenset({VIEW_CONSUMERS, MANAGE_CONSUMERS, REVEAL_PERSONAL_DATA, *COMPLAINT_WORK, EW_VIEW}),
        ),
        Role(
            "business_responder",
            _("Business-line responder"),
            _("Answers complaints about the own product line."),
            frozenset({VIEW_CONSUMERS, C_VIEW, C_RESPOND}),
        ),
        Role(
            "approver",
            _("Approver (leadership)"),
            _("Approves extensions and decisions for the own subtree."),
            frozenset({VIEW_CONSUMERS, C_VIEW, C_APPROVE, EW_VIEW, R_VIEW}),
        ),
        Role(
            "auditor",
            _("Auditor (read-only)"),
            _("Reads everything, changes nothing."),
            frozenset(
                {VIEW_ALL, VIEW_AUDIT, EXPORT_AUDIT, VIEW_CONSUMERS, C_VIEW, C_EXPORT, EW_VIEW, R_VIEW}
            ),
        ),
    ]
}


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
