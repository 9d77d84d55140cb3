"""The candidates' pages, phone first: my learning (exams open now, upcoming, past results, the wrong-answer
book, the own training record), an exam's start page (start or resume), the attempt being taken, its result
and the wrong-answer book with "practise again".

Attempts are started, answered, submitted and graded by the engine (`exams.attempts`); the taking page and
the result are rendered from the engine's attempt payload, which carries the key and the explanation only
where the candidate may see them (practice: an answered question; after submitting: once the key may be
shown). The browser saves each answer through the API (`static/exams/take.js`). Only the candidate's own
attempts are reachable (anybody else's: 404).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiaobao.core.clock import now as clock_now
from xiaobao.core.errors import DomainError
from xiaobao.core.http import AuthedRequest
from xiaobao.exams.attempts import (
    attempt_for,
    attempt_payload,
    attempt_start_or_resume,
    attempt_submit,
    my_exams,
    practice_from_wrong_answers,
    wrong_answer_book,
)
from xiaobao.exams.choices import AttemptStatus, ExamKind, ExamStatus, QuestionKind, Selection
from xiaobao.exams.models import TAKE, Attempt, Exam, ExamQuestion, ExamRule, WrongAnswer

LETTERS = "ABCDEFGH"
OWN_RECORD = "training.view_own_training"
KIND_LABELS = dict(QuestionKind.choices)
EXAM_KIND_LABELS = dict(ExamKind.choices)


def _letter(i: int) -> str:
    return LETTERS[i] if 0 <= i < len(LETTERS) else str(i + 1)


def _clock_text(seconds: float) -> str:
    """h:mm:ss, or mm:ss under an hour (the countdown as take.js writes it)."""
    seconds = max(int(seconds), 0)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def _own_attempt(request: AuthedRequest, pk: int) -> Attempt:
    """The candidate's own attempt (anybody else's is a 404); one whose time ran out is graded first."""
    try:
        return attempt_for(request.user, pk)
    except Attempt.DoesNotExist:
        raise Http404 from None


def _record_url(user: Any) -> str:
    if not user.has_perm(OWN_RECORD):
        return ""
    try:
        return reverse("training:my_record")
    except NoReverseMatch:
        return ""


# --- my learning ----------------------------------------------------------------------------------


@permission_required(TAKE, raise_exception=True)
@require_GET
def my_learning(request: AuthedRequest) -> HttpResponse:
    now = clock_now()
    user = request.user
    exams = my_exams(user, now=now)
    for row in exams["open"] + exams["upcoming"]:
        row["kind_label"] = EXAM_KIND_LABELS.get(row["kind"], row["kind"])
        if row["attempt"]:
            row["attempt"]["minutes"] = -(-row["attempt"]["remaining_seconds"] // 60)
    # every sitting, newest first; one run out and not yet graded is graded when its result is opened
    past = list(
        Attempt.objects.filter(user=user)
        .exclude(status=AttemptStatus.IN_PROGRESS, ends_at__gt=now)
        .select_related("exam")
        .order_by("-started_at")[:30]
    )
    return render(
        request,
        "exams/candidate/my.html",
        {
            "open_now": exams["open"],
            "upcoming": exams["upcoming"],
            "past": past,
            "wrong": WrongAnswer.objects.filter(user=user, mastered=False).count(),
            "record_url": _record_url(user),
            "now": now,
        },
    )


# --- start or resume ------------------------------------------------------------------------------


def _question_count(exam: Exam) -> int:
    if exam.selection == Selection.RULES:
        return sum(r.count for r in ExamRule.objects.filter(exam=exam))
    return ExamQuestion.objects.filter(exam=exam).count()


@permission_required(TAKE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def exam_start(request: AuthedRequest, pk: int) -> HttpResponse:
    """The exam's facts and rules, then start (or resume the attempt in progress). A published or closed exam
    the user is a candidate of; any other is a 404."""
    exam = Exam.objects.filter(pk=pk, candidates__user=request.user).exclude(status=ExamStatus.DRAFT).first()
    if exam is None:
        raise Http404
    if request.method == "POST":
        try:
            attempt, _created = attempt_start_or_resume(user=request.user, exam_id=exam.pk)
        except DomainError as exc:  # closed, not open yet, no attempt left (409)
            messages.error(request, exc.message)
            return redirect("exams:start", pk=exam.pk)
        return redirect("exams:take", pk=attempt.pk)
    now = clock_now()
    attempts = list(Attempt.objects.filter(exam=exam, user=request.user).order_by("number"))
    running = next((a for a in attempts if a.status == AttemptStatus.IN_PROGRESS and a.ends_at > now), None)
    refusal = ""
    if running is None:
        if exam.status == ExamStatus.CLOSED or now >= exam.closes_at:
            refusal = _("This exam has closed.")
        elif now < exam.opens_at:
            refusal = _("This exam is not open yet.")
        elif len(attempts) >= exam.attempts_allowed:
            refusal = _("You have no attempts left for this exam.")
    return render(
        request,
        "exams/candidate/start.html",
        {
            "exam": exam,
            "running": running,
            "used": len(attempts),
            "past": [a for a in attempts if a.status == AttemptStatus.SUBMITTED],
            "refusal": refusal,
            "questions": _question_count(exam),
        },
    )


# --- taking ---------------------------------------------------------------------------------------


def _key_text(kind: str, key: Any, options: list[str]) -> str:
    """The key as shown: option letters in display order (true/false: the option's words), or a blank's
    accepted answers."""
    if key is None:
        return ""
    if kind == QuestionKind.BLANK:
        return " / ".join(p.strip() for p in str(key).split("|") if p.strip())
    if kind == QuestionKind.TRUE_FALSE:
        return "、".join(options[i] for i in sorted(key) if 0 <= i < len(options))
    return "".join(_letter(i) for i in sorted(key))


def _rows(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The payload's questions ready for the templates (letters, what is checked, the key when given)."""
    rows = []
    for n, q in enumerate(payload["questions"], start=1):
        saved = q.get("saved")
        picked = saved if isinstance(saved, list) else []
        key = q.get("answer")
        rows.append(
            {
                "n": n,
                "id": q["id"],
                "kind": q["kind"],
                "kind_label": KIND_LABELS.get(q["kind"], q["kind"]),
                "stem": q["stem"],
                "points": Decimal(str(q["points"])),
                "text": saved if isinstance(saved, str) else "",
                "answered": saved not in (None, "", []),
                "options": [
                    {
                        "i": i,
                        "letter": _letter(i),
                        "text": text,
                        "on": i in picked,
                        "key": isinstance(key, list) and i in key,
                    }
                    for i, text in enumerate(q.get("options") or [])
                ],
                "revealed": "answer" in q,
                "key": _key_text(q["kind"], key, list(q.get("options") or [])),
                "explanation": q.get("explanation", ""),
                "correct": q.get("correct"),
                "earned": q.get("earned"),
            }
        )
    return rows


@permission_required(TAKE, raise_exception=True)
@require_GET
def attempt_take(request: AuthedRequest, pk: int) -> HttpResponse:
    attempt = _own_attempt(request, pk)
    if attempt.status != AttemptStatus.IN_PROGRESS:
        return redirect("exams:result", pk=attempt.pk)
    payload = attempt_payload(attempt)
    questions = _rows(payload)
    return render(
        request,
        "exams/candidate/take.html",
        {
            "attempt": attempt,
            "exam": attempt.exam,
            "practice": attempt.exam.kind == ExamKind.PRACTICE,
            "questions": questions,
            "answered": sum(1 for q in questions if q["answered"]),
            "total_points": sum((q["points"] for q in questions), Decimal("0")),
            "remaining": payload["remaining_seconds"],
            "remaining_text": _clock_text(payload["remaining_seconds"]),
            "api": f"/api/v1/attempts/{attempt.pk}",
        },
    )


@permission_required(TAKE, raise_exception=True)
@require_POST
def attempt_submit_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """The candidate submits (the page has saved every answer first); submitting again changes nothing."""
    attempt = _own_attempt(request, pk)
    attempt_submit(attempt=attempt)
    return redirect("exams:result", pk=attempt.pk)


# --- the result -----------------------------------------------------------------------------------


@permission_required(TAKE, raise_exception=True)
@require_GET
def attempt_result(request: AuthedRequest, pk: int) -> HttpResponse:
    attempt = _own_attempt(request, pk)
    if attempt.status == AttemptStatus.IN_PROGRESS:
        return redirect("exams:take", pk=attempt.pk)
    now = clock_now()
    payload = attempt_payload(attempt, now=now)
    rows = _rows(payload)
    exam = attempt.exam
    personal = exam.seed < 0  # the practice of the wrong-answer book: "practise again" starts the next one
    again = (
        not personal
        and exam.status == ExamStatus.PUBLISHED
        and exam.opens_at <= now < exam.closes_at
        and Attempt.objects.filter(exam=exam, user=request.user).count() < exam.attempts_allowed
    )
    taken = (attempt.submitted_at - attempt.started_at).total_seconds() if attempt.submitted_at else 0
    return render(
        request,
        "exams/candidate/result.html",
        {
            "attempt": attempt,
            "exam": exam,
            "rows": rows,
            "revealed": any(r["revealed"] for r in rows),
            "right": sum(1 for r in rows if r["correct"]),
            "again": again,
            "taken": _clock_text(taken),
            "wrong": WrongAnswer.objects.filter(user=request.user, mastered=False).count(),
        },
    )


# --- the wrong-answer book ------------------------------------------------------------------------


@permission_required(TAKE, raise_exception=True)
@require_GET
def wrong_answers(request: AuthedRequest) -> HttpResponse:
    entries: list[dict[str, Any]] = []
    for w in wrong_answer_book(request.user).order_by("mastered", "-last_wrong_at", "-pk")[:300]:
        v = w.question.current_version or w.question
        options = list(v.options or []) if v.kind != QuestionKind.BLANK else []
        key = v.answer
        entries.append(
            {
                "entry": w,
                "kind": v.kind,
                "kind_label": KIND_LABELS.get(v.kind, v.kind),
                "stem": v.stem,
                "options": [
                    {"letter": _letter(i), "text": t, "key": isinstance(key, list) and i in key}
                    for i, t in enumerate(options)
                ],
                "key": _key_text(v.kind, key, options),
                "explanation": v.explanation,
            }
        )
    return render(
        request,
        "exams/candidate/wrong_answers.html",
        {
            "open_entries": [e for e in entries if not e["entry"].mastered],
            "mastered": [e for e in entries if e["entry"].mastered],
        },
    )


@permission_required(TAKE, raise_exception=True)
@require_POST
def wrong_answers_practice(request: AuthedRequest) -> HttpResponse:
    """Practise again: a practice attempt over the book's questions not yet mastered (the one in progress
    when there is one). An empty book is a 404: there is nothing to practise."""
    try:
        attempt, _created = practice_from_wrong_answers(user=request.user)
    except DomainError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from None
        messages.error(request, exc.message)
        return redirect("exams:wrong_answers")
    return redirect("exams:take", pk=attempt.pk)
