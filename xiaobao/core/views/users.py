"""User administration, scoped like everything else: an administrator sees the users of their scope."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xiaobao.core.forms import PasswordForm, UserForm, role_choices
from xiaobao.core.models import OrgUnit, User
from xiaobao.core.selectors import user_list as select_users
from xiaobao.core.services import accounts as svc
from xiaobao.core.views.common import add_service_errors, paginate, query_without_page

MANAGE = "core.manage_users"


@permission_required(MANAGE, raise_exception=True)
def user_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:50]
    role = request.GET.get("role", "")
    unit = OrgUnit.objects.visible_to(request.user).filter(code=request.GET.get("unit", "")).first()
    inactive = request.GET.get("inactive") == "1"
    page = paginate(
        request, select_users(user=request.user, q=q, unit=unit, role=role, include_inactive=inactive)
    )
    return render(
        request,
        "core/users.html",
        {
            "page": page,
            "q": q,
            "role": role,
            "unit_code": request.GET.get("unit", ""),
            "inactive": inactive,
            "roles": role_choices(),
            "query": query_without_page(request),
        },
    )


@permission_required(MANAGE, raise_exception=True)
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            user = svc.user_create(
                actor=request.user,
                username=d["username"],
                full_name=d["full_name"],
                email=d["email"],
                org_unit=d["org_unit"],
                roles=d["roles"],
                password=d["password"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            _say_requested(request, user)
            messages.success(request, _("User %(u)s created.") % {"u": user.username})
            return redirect("core:users")
    status = 400 if request.method == "POST" else 200
    return render(request, "core/user_form.html", {"form": form, "title": _("New user")}, status=status)


@permission_required(MANAGE, raise_exception=True)
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(User.objects.visible_to(request.user), pk=pk)
    form = UserForm(request.POST or None, user=request.user, editing=True, initial=_initial(target))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            svc.user_update(
                actor=request.user,
                user=target,
                full_name=d["full_name"],
                email=d["email"],
                org_unit=d["org_unit"],
                roles=d["roles"],
                is_active=d["is_active"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            _say_requested(request, target)
            messages.success(request, _("Saved."))
            return redirect("core:users")
    return _edit_page(request, target, form, status=400 if request.method == "POST" else 200)


def _edit_page(request: HttpRequest, target: User, form: UserForm, status: int) -> HttpResponse:
    return render(
        request,
        "core/user_form.html",
        {
            "form": form,
            "target": target,
            "title": _("Edit user"),
            "password_form": PasswordForm(),
            "role_requests": svc.role_requests(target),
        },
        status=status,
    )


def _say_requested(request: HttpRequest, target: User) -> None:
    for r in svc.role_requests(target):
        messages.info(
            request,
            _("The role %(role)s reveals personal data: another administrator must approve it.")
            % {"role": r.name},
        )


@require_POST
@permission_required(MANAGE, raise_exception=True)
def role_request_decide(request: HttpRequest, pk: int, role: str, decision: str) -> HttpResponse:
    """Approve (a second administrator) or reject a requested role."""
    if decision not in ("approve", "reject"):
        raise Http404
    target = get_object_or_404(User.objects.visible_to(request.user), pk=pk)
    decide = svc.role_request_approve if decision == "approve" else svc.role_request_reject
    try:
        decide(actor=request.user, user=target, role=role)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        form = UserForm(user=request.user, editing=True, initial=_initial(target))
        return _edit_page(request, target, form, status=400)
    messages.success(request, _("Saved."))
    return redirect("core:user_edit", pk=target.pk)


def _initial(target: User) -> dict:
    return {
        "full_name": target.full_name,
        "email": target.email,
        "org_unit": target.org_unit_id,
        "roles": target.role_codes,
        "is_active": target.is_active,
    }


@permission_required(MANAGE, raise_exception=True)
def user_password(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(User.objects.visible_to(request.user), pk=pk)
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            svc.user_set_password(actor=request.user, user=target, password=form.cleaned_data["password"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Password set for %(u)s.") % {"u": target.username})
            return redirect("core:user_edit", pk=target.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "core/user_password.html", {"form": form, "target": target}, status=status)
