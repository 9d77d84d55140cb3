"""The organisers' exam pages: the list (status, kind, window, candidates, started/submitted, pass rate), a
new exam and a draft's edit (fixed questions picked from the bank with their points, or rules; candidates
by unit, layer and a list of names), one exam (publish, close, progress that refreshes itself while it is
open), its results per candidate / unit / layer with the Excel export, the item analysis and the contest
ranking of people and branches.

Every page starts from `Exam.objects.visible_to(user)` (an exam set outside the user's subtree → 404) and
writes through the engine's services (`exams.services`); figures come from `exams.results`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from xiaobao.core.errors import DomainError
from xiaobao.core.http import AuthedRequest
from xiaobao.core.scoping import subtree_q
from xiaobao.core.views.common import add_service_errors, bound_filter, paginate, query_without_page
from xiaobao.exams.choices import AttemptStatus, ExamKind, ExamStatus, QuestionKind, Selection
from xiaobao.exams.forms_exams import (
    DIFFICULTIES,
    BankFilter,
    ExamForm,
    Picked,
    RuleRow,
    bank_for,
    count_available,
    editable,
    initial_for,
    paper_of,
    rules_total,
    to_int,
)
from xiaobao.exams.models import MANAGE_EXAMS, VIEW, Attempt, Exam, ExamCandidate, Tag

# --- the list ------------------------------------------------------------------------------------------


class ExamFilter(forms.Form):
    q = forms.CharField(label=gettext_lazy("Title"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), choices=[("", "—"), *ExamStatus.choices], required=False
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), choices=[("", "—"), *ExamKind.choices], required=False
    )
    when = forms.ChoiceField(
        label=gettext_lazy("Window"),
        choices=[
            ("", "—"),
            ("open", gettext_lazy("Open now")),
            ("upcoming", gettext_lazy("Not open yet")),
            ("past", gettext_lazy("Window over")),
        ],
        required=False,
    )


def filtered_exams(user: Any, data: dict[str, Any]) -> Any:
    from xiaobao.exams.services import organised

    qs = organised(Exam.objects.visible_to(user)).select_related("org_unit")
    if data.get("q"):
        qs = qs.filter(title__icontains=data["q"])
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    now = timezone.now()
    if data.get("when") == "open":
        qs = qs.filter(opens_at__lte=now, closes_at__gt=now)
    elif data.get("when") == "upcoming":
        qs = qs.filter(opens_at__gt=now)
    elif data.get("when") == "past":
        qs = qs.filter(closes_at__lte=now)
    return qs.order_by("-opens_at", "-pk")


def progress_by_exam(exam_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Per exam: candidates, people who started, submitted, passed (best attempt counts), the pass rate
    (passed ÷ submitted) and attempts running now. Three grouped queries for any number of exams."""
    out: dict[int, dict[str, Any]] = {
        pk: {
            "candidates": 0,
            "started": 0,
            "submitted": 0,
            "passed": 0,
            "running": 0,
            "pass_rate": None,
            "pass_pct": None,
        }
        for pk in exam_ids
    }
    if not exam_ids:
        return out
    for row in ExamCandidate.objects.filter(exam_id__in=exam_ids).values("exam_id").annotate(n=Count("id")):
        out[row["exam_id"]]["candidates"] = row["n"]
    now = timezone.now()
    submitted = Q(status=AttemptStatus.SUBMITTED)
    for counts in (
        Attempt.objects.filter(exam_id__in=exam_ids)
        .values("exam_id")
        .annotate(
            started=Count("user", distinct=True),
            submitted=Count("user", filter=submitted, distinct=True),
            passed=Count("user", filter=submitted & Q(passed=True), distinct=True),
            running=Count("id", filter=Q(status=AttemptStatus.IN_PROGRESS, ends_at__gt=now)),
        )
    ):
        entry = out[counts["exam_id"]]
        entry.update({k: counts[k] for k in ("started", "submitted", "passed", "running")})
        entry["pass_rate"] = counts["passed"] / counts["submitted"] if counts["submitted"] else None
        entry["pass_pct"] = round(100 * entry["pass_rate"], 1) if counts["submitted"] else None
    for entry in out.values():
        entry["not_started"] = max(entry["candidates"] - entry["started"], 0)
        entry["submitted_share"] = entry["submitted"] / entry["candidates"] if entry["candidates"] else None
    return out


