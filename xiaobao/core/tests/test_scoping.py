"""The scoping quartet for every foundation view and endpoint.

For each route: anonymous → login redirect (pages) or 401 (API); a user without the permission → 403 (or
404 where the object is invisible anyway); a user allowed in the object's branch → success; the same kind
of user in another branch → 404 (objects) or the object missing from the list. A completeness test fails
when a route is added without an entry here.
"""

from __future__ import annotations

import json

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from xiaobao.api import api
from xiaobao.core.tests.route_table import Ctx, Route, app_public, app_routes

PDF = b"%PDF-1.4\n% test attachment\n"


PAGE_ROUTES = [
    Route("core:org_unit_detail", "get", lambda c: {"pk": c.org.b1s.pk}, perm=False),
    Route("core:org_unit_edit", "get", lambda c: {"pk": c.org.b1s.pk}),
    Route(
        "core:org_unit_move",
        "post",
        lambda c: {"pk": c.org.b1o.pk},
        lambda c: {"parent": c.org.b1.pk},
        ok=(302,),
    ),
    Route("core:org_unit_close", "post", lambda c: {"pk": c.org.b1o.pk}, ok=(302,)),
    Route("core:org_unit_reopen", "post", lambda c: {"pk": c.org.b1o.pk}, ok=(302,)),
    Route(
        "core:org_unit_figures",
        "post",
        lambda c: {"pk": c.org.b1s.pk},
        lambda c: {"year": 2026, "retail_customers": 10, "outlets": 1},
        ok=(302,),
    ),
    Route("core:user_edit", "get", lambda c: {"pk": c.b1_user.pk}),
    Route("core:user_password", "get", lambda c: {"pk": c.b1_user.pk}),
    Route(
        "core:role_request_decide",
        "post",
        lambda c: {"pk": c.b1_user.pk, "role": "complaint_handler", "decision": "reject"},
        ok=(302, 400),  # 400: no request for the role is waiting
    ),
    Route("core:consumer_detail", "get", lambda c: {"pk": c.consumer.pk}),
    Route(
        "core:consumer_reveal",
        "post",
        lambda c: {"pk": c.consumer.pk},
        lambda c: {"field": "phone", "reason": "核实投诉人身份"},
    ),
    Route("core:org_tree", "get", perm=False, kind="list", marker=lambda c: c.org.b1s.code),
    Route("core:users", "get", kind="list", marker=lambda c: c.b1_user.username),
    Route("core:consumers", "get", kind="list", marker=lambda c: c.consumer.masked_name),
    Route("core:audit", "get", kind="list", marker=lambda c: c.b1_user.username),
    Route("core:audit_export", "get", kind="global"),
    Route("core:org_unit_create", "get", kind="global"),
    Route("core:org_unit_import", "get", kind="global"),
    Route("core:user_create", "get", kind="global"),
    Route("core:consumer_create", "get", kind="global"),
    Route("core:home", "get", perm=False, kind="global"),
    Route("core:calendar", "get", perm=False, kind="global"),
    Route(
        "core:calendar_override_create",
        "post",
        kind="global",
        data=lambda c: {"date": "2027-01-01", "is_workday": "0", "name": "元旦"},
        ok=(302,),
    ),
    Route("core:calendar_override_delete", "post", kind="global", kwargs=lambda c: {"pk": 999999}, ok=(404,)),
    Route(
        "core:calendar_year_mark",
        "post",
        kind="global",
        data=lambda c: {"year": 2027, "source_document": "国办发明电〔2026〕X号"},
        ok=(302,),
    ),
    Route("core:account", "get", perm=False, kind="global"),
    Route("core:two_factor", "get", perm=False, kind="global"),
]


def _pdf_upload(c):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile("scan.pdf", PDF), "kind": "evidence"}


