"""The consumer's own pages (no login, /public/complaints/): submit a complaint, look up its status with the
reference and the phone's last four digits, then — from that lookup, kept in the session for 30 minutes —
request a review of the decision or rate the handling.

The reference after a submission and the complaint after a lookup live in the session, never in the URL.
Lookups are throttled per address and per reference, audited, and a mismatch answers the same whether the
reference exists or not (`services.status_lookup`). Submissions are throttled per address and carry a field
people never see (a robot fills it)."""

from __future__ import annotations

import time
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from xiaobao.complaints.models import Complaint
from xiaobao.core.errors import DomainError
from xiaobao.core.middleware import request_ip
from xiaobao.core.views.common import add_service_errors
from xiaobao.portal import selectors, services
from xiaobao.portal.forms import ComplaintForm, LookupForm, RatingForm, ReviewForm
from xiaobao.portal.models import PortalSettings
from xiaobao.portal.throttle import Window

SUBMITTED = "portal_submitted"
LOOKUP = "portal_lookup"
LOOKUP_SECONDS = 30 * 60  # how long a successful lookup lets the consumer act on the complaint


def _page(
    request: HttpRequest, template: str, s: PortalSettings, status: int = 200, **context: Any
) -> HttpResponse:
    from xiaobao.reports.builders import institution_name

    context |= {"portal": s, "institution": s.institution_name or institution_name()}
    return render(request, f"portal/public/{template}", context, status=status)


def _throttled(response: HttpResponse, retry_after: int) -> HttpResponse:
    response["Retry-After"] = str(retry_after)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    s = services.portal_settings()
    if not s.enabled:
        return _page(request, "closed.html", s, status=409 if request.method == "POST" else 200)
    if request.method != "POST":
        return _page(request, "new.html", s, form=ComplaintForm(settings=s))
    form = ComplaintForm(request.POST, request.FILES, settings=s)
    window = Window(
        "submit-ip", request_ip(request) or "-", s.submissions_per_address, s.submission_window_minutes
    )
    if window.full():
        form.add_error(None, _("Too many complaints from your network just now. Try again later."))
        response = _page(request, "new.html", s, status=429, form=form)
        return _throttled(response, window.retry_after())
    if form.is_valid() and form.is_robot():
        window.hit()
        form.add_error(None, _("Your complaint could not be sent. Try again or call us."))
    elif form.is_valid():
        try:
            complaint = services.portal_submit(
                data=form.to_data(), files=form.cleaned_data.get("attachments") or [], via="page"
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            window.hit()
            request.session[SUBMITTED] = complaint.reference
            return redirect("portal_public:done")
    return _page(request, "new.html", s, status=400, form=form)


@never_cache
def done(request: HttpRequest) -> HttpResponse:
    """The reference of the complaint this browser just sent (from the session, never from the URL)."""
    reference = request.session.get(SUBMITTED)
    if not reference:
        return redirect("portal_public:new")
    return _page(request, "done.html", services.portal_settings(), reference=reference)


@never_cache
@require_http_methods(["GET", "POST"])
def status(request: HttpRequest) -> HttpResponse:
    s = services.portal_settings()
    form = LookupForm(request.POST or None)
    if request.method != "POST":
        return _page(request, "status.html", s, form=form)
    if not form.is_valid():
        return _page(request, "status.html", s, status=400, form=form)
    try:
        complaint = services.status_lookup(
            reference=form.cleaned_data["reference"],
            phone_last4=form.cleaned_data["phone_last4"],
            address=request_ip(request),
            via="page",
        )
    except services.Throttled as exc:
        form.add_error(None, exc.message)
        return _throttled(_page(request, "status.html", s, status=429, form=form), exc.retry_after)
    except services.NotFound as exc:
        form.add_error(None, exc.message)
        return _page(request, "status.html", s, status=404, form=form)
    request.session[LOOKUP] = {"pk": complaint.pk, "until": int(time.time()) + LOOKUP_SECONDS}
    return redirect("portal_public:result")


def _looked_up(request: HttpRequest) -> Complaint | None:
    """The complaint of this browser's lookup while it is fresh."""
    found = request.session.get(LOOKUP)
    if not isinstance(found, dict) or int(found.get("until") or 0) < time.time():
        request.session.pop(LOOKUP, None)
        return None
    return Complaint.objects.filter(pk=int(found.get("pk") or 0)).select_related("complainant").first()


@never_cache
def result(request: HttpRequest) -> HttpResponse:
    complaint = _looked_up(request)
    if complaint is None:
        return redirect("portal_public:status")
    s = services.portal_settings()
    return _page(request, "result.html", s, view=selectors.consumer_view(complaint, s))


def _act(request: HttpRequest, form_class: type, template: str, allowed: str, run: Any) -> HttpResponse:
    complaint = _looked_up(request)
    if complaint is None:
        return redirect("portal_public:status")
    s = services.portal_settings()
    view = selectors.consumer_view(complaint, s)
    form = form_class(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if not getattr(view, allowed):
            form.add_error(None, _("This is not possible for your complaint now."))
            status = 409
        elif form.is_valid():
            try:
                message = run(complaint, form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = exc.status
            else:
                messages.success(request, message)
                return redirect("portal_public:result")
    return _page(request, template, s, status=status, form=form, view=view)


@never_cache
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest) -> HttpResponse:
    def run(complaint: Complaint, data: dict[str, Any]) -> str:
        services.portal_review_request(complaint=complaint, reason=data["reason"])
        return _(
            "Your request for a review was received. The superior institution will decide within 30 days."
        )

    return _act(request, ReviewForm, "review.html", "can_review", run)


@never_cache
@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest) -> HttpResponse:
    def run(complaint: Complaint, data: dict[str, Any]) -> str:
        services.portal_rate(complaint=complaint, score=data["score"], comment=data.get("comment") or "")
        return _("Thank you for your rating.")

    return _act(request, RatingForm, "rate.html", "can_rate", run)
