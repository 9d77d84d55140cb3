"""Intake of a complaint at the hotline or the counter, with the earlier-complaints hint."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xiaobao.complaints.forms import ComplaintIntakeForm, LookupForm
from xiaobao.complaints.models import Complaint
from xiaobao.complaints.services import complaint_register
from xiaobao.complaints.views.common import REGISTER
from xiaobao.core.http import AuthedRequest
from xiaobao.core.services.consumers import consumer_find
from xiaobao.core.views.common import add_service_errors

HINT_LIMIT = 5


@permission_required(REGISTER, raise_exception=True)
def complaint_create(request: AuthedRequest) -> HttpResponse:
    form = ComplaintIntakeForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            complaint, created = complaint_register(
                actor=request.user,
                data=form.to_data(),
                idempotency_key=form.cleaned_data["idempotency_key"] or None,
            )
        except ValidationError as exc:
            errors = {form.field_name(k): v for k, v in exc.message_dict.items()}
            add_service_errors(form, ValidationError(errors))
        else:
            if created:
                messages.success(request, _("Complaint %(ref)s registered.") % {"ref": complaint.reference})
            return redirect("complaints:detail", pk=complaint.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "complaints/form.html", {"form": form}, status=status)


@require_POST
@permission_required(REGISTER, raise_exception=True)
def lookup(request: AuthedRequest) -> HttpResponse:
    """HTMX: earlier complaints of the consumer with this ID number / phone / account (blind index).
    The value is never echoed back; the hint names references and statuses only."""
    form = LookupForm(request.POST)
    if not form.is_valid():
        return render(request, "complaints/form.html#lookup_hint", {"hint_error": True}, status=400)
    field, value = form.cleaned_data["field"], form.cleaned_data["value"]
    earlier = Complaint.objects.none()
    if value:
        consumers = consumer_find(user=request.user, field=field, value=value)
        earlier = (
            Complaint.objects.visible_to(request.user)
            .filter(complainant__in=consumers)
            .order_by("-received_at")
        )
    context = {"field": field, "earlier": list(earlier[:HINT_LIMIT]), "earlier_count": earlier.count()}
    return render(request, "complaints/form.html#lookup_hint", context)