PAGE_ROUTES += [
    Route("complaints:list", "get", kind="list", marker=lambda c: c.complaint.reference),
    Route("complaints:queue", "get", kind="list", marker=lambda c: c.complaint.reference),
    Route("complaints:export", "get", kind="global"),
    Route("complaints:approvals", "get", kind="global"),
    Route("complaints:notifications", "get", kind="global"),
    Route("complaints:create", "get", kind="global"),
    Route(
        "complaints:lookup", "post", kind="global", data=lambda c: {"field": "phone", "value": "13812345678"}
    ),
    Route("complaints:detail", "get", lambda c: {"pk": c.complaint.pk}),
    Route(
        "complaints:action",
        "post",
        lambda c: {"pk": c.complaint.pk, "action": "contact"},
        lambda c: {"method": "phone", "date": "2026-03-02", "version": c.complaint.version},
        ok=(302,),
    ),
    Route("complaints:attachment_upload", "post", lambda c: {"pk": c.complaint.pk}, _pdf_upload, ok=(302,)),
    Route("complaints:attachment", "get", lambda c: {"pk": c.complaint.pk, "attachment_id": c.attachment.pk}),
    Route("complaints:notice", "get", lambda c: {"pk": c.complaint.pk}, ok=(409,)),
]
# Pages reachable without logging in, on purpose.
PUBLIC_PAGES = {
    "core:login",
    "core:login_2fa",
    "core:logout",
    "core:health",
    "set_language",
    # self-service password reset: never tells whether an account exists (test_password_reset.py)
    "core:password_reset",
    "core:password_reset_done",
    "core:password_reset_confirm",
    "core:password_reset_set",
    "core:password_reset_complete",
}

