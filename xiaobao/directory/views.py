"""The directory page (系统管理 → 目录登录): the group → role mapping, the configuration (read-only), the
test-a-user form and the last sync."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from xiaobao.core.errors import DomainError
from xiaobao.core.http import AuthedRequest
from xiaobao.core.views.common import add_service_errors
from xiaobao.directory import selectors, services
from xiaobao.directory.forms import LookupForm, MappingForm
from xiaobao.directory.models import MANAGE, GroupRoleMapping


def _page(request: AuthedRequest, *, lookup_form: LookupForm | None = None, result=None, status=200):
    return render(
        request,
        "directory/index.html",
        {
            "mappings": list(selectors.mapping_list(user=request.user)),
            "conf": selectors.configuration(),
            "lookup_form": lookup_form or LookupForm(),
            "result": result,
            "last_sync": selectors.last_sync(),
            "accounts": selectors.account_counts(),
        },
        status=status,
    )


@require_GET
@permission_required(MANAGE, raise_exception=True)
def index(request: AuthedRequest) -> HttpResponse:
    return _page(request)


def _form_page(request: AuthedRequest, mapping: GroupRoleMapping | None) -> HttpResponse:
    initial = {}
    if mapping is not None:
        initial = {
            "group_dn": mapping.group_dn,
            "role": mapping.role,
            "org_unit": mapping.org_unit.code if mapping.org_unit else "",
            "note": mapping.note,
        }
    form = MappingForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.mapping_save(actor=request.user, data=form.to_data(), mapping=mapping)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Mapping saved."))
                return redirect("directory:index")
        status = 400
    return render(request, "directory/mapping_form.html", {"form": form, "mapping": mapping}, status=status)


@permission_required(MANAGE, raise_exception=True)
def mapping_create(request: AuthedRequest) -> HttpResponse:
    return _form_page(request, None)


def _mapping(pk: int) -> GroupRoleMapping:
    mapping = GroupRoleMapping.objects.select_related("org_unit").filter(pk=pk).first()
    if mapping is None:
        raise Http404
    return mapping


@permission_required(MANAGE, raise_exception=True)
def mapping_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    return _form_page(request, _mapping(pk))


@require_POST
@permission_required(MANAGE, raise_exception=True)
def mapping_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    services.mapping_delete(actor=request.user, mapping=_mapping(pk))
    messages.success(request, _("Mapping deleted."))
    return redirect("directory:index")


@require_POST
@permission_required(MANAGE, raise_exception=True)
def lookup(request: AuthedRequest) -> HttpResponse:
    """Look a username up in the directory (audited) and show what they would get at sign-in."""
    form = LookupForm(request.POST)
    if not form.is_valid():
        return _page(request, lookup_form=form, status=400)
    try:
        result = services.directory_lookup(actor=request.user, username=form.cleaned_data["username"])
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _page(request, lookup_form=form, status=exc.status)
    return _page(request, lookup_form=form, result=result)


@require_POST
@permission_required(MANAGE, raise_exception=True)
def sync(request: AuthedRequest) -> HttpResponse:
    try:
        services.sync_request(actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The directory sync was queued."))
    return redirect("directory:index")
