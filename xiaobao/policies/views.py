"""Policy catalogue pages: the catalogue (home), a policy with its version history, a version with its clauses
(diff against the one before, mapping to articles, approval), new / revise / repeal / mark reviewed, the
coverage report, the yearly 废改立 list and the regulations with their articles."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from xiaobao.core.clock import localdate
from xiaobao.core.errors import DomainError
from xiaobao.core.exports import xlsx_file_response
from xiaobao.core.http import AuthedRequest
from xiaobao.core.views.common import add_service_errors, bound_filter, paginate, query_without_page
from xiaobao.policies import exports, selectors, services
from xiaobao.policies.forms import (
    ApproveForm,
    ArticleForm,
    DocumentForm,
    MappingForm,
    PolicyFilter,
    PolicyForm,
    RegulationForm,
    RepealForm,
    ReviewForm,
    RevisionForm,
    VersionEditForm,
)
from xiaobao.policies.models import (
    APPROVE,
    MANAGE,
    MANAGE_REGULATIONS,
    VIEW,
    ChangeKind,
    Policy,
    PolicyClause,
    PolicyVersion,
    Regulation,
    RegulationArticle,
)


def _run(form: forms.Form, call: Callable[[], Any]) -> tuple[Any, int]:
    """Run a service for a valid form: (result, 0), or (None, status) with the reasons on the form."""
    if not form.is_valid():
        return None, 400
    try:
        return call(), 0
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None, 400
    except PermissionDenied as exc:
        form.add_error(None, str(exc) or _("You may not do this."))
        return None, 403
    except DomainError as exc:
        form.add_error(None, exc.message)
        return None, exc.status


def _policy(request: AuthedRequest, pk: int) -> Policy:
    policy = selectors.policy_detail(user=request.user, pk=pk)
    if policy is None:
        raise Http404
    return policy


def _version(request: AuthedRequest, pk: int) -> PolicyVersion:
    version = selectors.version_detail(user=request.user, pk=pk)
    if version is None:
        raise Http404
    return version


def _data(form: forms.Form) -> dict[str, Any]:
    return {k: v for k, v in form.cleaned_data.items()}


# --- the catalogue ------------------------------------------------------------------------------------------


@require_GET
@permission_required(VIEW, raise_exception=True)
def home(request: AuthedRequest) -> HttpResponse:
    """The catalogue with its filters; the user's policies due for review and drafts awaiting approval."""
    form, filters = bound_filter(request, PolicyFilter)
    qs = selectors.policy_list(user=request.user, filters=filters)
    rows: Any = qs
    if filters.get("due"):
        rows = selectors.due_for_review(qs)
    page = paginate(request, rows)
    months = selectors.review_months()
    today = localdate()
    for p in page.object_list:
        p.review_due = selectors.review_due_on(p, months)
        p.review_overdue = p.review_due is not None and p.review_due <= today
    status = 400 if form.is_bound and not form.is_valid() else 200
    context = {
        "form": form,
        "page": page,
        "query": query_without_page(request),
        "panel": selectors.home_panel(request.user),
    }
    template = "policies/home.html#results" if request.htmx else "policies/home.html"
    return render(request, template, context, status=status)


def _filter_description(form: PolicyFilter, filters: dict[str, Any]) -> str:
    """The filters in force, as "label: value" in the user's language, for the export's second line."""
    parts = []
    for name, value in filters.items():
        if value in (None, "", [], False):
            continue
        field = form.fields[name]
        if isinstance(field, forms.ChoiceField):
            labels = dict(field.choices)  # type: ignore[arg-type]
            shown = "、".join(str(labels.get(v, v)) for v in (value if isinstance(value, list) else [value]))
        elif isinstance(value, bool):
            shown = _("yes")
        elif hasattr(value, "name"):
            shown = value.name
        else:
            shown = str(value)
        parts.append(f"{field.label}: {shown}")
    return "; ".join(parts)


