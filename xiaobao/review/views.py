"""Review pages: the register, the submission form, one review (clock, documents with versions, the checker's
findings marked in the text, opinions and answers, steps, timeline), a step's form, uploads, opinions, a
finding's decision, a version's download and its diff against the previous one."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from xiaobao.core.clock import localdate as recorded_date
from xiaobao.core.errors import DomainError
from xiaobao.core.http import AuthedRequest
from xiaobao.core.views.common import (
    add_service_errors,
    bound_filter,
    paginate,
    query_without_page,
    take_step,
)
from xiaobao.review.choices import (
    EscalationDecision,
    OpinionCategory,
    OpinionResponse,
    OpinionSeverity,
    OpinionState,
    ReviewKind,
    Status,
    Track,
)
from xiaobao.review.dues import review_due, state_label
from xiaobao.review.filtersets import ReviewFilter
from xiaobao.review.forms import FORMS, FindingDecisionForm, OpinionForm, ReviewForm, UploadForm
from xiaobao.review.models import DocumentVersion, Review, ReviewClock
from xiaobao.review.selectors import (
    block_label,
    marked_segments,
    review_detail,
    review_list,
    text_diff,
    version_of,
)
from xiaobao.review.services import (
    TRANSITIONS,
    allowed_actions,
    can_reach,
    can_upload,
    can_write_opinions,
    document_add,
    opinion_add,
    opinion_delete,
    opinion_update,
    pass_blocked_reason,
    review_create,
    review_finding_decide,
    review_transition,
    role_allows,
    version_add,
)
from xiaobao.review.workflow import ACTIONS, CONDUCT, OPINION_ACTIONS, SUBMIT, VIEW, WORKFLOW

EVENT_LABELS = {
    "create": pgettext_lazy("review event", "Created"),
    "upload": gettext_lazy("Document uploaded"),
    "opinion": gettext_lazy("Opinion written"),
    "opinion_deleted": gettext_lazy("Opinion taken back"),
    "opinion_edited": gettext_lazy("Opinion edited"),
    "finding": gettext_lazy("Checker finding decided"),
}
DATA_LABELS = {
    "kind": gettext_lazy("kind"),
    "track": gettext_lazy("track"),
    "rule": gettext_lazy("deadline rule"),
    "checker_rule": gettext_lazy("checker rule"),
    "documents": gettext_lazy("documents"),
    "document": gettext_lazy("document"),
    "version": gettext_lazy("version"),
    "name": gettext_lazy("file"),
    "reviewer": gettext_lazy("reviewer"),
    "previous": gettext_lazy("previous reviewer"),
    "opinion": gettext_lazy("opinion No."),
    "opinions": gettext_lazy("opinions"),
    "category": gettext_lazy("category"),
    "severity": gettext_lazy("severity"),
    "answers": gettext_lazy("answers"),
    "decisions": gettext_lazy("decisions"),
    "decision": gettext_lazy("decision"),
    "reason": gettext_lazy("reason"),
    "approvals": gettext_lazy("approvals"),
    "to_days": gettext_lazy("days"),
    "needs_approval": gettext_lazy("needs approval"),
    "launched_on": gettext_lazy("launched on"),
}
LAST_ACTIONS = {"assign", "extend", "withdraw", "reject"}  # shown after the step the page is about
INLINE_ACTIONS = {"answer", "decide_escalation"}  # forms on the page itself
PASS_ACTIONS = {"pass", "pass_with_changes"}  # offered disabled, with the reason, while opinions block a pass
HIDDEN_DATA = {"extension", "sha256", "finding"}
STATUS_LABELS = dict(Status.choices)
VALUE_LABELS: dict[str, Any] = {
    **dict(ReviewKind.choices),
    **dict(Track.choices),
    **dict(OpinionCategory.choices),
    **dict(OpinionSeverity.choices),
    **dict(OpinionResponse.choices),
    **dict(EscalationDecision.choices),
    "confirmed": gettext_lazy("confirmed"),
    "dismissed": gettext_lazy("dismissed"),
}


def _get(request: AuthedRequest, pk: int) -> Review:
    """The review if the user may see it; 404 otherwise (its existence is not revealed)."""
    review = review_detail(user=request.user, pk=pk)
    if review is None:
        raise Http404
    return review


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_value(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value)
    if isinstance(value, str) and value in VALUE_LABELS:
        return str(VALUE_LABELS[value])
    return "—" if value in (None, "") else str(value)


PEOPLE_KEYS = {"reviewer", "previous"}


def people_names(usernames: Any) -> dict[str, str]:
    """Login name → the person's full name (or the login name without one), for the timeline."""
    from xiaobao.core.models import User

    names = {n for n in usernames if n}
    rows = User.objects.filter(username__in=names).values_list("username", "full_name") if names else []
    return {username: full_name or username for username, full_name in rows}