API_ROUTES = [
    Route("GET /api/v1/org-units/{unit_id}", "get", lambda c: {"unit_id": c.org.b1s.pk}, perm=False),
    Route(
        "PATCH /api/v1/org-units/{unit_id}",
        "patch",
        lambda c: {"unit_id": c.org.b1s.pk},
        lambda c: {"name": "海淀中心支行"},
    ),
    Route(
        "POST /api/v1/org-units/{unit_id}/move",
        "post",
        lambda c: {"unit_id": c.org.b1o.pk},
        lambda c: {"parent_code": c.org.b1.code},
    ),
    Route(
        "POST /api/v1/org-units/{unit_id}/close", "post", lambda c: {"unit_id": c.org.b1o.pk}, lambda c: {}
    ),
    Route(
        "POST /api/v1/org-units/{unit_id}/reopen", "post", lambda c: {"unit_id": c.org.b1o.pk}, ok=(200, 422)
    ),
    Route("GET /api/v1/org-units/{unit_id}/figures", "get", lambda c: {"unit_id": c.org.b1s.pk}, perm=False),
    Route(
        "PUT /api/v1/org-units/{unit_id}/figures/{year}",
        "put",
        lambda c: {"unit_id": c.org.b1s.pk, "year": 2026},
        lambda c: {"retail_customers": 100, "outlets": 2},
    ),
    Route("GET /api/v1/users/{user_id}", "get", lambda c: {"user_id": c.b1_user.pk}),
    Route(
        "POST /api/v1/users/{user_id}/pending-roles/{role}/approve",
        "post",
        lambda c: {"user_id": c.b1_user.pk, "role": "complaint_handler"},
        ok=(200, 422),  # 422: no request for the role is waiting
    ),
    Route(
        "POST /api/v1/users/{user_id}/pending-roles/{role}/reject",
        "post",
        lambda c: {"user_id": c.b1_user.pk, "role": "complaint_handler"},
        ok=(200, 422),
    ),
    Route(
        "PATCH /api/v1/users/{user_id}",
        "patch",
        lambda c: {"user_id": c.b1_user.pk},
        lambda c: {"full_name": "改名"},
    ),
    Route("GET /api/v1/consumers/{consumer_id}", "get", lambda c: {"consumer_id": c.consumer.pk}),
    Route(
        "POST /api/v1/consumers/{consumer_id}/reveal",
        "post",
        lambda c: {"consumer_id": c.consumer.pk},
        lambda c: {"field": "phone", "reason": "核实投诉人身份"},
    ),
    Route("GET /api/v1/org-units", "get", perm=False, kind="list", marker=lambda c: c.org.b1s.code),
    Route("GET /api/v1/users", "get", kind="list", marker=lambda c: c.b1_user.username),
    Route("GET /api/v1/consumers", "get", kind="list", marker=lambda c: c.consumer.masked_name),
    Route("GET /api/v1/audit-events", "get", kind="list", marker=lambda c: c.b1_user.username),
    Route(
        "POST /api/v1/org-units",
        "post",
        kind="global",
        ok=(201,),
        data=lambda c: {"code": "B1-NEW", "name": "新网点", "kind": "outlet", "parent_code": c.org.b1s.code},
    ),
    Route(
        "POST /api/v1/users",
        "post",
        kind="global",
        ok=(201,),
        data=lambda c: {
            "username": "newbie",
            "full_name": "新人",
            "unit": c.org.b1.code,
            "roles": ["complaint_handler"],
            "password": "Kx9-long-enough-pass",
        },
    ),
    Route(
        "POST /api/v1/consumers",
        "post",
        kind="global",
        ok=(201,),
        data=lambda c: {"unit": c.org.b1o.code, "name": "李四", "phone": "13900001111"},
    ),
    Route(
        "POST /api/v1/consumers/lookup",
        "post",
        kind="global",
        data=lambda c: {"field": "phone", "value": "13812345678"},
    ),
    Route("POST /api/v1/org-units/import", "post", kind="global", ok=(422,), extra={"multipart": True}),
    Route("GET /api/v1/audit-events/verify", "get", kind="global"),
    Route("GET /api/v1/me", "get", perm=False, kind="global"),
    Route("GET /api/v1/roles", "get", perm=False, kind="global"),
    Route(
        "GET /api/v1/calendar/deadline",
        "get",
        perm=False,
        kind="global",
        extra={"query": "?start=2026-01-05&days=15&unit=calendar"},
    ),
    Route("GET /api/v1/calendar/years/{year}", "get", lambda c: {"year": 2026}, perm=False, kind="global"),
    Route("GET /api/v1/calendar/overrides", "get", perm=False, kind="global"),
    Route(
        "POST /api/v1/calendar/overrides",
        "post",
        kind="global",
        ok=(200, 201),
        data=lambda c: {"date": "2027-01-01", "is_workday": False, "name": "元旦"},
    ),
    Route(
        "DELETE /api/v1/calendar/overrides/{override_id}",
        "delete",
        lambda c: {"override_id": 999999},
        kind="global",
        ok=(404,),
    ),
    Route(
        "POST /api/v1/calendar/years",
        "post",
        kind="global",
        ok=(200, 201),
        data=lambda c: {"year": 2027, "source_document": "国办发明电〔2026〕X号"},
    ),
]
API_ROUTES += [
    Route(
        "GET /api/v1/codes/{dimension}", "get", lambda c: {"dimension": "channel"}, perm=False, kind="global"
    ),
    Route("GET /api/v1/deadline-rules", "get", perm=False, kind="global"),
    Route(
        "POST /api/v1/complaints",
        "post",
        kind="global",
        ok=(201,),
        data=lambda c: {
            "received_at": "2026-03-02T10:30:00+08:00",
            "channel": "A01",
            "business_type": "B01",
            "cause": "C01",
            "org_unit": c.org.b1s.code,
            "complainant": {"name": "李四"},
            "request": "r",
            "description": "d",
        },
    ),
    Route("GET /api/v1/complaints", "get", kind="list", marker=lambda c: c.complaint.reference),
    Route("GET /api/v1/complaints/{complaint_id}", "get", lambda c: {"complaint_id": c.complaint.pk}),
    Route("GET /api/v1/complaints/{complaint_id}/events", "get", lambda c: {"complaint_id": c.complaint.pk}),
    Route(
        "POST /api/v1/complaints/{complaint_id}/actions/{action}",
        "post",
        lambda c: {"complaint_id": c.complaint.pk, "action": "contact"},
        lambda c: {"method": "phone"},
    ),
    Route(
        "POST /api/v1/complaints/{complaint_id}/attachments",
        "post",
        lambda c: {"complaint_id": c.complaint.pk},
        ok=(201,),
        extra={"multipart": True, "file": ("note.pdf", PDF)},
    ),
    Route(
        "GET /api/v1/complaints/{complaint_id}/attachments/{attachment_id}",
        "get",
        lambda c: {"complaint_id": c.complaint.pk, "attachment_id": c.attachment.pk},
    ),
]
API_ROUTES += [
    Route(
        "PUT /api/v1/codes/{dimension}/{code}",
        "put",
        lambda c: {"dimension": "cause", "code": "C77"},
        lambda c: {"name": "测试原因"},
        kind="global",
    ),
    Route(
        "PUT /api/v1/deadline-rules/{code}",
        "put",
        lambda c: {"code": "nfra-2020"},
        lambda c: {"days": 15},
        kind="global",
    ),
]
API_ROUTES += [
    Route(
        "POST /api/v1/complaints/{complaint_id}/legal-hold",
        "post",
        lambda c: {"complaint_id": c.complaint.pk},
        lambda c: {"hold": True, "reason": "（2026）京0108民初123号"},
    ),
]
PAGE_ROUTES += [
    Route(
        "complaints:legal_hold",
        "post",
        lambda c: {"pk": c.complaint.pk},
        lambda c: {"hold": "1", "reason": "（2026）京0108民初123号"},
        ok=(302,),
    ),
]


# The global search (core/search.py): open to every member of staff; each module's hits within its scope.
def _complaint_link(c):
    return f"/complaints/{c.complaint.pk}/"


