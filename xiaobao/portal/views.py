"""Staff pages of the consumer portal (/portal/): its settings, recent submissions and lookup figures (what
the user sees), and the settings form (consumer-protection officers at head office)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from xiaobao.core.http import AuthedRequest
from xiaobao.core.views.common import add_service_errors
from xiaobao.portal import selectors, services
from xiaobao.portal.forms import SettingsForm
from xiaobao.portal.models import MANAGE, VIEW

RECENT = 50


def home(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not (user.has_perm(VIEW) or user.has_perm(MANAGE)):
        raise PermissionDenied
    s = services.portal_settings()
    rows = list(selectors.submissions(user)[:RECENT])
    context = {
        "portal": s,
        "unit": services.receiving_unit(s),
        "branches": services.listed_units(s),
        "types": services.business_types(s),
        "extensions": services.file_extensions(s),
        "rows": rows,
        "figures": selectors.figures(user),
        "can_manage": user.has_perm(MANAGE),
    }
    return render(request, "portal/home.html", context)


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE, raise_exception=True)
def settings_edit(request: AuthedRequest) -> HttpResponse:
    s = services.portal_settings()
    form = SettingsForm(request.POST or None, instance=s)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.portal_settings_update(actor=request.user, data=form.to_data())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Portal settings saved."))
                return redirect("portal:home")
    return render(request, "portal/settings.html", {"form": form}, status=status)