@require_GET
@permission_required(VIEW, raise_exception=True)
def export(request: AuthedRequest) -> HttpResponse:
    """The catalogue as filtered, to Excel (A4 landscape, the institution's name, names not codes)."""
    form, filters = bound_filter(request, PolicyFilter)
    if form.is_bound and not form.is_valid():
        return HttpResponse(status=400)
    qs = selectors.policy_list(user=request.user, filters=filters)
    rows = selectors.due_for_review(qs) if filters.get("due") else list(qs)
    content = exports.catalogue_xlsx(rows, _filter_description(form, filters), selectors.review_months())
    return xlsx_file_response("policy-catalogue.xlsx", content)


@permission_required(MANAGE, raise_exception=True)
def create(request: AuthedRequest) -> HttpResponse:
    initial: dict[str, Any] = {"effective_on": localdate()}
    if request.user.org_unit is not None:
        initial["org_unit"] = request.user.org_unit.code
    form = PolicyForm(request.POST or None, user=request.user, initial=initial)
    status = 200
    if request.method == "POST":
        policy, status = _run(form, lambda: services.policy_create(actor=request.user, data=_data(form)))
        if policy is not None:
            messages.success(
                request,
                _("Policy %(n)s drafted; approve its first version to put it in force.")
                % {"n": policy.number},
            )
            return redirect(policy.get_absolute_url())
    return render(request, "policies/form.html", {"form": form, "heading": _("New policy")}, status=status)


@require_GET
@permission_required(VIEW, raise_exception=True)
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    policy = _policy(request, pk)
    versions = selectors.versions_of(policy)
    current = policy.current_version
    clauses = list(current.clauses.prefetch_related("mappings__article__regulation")) if current else []
    months = selectors.review_months()
    due = selectors.review_due_on(policy, months)
    context = {
        "policy": policy,
        "versions": versions,
        "current": current,
        "clauses": clauses,
        "draft": services.open_draft(policy),
        "reviews": list(policy.reviews.select_related("reviewed_by")[:10]),
        "review_due": due,
        "review_overdue": due is not None and due <= localdate(),
        "can_manage": services.may_change(request.user, policy),
        "review_form": ReviewForm(),
    }
    return render(request, "policies/detail.html", context)