PAGE_ROUTES += [
    Route("core:search", "get", perm=False, kind="list", marker=_complaint_link),
    Route(
        "core:search", "post", data=lambda c: {"q": "王小明"}, perm=False, kind="list", marker=_complaint_link
    ),
]
API_ROUTES += [
    Route(
        "GET /api/v1/search",
        "get",
        perm=False,
        kind="list",
        marker=lambda c: c.complaint.reference,
        extra={"query": "?q=%E6%8F%8F%E8%BF%B0"},  # 描述, the complaint's description
    ),
    Route(
        "POST /api/v1/search",
        "post",
        data=lambda c: {"q": "13812345678"},  # the complainant's phone: through the blind index
        perm=False,
        kind="list",
        marker=lambda c: c.complaint.reference,
    ),
]
PUBLIC_API = {"GET /api/v1/health"}

_app_pages, _app_api = app_routes()
_app_public_pages, _app_public_api = app_public()
PAGE_ROUTES += _app_pages
API_ROUTES += _app_api


@pytest.fixture
def ctx(org, b1_consumer, request):
    from io import BytesIO

    from conftest import make_user
    from xiaobao.complaints.attachments import attachment_add
    from xiaobao.complaints.services import complaint_register

    clerk = make_user("b1_clerk", org.b1s, ["complaint_handler"])
    complaint, _ = complaint_register(
        actor=clerk,
        data={
            "received_at": "2026-03-02T10:30:00+08:00",
            "channel": "A01",
            "business_type": "B01",
            "cause": "C01",
            "org_unit": org.b1s.code,
            "complainant": {"name": "王小明", "phone": "13812345678"},
            "request": "请求",
            "description": "描述",
        },
    )
    attachment = attachment_add(actor=clerk, complaint=complaint, fileobj=BytesIO(PDF), name="letter.pdf")
    context = Ctx(org, clerk, b1_consumer, complaint, attachment)
    callspec = getattr(request.node, "callspec", None)
    route = callspec.params.get("route") if callspec else None
    context.run_setups(first=getattr(route, "app", ""))  # other apps' objects only when a route asks
    return context


def _page_url(route: Route, ctx: Ctx) -> str:
    return reverse(route.name, kwargs=route.kwargs(ctx) if route.kwargs else None)


def _api_url(route: Route, ctx: Ctx) -> str:
    path = route.name.split(" ", 1)[1]
    for key, value in (route.kwargs(ctx) if route.kwargs else {}).items():
        path = path.replace("{" + key + "}", str(value))
    return path + route.extra.get("query", "")


def _call_page(client, route: Route, ctx: Ctx):
    url = _page_url(route, ctx)
    data = route.data(ctx) if route.data else {}
    return getattr(client, route.method)(url, data) if route.method == "post" else client.get(url)


def _call_api(client, route: Route, ctx: Ctx):
    url = _api_url(route, ctx)
    if route.method in ("get", "delete"):
        return getattr(client, route.method)(url)
    if route.extra.get("multipart"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        name, content = route.extra.get("file", ("units.xlsx", b"not a workbook"))
        return client.post(url, {"file": SimpleUploadedFile(name, content)})
    body = json.dumps(route.data(ctx)) if route.data else "{}"
    return getattr(client, route.method)(url, body, content_type="application/json")


def _allowed_user(route: Route, request):
    """The user who may act on the branch-1 object: a branch-1 power user; calendar needs HQ."""
    if route.actor:
        return request.getfixturevalue(route.actor)
    if "calendar" in route.name and route.method != "get":
        return request.getfixturevalue("hq_officer")
    if (
        route.name in ("GET /api/v1/audit-events/verify",)
        or route.name.startswith("PUT /api/v1/codes")
        or route.name.startswith("PUT /api/v1/deadline-rules")
    ):
        return request.getfixturevalue("hq_officer")
    return request.getfixturevalue("power_b1")


page_ids = [f"{r.method} {r.name}" for r in PAGE_ROUTES]
api_ids = [r.name for r in API_ROUTES]


# --- pages ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", PAGE_ROUTES, ids=page_ids)
def test_page_anonymous_is_sent_to_login(client, ctx, route):
    # given no session / when / then
    response = _call_page(client, route, ctx)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))


@pytest.mark.parametrize("route", PAGE_ROUTES, ids=page_ids)
def test_page_without_permission(client_for, ctx, no_role_user, route):
    # given a member of staff in branch 1 with no role
    response = _call_page(client_for(no_role_user), route, ctx)
    # then a permission-guarded route refuses; an open one works within the user's own subtree
    if route.perm:
        assert response.status_code == 403
    else:
        assert response.status_code in (200, 404)


