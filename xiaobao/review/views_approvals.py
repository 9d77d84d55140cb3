"""Approval pages: the register of approvals (review side), withdrawing one, its QR code and printable slip;
the public check (/public/verify/, no login); linking complaints to reviews; proposing a checker rule from a
complaint."""

from __future__ import annotations

from typing import Any

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiaobao.core.clock import localdate as recorded_date
from xiaobao.core.errors import DomainError
from xiaobao.core.http import AuthedRequest
from xiaobao.core.middleware import request_ip
from xiaobao.core.views.common import add_service_errors, bound_filter, paginate, query_without_page
from xiaobao.review import approvals as svc
from xiaobao.review import complaint_link, proposals
from xiaobao.review.choices import ApprovalState
from xiaobao.review.models import Approval, ComplaintReviewLink

VIEW = "review.view_review"
STATE_NAMES = dict(ApprovalState.choices)
# Files checked on the public page: hashed as they arrive, never stored; larger ones are refused.
PUBLIC_VERIFY_MAX_BYTES = int(getattr(settings, "PUBLIC_VERIFY_MAX_MB", 50)) * 1024 * 1024
# Checks per address per minute on the public pages (light: a branch checking a stack of leaflets passes).
PUBLIC_VERIFY_PER_MINUTE = int(getattr(settings, "PUBLIC_VERIFY_PER_MINUTE", 30))


def institution_name() -> str:
    """The institution's configured name, as the reports name it."""
    from xiaobao.reports.builders import institution_name as name

    return name()


def public_url(request: HttpRequest, code: str) -> str:
    """The absolute address of an approval's public check (what the QR code holds): on PUBLIC_BASE_URL when
    that is configured (the address branches reach), else on the address of this request."""
    path = reverse("review_public:verify_code", args=[code])
    base = str(getattr(settings, "PUBLIC_BASE_URL", "") or "").rstrip("/")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


def qr_svg(url: str, *, scale: int = 4) -> str:
    """The QR code of `url` as an SVG document (medium error correction: survives a smudged print)."""
    return str(segno.make(url, error="m", micro=False).svg_inline(scale=scale, border=2, title=url))


def _state_badge(state: str) -> str:
    return "ok" if state == ApprovalState.ACTIVE else "bad"


# --- the register ------------------------------------------------------------------------------------------


class ApprovalFilter(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)
    state = forms.ChoiceField(
        label=gettext_lazy("State"), required=False, choices=[("", "—"), *ApprovalState.choices]
    )


def _approvals(request: AuthedRequest, filters: dict[str, Any]) -> Any:
    qs = svc.approvals_visible_to(request.user).select_related("review", "version", "version__document")
    state = filters.get("state")
    today = recorded_date()
    if state == ApprovalState.EXPIRED:  # also those past their date the periodic job has not marked yet
        qs = qs.filter(state__in=[ApprovalState.EXPIRED, ApprovalState.ACTIVE]).exclude(
            state=ApprovalState.ACTIVE, valid_until__gte=today
        )
        qs = qs.exclude(state=ApprovalState.ACTIVE, valid_until__isnull=True)
    elif state == ApprovalState.ACTIVE:
        qs = (
            svc.live_approvals(today)
            .filter(pk__in=qs.values("pk"))
            .select_related("review", "version", "version__document")
        )
    elif state:
        qs = qs.filter(state=state)
    q = (filters.get("q") or "").strip()
    if q:
        from django.db.models import Q

        code = svc.normalise_code(q)
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(code=code)
            | Q(product_name__icontains=q)
            | Q(review__reference__icontains=q)
            | Q(version__original_name__icontains=q)
        )
    return qs.order_by("-issued_at", "-id")


