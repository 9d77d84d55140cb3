"""Pages: the sending log (/outreach/), settings with a test sending, templates with a preview, and the
panel's actions on the complaint page (send a notice now, resend)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from xiaobao.complaints.models import Complaint
from xiaobao.complaints.views.common import get_complaint
from xiaobao.core.errors import DomainError
from xiaobao.core.http import AuthedRequest
from xiaobao.core.views.common import paginate, query_without_page
from xiaobao.outreach import placeholders, selectors, services
from xiaobao.outreach.choices import Channel
from xiaobao.outreach.forms import LogFilterForm, SendForm, SettingsForm, TemplateForm, TestSendForm
from xiaobao.outreach.models import MessageTemplate, Sending

MANAGE, VIEW_LOG = services.MANAGE, services.VIEW_LOG


def _errors_to_form(form: Any, exc: DomainError) -> None:
    if exc.fields:
        for name, errors in exc.fields.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.message)


# --- the log -----------------------------------------------------------------------------------------------


@require_GET
@permission_required(VIEW_LOG, raise_exception=True)
def home(request: AuthedRequest) -> HttpResponse:
    form = LogFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.sending_list(
        user=request.user, status=filters.get("status", ""), kind=filters.get("kind", "")
    )
    page = paginate(request, qs, per_page=50)
    st = services.settings_get()
    return render(
        request,
        "outreach/home.html",
        {"page": page, "form": form, "query": query_without_page(request), "settings": st},
    )


# --- settings and a test sending ----------------------------------------------------------------------------


@permission_required(MANAGE, raise_exception=True)
def settings_page(request: AuthedRequest) -> HttpResponse:
    st = services.settings_get()
    form = SettingsForm(request.POST or None, instance=st)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.settings_save(actor=request.user, data=form.to_data(), token=form.token())
            except DomainError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("Settings saved."))
                return redirect("outreach:settings")
        status = 400
        st.refresh_from_db()  # the form changed the instance in memory
    return render(
        request,
        "outreach/settings.html",
        {"form": form, "settings": st, "test_form": TestSendForm(), "has_token": bool(st.sms_token)},
        status=status,
    )


@require_POST
@permission_required(MANAGE, raise_exception=True)
def test_send(request: AuthedRequest) -> HttpResponse:
    form = TestSendForm(request.POST)
    if form.is_valid():
        try:
            ref = services.test_send(
                actor=request.user, channel=form.cleaned_data["channel"], address=form.cleaned_data["address"]
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Test message sent (reference %(ref)s).") % {"ref": ref})
    else:
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, str(e))
    return redirect(reverse("outreach:settings") + "#test")


# --- templates ---------------------------------------------------------------------------------------------


@require_GET
@permission_required(MANAGE, raise_exception=True)
def template_list(request: AuthedRequest) -> HttpResponse:
    services.templates_ensure()
    return render(request, "outreach/template_list.html", {"templates": list(MessageTemplate.objects.all())})


def _preview_complaint(request: AuthedRequest) -> tuple[Complaint | None, str]:
    ref = (request.GET.get("complaint") or "").strip()[:40]
    visible = Complaint.objects.visible_to(request.user).select_related(
        "org_unit__parent", "business_type", "complainant"
    )
    if ref:
        found = visible.filter(reference=ref).first()
        return found, "" if found else _("No complaint with this reference in your scope.")
    return visible.order_by("-received_at").first(), ""


@permission_required(MANAGE, raise_exception=True)
def template_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    template = MessageTemplate.objects.filter(pk=pk).first()
    if template is None:
        raise Http404
    form = TemplateForm(request.POST or None, instance=MessageTemplate.objects.get(pk=pk))
    status, warnings = 200, []
    if request.method == "POST":
        if form.is_valid():
            try:
                warnings = services.template_save(
                    actor=request.user,
                    template=template,
                    subject=form.cleaned_data.get("subject", ""),
                    body=form.cleaned_data["body"],
                )
            except DomainError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("Template saved."))
                for w in warnings:
                    messages.warning(request, w)
                return redirect("outreach:template_edit", pk=template.pk)
        status = 400
    complaint, preview_error = _preview_complaint(request)
    values = placeholders.complaint_values(complaint) if complaint else services.SAMPLE_VALUES
    st = services.settings_get()
    _errors, hints = services.template_check(
        channel=template.channel, subject=template.subject, body=template.body, signature=st.sms_signature
    )
    body = placeholders.fill(template.body, values)
    if template.channel == Channel.SMS:
        body = st.sms_signature + body
    return render(
        request,
        "outreach/template_form.html",
        {
            "template": template,
            "form": form,
            "placeholders": TemplateForm.placeholder_help(),
            "preview_subject": placeholders.fill(template.subject, values),
            "preview_body": body,
            "preview_complaint": complaint,
            "preview_error": preview_error,
            "sms_parts": placeholders.sms_parts(body) if template.channel == Channel.SMS else 0,
            "sms_length": len(body),
            "hints": hints,
        },
        status=status,
    )


# --- the complaint page's actions --------------------------------------------------------------------------


def _back(c_pk: int) -> HttpResponse:
    return redirect(reverse("complaints:detail", args=[c_pk]) + "#outreach")


def _send(request: AuthedRequest, complaint: Complaint, kind: str, channel: str) -> HttpResponse:
    try:
        services.sending_request(actor=request.user, complaint=complaint, kind=kind, channel=channel)
    except DomainError as exc:
        messages.error(request, exc.message)
    except PermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The notice is being sent; its status shows below."))
    return _back(complaint.pk)


@require_POST
@permission_required(services.SEND, raise_exception=True)
def send(request: AuthedRequest, pk: int) -> HttpResponse:
    """Send a notice now (the decision notice, usually) by the channel chosen."""
    c = get_complaint(request, pk)
    form = SendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the notice and the channel."))
        return _back(c.pk)
    return _send(request, c, form.cleaned_data["kind"], form.cleaned_data["channel"])


@require_POST
@permission_required(services.SEND, raise_exception=True)
def resend(request: AuthedRequest, pk: int) -> HttpResponse:
    sending = Sending.objects.visible_to(request.user).filter(pk=pk).first()
    if sending is None:
        raise Http404
    c = get_complaint(request, sending.complaint_id)
    return _send(request, c, sending.kind, sending.channel)