@require_GET
@permission_required(VIEW, raise_exception=True)
def exam_list(request: AuthedRequest) -> HttpResponse:
    form, data = bound_filter(request, ExamFilter)
    page = paginate(request, filtered_exams(request.user, data), per_page=30)
    figures = progress_by_exam([e.pk for e in page])
    rows = [{"exam": e, "p": figures[e.pk], "window": window_state(e)} for e in page]
    context = {"form": form, "page": page, "rows": rows, "query": query_without_page(request)}
    template = "exams/organiser/list.html#results" if request.htmx else "exams/organiser/list.html"
    return render(request, template, context, status=400 if form.errors else 200)


def window_state(exam: Exam, now: dt.datetime | None = None) -> str:
    """upcoming | open | over — by the window alone (the status says whether candidates may start)."""
    now = now or timezone.now()
    if now < exam.opens_at:
        return "upcoming"
    return "open" if now < exam.closes_at else "over"


# --- new / edit -----------------------------------------------------------------------------------------


def _get(request: AuthedRequest, pk: int) -> Exam:
    from xiaobao.exams.services import organised

    exams = organised(Exam.objects.visible_to(request.user)).select_related("org_unit", "created_by")
    exam = exams.filter(pk=pk).first()
    if exam is None:
        raise Http404
    return exam


def _manage(request: AuthedRequest) -> None:
    if not request.user.has_perm(MANAGE_EXAMS):
        raise PermissionDenied


