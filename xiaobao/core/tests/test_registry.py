"""Modules declare themselves (`AppConfig.module`); core builds roles, navigation, the home page and the demo
from the declarations — with the same result as when core listed the modules itself."""

from __future__ import annotations

import pytest

from xiaobao.casework import registry
from xiaobao.core.roles import ROLES, role_permissions

C = "complaints."
EW, R, IM = "early_warning.", "reports.", "imports."
WORK = {C + "view_complaint", C + "register_complaint", C + "handle_complaint"}
CORE_PII = {"core.view_consumer", "core.manage_consumer", "core.reveal_personal_data"}

# every role's permissions from complaints, early warning, reports and imports before the registry
BEFORE = {
    "sysadmin": {
        C + "manage_codes", EW + "manage_watchword", R + "manage_reporttemplate", IM + "manage_importpreset",
    },
    "hq_cp_officer": {
        *WORK, C + "assign_complaint", C + "export_complaint", C + "manage_codes", C + "hold_complaint",
        EW + "view_earlywarning", EW + "acknowledge_earlywarning", EW + "manage_watchword",
        R + "view_reportjob", R + "run_report", R + "manage_reporttemplate",
        IM + "import_complaints", IM + "manage_importpreset",
    },
    "branch_cp_officer": {
        *WORK, C + "assign_complaint", C + "export_complaint", EW + "view_earlywarning",
        EW + "acknowledge_earlywarning", R + "view_reportjob", R + "run_report", IM + "import_complaints",
    },
    "complaint_handler": {*WORK, EW + "view_earlywarning"},
    "business_responder": {C + "view_complaint", C + "respond_complaint"},
    "approver": {
        C + "view_complaint", C + "approve_complaint", EW + "view_earlywarning", R + "view_reportjob",
    },
    "auditor": {C + "view_complaint", C + "export_complaint", EW + "view_earlywarning", R + "view_reportjob"},
}  # fmt: skip
OLD_APPS = ("complaints.", "early_warning.", "reports.", "imports.")


@pytest.mark.parametrize("code", sorted(BEFORE))
def test_each_role_grants_what_it_did_before_the_registry(code):
    # when the role's permissions are read (core's table and every module's grants)
    perms = role_permissions(code)
    # then the older modules' grants are exactly as they were, core's still there
    assert {p for p in perms if p.startswith(OLD_APPS)} == BEFORE[code]
    assert ROLES[code].permissions <= perms


@pytest.mark.django_db
def test_role_groups_hold_the_module_grants(org):
    from django.contrib.auth.models import Group

    group = Group.objects.get(name="branch_cp_officer")
    held = {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }
    assert held >= BEFORE["branch_cp_officer"] | CORE_PII


def test_modules_are_declared_in_order():
    labels = [r.label for r in registry.modules()]
    # complaints first; the desk's conveniences (notes, saved views, classification) may sit right after it
    assert labels[0] == "complaints"
    assert labels.index("analytics") < labels.index("early_warning")
    assert {"reports", "imports"} <= set(labels)
    assert "xiaobao.complaints.sweeper" in str(registry.clock_models()[0].sweep)


@pytest.mark.django_db
def test_navigation_keeps_the_order_of_the_older_entries(client_for, hq_officer):
    # when head office opens the home page
    response = client_for(hq_officer).get("/")
    # then the entries core and the older modules had are there in their old order (new modules between)
    urls = [u for item in response.context["nav_items"] for u in _urls(item)]
    old = [
        "core:home", "complaints:list", "analytics:dashboard", "early_warning:list", "reports:list",
        "imports:list", "core:consumers", "core:org_tree", "core:calendar", "core:audit",
    ]  # fmt: skip
    assert [u for u in urls if u in old] == old


def _urls(item):
    return [c["url"] for c in item["children"]] if "children" in item else [item["url"]]


@pytest.mark.django_db
def test_the_bar_groups_modules_into_menus(client_for, hq_officer):
    # when head office opens the home page
    bar = client_for(hq_officer).get("/").context["nav_items"]
    # then the day's desks stand on the bar and the rest sit in menus, in their order
    top = [item.get("url") or item["group"] for item in bar]
    assert top[:4] == ["core:home", "complaints:list", "analytics:dashboard", "early_warning:list"]
    menus = {item["group"]: [c["url"] for c in item["children"]] for item in bar if "children" in item}
    assert menus["review"] == ["review:list", "checker:list", "fees:list"]
    assert menus["field"] == ["inspections:list", "rectification:list", "sales_recording:list"]
    assert menus["people"] == [
        "training:home",
        "exams:list",
        "exams:questions",
        "case_library:home",
        "exams:my",
    ]
    assert menus["outreach"] == ["education:home", "special_services:home", "surveys:home", "portal:home"]
    assert menus["governance"] == ["governance:home", "policies:home"]
    assert menus["admin"][-2:] == ["core:calendar", "core:audit"]
    assert len(bar) <= 12  # fits one line at 1280 px in zh-Hans (browser test)


@pytest.mark.django_db
def test_a_menu_with_one_entry_for_the_user_is_that_entry(client_for, org):
    # given a learner (training and exams only)
    from conftest import make_user

    learner = make_user("learner1", org.b1o, ["learner"])
    # when the learner opens the home page
    response = client_for(learner).get("/")
    bar = response.context["nav_items"]
    # then the bar holds home, the own learning and the one administration page everybody has as a menu
    assert [item.get("url") for item in bar if "children" not in item][:2] == ["core:home", "exams:my"]
    admin = [item for item in bar if item.get("group") == "admin"]
    assert [c["url"] for c in admin[0]["children"]] == ["core:org_tree", "core:calendar"]
    html = response.content.decode()
    assert 'class="navgroup"' in html and "培训与考试" not in html