def code_names(events: list[Any]) -> dict[str, dict[str, str]]:
    """Names for the codes events record: deadline rules (`rule`) by name, checker rules (`checker_rule`) by
    title — the timeline shows no internal codes. Two queries at most."""
    from xiaobao.casework.models import DeadlineRule
    from xiaobao.checker.models import CheckRule

    wanted: dict[str, set[str]] = {"rule": set(), "checker_rule": set()}
    for e in events:
        for k, v in (e.data or {}).items():
            if k in wanted and isinstance(v, str) and v:
                wanted[k].add(v)
    out: dict[str, dict[str, str]] = {"rule": {}, "checker_rule": {}}
    if wanted["rule"]:
        out["rule"] = dict(DeadlineRule.objects.filter(code__in=wanted["rule"]).values_list("code", "name"))
    if wanted["checker_rule"]:
        rows = CheckRule.objects.filter(code__in=wanted["checker_rule"]).values_list("code", "title")
        out["checker_rule"] = {code: title for code, title in rows if title}
    return out


def _shown(key: str, value: Any, people: dict[str, str], names: dict[str, dict[str, str]]) -> str:
    if key in PEOPLE_KEYS:
        return people.get(str(value), str(value))
    if key in names:
        return names[key].get(str(value), str(value))
    return _value(value)


def timeline(review: Review) -> list[dict[str, Any]]:
    rows = []
    events = list(review.events.select_related("actor"))
    people = people_names(str(v) for e in events for k, v in (e.data or {}).items() if k in PEOPLE_KEYS)
    names = code_names(events)
    for e in events:
        action = ACTIONS.get(e.action)
        rows.append(
            {
                "event": e,
                "label": action.label if action else EVENT_LABELS.get(e.action, e.action),
                "from": STATUS_LABELS.get(e.from_status, e.from_status),
                "to": STATUS_LABELS.get(e.to_status, e.to_status),
                "moved": e.from_status != e.to_status,
                "summary": [
                    (str(DATA_LABELS.get(k, k)), _shown(k, v, people, names))
                    for k, v in (e.data or {}).items()
                    if k not in HIDDEN_DATA
                ],
            }
        )
    return rows


def _opinion_actions(user: Any, review: Review, opinion: Any) -> list[Any]:
    """The steps on this opinion the user may take now."""
    answered = opinion.state == OpinionState.ANSWERED
    adopted = opinion.response == OpinionResponse.ADOPTED
    possible = {
        "close_opinion": answered and opinion.response in ("adopted", "partly_adopted"),
        "accept_reason": answered and not adopted and opinion.decision != "uphold",
        "escalate": answered and not adopted and opinion.severity == OpinionSeverity.MUST_CHANGE,
    }
    out = []
    for code, ok in possible.items():
        if ok and TRANSITIONS.can_act(user, review, code) and role_allows(user, review, code):
            out.append(ACTIONS[code])
    return out


