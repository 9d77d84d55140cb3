"""Demo data: a few group → role mappings (directory sign-in itself is off in the demo: no server)."""

from __future__ import annotations

from typing import Any

from xiaobao.core.models import OrgUnit
from xiaobao.directory.models import GroupRoleMapping
from xiaobao.directory.services import mapping_save

BASE = "ou=groups,dc=demo-bank,dc=cn"
ROWS = [
    ("cn=xiaobao-admins", "sysadmin", None, "信息科技部系统管理员"),
    ("cn=cp-headoffice", "hq_cp_officer", None, "总行消保部"),
    ("cn=cp-branch", "branch_cp_officer", None, "各分行消保岗"),
    ("cn=complaint-handlers", "complaint_handler", None, "投诉处理岗"),
    ("cn=internal-audit", "auditor", "HO", "内审部：统一归属总行"),
    ("cn=all-staff", "learner", None, "全体员工：培训与考试"),
]


def load(command: Any, **opts: Any) -> None:
    if GroupRoleMapping.objects.exists():
        return
    for cn, role, unit_code, note in ROWS:
        unit = OrgUnit.objects.filter(code=unit_code).first() if unit_code else None
        mapping_save(
            actor=None, data={"group_dn": f"{cn},{BASE}", "role": role, "org_unit": unit, "note": note}
        )
