"""Checker pages: the rule list (state, dates, version, confirmed/dismissed and precision per rule), the rule
editor with its version history and what each version changed, a new rule, and the test bench (paste text,
see each finding highlighted with its rule, source and suggested fix)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from xiaobao.checker.apps import MANAGE, USE, VIEW
from xiaobao.checker.engine import LABELS, Finding
from xiaobao.checker.forms import BenchForm, RuleFilterForm, RuleForm
from xiaobao.checker.models import LABEL_NAMES, MATERIAL_NAMES, PRODUCT_KIND_NAMES, CheckRule
from xiaobao.checker.services import (
    active_rules,
    check_text,
    highlight_segments,
    rule_history,
    rule_precision,
    rule_save,
)
from xiaobao.core.clock import localdate
from xiaobao.core.errors import DomainError
from xiaobao.core.http import AuthedRequest
from xiaobao.core.views.common import add_service_errors, bound_filter

STATE_BADGE = {"active": "ok", "pending": "warn", "draft": "", "expired": "", "retired": ""}
FIELD_NAMES = {name: str(field.label) for name, field in RuleForm.base_fields.items()}


def any_perm(*perms: str) -> Callable[..., Any]:
    """The user needs one of `perms` (403 otherwise)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not any(request.user.has_perm(p) for p in perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def state_names() -> dict[str, str]:
    from xiaobao.checker.forms import STATE_CHOICES

    return {k: str(v) for k, v in STATE_CHOICES if k}


# --- the rule list ----------------------------------------------------------------------------------------


@require_GET
@any_perm(USE, VIEW, MANAGE)
def rule_list(request: AuthedRequest) -> HttpResponse:
    """Every rule with its state today and the reviewers' verdicts on its findings; filter by label/state."""
    form, filters = bound_filter(request, RuleFilterForm)
    today = localdate()
    precision = rule_precision()
    names = state_names()
    rules = CheckRule.objects.all().order_by("label", "code")
    if filters.get("label"):
        rules = rules.filter(label=filters["label"])
    if filters.get("q"):
        q = filters["q"]
        rules = rules.filter(code__icontains=q) | rules.filter(title__icontains=q)
    rows: list[dict[str, Any]] = []
    for rule in rules:
        state = rule.state_on(today)
        if filters.get("state") and state != filters["state"]:
            continue
        confirmed, dismissed, share = precision.get(rule.code, (0, 0, None))
        rows.append(
            {
                "rule": rule,
                "label": LABEL_NAMES.get(rule.label, rule.label),
                "state": state,
                "state_name": names.get(state, state),
                "badge": STATE_BADGE.get(state, ""),
                "confirmed": confirmed,
                "dismissed": dismissed,
                "precision": None if share is None else round(share * 100),
            }
        )
    order = {code: i for i, code in enumerate(LABELS)}
    rows.sort(key=lambda row: (order.get(row["rule"].label, 99), row["rule"].code))
    status = 400 if form.is_bound and not form.is_valid() else 200
    template = "checker/list.html#results" if request.htmx else "checker/list.html"
    context = {"form": form, "rows": rows, "today": today, "can_manage": request.user.has_perm(MANAGE)}
    return render(request, template, context, status=status)


# --- one rule: view, edit, history -------------------------------------------------------------------------


def _rule(code: str) -> CheckRule:
    rule = CheckRule.objects.select_related("updated_by").filter(code=code).first()
    if rule is None:
        raise Http404
    return rule


def _history(rule: CheckRule) -> list[dict[str, Any]]:
    rows = rule_history(rule)
    for row in rows:
        for change in row["changes"]:
            change["name"] = FIELD_NAMES.get(change["field"], change["field"])
            change["before"] = _shown(change["field"], change.get("before"))
            change["after"] = _shown(change["field"], change.get("after"))
            if change["list"]:
                change["added"] = [_shown_item(change["field"], x) for x in change["added"]]
                change["removed"] = [_shown_item(change["field"], x) for x in change["removed"]]
    return rows


def _shown_item(field: str, value: Any) -> str:
    names: dict[str, Any] = {"product_kinds": PRODUCT_KIND_NAMES, "materials": MATERIAL_NAMES}.get(field, {})
    return str(names.get(value, value))


def _shown(field: str, value: Any) -> str:
    if value in (None, ""):
        return "—"
    if field == "label":
        return str(LABEL_NAMES.get(value, value))
    choices = RuleForm.base_fields.get(field)
    if choices is not None and hasattr(choices, "choices") and field in ("severity", "kind", "status"):
        return str(dict(choices.choices).get(value, value))  # type: ignore[attr-defined]
    if isinstance(value, dict):
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _save(request: AuthedRequest, form: RuleForm, rule: CheckRule | None) -> tuple[CheckRule | None, int]:
    """(the saved rule, 0) or (None, the status to answer with, errors on the form)."""
    if not form.is_valid():
        return None, 400
    try:
        saved = rule_save(
            rule=rule,
            data=form.to_data(),
            by=request.user,
            note=form.cleaned_data.get("note", ""),
            expected_version=form.cleaned_data.get("version") if rule is not None else None,
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None, 400
    except DomainError as exc:
        form.add_error(None, exc.message)
        return None, exc.status
    return saved, 0


def rule_detail(request: AuthedRequest, code: str) -> HttpResponse:
    """GET: the rule (an editor for those who manage rules) and its history. POST: save a new version."""
    if not any(request.user.has_perm(p) for p in (USE, VIEW, MANAGE)):
        raise PermissionDenied
    can_manage = request.user.has_perm(MANAGE)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    rule = _rule(code)
    form = RuleForm(request.POST if request.method == "POST" else None, rule=rule)
    status = 200
    if request.method == "POST":
        saved, status = _save(request, form, rule)
        if saved is not None:
            messages.success(
                request, _("Rule %(code)s saved (version %(v)d).") % {"code": saved.code, "v": saved.version}
            )
            return redirect(saved.get_absolute_url())
    confirmed, dismissed, share = rule_precision().get(rule.code, (0, 0, None))
    context = {
        "rule": rule,
        "form": form,
        "can_manage": can_manage,
        "history": _history(rule),
        "state": rule.state_on(localdate()),
        "state_name": state_names().get(rule.state_on(localdate()), ""),
        "label_name": LABEL_NAMES.get(rule.label, rule.label),
        "product_kind_names": [PRODUCT_KIND_NAMES.get(k, k) for k in rule.product_kinds],
        "material_names": [MATERIAL_NAMES.get(k, k) for k in rule.materials],
        "confirmed": confirmed,
        "dismissed": dismissed,
        "precision": None if share is None else round(share * 100),
    }
    return render(request, "checker/rule.html", context, status=status)


@any_perm(MANAGE)
def rule_create(request: AuthedRequest) -> HttpResponse:
    form = RuleForm(request.POST if request.method == "POST" else None, initial={"status": "draft"})
    status = 200
    if request.method == "POST":
        saved, status = _save(request, form, None)
        if saved is not None:
            messages.success(request, _("Rule %(code)s created.") % {"code": saved.code})
            return redirect(saved.get_absolute_url())
    return render(request, "checker/rule_form.html", {"form": form}, status=status)


# --- the test bench ---------------------------------------------------------------------------------------


def _legend(findings: list[Finding]) -> list[dict[str, Any]]:
    titles = dict(CheckRule.objects.filter(code__in={f.rule for f in findings}).values_list("code", "title"))
    return [
        {
            "n": i,
            "f": f,
            "label_name": LABEL_NAMES.get(f.label, f.label),
            "title": titles.get(f.rule, f.rule),
        }
        for i, f in enumerate(findings, start=1)
    ]


@any_perm(USE)
def bench(request: AuthedRequest) -> HttpResponse:
    """Paste text → the findings highlighted in it, with a legend (label, rule, source, suggested fix).
    Nothing is stored."""
    form = BenchForm(request.POST if request.method == "POST" else None)
    context: dict[str, Any] = {"form": form, "checked": False}
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            on = data.get("on") or localdate()
            rules = active_rules(on, include_unpublished=data["include_unpublished"])
            findings = check_text(
                data["text"], product_kind=data["product_kind"], material=data["material"], rules=rules
            )
            context.update(
                checked=True,
                on=on,
                rule_count=len(rules),
                findings=findings,
                legend=_legend(findings),
                segments=highlight_segments(data["text"], findings),
            )
        else:
            status = 400
    template = "checker/bench.html#result" if request.htmx else "checker/bench.html"
    return render(request, template, context, status=status)