def _documents(review: Review) -> list[dict[str, Any]]:
    """Each document with its versions (newest first) and its current version's text marked with the
    checker's findings (one query for the texts, one for the findings)."""
    from django.contrib.contenttypes.models import ContentType

    from xiaobao.checker.models import CheckFinding

    docs = list(review.documents.all())
    current = {d.pk: d.current_version() for d in docs}
    ids = [v.pk for v in current.values() if v is not None]
    full = {v.pk: v for v in DocumentVersion.objects.filter(pk__in=ids)}
    ct = ContentType.objects.get_for_model(DocumentVersion)
    findings: dict[int, list[Any]] = {}
    for f in CheckFinding.objects.filter(content_type=ct, object_id__in=ids).select_related("rule"):
        findings.setdefault(f.object_id, []).append(f)
    out = []
    for d in docs:
        version = full.get(current[d.pk].pk) if current[d.pk] is not None else None  # type: ignore[union-attr]
        found = sorted(findings.get(version.pk, []), key=lambda f: (f.start, f.end)) if version else []
        for f in found:
            f.where = block_label(version, f.start) if version else ""  # type: ignore[arg-type]
        out.append(
            {
                "doc": d,
                "versions": sorted(d.versions.all(), key=lambda v: -v.number),
                "current": version,
                "segments": marked_segments(version.text, found) if version else [],
                "findings": found,
                "pending": sum(1 for f in found if f.decision == "pending"),
            }
        )
    return out


def _context(request: AuthedRequest, review: Review, **extra: Any) -> dict[str, Any]:
    today = recorded_date()
    user = request.user
    actions = allowed_actions(user, review)
    codes = {a.code for a in actions}
    opinions = list(review.opinions.all())
    for o in opinions:
        o.actions = _opinion_actions(user, review, o)  # type: ignore[attr-defined]
    answer_form = extra.pop("answer_form", None)
    if answer_form is None and "answer" in codes:
        answer_form = FORMS["answer"](item=review)
    decide_form = extra.pop("decide_form", None)
    if decide_form is None and "decide_escalation" in codes:
        decide_form = FORMS["decide_escalation"](item=review)
    opinion_form = extra.pop("opinion_form", None)
    writes = can_write_opinions(user, review)
    editing = extra.pop("editing", None)
    if editing is None and writes:
        editing = _opinion_to_edit(request, opinions)
    if opinion_form is None and writes:
        initial = _edit_initial(editing) if editing is not None else _opinion_initial(request, review)
        opinion_form = OpinionForm(initial=initial, review=review)
    uploads = can_upload(user, review)
    steps = sorted(
        (a for a in actions if a.code not in OPINION_ACTIONS and a.code not in INLINE_ACTIONS),
        key=lambda a: a.code in LAST_ACTIONS,
    )
    pass_blocked = pass_blocked_reason(review) if any(a.code in PASS_ACTIONS for a in steps) else ""
    return {
        "r": review,
        "clocks": [
            (
                k,
                review_due(
                    k.due_date,
                    k.state,
                    today,
                    live=review.status in WORKFLOW.group("live"),
                    met_on=k.met_on,
                    unit=k.rule.unit,
                    word_pause=False,
                ),
                state_label(k.state, k.get_state_display()),
            )
            for k in review.clocks.all()
        ],
        "events": timeline(review),
        "actions": [
            {"code": a.code, "label": a.label, "blocked": pass_blocked if a.code in PASS_ACTIONS else ""}
            for a in steps
        ],
        "pass_blocked": pass_blocked,
        "documents": _documents(review),
        "opinions": opinions,
        "answer_form": answer_form,
        "decide_form": decide_form,
        "opinion_form": opinion_form if writes else None,
        "editing": editing if writes else None,
        "upload_form": (extra.pop("upload_form", None) or UploadForm(review=review)) if uploads else None,
        "decides_findings": writes
        or (
            user.has_perm(CONDUCT)
            and review.handler_id == user.pk
            and review.status in WORKFLOW.group("live")
        ),
        "extensions": list(review.extensions.all()),
        "approvals": list(review.approvals.select_related("version__document")),
        **extra,
    }


