"""Attempts (答卷): starting or resuming one, saving answers one by one, submitting, the periodic submission
of attempts whose time is up, the wrong-answer book and practice from it.

The server's clock is the only clock. An attempt ends at min(start + time limit, the exam's closing time)
(`ends_at`); an answer after that is refused (409) and the attempt is graded with what was saved — by the
refused save itself, by the next read of the attempt, or by `submit_expired` (`xiaobao sweep`), whichever
comes first.

Saving is the hot path (2,000 candidates at once): `answer_save` makes two queries — one read of the item
with its attempt's end and state, its version's kind, options and key and the number of answered items, then
one conditional UPDATE of the item (`attempt_id IN (the owner's attempt, in progress, ending after now)`
and `earned IS NULL`: not yet graded). Submitting grades the attempt's items in one bulk UPDATE under the
item rows' locks, so a save racing a submission either lands before it (and is graded) or is refused.

Practice: each save answers with the verdict, the key and the explanation, and the first answer to a
question stands (sending it again is fine, another one is refused). The wrong-answer book holds the questions
a learner answered wrongly; a practice exam books them at each submission, an exam or a contest when it
closes (its key is not shown before). A right answer in practice masters the question.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from xiaobao.core.clock import now as clock_now
from xiaobao.core.errors import Conflict, DomainError
from xiaobao.exams.choices import AttemptStatus, ExamKind, ExamStatus
from xiaobao.exams.drawing import attempt_seed, paper_with_versions
from xiaobao.exams.grading import grade, normalise_answer, validate_answer
from xiaobao.exams.models import (
    Attempt,
    AttemptItem,
    Exam,
    ExamCandidate,
    ExamQuestion,
    Question,
    QuestionVersion,
    WrongAnswer,
)

IN_PROGRESS = AttemptStatus.IN_PROGRESS
SUBMITTED = AttemptStatus.SUBMITTED
PRACTICE_SIZE = 20  # questions in one practice from the wrong-answer book
PRACTICE_MINUTES = 60
HUNDRED = Decimal("100")


class NotFound(DomainError):
    """A 404 with a message of its own."""

    status = 404

    def __init__(self, message: str) -> None:
        super().__init__(message, code="not_found")


def remaining_seconds(ends_at: dt.datetime, now: dt.datetime) -> int:
    return max(0, int((ends_at - now).total_seconds()))


def key_revealed(attempt: Attempt, now: dt.datetime) -> bool:
    """Whether the submitted attempt's key may be shown: practice at once, an exam once it has closed."""
    exam = attempt.exam
    if attempt.status != SUBMITTED:
        return False
    return exam.kind == ExamKind.PRACTICE or exam.status == ExamStatus.CLOSED or now >= exam.closes_at


# --- starting ----------------------------------------------------------------------------------------


def _candidate_exam(user: Any, exam_id: int) -> Exam:
    exam = (
        Exam.objects.filter(
            pk=exam_id,
            status__in=[ExamStatus.PUBLISHED, ExamStatus.CLOSED],
            candidates__user=user,
        )
        .select_related("org_unit")
        .first()
    )
    if exam is None:
        raise Exam.DoesNotExist
    return exam