@require_GET
@permission_required(VIEW, raise_exception=True)
def approval_list(request: AuthedRequest) -> HttpResponse:
    """Every approval of the reviews the user may see, filtered by state or text."""
    form, filters = bound_filter(request, ApprovalFilter)
    page = paginate(request, _approvals(request, filters))
    today = recorded_date()
    for a in page.object_list:
        a.effective = svc.effective_state(a, today)
        a.badge = _state_badge(a.effective)
        a.state_name = STATE_NAMES.get(a.effective, a.effective)
        a.shown_code = svc.format_code(a.code)
    status = 400 if form.is_bound and not form.is_valid() else 200
    context = {
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "can_manage": request.user.has_perm(svc.MANAGE_PERM),
    }
    return render(request, "review/approval_list.html", context, status=status)


def _get(request: AuthedRequest, pk: int) -> Approval:
    approval = (
        svc.approvals_visible_to(request.user)
        .select_related("review", "version", "version__document")
        .filter(pk=pk)
        .first()
    )
    if approval is None:
        raise Http404
    return approval


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for withdrawal"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


@require_http_methods(["GET", "POST"])
@permission_required(svc.MANAGE_PERM, raise_exception=True)
def approval_withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    """Withdraw an approval in force (marketing material taken off after launch), with the reason."""
    approval = _get(request, pk)
    form = WithdrawForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                svc.approval_withdraw(approval, by=request.user, reason=form.cleaned_data["reason"])
            except DomainError as exc:
                for name, errors in (exc.fields or {"__all__": [exc.message]}).items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(request, _("Approval %(number)s withdrawn.") % {"number": approval.number})
                return redirect("review:approvals")
        status = 400
    context = {
        "a": approval,
        "form": form,
        "effective": svc.effective_state(approval),
        "shown_code": svc.format_code(approval.code),
    }
    return render(request, "review/approval_withdraw.html", context, status=status)