def _opinion_to_edit(request: AuthedRequest, opinions: list[Any]) -> Any:
    """The opinion not yet sent that `?edit=<number>` names (None: none such)."""
    raw = request.GET.get("edit", "")
    return next((o for o in opinions if str(o.number) == raw and not o.issued), None)


def _edit_initial(opinion: Any) -> dict[str, Any]:
    return {
        "category": opinion.category,
        "severity": opinion.severity,
        "document": str(opinion.document_id or ""),
        "location": opinion.location,
        "quote": opinion.quote,
        "body": opinion.body,
    }


def _opinion_initial(request: AuthedRequest, review: Review) -> dict[str, Any]:
    """The opinion form prefilled from a checker finding (`?finding=<id>`): category by label, the quote,
    the place, the rule's suggested fix as the body."""
    raw = request.GET.get("finding", "")
    if not raw.isdigit():
        return {}
    from django.contrib.contenttypes.models import ContentType

    from xiaobao.checker.models import CheckFinding

    ct = ContentType.objects.get_for_model(DocumentVersion)
    versions = DocumentVersion.objects.filter(document__review=review)
    finding = CheckFinding.objects.filter(
        pk=int(raw), content_type=ct, object_id__in=versions.values("pk")
    ).first()
    if finding is None:
        return {}
    version = versions.select_related("document").get(pk=finding.object_id)
    category = {
        "missing_disclosure": OpinionCategory.DISCLOSURE,
        "expected_return": OpinionCategory.DISCLOSURE,
        "apr_missing": OpinionCategory.PRICING,
        "unfair_terms": OpinionCategory.CONTRACT_TERMS,
        "tying": OpinionCategory.CONTRACT_TERMS,
    }.get(finding.label, OpinionCategory.MARKETING)
    body = finding.suggestion or ""
    if finding.source:
        body = f"{body}（{_('Source')}：{finding.source}）" if body else finding.source
    return {
        "category": category,
        "severity": OpinionSeverity.MUST_CHANGE if finding.severity == "high" else OpinionSeverity.SUGGESTION,
        "document": str(version.document_id),
        "location": block_label(version, finding.start)[:100],
        "quote": finding.excerpt,
        "body": body[:5000],
        "finding": finding.pk,
    }


# --- register ------------------------------------------------------------------------------------------


@require_GET
@permission_required(VIEW, raise_exception=True)
def review_list_view(request: AuthedRequest) -> HttpResponse:
    """Reviews in the user's scope, filtered; HTMX filter changes get the results only."""
    form, filters = bound_filter(request, ReviewFilter)
    page = paginate(request, review_list(user=request.user, filters=filters))
    today = recorded_date()
    live = WORKFLOW.group("live")
    ended = {
        k.item_id: k
        for k in ReviewClock.objects.filter(
            item_id__in=[r.pk for r in page.object_list if r.conclusion], met_on__isnull=False
        ).select_related("rule")
    }
    for row in page.object_list:
        k = ended.get(row.pk)
        row.due = (
            review_due(
                row.due_date,
                row.clock_state,
                today,
                live=row.status in live,
                met_on=k.met_on if k else None,
                unit=k.rule.unit if k else "working",
            )
            if row.status in live or row.conclusion
            else None
        )
    status = 400 if form.is_bound and not form.is_valid() else 200
    template = "review/list.html#results" if request.htmx else "review/list.html"
    context = {"form": form, "page": page, "query": query_without_page(request)}
    return render(request, template, context, status=status)


# --- submitting ------------------------------------------------------------------------------------------