def _ensure_versions(current: dict[int, int | None]) -> dict[int, int]:
    """Each question's current version id; a question without one gets its first, from its content."""
    out = {qid: vid for qid, vid in current.items() if vid is not None}
    for q in Question.objects.filter(pk__in=[qid for qid, vid in current.items() if vid is None]):
        number = (q.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        version = QuestionVersion.objects.create(
            question=q,
            number=number,
            kind=q.kind,
            stem=q.stem,
            options=q.options,
            answer=q.answer,
            explanation=q.explanation,
            difficulty=q.difficulty,
        )
        Question.objects.filter(pk=q.pk, current_version__isnull=True).update(current_version=version)
        out[q.pk] = version.pk
    return out


def attempt_start_or_resume(
    *, user: Any, exam_id: int, now: dt.datetime | None = None
) -> tuple[Attempt, bool]:
    """The candidate's attempt in progress (resumed: created False) or a new one (True). 404 when the
    user is not a candidate of a published exam; 409 before it opens, after it closes, or when no attempt
    is left. An attempt whose time ran out is submitted first."""
    now = now or clock_now()
    exam = _candidate_exam(user, exam_id)
    for expired in Attempt.objects.filter(exam=exam, user=user, status=IN_PROGRESS, ends_at__lte=now):
        attempt_submit(attempt=expired, auto=True, now=now)
    try:
        with transaction.atomic():
            return _start(user, exam.pk, now)
    except IntegrityError:  # the same candidate starting twice at once: the other request made it
        attempt = Attempt.objects.filter(exam_id=exam.pk, user=user, status=IN_PROGRESS).first()
        if attempt is None:
            raise
        return attempt, False


def _start(user: Any, exam_id: int, now: dt.datetime) -> tuple[Attempt, bool]:
    candidate = (
        ExamCandidate.objects.select_for_update().select_related("exam").get(exam_id=exam_id, user=user)
    )
    exam = candidate.exam
    mine = list(Attempt.objects.filter(exam=exam, user=user).order_by("number"))
    current = next((a for a in mine if a.status == IN_PROGRESS and a.ends_at > now), None)
    if current is not None:
        current.exam = exam
        return current, False
    if exam.status == ExamStatus.CLOSED or now >= exam.closes_at:
        raise Conflict(_("This exam has closed."), code="closed")
    if now < exam.opens_at:
        raise Conflict(_("This exam is not open yet."), code="not_open")
    used = len(mine)
    if used >= exam.attempts_allowed:
        raise Conflict(_("You have no attempts left for this exam."), code="no_attempts_left")
    number = used + 1
    seed = attempt_seed(exam.seed, user.pk, number)
    paper, current_versions = paper_with_versions(exam, seed)
    if not paper:
        raise Conflict(_("This exam has no questions to draw."), code="no_questions")
    versions = _ensure_versions(current_versions)
    from xiaobao.training.models import StaffMember

    layer_id = StaffMember.objects.filter(user=user).values_list("layer_id", flat=True).first()
    attempt = Attempt.objects.create(
        exam=exam,
        user=user,
        number=number,
        status=IN_PROGRESS,
        seed=seed,
        started_at=now,
        ends_at=min(now + dt.timedelta(minutes=exam.time_limit_minutes), exam.closes_at),
        max_points=sum((d.points for d in paper), Decimal("0")),
        org_unit_id=user.org_unit_id or exam.org_unit_id,
        layer_id=layer_id,
        team_id=candidate.team_id,
    )
    AttemptItem.objects.bulk_create(
        [
            AttemptItem(
                attempt=attempt,
                question_id=d.question_id,
                version_id=versions[d.question_id],
                position=d.position,
                option_order=d.option_order,
                points=d.points,
            )
            for d in paper
        ]
    )
    return attempt, True


# --- saving ------------------------------------------------------------------------------------------


def _to_original(kind: str, order: list[int], answer: Any) -> Any:
    if answer is None or kind == "blank":
        return normalise_answer(kind, answer)
    return normalise_answer(kind, [order[i] for i in answer])


def to_display(kind: str, order: list[int], answer: Any) -> Any:
    """An answer or key in original indexes as the candidate saw the options (text as it is)."""
    if answer is None or kind == "blank":
        return answer
    place = {original: shown for shown, original in enumerate(order)}
    return sorted(place[i] for i in answer if i in place)


def answer_save(
    *, user: Any, attempt_id: int, question_id: int, answer: Any, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Save one answer (display indexes / text; None, [] or "" clears it) to the user's attempt in progress.
    Returns {"saved", "answered", "remaining_seconds"} (practice: also "correct", "earned", "answer" — the key
    in display indexes — and "explanation"). 404: not the user's attempt or not its question; 422: an
    answer that does not fit the question; 409: the attempt has ended (it is graded now) or, in practice, the
    question was already answered otherwise."""
    now = now or clock_now()
    answered_others = (
        AttemptItem.objects.filter(attempt_id=OuterRef("attempt_id"), answer__isnull=False)
        .exclude(pk=OuterRef("pk"))
        .order_by()
        .values("attempt_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = list(
        AttemptItem.objects.filter(attempt_id=attempt_id, question_id=question_id, attempt__user=user)
        .annotate(others=Coalesce(Subquery(answered_others), 0))
        .values(
            "pk",
            "option_order",
            "points",
            "answer",
            "others",
            "attempt__status",
            "attempt__ends_at",
            "attempt__exam__kind",
            "attempt__exam__multiple_choice_scoring",
            "version__kind",
            "version__options",
            "version__answer",
            "version__explanation",
        )
        .order_by()[:1]
    )
    row = rows[0] if rows else None
    if row is None:
        raise AttemptItem.DoesNotExist
    kind = row["version__kind"]
    order = row["option_order"] or []
    problem = validate_answer(kind, len(order) if kind != "blank" else 0, answer)
    if problem:
        raise DomainError(problem, fields={"answer": [problem]})
    stored = _to_original(kind, order, answer)
    practice = row["attempt__exam__kind"] == ExamKind.PRACTICE
    if row["attempt__status"] != IN_PROGRESS or row["attempt__ends_at"] <= now:
        _ended(attempt_id, now)
    right, earned = grade(
        kind, row["version__answer"], stored, row["points"], row["attempt__exam__multiple_choice_scoring"]
    )
    # `earned` is set by grading only: a save racing the submission waits for its row locks, then finds
    # the row graded and changes nothing (409)
    guard = Q(pk=row["pk"], earned__isnull=True) & Q(
        attempt_id__in=Attempt.objects.filter(pk=attempt_id, user=user, status=IN_PROGRESS, ends_at__gt=now)
    )
    if practice and row["answer"] is not None:
        if row["answer"] != stored:
            raise Conflict(
                _("This question has been answered; practice keeps the first answer."), code="answered"
            )
    else:
        values: dict[str, Any] = {"answer": stored, "answered_at": now}
        if practice:  # the verdict shown at once (points are given when the attempt is graded)
            values["correct"] = right if stored is not None else None
        if not AttemptItem.objects.filter(guard).update(**values):
            _ended(attempt_id, now)
    answered = row["others"] + (1 if stored is not None else 0)
    out: dict[str, Any] = {
        "saved": True,
        "answered": answered,
        "remaining_seconds": remaining_seconds(row["attempt__ends_at"], now),
    }
    if practice:
        out |= {
            "correct": right,
            "earned": float(earned),
            "answer": to_display(kind, order, row["version__answer"]),
            "explanation": row["version__explanation"],
        }
    return out


def _ended(attempt_id: int, now: dt.datetime) -> None:
    """The attempt has ended: grade it with what was saved (if nobody has yet), then refuse (409)."""
    attempt = Attempt.objects.filter(pk=attempt_id).first()
    if attempt is not None and attempt.status == IN_PROGRESS:
        attempt_submit(attempt=attempt, auto=True, now=now)
    raise Conflict(
        _("Time is up: this attempt has ended and was graded with the answers saved."), code="ended"
    )


# --- submitting ----------------------------------------------------------------------------------------


def attempt_submit(*, attempt: Attempt, auto: bool = False, now: dt.datetime | None = None) -> Attempt:
    """Grade and close the attempt; a second call returns the attempt as it was graded the first time."""
    now = now or clock_now()
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update(of=("self",)).select_related("exam").get(pk=attempt.pk)
        if attempt.status == SUBMITTED:
            return attempt
        exam = attempt.exam
        rows = list(
            AttemptItem.objects.select_for_update(of=("self",))
            .filter(attempt=attempt)
            .order_by("pk")
            .values_list("pk", "answer", "points", "version__kind", "version__answer")
        )
        graded = []
        total = Decimal("0")
        for pk, answer, points, kind, key in rows:
            right, earned = grade(kind, key, answer, points, exam.multiple_choice_scoring)
            graded.append(AttemptItem(pk=pk, correct=right, earned=earned))
            total += earned
        AttemptItem.objects.bulk_update(graded, ["correct", "earned"], batch_size=500)
        late = now >= attempt.ends_at
        attempt.status = SUBMITTED
        attempt.submitted_at = min(now, attempt.ends_at)
        attempt.auto_submitted = auto or late
        attempt.points = total
        attempt.score = (
            (total * HUNDRED / attempt.max_points).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            if attempt.max_points
            else Decimal("0.00")
        )
        attempt.passed = attempt.score >= exam.pass_mark
        attempt.save(
            update_fields=[
                "status",
                "submitted_at",
                "auto_submitted",
                "points",
                "score",
                "passed",
                "updated_at",
            ]
        )
        if exam.kind == ExamKind.PRACTICE:
            book_wrong_answers(Attempt.objects.filter(pk=attempt.pk), at=now)
    return attempt


@dataclass
class ExpiredReport:
    submitted: int = 0
    closed: int = 0

    def __str__(self) -> str:
        return f"submitted={self.submitted} closed={self.closed}"


def submit_expired(*, now: dt.datetime | None = None) -> ExpiredReport:
    """The periodic job (`xiaobao sweep`): submit every attempt whose time is up with what was saved, and
    close the exams past their closing time (which books their wrong answers)."""
    from xiaobao.exams.services import exam_close

    now = now or clock_now()
    report = ExpiredReport()
    while True:
        batch = list(
            Attempt.objects.filter(status=IN_PROGRESS, ends_at__lte=now).order_by("ends_at", "pk")[:500]
        )
        if not batch:
            break
        for attempt in batch:
            attempt_submit(attempt=attempt, auto=True, now=now)
            report.submitted += 1
    for exam in Exam.objects.filter(status=ExamStatus.PUBLISHED, closes_at__lte=now, seed__gte=0):
        exam_close(actor=None, exam=exam, now=now)
        report.closed += 1
    return report


# --- the wrong-answer book -----------------------------------------------------------------------------


def book_wrong_answers(attempts: QuerySet[Attempt], *, at: dt.datetime) -> int:
    """Put the questions answered wrongly in these submitted attempts into their users' books (once more
    wrong: counted, not mastered any more); a practice's right answers master the question. Returns the
    number of wrong answers booked."""
    rows = AttemptItem.objects.filter(attempt__in=attempts, correct__isnull=False).values_list(
        "attempt__user_id", "question_id", "correct", "answer", "attempt__exam__kind"
    )
    wrong: dict[tuple[int, int], int] = {}
    mastered: set[tuple[int, int]] = set()
    for user_id, question_id, right, answer, kind in rows.iterator(chunk_size=5000):
        key = (user_id, question_id)
        if not right and answer is not None:
            wrong[key] = wrong.get(key, 0) + 1
        elif right and kind == ExamKind.PRACTICE:
            mastered.add(key)
    keys = set(wrong) | mastered
    if not keys:
        return 0
    users = {u for u, _q in keys}
    questions = {q for _u, q in keys}
    with transaction.atomic():
        existing = {
            (w.user_id, w.question_id): w
            for w in WrongAnswer.objects.select_for_update()
            .filter(user_id__in=users, question_id__in=questions)
            .only("pk", "user_id", "question_id", "times_wrong", "mastered", "last_wrong_at")
        }
        changed, new = [], []
        for key in keys:
            book = existing.get(key)
            if key in wrong:
                if book is None:
                    new.append(
                        WrongAnswer(
                            user_id=key[0], question_id=key[1], times_wrong=wrong[key], last_wrong_at=at
                        )
                    )
                    continue
                book.times_wrong += wrong[key]
                book.last_wrong_at = at
                book.mastered = False
                changed.append(book)
            elif book is not None and not book.mastered:
                book.mastered = True
                changed.append(book)
        WrongAnswer.objects.bulk_update(
            changed, ["times_wrong", "last_wrong_at", "mastered", "updated_at"], batch_size=1000
        )
        WrongAnswer.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    return sum(wrong.values())


def personal_practice_exam(user: Any, question_ids: list[int], now: dt.datetime) -> Exam:
    """The user's own practice exam (kind practice, seed −user id), set to these questions."""
    exam = Exam.objects.filter(seed=-user.pk, kind=ExamKind.PRACTICE).first()
    if exam is None:
        exam = Exam.objects.create(
            title=_("Practice from my wrong answers"),
            kind=ExamKind.PRACTICE,
            status=ExamStatus.PUBLISHED,
            org_unit_id=user.org_unit_id,
            opens_at=now,
            closes_at=now + dt.timedelta(days=366),
            time_limit_minutes=PRACTICE_MINUTES,
            pass_mark=60,
            attempts_allowed=32767,
            shuffle_questions=True,
            shuffle_options=True,
            seed=-user.pk,
            created_by=user,
        )
    else:
        Exam.objects.filter(pk=exam.pk).update(
            opens_at=min(exam.opens_at, now),
            closes_at=now + dt.timedelta(days=366),
            status=ExamStatus.PUBLISHED,
        )
    ExamQuestion.objects.filter(exam=exam).delete()
    ExamQuestion.objects.bulk_create(
        [
            ExamQuestion(exam=exam, question_id=qid, points=Decimal("1"), position=i)
            for i, qid in enumerate(question_ids, 1)
        ]
    )
    ExamCandidate.objects.get_or_create(exam=exam, user=user)
    return exam


def practice_from_wrong_answers(*, user: Any, now: dt.datetime | None = None) -> tuple[Attempt, bool]:
    """A practice attempt of (up to 20 of) the questions in the user's wrong-answer book not yet mastered,
    most recent first; the practice in progress when there is one (created False). 404 when the book is
    empty."""
    now = now or clock_now()
    exam = Exam.objects.filter(seed=-user.pk, kind=ExamKind.PRACTICE).first()
    if exam is not None:
        current = Attempt.objects.filter(exam=exam, user=user, status=IN_PROGRESS, ends_at__gt=now).first()
        if current is not None:
            return current, False
    ids = list(
        WrongAnswer.objects.filter(user=user, mastered=False, question__active=True)
        .order_by("-last_wrong_at", "-pk")
        .values_list("question_id", flat=True)[:PRACTICE_SIZE]
    )
    if not ids:
        raise NotFound(_("Your wrong-answer book has nothing to practise."))
    with transaction.atomic():
        exam = personal_practice_exam(user, ids, now)
    return attempt_start_or_resume(user=user, exam_id=exam.pk, now=now)


def wrong_answer_book(user: Any) -> QuerySet[WrongAnswer]:
    """The user's book, not yet mastered first, with each question's current version."""
    return WrongAnswer.objects.filter(user=user).select_related("question__current_version")


# --- the candidate's payload ---------------------------------------------------------------------------


def attempt_for(user: Any, attempt_id: int, now: dt.datetime | None = None) -> Attempt:
    """The user's own attempt (404 for anybody else's); one whose time is up is submitted first."""
    now = now or clock_now()
    attempt = Attempt.objects.select_related("exam").filter(pk=attempt_id, user=user).first()
    if attempt is None:
        raise Attempt.DoesNotExist
    if attempt.status == IN_PROGRESS and attempt.ends_at <= now:
        attempt = attempt_submit(attempt=attempt, auto=True, now=now)
    return attempt


def attempt_payload(attempt: Attempt, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """What the candidate's page and the API show of an attempt: the questions as shown (options in display
    order, the saved answer in display indexes) and never the key or the explanation — except in practice,
    for the questions already answered, and once submitted when the key may be shown (`key_revealed`):
    then each question also has "answer" (the key, display indexes), "explanation", "correct", "earned"."""
    now = now or clock_now()
    exam = attempt.exam
    revealed = key_revealed(attempt, now)
    practice = exam.kind == ExamKind.PRACTICE
    items = (
        AttemptItem.objects.filter(attempt=attempt)
        .order_by("position")
        .values_list(
            "question_id",
            "option_order",
            "points",
            "answer",
            "answered_at",
            "correct",
            "earned",
            "version__kind",
            "version__stem",
            "version__options",
            "version__answer",
            "version__explanation",
        )
    )
    questions = []
    answered = 0
    for qid, order, points, saved, saved_at, correct, earned, kind, stem, options, key, explanation in items:
        order = order or []
        item: dict[str, Any] = {
            "id": qid,
            "kind": kind,
            "stem": stem,
            "options": [options[i] for i in order] if kind != "blank" else [],
            "points": float(points),
            "saved": to_display(kind, order, saved),
            "saved_at": saved_at,
        }
        answered += saved is not None
        if revealed or (practice and saved is not None):
            if earned is None:  # practice in progress: the verdict given when it was saved
                correct, earned = grade(kind, key, saved, points, exam.multiple_choice_scoring)
            item |= {
                "answer": to_display(kind, order, key),
                "explanation": explanation,
                "correct": correct,
                "earned": float(earned or 0),
            }
        questions.append(item)
    out: dict[str, Any] = {
        "id": attempt.pk,
        "exam": {"id": exam.pk, "title": exam.title, "kind": exam.kind},
        "number": attempt.number,
        "status": attempt.status,
        "started_at": attempt.started_at,
        "ends_at": attempt.ends_at,
        "remaining_seconds": remaining_seconds(attempt.ends_at, now) if attempt.status == IN_PROGRESS else 0,
        "answered": answered,
        "questions": questions,
    }
    if attempt.status == SUBMITTED:
        out |= submit_payload(attempt)
    return out


def submit_payload(attempt: Attempt) -> dict[str, Any]:
    return {
        "score": float(attempt.score or 0),
        "passed": bool(attempt.passed),
        "points": float(attempt.points or 0),
        "max_points": float(attempt.max_points),
        "submitted_at": attempt.submitted_at,
        "auto_submitted": attempt.auto_submitted,
    }


# --- the candidate's exams ----------------------------------------------------------------------------


def my_exams(user: Any, *, now: dt.datetime | None = None) -> dict[str, list[dict[str, Any]]]:
    """The user's exams (personal practice left out): "open" now (with the attempt in progress, if any),
    "upcoming" and "past" (closed, or nothing left to do), each with the attempts used and the best score."""
    now = now or clock_now()
    exams = list(
        Exam.objects.filter(
            candidates__user=user, status__in=[ExamStatus.PUBLISHED, ExamStatus.CLOSED], seed__gte=0
        ).order_by("closes_at", "pk")
    )
    attempts: dict[int, list[Attempt]] = {}
    for a in Attempt.objects.filter(user=user, exam__in=exams).order_by("number"):
        attempts.setdefault(a.exam_id, []).append(a)
    out: dict[str, list[dict[str, Any]]] = {"open": [], "upcoming": [], "past": []}
    for exam in exams:
        mine = attempts.get(exam.pk, [])
        current = next((a for a in mine if a.status == IN_PROGRESS and a.ends_at > now), None)
        done = [a for a in mine if a.status == SUBMITTED]
        best = max(done, key=lambda a: (a.score or 0, -a.pk), default=None)
        closed = exam.status == ExamStatus.CLOSED or now >= exam.closes_at
        left = exam.attempts_allowed - len(mine)
        row = {
            "id": exam.pk,
            "title": exam.title,
            "kind": exam.kind,
            "description": exam.description,
            "opens_at": exam.opens_at,
            "closes_at": exam.closes_at,
            "time_limit_minutes": exam.time_limit_minutes,
            "pass_mark": exam.pass_mark,
            "attempts_allowed": exam.attempts_allowed,
            "attempts_used": len(mine),
            "attempt": (
                {
                    "id": current.pk,
                    "ends_at": current.ends_at,
                    "remaining_seconds": remaining_seconds(current.ends_at, now),
                }
                if current
                else None
            ),
            "best": (
                {"attempt_id": best.pk, "score": float(best.score or 0), "passed": bool(best.passed)}
                if best
                else None
            ),
            "can_start": not closed and now >= exam.opens_at and (current is not None or left > 0),
        }
        if now < exam.opens_at and not closed:
            out["upcoming"].append(row)
        elif closed or (current is None and left <= 0):
            out["past"].append(row)
        else:
            out["open"].append(row)
    out["past"].sort(key=lambda r: r["closes_at"], reverse=True)
    return out
