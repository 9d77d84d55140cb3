"""Webhook pages (系统管理 → Webhooks): the list, create/edit, the detail with the delivery log, the test
button, redeliver, rotate the secret, deactivate. A new or rotated secret is kept in the session until the
detail page shows it once."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from xiaobao.core.errors import DomainError
from xiaobao.core.http import AuthedRequest
from xiaobao.webhooks import catalogue, selectors, services
from xiaobao.webhooks.forms import SubscriptionForm, event_groups
from xiaobao.webhooks.models import MANAGE, Delivery, DeliveryStatus, Subscription

SESSION_SECRET = "webhooks:new_secret"


def _subscription(request: AuthedRequest, pk: int) -> Subscription:
    sub = selectors.subscription_detail(request.user, pk)
    if sub is None:
        raise Http404
    return sub


def _errors_to_form(form: Any, exc: DomainError) -> None:
    if exc.fields:
        for field, errors in exc.fields.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.message)


def _keep_secret(request: AuthedRequest, sub: Subscription, secret: str) -> None:
    request.session[SESSION_SECRET] = {"pk": sub.pk, "secret": secret}


@require_GET
@permission_required(MANAGE, raise_exception=True)
def subscription_list(request: AuthedRequest) -> HttpResponse:
    subs = list(selectors.subscription_list(request.user))
    for s in subs:
        s.event_labels = [catalogue.label_of(t) for t in s.event_types or []]  # type: ignore[attr-defined]
    return render(request, "webhooks/list.html", {"subscriptions": subs})


def _form_page(request: AuthedRequest, sub: Subscription | None) -> HttpResponse:
    form = SubscriptionForm(request.POST or None, user=request.user, instance=sub)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                if sub is None:
                    saved, secret = services.subscription_create(actor=request.user, data=form.to_data())
                    _keep_secret(request, saved, secret)
                    messages.success(request, _("Subscription created."))
                else:
                    saved = services.subscription_update(
                        actor=request.user, subscription=sub, data=form.to_data()
                    )
                    messages.success(request, _("Subscription saved."))
            except DomainError as exc:
                _errors_to_form(form, exc)
            else:
                return redirect("webhooks:detail", pk=saved.pk)
        status = 400
    selected = {str(v) for v in (form["event_types"].value() or [])}
    context = {"form": form, "subscription": sub, "event_groups": event_groups(), "selected": selected}
    return render(request, "webhooks/form.html", context, status=status)


@permission_required(MANAGE, raise_exception=True)
def subscription_create(request: AuthedRequest) -> HttpResponse:
    if request.method not in ("GET", "POST"):
        return HttpResponse(status=405)
    return _form_page(request, None)


@permission_required(MANAGE, raise_exception=True)
def subscription_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    if request.method not in ("GET", "POST"):
        return HttpResponse(status=405)
    return _form_page(request, _subscription(request, pk))


@require_GET
@permission_required(MANAGE, raise_exception=True)
def subscription_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    sub = _subscription(request, pk)
    kept = request.session.get(SESSION_SECRET)
    secret = ""
    if isinstance(kept, dict) and kept.get("pk") == sub.pk:
        secret = str(kept.get("secret") or "")
        del request.session[SESSION_SECRET]  # shown once
    deliveries = selectors.delivery_log(sub)
    for d in deliveries:  # the event by its name, the code beside it for the integrators
        d.event_label = catalogue.label_of(d.event_type)  # type: ignore[attr-defined]
    return render(
        request,
        "webhooks/detail.html",
        {
            "subscription": sub,
            "event_labels": [catalogue.label_of(t) for t in sub.event_types or []],
            "deliveries": deliveries,
            "new_secret": secret,
            "failed": DeliveryStatus.FAILED,
            "succeeded": DeliveryStatus.SUCCEEDED,
        },
    )


def _act(request: AuthedRequest, pk: int, action: Any) -> HttpResponse:
    sub = _subscription(request, pk)
    try:
        action(sub)
    except DomainError as exc:
        messages.error(request, exc.message)
    except PermissionDenied:
        raise
    return redirect("webhooks:detail", pk=sub.pk)


def _outcome_message(request: AuthedRequest, delivery: Delivery) -> None:
    if delivery.status == DeliveryStatus.SUCCEEDED:
        messages.success(
            request,
            _("Delivered: the receiver answered HTTP %(code)s in %(ms)s ms.")
            % {"code": delivery.last_status_code, "ms": delivery.duration_ms},
        )
    elif delivery.status == DeliveryStatus.RETRYING:
        messages.warning(
            request, _("Not delivered yet (%(error)s); it will be retried.") % {"error": delivery.last_error}
        )
    else:  # a warning, not an error: the request did what it was asked (sent and logged the delivery)
        messages.warning(request, _("Not delivered: %(error)s") % {"error": delivery.last_error})


@require_POST
@permission_required(MANAGE, raise_exception=True)
def subscription_test(request: AuthedRequest, pk: int) -> HttpResponse:
    def ping(sub: Subscription) -> None:
        _outcome_message(request, services.subscription_ping(actor=request.user, subscription=sub))

    return _act(request, pk, ping)


@require_POST
@permission_required(MANAGE, raise_exception=True)
def subscription_rotate(request: AuthedRequest, pk: int) -> HttpResponse:
    def rotate(sub: Subscription) -> None:
        saved, secret = services.subscription_rotate_secret(actor=request.user, subscription=sub)
        _keep_secret(request, saved, secret)
        messages.success(request, _("A new secret was made; the old one no longer signs deliveries."))

    return _act(request, pk, rotate)


@require_POST
@permission_required(MANAGE, raise_exception=True)
def subscription_toggle(request: AuthedRequest, pk: int) -> HttpResponse:
    def toggle(sub: Subscription) -> None:
        active = not sub.is_active
        services.subscription_update(actor=request.user, subscription=sub, data={"is_active": active})
        messages.success(request, _("Subscription activated.") if active else _("Subscription deactivated."))

    return _act(request, pk, toggle)


@require_POST
@permission_required(MANAGE, raise_exception=True)
def delivery_redeliver(request: AuthedRequest, pk: int, delivery_id: int) -> HttpResponse:
    delivery = selectors.delivery_of(request.user, pk, delivery_id)
    if delivery is None:
        raise Http404

    def again(sub: Subscription) -> None:
        _outcome_message(request, services.delivery_redeliver(actor=request.user, delivery=delivery))

    return _act(request, pk, again)