def _next_draft(request: AuthedRequest, pk: int, kind: str) -> HttpResponse:
    policy = _policy(request, pk)
    if not services.may_change(request.user, policy):
        raise PermissionDenied
    current = policy.current_version
    form_class = RevisionForm if kind == ChangeKind.REVISE else RepealForm
    initial: dict[str, Any] = {"effective_on": localdate(), "title": policy.title, "document_number": ""}
    if kind == ChangeKind.REVISE and current is not None:
        initial["clauses"] = services.clauses_text(current.clauses.all())
    form = form_class(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        run = services.revision_draft if kind == ChangeKind.REVISE else services.repeal_draft
        version, status = _run(form, lambda: run(actor=request.user, policy=policy, data=_data(form)))
        if version is not None:
            messages.success(
                request,
                _("Draft version %(v)d saved; it takes effect once approved.") % {"v": version.number},
            )
            return redirect(version.get_absolute_url())
    heading = (
        _("Revise %(p)s") % {"p": policy} if kind == ChangeKind.REVISE else _("Repeal %(p)s") % {"p": policy}
    )
    return render(
        request,
        "policies/form.html",
        {"form": form, "heading": heading, "policy": policy, "kind": kind},
        status=status,
    )


@permission_required(MANAGE, raise_exception=True)
def revise(request: AuthedRequest, pk: int) -> HttpResponse:
    return _next_draft(request, pk, ChangeKind.REVISE)


@permission_required(MANAGE, raise_exception=True)
def repeal(request: AuthedRequest, pk: int) -> HttpResponse:
    return _next_draft(request, pk, ChangeKind.REPEAL)


@require_POST
@permission_required(MANAGE, raise_exception=True)
def mark_reviewed(request: AuthedRequest, pk: int) -> HttpResponse:
    policy = _policy(request, pk)
    form = ReviewForm(request.POST)
    _review, status = _run(
        form, lambda: services.policy_mark_reviewed(actor=request.user, policy=policy, data=_data(form))
    )
    if status == 0:
        messages.success(request, _("Review recorded."))
        return redirect(policy.get_absolute_url())
    if status == 403:
        raise PermissionDenied
    return render(request, "policies/review.html", {"policy": policy, "form": form}, status=status)


# --- versions -----------------------------------------------------------------------------------------------


def _version_context(request: AuthedRequest, version: PolicyVersion, **extra: Any) -> dict[str, Any]:
    policy = version.policy
    clauses = list(version.clauses.prefetch_related("mappings__article__regulation"))
    previous = (
        policy.versions.filter(number__lt=version.number, approved_at__isnull=False)
        .order_by("-number")
        .first()
    )
    diff = (
        selectors.clause_diff(list(previous.clauses.all()), clauses)
        if previous and version.kind != ChangeKind.REPEAL
        else []
    )
    can_manage = services.may_change(request.user, policy)
    return {
        "policy": policy,
        "version": version,
        "clauses": clauses,
        "previous": previous,
        "diff": diff,
        "changed": sum(1 for d in diff if d["state"] != "same"),
        "can_manage": can_manage,
        "can_approve": services.may_approve(request.user, version),
        "self_approval": not version.frozen
        and services.may_change(request.user, policy, APPROVE)
        and request.user.pk in services.draft_authors(version),
        "articles": RegulationArticle.objects.select_related("regulation").filter(regulation__active=True)
        if can_manage
        else [],
        "approve_form": extra.pop("approve_form", None) or ApproveForm(),
        "document_form": extra.pop("document_form", None) or DocumentForm(),
        **extra,
    }


@require_GET
@permission_required(VIEW, raise_exception=True)
def version(request: AuthedRequest, pk: int) -> HttpResponse:
    v = _version(request, pk)
    return render(request, "policies/version.html", _version_context(request, v))


@permission_required(MANAGE, raise_exception=True)
def version_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    v = _version(request, pk)
    if not services.may_change(request.user, v.policy):
        raise PermissionDenied
    initial = {
        "title": v.title,
        "document_number": v.document_number,
        "effective_on": v.effective_on,
        "reason": v.reason,
        "clauses": services.clauses_text(v.clauses.all()),
    }
    form = VersionEditForm(request.POST or None, initial=initial)
    status = 200
    if v.frozen:
        blocked = _("An approved version is frozen and cannot be changed; draft a revision instead.")
        context = {
            "heading": _("Edit draft %(v)s") % {"v": v},
            "policy": v.policy,
            "version": v,
            "blocked": blocked,
        }
        return render(request, "policies/form.html", context, status=409)
    if request.method == "POST":
        data = _data(form) if form.is_valid() else {}
        if v.kind == ChangeKind.REPEAL:
            data.pop("clauses", None)
        _saved, status = _run(form, lambda: services.version_update(actor=request.user, version=v, data=data))
        if status == 0:
            messages.success(request, _("Draft saved."))
            return redirect(v.get_absolute_url())
    return render(
        request,
        "policies/form.html",
        {"form": form, "heading": _("Edit draft %(v)s") % {"v": v}, "policy": v.policy, "version": v},
        status=status,
    )


@require_POST
@permission_required(APPROVE, raise_exception=True)
def version_approve(request: AuthedRequest, pk: int) -> HttpResponse:
    v = _version(request, pk)
    form = ApproveForm(request.POST)
    _done, status = _run(
        form,
        lambda: services.version_approve(
            actor=request.user,
            version=v,
            approved_on=form.cleaned_data["approved_on"],
            note=form.cleaned_data["note"],
        ),
    )
    if status == 0:
        messages.success(request, _("Version %(v)d approved and frozen.") % {"v": v.number})
        return redirect(v.policy.get_absolute_url())
    if status == 403:  # e.g. the four-eyes rule: say why on the page (the approve form is not offered)
        for e in form.non_field_errors():
            messages.error(request, str(e))
    v = _version(request, pk)
    return render(
        request, "policies/version.html", _version_context(request, v, approve_form=form), status=status
    )


@require_POST
@permission_required(MANAGE, raise_exception=True)
def version_discard(request: AuthedRequest, pk: int) -> HttpResponse:
    v = _version(request, pk)
    policy = v.policy
    try:
        services.version_discard(actor=request.user, version=v)
    except DomainError as exc:
        messages.error(request, exc.message)
        return render(request, "policies/version.html", _version_context(request, v), status=exc.status)
    messages.success(request, _("Draft discarded."))
    if Policy.objects.filter(pk=policy.pk).exists():
        return redirect(policy.get_absolute_url())
    return redirect("policies:home")


@require_POST
@permission_required(MANAGE, raise_exception=True)
def version_document_upload(request: AuthedRequest, pk: int) -> HttpResponse:
    v = _version(request, pk)
    form = DocumentForm(request.POST, request.FILES)

    def attach() -> Any:
        f = form.cleaned_data["file"]
        return services.document_attach(actor=request.user, version=v, fileobj=f, name=f.name or "file")

    _done, status = _run(form, attach)
    if status == 0:
        messages.success(request, _("Document attached."))
        return redirect(v.get_absolute_url())
    if status == 403:
        raise PermissionDenied
    return render(
        request, "policies/version.html", _version_context(request, v, document_form=form), status=status
    )


@require_GET
@permission_required(VIEW, raise_exception=True)
def version_document(request: AuthedRequest, pk: int) -> FileResponse:
    v = _version(request, pk)
    if not v.document:
        raise Http404
    ext = (v.document.name or "").rsplit(".", 1)[-1]
    stem = re.sub(r"[^\w-]+", "_", v.document_name.rsplit(".", 1)[0]).strip("_.")[:80] or f"policy-{v.pk}"
    response = FileResponse(
        v.document.open("rb"),
        as_attachment=True,
        filename=f"{stem}.{ext}",
        content_type=v.document_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- mapping ------------------------------------------------------------------------------------------------


def _clause(request: AuthedRequest, pk: int) -> PolicyClause:
    clause = (
        PolicyClause.objects.select_related("version", "version__policy", "version__policy__org_unit")
        .filter(pk=pk)
        .first()
    )
    if clause is None or selectors.version_detail(user=request.user, pk=clause.version_id) is None:
        raise Http404
    return clause


@require_POST
@permission_required(MANAGE, raise_exception=True)
def clause_map(request: AuthedRequest, pk: int) -> HttpResponse:
    clause = _clause(request, pk)
    form = MappingForm(request.POST)
    _link, status = _run(
        form,
        lambda: services.mapping_add(
            actor=request.user,
            clause=clause,
            article_id=form.cleaned_data["article"],
            note=form.cleaned_data["note"],
        ),
    )
    if status == 0:
        messages.success(request, _("Clause %(c)s mapped.") % {"c": clause.number})
        return redirect(clause.version.get_absolute_url() + f"#clause-{clause.pk}")
    if status == 403:
        raise PermissionDenied
    v = _version(request, clause.version_id)
    return render(
        request,
        "policies/version.html",
        _version_context(request, v, map_form=form, map_clause=clause.pk),
        status=status,
    )


@require_POST
@permission_required(MANAGE, raise_exception=True)
def clause_unmap(request: AuthedRequest, pk: int, article_id: int) -> HttpResponse:
    clause = _clause(request, pk)
    if not services.may_change(request.user, clause.version.policy):
        raise PermissionDenied
    services.mapping_remove(actor=request.user, clause=clause, article_id=article_id)
    messages.success(request, _("Mapping removed."))
    return redirect(clause.version.get_absolute_url() + f"#clause-{clause.pk}")


# --- coverage and the yearly list ---------------------------------------------------------------------------


def _regulation_param(request: AuthedRequest) -> Regulation | None:
    raw = request.GET.get("regulation", "")
    if not raw:
        return None
    reg = Regulation.objects.filter(code=raw).first()
    if reg is None:
        raise Http404
    return reg


@require_GET
@permission_required(VIEW, raise_exception=True)
def coverage(request: AuthedRequest) -> HttpResponse:
    reg = _regulation_param(request)
    report = selectors.coverage(user=request.user, regulation=reg)
    context = {
        "report": report,
        "regulation": reg,
        "regulations": Regulation.objects.filter(active=True),
        "uncovered_only": request.GET.get("uncovered") == "1",
        "total": sum(r.total for r in report),
        "covered": sum(r.covered for r in report),
    }
    return render(request, "policies/coverage.html", context)


@require_GET
@permission_required(VIEW, raise_exception=True)
def coverage_export(request: AuthedRequest) -> HttpResponse:
    report = selectors.coverage(user=request.user, regulation=_regulation_param(request))
    return xlsx_file_response("policy-coverage.xlsx", exports.coverage_xlsx(report))


def _year(request: AuthedRequest) -> int:
    raw = request.GET.get("year", "")
    if raw and (not raw.isdigit() or not 1990 <= int(raw) <= 2100):
        raise Http404
    return int(raw) if raw else localdate().year


@require_GET
@permission_required(VIEW, raise_exception=True)
def changes(request: AuthedRequest) -> HttpResponse:
    """The yearly 废改立 list."""
    year = _year(request)
    versions = selectors.yearly_changes(user=request.user, year=year)
    context = {
        "year": year,
        "years": selectors.change_years(request.user),
        "versions": list(versions),
        "counts": selectors.change_counts(versions),
    }
    return render(request, "policies/changes.html", context)


@require_GET
@permission_required(VIEW, raise_exception=True)
def changes_export(request: AuthedRequest, year: int) -> HttpResponse:
    if not 1990 <= year <= 2100:
        raise Http404
    versions = selectors.yearly_changes(user=request.user, year=year)
    content = exports.changes_xlsx(list(versions), year, selectors.change_counts(versions))
    return xlsx_file_response(f"policy-changes-{year}.xlsx", content)


# --- regulations --------------------------------------------------------------------------------------------


@permission_required(VIEW, raise_exception=True)
def regulations(request: AuthedRequest) -> HttpResponse:
    form = RegulationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not request.user.has_perm(MANAGE_REGULATIONS):
            raise PermissionDenied
        reg, status = _run(form, lambda: services.regulation_create(actor=request.user, data=_data(form)))
        if reg is not None:
            messages.success(request, _("Regulation added."))
            return redirect(reg.get_absolute_url())
    from django.db.models import Count

    regs = Regulation.objects.annotate(n=Count("articles"))
    return render(request, "policies/regulations.html", {"regulations": regs, "form": form}, status=status)


@permission_required(VIEW, raise_exception=True)
def regulation(request: AuthedRequest, pk: int) -> HttpResponse:
    reg = Regulation.objects.filter(pk=pk).first()
    if reg is None:
        raise Http404
    form = ArticleForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not request.user.has_perm(MANAGE_REGULATIONS):
            raise PermissionDenied
        art, status = _run(
            form, lambda: services.article_create(actor=request.user, regulation=reg, data=_data(form))
        )
        if art is not None:
            messages.success(request, _("Article added."))
            return redirect(reg.get_absolute_url())
    report = selectors.coverage(user=request.user, regulation=reg)
    return render(
        request,
        "policies/regulation.html",
        {"regulation": reg, "report": report[0] if report else None, "form": form},
        status=status,
    )