def _default_initial(user: Any) -> dict[str, Any]:
    now = timezone.localtime()
    opens = (now + dt.timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    return {
        "opens_at": opens,
        "closes_at": opens + dt.timedelta(days=7),
        "time_limit_minutes": 60,
        "org_unit": user.org_unit.code if user.org_unit_id else None,
    }


@require_http_methods(["GET", "POST"])
@permission_required(VIEW, raise_exception=True)
def exam_create(request: AuthedRequest) -> HttpResponse:
    _manage(request)
    return _exam_form(request, None)


@require_http_methods(["GET", "POST"])
@permission_required(VIEW, raise_exception=True)
def exam_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    exam = _get(request, pk)
    _manage(request)
    if not editable(exam):
        messages.error(request, _("Only a draft can be edited: this exam has been published."))
        return redirect("exams:exam_detail", pk=exam.pk)
    return _exam_form(request, exam)


def _exam_form(request: AuthedRequest, exam: Exam | None) -> HttpResponse:
    """GET: the form. POST with `action`: re-render the picker (search, add, remove, add a rule row)
    without saving; POST `save`: validate and save a draft through the engine."""
    user = request.user
    status = 200
    if request.method == "GET":
        initial = initial_for(exam) if exam else _default_initial(user)
        if exam:
            initial["candidate_list"] = named_candidates(exam)
        form = ExamForm(user=user, exam=exam, initial=initial)
        form.picked, form.rules = paper_of(exam) if exam else ([], [])
        bank = BankFilter()
    else:
        action = request.POST.get("action", "")
        posted = ExamForm(request.POST, user=user, exam=exam)
        bank = BankFilter(request.POST)
        if action == "save":
            form = posted
            count_available(user, form.bank_unit, form.rules)
            if form.is_valid():
                saved = _save(form, exam)
                if saved is not None:
                    messages.success(request, _("The exam is saved as a draft. Publish it when it is ready."))
                    url = reverse("exams:exam_detail", args=[saved.pk])
                    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
            status = 400
        else:
            # re-render what was typed without validating it (no errors shown while picking)
            form = ExamForm(user=user, exam=exam, initial=_typed(posted))
            form.picked, form.rules = posted.picked, posted.rules
            _apply_picker_action(request, form, action)
    if not form.rules:
        form.rules = [RuleRow()]
    count_available(user, form.bank_unit, form.rules)
    results, matches = bank.results(user, form.bank_unit, [p.question.pk for p in form.picked])
    context = {
        "form": form,
        "exam": exam,
        "bank": bank,
        "bank_results": results,
        "bank_matches": matches,
        "tags": list(Tag.objects.order_by("kind", "name")),
        "kinds": QuestionKind.choices,
        "difficulties": DIFFICULTIES,
        "total_points": sum((p.value or 0) for p in form.picked),
        "rules_total": rules_total(form.rules),
        "selection": form["selection"].value() or Selection.FIXED,
    }
    return render(request, "exams/organiser/form.html", context, status=status)


def _typed(form: ExamForm) -> dict[str, Any]:
    return {name: form[name].value() for name in form.fields}


def _apply_picker_action(request: AuthedRequest, form: ExamForm, action: str) -> None:
    _int = to_int
    if action == "add":
        ids = [i for i in (_int(v) for v in request.POST.getlist("add")) if i is not None]
        have = {p.question.pk for p in form.picked}
        points = str(request.POST.get("add_points", "1"))[:20] or "1"
        new = bank_for(request.user, form.bank_unit).filter(pk__in=[i for i in ids if i not in have])
        new = new.prefetch_related("tags")
        by_pk = {q.pk: q for q in new}
        form.picked += [Picked(by_pk[i], points) for i in ids if i in by_pk]
    elif action.startswith("remove:"):
        pk = _int(action.split(":", 1)[1])
        form.picked = [p for p in form.picked if p.question.pk != pk]
    elif action == "add_rule":
        form.rules.append(RuleRow())
    elif action.startswith("remove_rule:"):
        i = _int(action.split(":", 1)[1])
        if i is not None and i < len(form.rules):
            del form.rules[i]
    elif action.startswith("up:") or action.startswith("down:"):
        pk = _int(action.split(":", 1)[1])
        at = next((i for i, p in enumerate(form.picked) if p.question.pk == pk), None)
        to = None if at is None else at + (-1 if action.startswith("up:") else 1)
        if at is not None and to is not None and 0 <= to < len(form.picked):
            form.picked[at], form.picked[to] = form.picked[to], form.picked[at]


def _save(form: ExamForm, exam: Exam | None) -> Exam | None:
    from xiaobao.exams import services

    try:
        if exam is None:
            return services.exam_create(actor=form.user, data=form.payload())
        return services.exam_update(actor=form.user, exam=exam, data=form.payload())
    except ValidationError as exc:
        add_service_errors(form, exc)
    except DomainError as exc:
        form.engine_errors(exc)
    return None


def named_candidates(exam: Exam) -> str:
    """The candidates the exam's units and layers do not reach (named one by one when it was set), one
    login name per line — what the form's list had."""
    units = list(exam.candidate_units.all())
    layers = list(exam.candidate_layers.all())
    candidates = ExamCandidate.objects.filter(exam=exam)
    if units or layers:
        reached = Q()
        for unit in units or [exam.org_unit]:
            reached |= subtree_q(unit.path, "user__org_unit__path")
        if layers:
            reached &= Q(user__staff_member__layer__in=layers)
        candidates = candidates.exclude(reached)
    return "\n".join(candidates.order_by("user__username").values_list("user__username", flat=True))


# --- one exam ------------------------------------------------------------------------------------------


@require_GET
@permission_required(VIEW, raise_exception=True)
def exam_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    exam = _get(request, pk)
    return render(request, "exams/organiser/detail.html", _detail_context(request, exam))


def _detail_context(request: AuthedRequest, exam: Exam) -> dict[str, Any]:
    picked, rules = paper_of(exam)
    count_available(request.user, exam.org_unit, rules)
    can_manage = request.user.has_perm(MANAGE_EXAMS)
    return {
        "exam": exam,
        "picked": picked,
        "rule_rows": list(zip(exam.rules.select_related("tag"), rules, strict=False)),
        "total_points": sum((p.value or 0) for p in picked),
        "rules_total": rules_total(rules),
        "units": list(exam.candidate_units.order_by("path")),
        "layers": list(exam.candidate_layers.all()),
        "named": len([n for n in named_candidates(exam).split("\n") if n]),
        "p": progress_by_exam([exam.pk])[exam.pk],
        "window": window_state(exam),
        "can_edit": can_manage and editable(exam),
        "can_publish": can_manage and exam.status == ExamStatus.DRAFT,
        "can_close": can_manage and exam.status == ExamStatus.PUBLISHED,
        "polling": exam.status == ExamStatus.PUBLISHED and window_state(exam) == "open",
    }


@require_GET
@permission_required(VIEW, raise_exception=True)
def exam_progress(request: AuthedRequest, pk: int) -> HttpResponse:
    """The progress block alone (polled by the detail page while the exam is open)."""
    exam = _get(request, pk)
    context = {
        "exam": exam,
        "p": progress_by_exam([exam.pk])[exam.pk],
        "polling": exam.status == ExamStatus.PUBLISHED and window_state(exam) == "open",
    }
    return render(request, "exams/organiser/_progress.html", context)


def _step(request: AuthedRequest, pk: int, run: Any, done: str) -> HttpResponse:
    exam = _get(request, pk)
    _manage(request)
    try:
        run(exam)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except PermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("exams:exam_detail", pk=exam.pk)


@require_POST
@permission_required(VIEW, raise_exception=True)
def exam_publish(request: AuthedRequest, pk: int) -> HttpResponse:
    from xiaobao.exams import services

    return _step(
        request,
        pk,
        lambda exam: services.exam_publish(actor=request.user, exam=exam),
        _("The exam is published: its candidates can take it while it is open."),
    )


@require_POST
@permission_required(VIEW, raise_exception=True)
def exam_close(request: AuthedRequest, pk: int) -> HttpResponse:
    from xiaobao.exams import services

    return _step(
        request,
        pk,
        lambda exam: services.exam_close(actor=request.user, exam=exam),
        _("The exam is closed: nobody can start it any more, and answers still open were submitted."),
    )


# --- results, item analysis, ranking --------------------------------------------------------------------

RESULT_TABS = {
    "candidates": gettext_lazy("Per candidate"),
    "units": gettext_lazy("Per unit"),
    "layers": gettext_lazy("Per layer"),
    "teams": gettext_lazy("Per branch"),
}
CANDIDATE_STATUS = {
    "submitted": pgettext_lazy("exam", "Submitted"),
    "in_progress": gettext_lazy("Taking it"),
    "not_started": gettext_lazy("Not started"),
}
FLAGS = {
    "too_easy": gettext_lazy("Too easy"),
    "too_hard": gettext_lazy("Too hard"),
    "weak_discrimination": gettext_lazy("Weak discrimination"),
    "negative_discrimination": gettext_lazy("Negative discrimination"),
    "few_answers": gettext_lazy("Few answers yet"),
}
KIND_LABELS = dict(QuestionKind.choices)
BAD_FLAGS = {"too_hard", "negative_discrimination"}


def duration(seconds: int | None) -> str:
    """Time taken as m:ss, or h:mm:ss from an hour."""
    if seconds is None:
        return ""
    h, rest = divmod(int(seconds), 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _pct(share: float | None) -> float | None:
    return None if share is None else round(100 * share, 1)


def _results(exam: Exam) -> dict[str, Any]:
    from xiaobao.exams.results import exam_results

    data = exam_results(exam)
    for row in data["candidates"]:
        row["time"] = duration(row["seconds"])
        row["status_label"] = CANDIDATE_STATUS.get(row["status"], row["status"])
    for key in ("units", "layers", "teams"):
        for row in data[key]:
            row["pass_pct"] = _pct(row["pass_rate"])
    _in_tree_order(data["units"])
    _in_tree_order(data["teams"])
    data["summary"]["pass_pct"] = _pct(data["summary"]["pass_rate"])
    return data


def _in_tree_order(rows: list[dict[str, Any]]) -> None:
    """Units as in the org tree (a unit before the units below it), indented by their depth under the
    highest one listed. One query."""
    from xiaobao.core.models import OrgUnit

    where = dict(
        (pk, (path, depth))
        for pk, path, depth in OrgUnit.objects.filter(pk__in=[r["id"] for r in rows if r["id"]]).values_list(
            "pk", "path", "depth"
        )
    )
    top = min((d for _p, d in where.values()), default=1)
    for r in rows:
        path, depth = where.get(r["id"], ("~", top))
        r["path"], r["indent"] = path, (depth - top) * 1.2 + 0.5 if depth > top else 0
    rows.sort(key=lambda r: r["path"])


class CandidateFilter(forms.Form):
    q = forms.CharField(label=gettext_lazy("Name or username"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), choices=[("", "—"), *CANDIDATE_STATUS.items()], required=False
    )
    passed = forms.ChoiceField(
        label=gettext_lazy("Result"),
        choices=[("", "—"), ("yes", gettext_lazy("Passed")), ("no", gettext_lazy("Not passed"))],
        required=False,
    )
    sort = forms.ChoiceField(
        label=gettext_lazy("Order"),
        choices=[
            ("", gettext_lazy("By username")),
            ("score", gettext_lazy("Best score first")),
            ("unit", gettext_lazy("By unit")),
        ],
        required=False,
    )


def _candidate_rows(rows: list[dict[str, Any]], data: dict[str, Any]) -> list[dict[str, Any]]:
    q = (data.get("q") or "").strip().lower()
    if q:
        rows = [
            r for r in rows if q in r["user"]["username"].lower() or q in (r["user"]["name"] or "").lower()
        ]
    if data.get("status"):
        rows = [r for r in rows if r["status"] == data["status"]]
    if data.get("passed") == "yes":
        rows = [r for r in rows if r["passed"] is True]
    elif data.get("passed") == "no":
        rows = [r for r in rows if r["status"] == "submitted" and not r["passed"]]
    if data.get("sort") == "score":
        rows = sorted(rows, key=lambda r: (r["score"] is None, -(r["score"] or 0), r["seconds"] or 0))
    elif data.get("sort") == "unit":
        rows = sorted(rows, key=lambda r: ((r["unit"] or {}).get("code", ""), r["user"]["username"]))
    return rows


@require_GET
@permission_required(VIEW, raise_exception=True)
def exam_results(request: AuthedRequest, pk: int) -> HttpResponse:
    exam = _get(request, pk)
    tab = request.GET.get("by", "candidates")
    tab = tab if tab in RESULT_TABS else "candidates"
    data = _results(exam)
    form, filters = bound_filter(request, CandidateFilter)
    context: dict[str, Any] = {
        "exam": exam,
        "tab": tab,
        "tabs": list(RESULT_TABS.items()),
        "summary": data["summary"],
        "form": form,
        "query": query_without_page(request),
    }
    if tab == "candidates":
        context["page"] = paginate(request, _candidate_rows(data["candidates"], filters), per_page=100)
    else:
        context["groups"] = data[tab]
    return render(request, "exams/organiser/results.html", context, status=400 if form.errors else 200)


@require_GET
@permission_required(VIEW, raise_exception=True)
def exam_results_export(request: AuthedRequest, pk: int) -> HttpResponse:
    """The results as a workbook: summary, candidates, units, layers, branches; audited."""
    from xiaobao.core.clock import localdate
    from xiaobao.core.exports import xlsx_book_bytes, xlsx_file_response
    from xiaobao.core.models.audit import AuditAction
    from xiaobao.core.services.audit import audit_record

    exam = _get(request, pk)
    data = _results(exam)
    s = data["summary"]
    yes, no = _("yes"), _("no")
    summary_rows: list[list[Any]] = [
        [_("Exam"), exam.title],
        [_("Organising unit"), exam.org_unit.name],
        [_("Opens at"), exam.opens_at],
        [_("Closes at"), exam.closes_at],
        [_("Pass mark (%)"), exam.pass_mark],
        [_("Candidates"), s["candidates"]],
        [_("Started"), s["started"]],
        [pgettext("exam", "Submitted"), s["submitted"]],
        [_("Passed"), s["passed"]],
        [_("Pass rate (%)"), s["pass_pct"]],
        [_("Mean score (%)"), s["mean_score"]],
    ]
    candidate_rows = [
        [
            r["user"]["name"],
            r["user"]["username"],
            (r["unit"] or {}).get("name", ""),
            (r["layer"] or {}).get("name", ""),
            (r["team"] or {}).get("name", ""),
            str(r["status_label"]),
            r["attempts"],
            r["score"],
            r["points"],
            r["max_points"],
            "" if r["passed"] is None else (yes if r["passed"] else no),
            round(r["seconds"] / 60, 1) if r["seconds"] is not None else None,
            r["submitted_at"],
            "" if r["auto_submitted"] is None else (yes if r["auto_submitted"] else no),
        ]
        for r in data["candidates"]
    ]
    group_headers = [
        _("Code"),
        _("Name"),
        _("Candidates"),
        _("Started"),
        pgettext("exam", "Submitted"),
        _("Passed"),
        _("Pass rate (%)"),
        _("Mean score (%)"),
    ]

    def groups(key: str) -> list[list[Any]]:
        return [
            [
                g["code"],
                g["name"] or _("(none)"),
                g["candidates"],
                g["started"],
                g["submitted"],
                g["passed"],
                g["pass_pct"],
                g["mean_score"],
            ]
            for g in data[key]
        ]

    sheets: list[tuple[str, Sequence[str], Iterable[Sequence[Any]]]] = [
        (
            pgettext("exam results", "Summary"),
            [_("Item"), pgettext("exam results", "Value")],
            summary_rows,
        ),
        (
            _("Candidates"),
            [
                pgettext("person", "Name"),
                _("Username"),
                _("Unit"),
                _("Position layer"),
                _("Branch"),
                _("Status"),
                _("Attempts"),
                _("Score (%)"),
                _("Points"),
                _("Out of"),
                _("Passed"),
                _("Time taken (min)"),
                _("Submitted at"),
                _("Submitted when time ran out"),
            ],
            candidate_rows,
        ),
        (_("Units"), group_headers, groups("units")),
        (_("Position layers"), group_headers, groups("layers")),
        (_("Branches"), group_headers, groups("teams")),
    ]
    content = xlsx_book_bytes(sheets)
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=exam,
        changes={"export": "results", "candidates": len(candidate_rows)},
    )
    return xlsx_file_response(f"exam-{exam.pk}-results-{localdate():%Y%m%d}.xlsx", content)


@require_GET
@permission_required(VIEW, raise_exception=True)
def exam_analysis(request: AuthedRequest, pk: int) -> HttpResponse:
    from xiaobao.exams.results import EASY, FEW, HARD, WEAK, item_analysis

    exam = _get(request, pk)
    data = item_analysis(exam)
    only_flagged = request.GET.get("flagged") == "1"
    items = []
    counts: dict[str, int] = dict.fromkeys(FLAGS, 0)
    for position, item in enumerate(data["items"], start=1):
        for flag in item["flags"]:
            counts[flag] = counts.get(flag, 0) + 1
        item["position"] = position
        item["kind_label"] = KIND_LABELS.get(item["question"]["kind"], item["question"]["kind"])
        item["flag_labels"] = [(f, FLAGS.get(f, f), f in BAD_FLAGS) for f in item["flags"]]
        item["p_pct"] = _pct(item["difficulty_index"])
        for o in item["options"]:  # the share of the attempts that chose the option
            o["share"] = _pct(o["chosen"] / item["attempts"]) if item["attempts"] else None
        if not only_flagged or any(f != "few_answers" for f in item["flags"]):
            items.append(item)
    context = {
        "exam": exam,
        "attempts": data["attempts"],
        "group_size": data["group_size"],
        "items": items,
        "total_items": len(data["items"]),
        "counts": [(f, FLAGS[f], counts.get(f, 0), f in BAD_FLAGS) for f in FLAGS],
        "only_flagged": only_flagged,
        "limits": {"easy": EASY, "hard": HARD, "weak": WEAK, "few": FEW},
        "can_edit_questions": request.user.has_perm("exams.manage_questions"),
    }
    return render(request, "exams/organiser/analysis.html", context)


@require_GET
@permission_required(VIEW, raise_exception=True)
def exam_ranking(request: AuthedRequest, pk: int) -> HttpResponse:
    from xiaobao.exams.results import ranking

    exam = _get(request, pk)
    data = ranking(exam)
    for row in data["people"]:
        row["time"] = duration(row["seconds"])
    page = paginate(request, data["people"], per_page=100)
    context = {
        "exam": exam,
        "page": page,
        "people_count": len(data["people"]),
        "teams": data["teams"],
        "min_members": data["min_members"],
        "query": query_without_page(request),
    }
    return render(request, "exams/organiser/ranking.html", context)
