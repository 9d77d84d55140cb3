"""Consumers and the personal-data vault: masked by default, revealed with a logged reason."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xiaobao.core.forms import ConsumerForm, LookupForm, RevealForm
from xiaobao.core.http import AuthedRequest
from xiaobao.core.models import Consumer
from xiaobao.core.selectors import consumer_list as select_consumers
from xiaobao.core.services import consumers as svc
from xiaobao.core.views.common import add_service_errors, paginate, query_without_page

VIEW = "core.view_consumer"


@permission_required(VIEW, raise_exception=True)
def consumer_list(request: HttpRequest) -> HttpResponse:
    """List (masked) with a name filter; exact lookup by ID/phone/account is a POST so the value never
    appears in a URL or an access log."""
    lookup = LookupForm(request.POST or None)
    found = None
    status = 200
    if request.method == "POST":
        if lookup.is_valid():
            found = svc.consumer_find(
                user=request.user, field=lookup.cleaned_data["field"], value=lookup.cleaned_data["value"]
            )
        else:
            status = 400
    q = request.GET.get("q", "").strip()[:50]
    page = paginate(request, select_consumers(user=request.user, q=q))
    return render(
        request,
        "core/consumers.html",
        {
            "page": page,
            "q": q,
            "lookup": lookup,
            "found": found,
            "query": query_without_page(request),
        },
        status=status,
    )


@permission_required("core.manage_consumer", raise_exception=True)
def consumer_create(request: HttpRequest) -> HttpResponse:
    form = ConsumerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        try:
            consumer = svc.consumer_create(actor=request.user, **d)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Consumer registered."))
            return redirect("core:consumer_detail", pk=consumer.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "core/consumer_form.html", {"form": form}, status=status)


@permission_required(VIEW, raise_exception=True)
def consumer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    consumer = get_object_or_404(Consumer.objects.visible_to(request.user).select_related("org_unit"), pk=pk)
    fields = [
        (name, consumer._meta.get_field(name).verbose_name, getattr(consumer, name))  # type: ignore[union-attr]
        for name in ("id_number", "phone", "account_number", "address")
    ]
    return render(request, "core/consumer_detail.html", {"consumer": consumer, "fields": fields})


@require_POST
@permission_required(VIEW, raise_exception=True)
def consumer_reveal(request: AuthedRequest, pk: int) -> HttpResponse:
    """HTMX: reveal one field with a reason; answers the field's cell (value or the error)."""
    consumer = get_object_or_404(Consumer.objects.visible_to(request.user), pk=pk)
    form = RevealForm(request.POST)
    value = None
    status = 200
    if not request.user.has_perm("core.reveal_personal_data"):
        raise PermissionDenied
    if form.is_valid():
        try:
            value = svc.consumer_reveal(
                actor=request.user,
                consumer=consumer,
                field=form.cleaned_data["field"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            status = 400
    else:
        status = 400
    field = request.POST.get("field", "")
    template = "core/consumer_detail.html#reveal_cell" if request.htmx else "core/consumer_revealed.html"
    return render(
        request,
        template,
        {
            "consumer": consumer,
            "name": field,
            "form": form,
            "value": value,
            "sealed": getattr(consumer, field, "")
            if field in {"id_number", "phone", "account_number", "address"}
            else "",
        },
        status=status,
    )