@pytest.mark.parametrize("route", PAGE_ROUTES, ids=page_ids)
def test_page_allowed(client_for, ctx, route, request):
    response = _call_page(client_for(_allowed_user(route, request)), route, ctx)
    assert response.status_code in route.ok, response.content[:500]


@pytest.mark.parametrize(
    "route",
    [r for r in PAGE_ROUTES if r.kind != "global"],
    ids=[i for r, i in zip(PAGE_ROUTES, page_ids, strict=True) if r.kind != "global"],
)
def test_page_other_branch(client_for, ctx, power_b2, route):
    response = _call_page(client_for(power_b2), route, ctx)
    if route.kind == "object":
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        assert route.marker(ctx) not in response.content.decode()


# --- API ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", API_ROUTES, ids=api_ids)
def test_api_anonymous_is_401(client, ctx, route):
    response = _call_api(client, route, ctx)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


@pytest.mark.parametrize("route", API_ROUTES, ids=api_ids)
def test_api_without_permission(api_for, ctx, no_role_user, route):
    response = _call_api(api_for(no_role_user), route, ctx)
    if route.perm:
        assert response.status_code == 403, response.content
        assert response.json()["code"] == "forbidden"
    else:
        assert response.status_code in (200, 404)


@pytest.mark.parametrize("route", API_ROUTES, ids=api_ids)
def test_api_allowed(api_for, ctx, route, request):
    response = _call_api(api_for(_allowed_user(route, request)), route, ctx)
    assert response.status_code in route.ok, response.content[:500]


@pytest.mark.parametrize(
    "route",
    [r for r in API_ROUTES if r.kind != "global"],
    ids=[r.name for r in API_ROUTES if r.kind != "global"],
)
def test_api_other_branch(api_for, ctx, power_b2, route):
    response = _call_api(api_for(power_b2), route, ctx)
    if route.kind == "object":
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    else:
        assert response.status_code == 200
        assert route.marker(ctx) not in response.content.decode("unicode_escape")


# --- completeness: a new route without an entry above fails here --------------------------------------------


def _page_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            if p.namespace == "api":
                continue
            yield from _page_names(p, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}"


def test_every_page_route_is_covered():
    covered = {r.name for r in PAGE_ROUTES} | PUBLIC_PAGES | _app_public_pages
    assert set(_page_names()) - covered == set()


def test_module_public_pages_live_under_public():
    """A module's page without login is under /public/ (the login middleware's open prefix for pages), or
    is the OpenID Connect sign-in's redirect and callback under /directory/oidc/ (needed before login)."""
    from django.urls import NoReverseMatch

    for name in _app_public_pages:
        try:
            path = reverse(name)
        except NoReverseMatch:
            path = reverse(name, args=["ABCDEFGH"])
        assert path.startswith(("/public/", "/directory/oidc/")), name


def test_every_api_operation_is_covered():
    schema = api.get_openapi_schema()
    operations = {f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops}
    covered = {r.name for r in API_ROUTES} | PUBLIC_API | _app_public_api
    assert operations - covered == set()


# --- the read-only auditor changes nothing: every state-changing page and API route refuses them ----------

READ_ONLY_POSTS = {
    "POST /api/v1/consumers/lookup",  # a search sent as POST so the number is not in the URL or the logs
    "complaints:lookup",
    "core:search",  # the global search, sent as POST so the query is not in the URL (an identifier search
    "POST /api/v1/search",  # is audited: the audit row is the only thing written)
}
changing_pages = [r for r in PAGE_ROUTES if r.method != "get" and r.name not in READ_ONLY_POSTS]
changing_api = [r for r in API_ROUTES if r.method != "get" and r.name not in READ_ONLY_POSTS]


@pytest.mark.parametrize("route", changing_pages, ids=[f"{r.method} {r.name}" for r in changing_pages])
def test_auditor_cannot_change_anything_through_a_page(client_for, ctx, auditor, route):
    response = _call_page(client_for(auditor), route, ctx)
    assert response.status_code in (403, 404, 405), response.status_code


@pytest.mark.parametrize("route", changing_api, ids=[r.name for r in changing_api])
def test_auditor_cannot_change_anything_through_the_api(api_for, ctx, auditor, route):
    response = _call_api(api_for(auditor), route, ctx)
    assert response.status_code in (403, 404, 405), (response.status_code, response.content[:200])