@require_GET
@permission_required(VIEW, raise_exception=True)
def approval_qr(request: AuthedRequest, pk: int) -> HttpResponse:
    """The QR code (SVG) of the approval's public check address, to print on the material."""
    approval = _get(request, pk)
    url = public_url(request, approval.code)
    svg = segno.make(url, error="m", micro=False).svg_inline(scale=8, border=2, title=url)
    response = HttpResponse('<?xml version="1.0" encoding="utf-8"?>\n' + svg, content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="{approval.number}.svg"'
    return response


@require_GET
@permission_required(VIEW, raise_exception=True)
def approval_print(request: AuthedRequest, pk: int) -> HttpResponse:
    """A printable approval slip (A4): institution, number, short code, QR, product, file and its hash."""
    approval = _get(request, pk)
    url = public_url(request, approval.code)
    context = {
        "a": approval,
        "facts": svc.public_facts(approval),
        "effective": svc.effective_state(approval),
        "institution": institution_name(),
        "url": url,
        "qr": qr_svg(url, scale=5),
    }
    return render(request, "review/approval_print.html", context)


# --- the public check (no login) -------------------------------------------------------------------------


def _throttled(request: HttpRequest) -> bool:
    """True past PUBLIC_VERIFY_PER_MINUTE checks from this address within the current minute."""
    if PUBLIC_VERIFY_PER_MINUTE <= 0:
        return False
    minute = int(timezone.now().timestamp() // 60)
    key = f"review:verify:{request_ip(request) or '-'}:{minute}"
    if cache.add(key, 1, timeout=90):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=90)
        return False
    return bool(count > PUBLIC_VERIFY_PER_MINUTE)


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Check code or approval number"),
        required=False,
        max_length=40,
        widget=forms.TextInput(
            attrs={
                "placeholder": "ABCD-EFGH / XB-SC-2026-0001",
                "autocomplete": "off",
                "autocapitalize": "off",
            }
        ),
    )
    file = forms.FileField(
        label=gettext_lazy("Or the file itself"),
        required=False,
        help_text=gettext_lazy(
            "Choose or drop the file: only its SHA-256 fingerprint is computed; it is not kept."
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("code") and not data.get("file"):
            raise ValidationError(_("Enter a check code or an approval number, or choose a file."))
        return data


def _public_context(request: HttpRequest, result: svc.Verification | None, **extra: Any) -> dict[str, Any]:
    context: dict[str, Any] = {"institution": institution_name(), "result": result, **extra}
    if result is not None and result.approval is not None:
        context["facts"] = svc.public_facts(result.approval)
        context["state_label"] = dict(ApprovalState.choices).get(result.state, result.state)
    return context


def _too_many(request: HttpRequest) -> HttpResponse:
    context = _public_context(request, None, form=VerifyForm(), throttled=True)
    return render(request, "review/public_verify.html", context, status=429)


@require_http_methods(["GET", "POST"])
def public_verify(request: HttpRequest) -> HttpResponse:
    """Anybody checks a code, an approval number or the file itself (its SHA-256 against the approved
    file's). A code alone leads to the code's page; a file is answered here."""
    if request.method == "GET":
        raw = request.GET.get("code", "")
        if raw:
            if _throttled(request):
                return _too_many(request)
            found = svc.find(raw)
            if found is not None:
                return redirect("review_public:verify_code", code=found.code)
            result = svc.Verification(None, "not_found")
            form = VerifyForm(initial={"code": raw[:40]})
            return render(
                request, "review/public_verify.html", _public_context(request, result, form=form), status=404
            )
        return render(request, "review/public_verify.html", _public_context(request, None, form=VerifyForm()))
    if _throttled(request):
        return _too_many(request)
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > PUBLIC_VERIFY_MAX_BYTES + 64 * 1024:
        form = VerifyForm()
        form.add_error(
            None,
            _("The file is too large to check here (at most %(mb)d MB).")
            % {"mb": PUBLIC_VERIFY_MAX_BYTES // 2**20},
        )
        return render(
            request, "review/public_verify.html", _public_context(request, None, form=form), status=413
        )
    form = VerifyForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(
            request, "review/public_verify.html", _public_context(request, None, form=form), status=400
        )
    code, upload = form.cleaned_data.get("code") or "", form.cleaned_data.get("file")
    sha = None
    if upload is not None:
        sha = svc.sha256_of(upload, limit=PUBLIC_VERIFY_MAX_BYTES)
        if sha is None:
            form.add_error(
                "file",
                _("The file is too large to check here (at most %(mb)d MB).")
                % {"mb": PUBLIC_VERIFY_MAX_BYTES // 2**20},
            )
            return render(
                request, "review/public_verify.html", _public_context(request, None, form=form), status=413
            )
    if sha is None:
        found = svc.find(code)
        if found is not None:
            return redirect("review_public:verify_code", code=found.code)
    result = svc.verify(code or None, sha)
    context = _public_context(
        request,
        result,
        form=VerifyForm(initial={"code": code}),
        file_sha256=sha,
        file_name=getattr(upload, "name", ""),
    )
    return render(request, "review/public_verify.html", context, status=200 if result.found else 404)


@require_GET
def public_verify_code(request: HttpRequest, code: str) -> HttpResponse:
    """The check a QR code or a typed code leads to: approved or not, for which product, until when."""
    if _throttled(request):
        return _too_many(request)
    found = svc.find(code)
    if found is not None and found.code != code:
        return redirect("review_public:verify_code", code=found.code)
    result = svc.verify(code)
    context = _public_context(request, result, form=VerifyForm(initial={"code": svc.format_code(code)[:40]}))
    return render(request, "review/public_verify.html", context, status=200 if result.found else 404)


# --- complaints linked to reviews ---------------------------------------------------------------------------


def _complaint(request: AuthedRequest, pk: int) -> Any:
    from xiaobao.complaints.models import Complaint

    complaint = Complaint.objects.visible_to(request.user).select_related("cause").filter(pk=pk).first()
    if complaint is None:
        raise Http404
    return complaint


def _complaint_url(complaint: Any) -> str:
    return reverse("complaints:detail", args=[complaint.pk])


class LinkForm(forms.Form):
    reference = forms.CharField(label=gettext_lazy("Review reference"), max_length=40)


@require_POST
@login_required
def complaint_link_create(request: AuthedRequest, complaint_pk: int) -> HttpResponse:
    """Link the complaint to a review the user can see (by the review's reference)."""
    if not complaint_link.can_link(request.user):
        raise PermissionDenied
    complaint = _complaint(request, complaint_pk)
    form = LinkForm(request.POST)
    if form.is_valid():
        try:
            complaint_link.link_create(
                by=request.user, complaint=complaint, reference=form.cleaned_data["reference"]
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("Linked to review %(ref)s.") % {"ref": form.cleaned_data["reference"].strip()}
            )
    else:
        messages.error(request, _("Enter the review's reference."))
    return redirect(_complaint_url(complaint))


@require_POST
@login_required
def complaint_link_delete(request: AuthedRequest, complaint_pk: int, link_pk: int) -> HttpResponse:
    """Remove a link made by mistake."""
    if not complaint_link.can_link(request.user):
        raise PermissionDenied
    complaint = _complaint(request, complaint_pk)
    link = (
        ComplaintReviewLink.objects.select_related("complaint", "review")
        .filter(pk=link_pk, complaint=complaint)
        .first()
    )
    if link is None or link.review not in complaint_link.linked_reviews(
        user=request.user, complaint=complaint
    ):
        raise Http404
    complaint_link.link_delete(by=request.user, link=link)
    messages.success(request, _("Link removed."))
    return redirect(_complaint_url(complaint))


# --- a checker rule proposed from a complaint --------------------------------------------------------------


class ProposalForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    label = forms.ChoiceField(label=gettext_lazy("Label"), choices=())
    terms = forms.CharField(
        label=gettext_lazy("Terms (one a line)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    patterns = forms.CharField(
        label=gettext_lazy("Patterns (regular expressions, one a line)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    product_kinds = forms.MultipleChoiceField(
        label=gettext_lazy("Product kinds (none: all)"),
        required=False,
        choices=(),
        widget=forms.CheckboxSelectMultiple,
    )
    suggestion = forms.CharField(
        label=gettext_lazy("Suggested fix"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from xiaobao.checker.models import LABEL_CHOICES, PRODUCT_KIND_CHOICES

        self.fields["label"].choices = LABEL_CHOICES  # type: ignore[attr-defined]
        self.fields["product_kinds"].choices = PRODUCT_KIND_CHOICES  # type: ignore[attr-defined]


@require_http_methods(["GET", "POST"])
@permission_required(proposals.MANAGE_RULES, raise_exception=True)
def rule_proposal(request: AuthedRequest, complaint_pk: int) -> HttpResponse:
    """Propose a checker rule from a marketing or disclosure complaint: preview the live approved materials
    it would have caught, then save it as a draft rule."""
    complaint = _complaint(request, complaint_pk)
    terms = proposals.suggested_terms(complaint)
    initial = {
        "title": _("Proposed from complaint %(ref)s") % {"ref": complaint.reference},
        "label": "misleading" if complaint.cause.code == "C05" else "guarantee",
        "terms": "\n".join(terms),
    }
    form = ProposalForm(request.POST or None, initial=initial)
    caught = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                spec = proposals.proposal_spec(
                    terms=data["terms"],
                    patterns=data["patterns"],
                    label=data["label"],
                    product_kinds=data["product_kinds"],
                )
                if "save" in request.POST:
                    rule = proposals.propose(by=request.user, complaint=complaint, data=data)
                    messages.success(
                        request,
                        _("Draft rule “%(title)s” saved; activate it on the rule page.")
                        % {"title": rule.title},
                    )
                    try:
                        return redirect(rule.get_absolute_url())
                    except NoReverseMatch:
                        return redirect(_complaint_url(complaint))
                caught = proposals.preview(user=request.user, spec=spec)
            except ValidationError as exc:
                add_service_errors(form, exc)
                status = 400
        else:
            status = 400
    context = {
        "c": complaint,
        "form": form,
        "caught": caught,
        "excerpt": proposals.excerpt(complaint),
        "cause_matches": proposals.cause_matches(complaint),
        "suggested": terms,
    }
    return render(request, "review/approval_rule_proposal.html", context, status=status)