@permission_required(SUBMIT, raise_exception=True)
def review_create_view(request: AuthedRequest) -> HttpResponse:
    """The submission form: the request and its documents; "save as draft" keeps it unsent."""
    initial: dict[str, Any] = {}
    if request.user.org_unit is not None:
        initial = {"org_unit": request.user.org_unit.code}
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    form = ReviewForm(data, files, user=request.user, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            uploads = [(f, f.name or "file", "") for f in form.cleaned_data["files"]]
            try:
                review = review_create(
                    actor=request.user, data=form.to_data(), files=uploads, submit="draft" not in request.POST
                )
            except ValidationError as exc:
                _files_errors(form, exc)
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = exc.status
            else:
                messages.success(request, _("Review %(ref)s saved.") % {"ref": review.reference})
                return redirect(review.get_absolute_url())
    return render(request, "review/form.html", {"form": form}, status=status)


def _files_errors(form: Any, exc: ValidationError) -> None:
    """A refused file's message goes to the files field (`files.2` names the third file)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for key, errors in exc.message_dict.items():
        if key.startswith("files") or key == "file":
            form.add_error("files", errors)
        else:
            form.add_error(key if key in form.fields else None, errors)


# --- one review ----------------------------------------------------------------------------------------


@require_GET
@permission_required(VIEW, raise_exception=True)
def review_detail_view(request: AuthedRequest, pk: int) -> HttpResponse:
    review = _get(request, pk)
    return render(request, "review/detail.html", _context(request, review))


@permission_required(VIEW, raise_exception=True)
def review_action(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    """GET: the step's form (an HTMX partial, or a page). POST: take the step with the version the user saw;
    the wrong person → 403 with the reason, a stale version or wrong state → 409, bad input → 400."""
    review = _get(request, pk)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    if not spec.permitted(request.user) or not can_reach(request.user, review, action):
        raise PermissionDenied
    form = FORMS[action](request.POST if request.method == "POST" else None, item=review)
    if action in OPINION_ACTIONS and request.method == "GET" and request.GET.get("opinion", "").isdigit():
        form.initial["opinion"] = int(request.GET["opinion"])
    status = 200
    blocked = ""
    if not WORKFLOW.is_allowed(review.status, action):
        blocked = _("This step is not possible while the review is “%(s)s”.") % {
            "s": review.get_status_display()
        }
        status = 409
    elif not role_allows(request.user, review, action):
        blocked = _blocked_reason(request.user, review, action)
        status = 403
    elif action in PASS_ACTIONS and request.method == "GET":
        blocked = pass_blocked_reason(review)  # the POST gets the same message from the service (409)
        status = 409 if blocked else 200
    if request.method == "POST" and not blocked:
        status = _take(request, review, action, form)
        if status == 0:
            messages.success(request, _("%(step)s: done.") % {"step": spec.label})
            return redirect(review.get_absolute_url())
    elif request.method == "POST":
        form.is_valid()
        form.add_error(None, blocked)
    template = "review/action.html#action_form" if request.htmx else "review/action.html"
    return render(
        request, template, {"r": review, "action": spec, "form": form, "blocked": blocked}, status=status
    )


def _blocked_reason(user: Any, review: Review, action: str) -> str:
    from xiaobao.review.services import is_party
    from xiaobao.review.workflow import REVIEWER_ACTIONS, SUBMITTER_ACTIONS

    if action in SUBMITTER_ACTIONS:
        return _("Only the submitter of %(ref)s may take this step.") % {"ref": review.reference}
    if is_party(user, review) and (action in REVIEWER_ACTIONS or action == "claim"):
        return _("Recusal: you submitted or created review %(ref)s, so you may not review it.") % {
            "ref": review.reference
        }
    if action in REVIEWER_ACTIONS:
        return _("Only the reviewer of %(ref)s may take this step.") % {"ref": review.reference}
    return _("This step is not yours to take on this review.")


def _take(request: AuthedRequest, review: Review, action: str, form: Any) -> int:
    """0 when the step was taken, else the status to answer with (form errors attached)."""
    return take_step(
        form,
        lambda: review_transition(
            actor=request.user,
            review=review,
            action=action,
            data=form.to_data(),
            expected_version=form.cleaned_data["version"],
        ),
        field_errors=_step_errors,
    )


def _step_errors(form: Any, exc: ValidationError) -> None:
    """Service field names onto the form: `answers.3.note` → `note_3`, others by name or to the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for key, errors in exc.message_dict.items():
        match = re.fullmatch(r"answers\.(\d+)\.note", key)
        name = f"note_{match.group(1)}" if match else key
        form.add_error(name if name in form.fields else None, errors)


@require_POST
@permission_required(VIEW, raise_exception=True)
def answer_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """The submitter's answers from the review page (one row per open opinion); errors re-show the page."""
    return _inline_step(request, pk, "answer", "answer_form")


@require_POST
@permission_required(VIEW, raise_exception=True)
def decide_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """The department head's decisions from the review page."""
    return _inline_step(request, pk, "decide_escalation", "decide_form")


def _inline_step(request: AuthedRequest, pk: int, action: str, key: str) -> HttpResponse:
    review = _get(request, pk)
    spec = ACTIONS[action]
    if not spec.permitted(request.user) or not can_reach(request.user, review, action):
        raise PermissionDenied
    form = FORMS[action](request.POST, item=review)
    if not WORKFLOW.is_allowed(review.status, action):
        form.is_valid()
        form.add_error(
            None,
            _("This step is not possible while the review is “%(s)s”.") % {"s": review.get_status_display()},
        )
        status = 409
    elif not role_allows(request.user, review, action):
        raise PermissionDenied(_blocked_reason(request.user, review, action))
    else:
        status = _take(request, review, action, form)
        if status == 0:
            messages.success(request, _("%(step)s: done.") % {"step": spec.label})
            return redirect(review.get_absolute_url())
    review = _get(request, pk)
    return render(request, "review/detail.html", _context(request, review, **{key: form}), status=status)


# --- opinions --------------------------------------------------------------------------------------------


@require_POST
@permission_required(CONDUCT, raise_exception=True)
def opinion_create(request: AuthedRequest, pk: int) -> HttpResponse:
    review = _get(request, pk)
    if not can_write_opinions(request.user, review):
        raise PermissionDenied
    form = OpinionForm(request.POST, review=review)
    status = 400
    if form.is_valid():
        try:
            opinion = opinion_add(actor=request.user, review=review, data=form.to_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied:
            raise
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            messages.success(request, _("Opinion No. %(n)d written.") % {"n": opinion.number})
            return redirect(review.get_absolute_url() + "#opinions")
    review = _get(request, pk)
    return render(request, "review/detail.html", _context(request, review, opinion_form=form), status=status)


@require_POST
@permission_required(CONDUCT, raise_exception=True)
def opinion_edit(request: AuthedRequest, pk: int, number: int) -> HttpResponse:
    """Save an edited opinion not yet sent (the form is the page's opinion form, opened with `?edit=N`)."""
    review = _get(request, pk)
    if not can_write_opinions(request.user, review):
        raise PermissionDenied
    opinion = review.opinions.filter(number=number).first()
    if opinion is None:
        raise Http404
    form = OpinionForm(request.POST, review=review)
    status = 400
    if form.is_valid():
        try:
            opinion_update(actor=request.user, opinion=opinion, data=form.to_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied:
            raise
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            messages.success(request, _("Opinion No. %(n)d saved.") % {"n": opinion.number})
            return redirect(review.get_absolute_url() + f"#opinion-{opinion.number}")
    review = _get(request, pk)
    editing = review.opinions.filter(number=number, issued=False).first()
    context = _context(request, review, opinion_form=form, editing=editing)
    return render(request, "review/detail.html", context, status=status)


@require_POST
@permission_required(CONDUCT, raise_exception=True)
def opinion_delete_view(request: AuthedRequest, pk: int, number: int) -> HttpResponse:
    review = _get(request, pk)
    opinion = review.opinions.filter(number=number).first()
    if opinion is None:
        raise Http404
    try:
        opinion_delete(actor=request.user, opinion=opinion)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Opinion No. %(n)d taken back.") % {"n": number})
    return redirect(review.get_absolute_url() + "#opinions")


# --- documents -----------------------------------------------------------------------------------------


@require_POST
@permission_required(SUBMIT, raise_exception=True)
def document_upload(request: AuthedRequest, pk: int) -> HttpResponse:
    """A new document or a new version of one; a refused file stores nothing and says why."""
    review = _get(request, pk)
    if not can_upload(request.user, review):
        raise PermissionDenied
    form = UploadForm(request.POST, request.FILES, review=review)
    status = 400
    if form.is_valid():
        f = form.cleaned_data["file"]
        try:
            if form.cleaned_data["document"]:
                document = review.documents.get(pk=int(form.cleaned_data["document"]))
                version = version_add(
                    actor=request.user,
                    document=document,
                    fileobj=f,
                    name=f.name or "file",
                    note=form.cleaned_data["note"],
                )
            else:
                version = document_add(
                    actor=request.user,
                    review=review,
                    fileobj=f,
                    name=f.name or "file",
                    title=form.cleaned_data["title"],
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            messages.success(
                request,
                _("%(doc)s version %(n)d uploaded.") % {"doc": version.document.title, "n": version.number},
            )
            return redirect(review.get_absolute_url() + "#documents")
    review = _get(request, pk)
    return render(request, "review/detail.html", _context(request, review, upload_form=form), status=status)


def _safe_stem(name: str, fallback: str) -> str:
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return re.sub(r"[^\w-]+", "_", stem).strip("_.")[:80] or fallback


@require_GET
@permission_required(VIEW, raise_exception=True)
def version_download(request: AuthedRequest, pk: int, document_id: int, number: int) -> FileResponse:
    """The stored file as uploaded (a download under a safe name with its kind's content type)."""
    review = _get(request, pk)
    version = version_of(review, document_id, number)
    if version is None:
        raise Http404
    stored = str(version.file.name or "")
    ext = stored.rsplit(".", 1)[-1] if "." in stored else "bin"
    response = FileResponse(
        version.file.open("rb"),
        as_attachment=True,
        filename=f"{_safe_stem(version.original_name, f'document-{version.pk}')}-v{version.number}.{ext}",
        content_type=version.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_GET
@permission_required(VIEW, raise_exception=True)
def version_diff(request: AuthedRequest, pk: int, document_id: int, number: int) -> HttpResponse:
    """Version `number` against the one before it: the changed paragraphs, marked within."""
    review = _get(request, pk)
    new = version_of(review, document_id, number)
    old = version_of(review, document_id, number - 1) if number > 1 else None
    if new is None or old is None:
        raise Http404
    full = request.GET.get("all") == "1"
    diff = text_diff(old.text, new.text, context=None if full else 2)
    context = {"r": review, "doc": new.document, "old": old, "new": new, "diff": diff, "full": full}
    return render(request, "review/diff.html", context)


@require_POST
@permission_required(CONDUCT, raise_exception=True)
def finding_decide_view(request: AuthedRequest, pk: int, finding_id: int) -> HttpResponse:
    """The reviewer confirms or dismisses a checker finding on the review's documents."""
    from django.contrib.contenttypes.models import ContentType

    from xiaobao.checker.models import CheckFinding

    review = _get(request, pk)
    ct = ContentType.objects.get_for_model(DocumentVersion)
    versions = DocumentVersion.objects.filter(document__review=review).values("pk")
    finding = CheckFinding.objects.filter(pk=finding_id, content_type=ct, object_id__in=versions).first()
    if finding is None:
        raise Http404
    form = FindingDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose confirm or dismiss."))
        return redirect(review.get_absolute_url())
    try:
        review_finding_decide(
            actor=request.user,
            review=review,
            finding=finding,
            decision=form.cleaned_data["decision"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("review:detail", args=[review.pk]) + f"#finding-{finding.pk}")
