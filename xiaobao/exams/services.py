"""Exams: setting a paper (fixed questions or rules), its window and rules of sitting, its candidates (by
unit, layer or a list), publishing and closing.

`exam_create(actor=, data=)` and `exam_update(actor=, exam=, data=)` (drafts only; the whole configuration
again) take one dict, the API's body (see `api_exams.ExamIn`):

    title, kind (exam | practice | contest), description, org_unit (code; the actor's unit by default),
    opens_at, closes_at, time_limit_minutes, pass_mark (%), attempts_allowed, shuffle_questions,
    shuffle_options, multiple_choice_scoring (all_or_nothing | partial), seed (optional),
    question_ids + points (parallel, optional: 1 each) — or rules [{tag, kind, difficulty, count, points}],
    candidates [username or employee number], candidate_units [unit codes], candidate_layers [layer codes]

and refuse what is wrong with field errors (`DomainError.fields`, keys such as "question_ids.2",
"rules.0.count"). Candidates are made into `ExamCandidate` rows when the exam is saved: everybody in the
candidate units' subtrees (the organising unit's when only layers are given) whose staff entry is in one of
the layers (any layer when none is given), plus the people listed. Each row keeps the person's team (their
branch) for the contest ranking.

Personal practice from the wrong-answer book (`attempts.practice_from_wrong_answers`) uses an exam of kind
practice with a NEGATIVE seed (−user id); organisers' lists leave those out with `organised(qs)`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaobao.core.errors import Conflict, DomainError
from xiaobao.core.models import OrgUnit, User
from xiaobao.core.scoping import subtree_q, unit_in_scope, user_scope
from xiaobao.core.services.audit import audit_change, audit_record, snapshot
from xiaobao.exams.choices import ExamKind, ExamStatus, MultipleScoring, QuestionKind, Selection
from xiaobao.exams.drawing import bank_q, rule_pool_q
from xiaobao.exams.models import (
    MANAGE_EXAMS,
    Exam,
    ExamCandidate,
    ExamQuestion,
    ExamRule,
    Question,
    Tag,
)

MAX_QUESTIONS = 300
MAX_POINTS = Decimal("1000")


def organised(qs: QuerySet[Exam]) -> QuerySet[Exam]:
    """Exams organisers set (personal wrong-answer practice left out)."""
    return qs.filter(seed__gte=0)


# --- validation ---------------------------------------------------------------------------------------


class _Errors:
    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(str(message))

    def raise_if_any(self) -> None:
        if self.fields:
            first = next(iter(self.fields.values()))[0]
            raise DomainError(first, fields=self.fields)


def _points(value: Any, errors: _Errors, field: str) -> Decimal:
    try:
        points = Decimal(str(value if value is not None else 1))
    except (InvalidOperation, ValueError):
        errors.add(field, _("Enter a number."))
        return Decimal("1")
    if not points.is_finite() or points <= 0 or points > MAX_POINTS:
        errors.add(field, _("Points must be more than 0 and at most %(max)s.") % {"max": MAX_POINTS})
        return Decimal("1")
    if points != points.quantize(Decimal("0.01")):
        errors.add(field, _("Points have at most two decimal places."))
    return points


def _aware(value: Any, errors: _Errors, field: str) -> dt.datetime | None:
    if isinstance(value, str):
        from django.utils.dateparse import parse_datetime

        try:
            value = parse_datetime(value)
        except ValueError:
            value = None
    if not isinstance(value, dt.datetime):
        errors.add(field, _("Enter a valid date/time."))
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _int(value: Any, errors: _Errors, field: str, low: int, high: int, default: int | None = None) -> int:
    if value is None and default is not None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value))
        except (TypeError, ValueError):
            errors.add(field, _("Enter a whole number."))
            return low
    if value < low or value > high:
        errors.add(field, _("Enter a whole number from %(low)s to %(high)s.") % {"low": low, "high": high})
    return value


def _unit(actor: Any, code: Any, errors: _Errors, field: str) -> OrgUnit | None:
    unit = OrgUnit.objects.filter(code=str(code or "")).first()
    if unit is None or not unit_in_scope(actor, unit):
        errors.add(field, _("Unknown unit: %(code)s") % {"code": code})
        return None
    return unit


class _Clean:
    """The configuration of an exam, checked."""

    def __init__(self, *, actor: Any, data: dict[str, Any], exam: Exam | None = None) -> None:
        errors = _Errors()
        self.title = str(data.get("title") or "").strip()
        if not self.title:
            errors.add("title", _("This field is required."))
        elif len(self.title) > 200:
            errors.add("title", _("At most 200 characters."))
        self.description = str(data.get("description") or "")
        self.kind = data.get("kind") or ExamKind.EXAM
        if self.kind not in ExamKind.values:
            errors.add("kind", _("Choose one of: %(values)s") % {"values": ", ".join(ExamKind.values)})
        self.scoring = data.get("multiple_choice_scoring") or MultipleScoring.ALL_OR_NOTHING
        if self.scoring not in MultipleScoring.values:
            errors.add(
                "multiple_choice_scoring",
                _("Choose one of: %(values)s") % {"values": ", ".join(MultipleScoring.values)},
            )
        if data.get("org_unit"):
            self.org_unit = _unit(actor, data["org_unit"], errors, "org_unit")
        else:
            self.org_unit = exam.org_unit if exam is not None else actor.org_unit
            if self.org_unit is None:
                errors.add("org_unit", _("This field is required."))
        self.opens_at = _aware(data.get("opens_at"), errors, "opens_at")
        self.closes_at = _aware(data.get("closes_at"), errors, "closes_at")
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors.add("closes_at", _("The exam must close after it opens."))
        self.time_limit = _int(data.get("time_limit_minutes"), errors, "time_limit_minutes", 1, 600)
        self.pass_mark = _int(data.get("pass_mark"), errors, "pass_mark", 0, 100, default=60)
        self.attempts_allowed = _int(
            data.get("attempts_allowed"), errors, "attempts_allowed", 1, 100, default=1
        )
        self.shuffle_questions = bool(data.get("shuffle_questions", True))
        self.shuffle_options = bool(data.get("shuffle_options", True))
        seed = data.get("seed")
        if seed is None:
            self.seed = exam.seed if exam is not None and exam.seed > 0 else secrets.randbelow(2**62) + 1
        else:
            self.seed = _int(seed, errors, "seed", 0, 2**62)
        errors.raise_if_any()  # the unit is needed below
        self._questions(actor, data, errors)
        self._candidates(actor, data, errors)
        errors.raise_if_any()

    def _questions(self, actor: Any, data: dict[str, Any], errors: _Errors) -> None:
        ids = data.get("question_ids") or []
        rules = data.get("rules") or []
        self.fixed: list[tuple[Question, Decimal]] = []
        self.rules: list[dict[str, Any]] = []
        if ids and rules:
            errors.add("rules", _("Give either question_ids or rules, not both."))
            return
        if not ids and not rules:
            errors.add("question_ids", _("Choose the questions, or give rules to draw them by."))
            return
        self.selection = Selection.RULES if rules else Selection.FIXED
        if ids:
            self._fixed(actor, ids, data.get("points"), errors)
        else:
            self._rules(actor, rules, errors)

    def _fixed(self, actor: Any, ids: list[Any], points: Any, errors: _Errors) -> None:
        if len(ids) > MAX_QUESTIONS:
            errors.add("question_ids", _("At most %(n)d questions.") % {"n": MAX_QUESTIONS})
            return
        if points is not None and (not isinstance(points, list) or len(points) != len(ids)):
            errors.add("points", _("Give one number of points per question, in the same order."))
            points = None
        wanted = []
        for i, qid in enumerate(ids):
            if isinstance(qid, bool) or not isinstance(qid, int):
                errors.add(f"question_ids.{i}", _("Enter a whole number."))
            elif qid in wanted:
                errors.add(f"question_ids.{i}", _("This question is already on the paper."))
            wanted.append(qid)
        found = {
            q.pk: q
            for q in Question.objects.visible_to(actor)
            .filter(bank_q(self.org_unit), pk__in=[q for q in wanted if isinstance(q, int)], active=True)
            .select_related("current_version")
        }
        for i, qid in enumerate(wanted):
            if isinstance(qid, int) and not isinstance(qid, bool) and qid not in found:
                errors.add(f"question_ids.{i}", _("Unknown question: %(id)s") % {"id": qid})
        for i, qid in enumerate(wanted):
            if qid in found and found[qid] not in [q for q, _ in self.fixed]:
                value = points[i] if points is not None else None
                self.fixed.append((found[qid], _points(value, errors, f"points.{i}")))

    def _rules(self, actor: Any, rules: list[Any], errors: _Errors) -> None:
        if len(rules) > 50:
            errors.add("rules", _("At most %(n)d rules.") % {"n": 50})
            return
        visible = Question.objects.visible_to(actor).filter(bank_q(self.org_unit))
        total = 0
        for i, rule in enumerate(rules):
            if not isinstance(rule, dict):
                errors.add(f"rules.{i}", _("Invalid input."))
                continue
            tag = None
            if rule.get("tag") not in (None, ""):
                key = rule["tag"]
                tags = (
                    Tag.objects.filter(pk=key) if isinstance(key, int) else Tag.objects.filter(name=str(key))
                )
                tag = tags.order_by("kind").first()
                if tag is None:
                    errors.add(f"rules.{i}.tag", _("Unknown tag: %(tag)s") % {"tag": key})
                    continue
            kind = rule.get("kind") or ""
            if kind and kind not in QuestionKind.values:
                errors.add(
                    f"rules.{i}.kind",
                    _("Choose one of: %(values)s") % {"values": ", ".join(QuestionKind.values)},
                )
                continue
            difficulty = rule.get("difficulty")
            if difficulty is not None:
                difficulty = _int(difficulty, errors, f"rules.{i}.difficulty", 1, 5)
            count = _int(rule.get("count"), errors, f"rules.{i}.count", 1, MAX_QUESTIONS)
            points = _points(rule.get("points"), errors, f"rules.{i}.points")
            pool = visible.filter(
                rule_pool_q(tag_id=tag.pk if tag else None, kind=kind, difficulty=difficulty)
            )
            available = pool.values("pk").distinct().count()
            if available < count:
                errors.add(
                    f"rules.{i}.count",
                    _("Only %(n)d questions match this rule.") % {"n": available},
                )
            total += count
            self.rules.append(
                {"tag": tag, "kind": kind, "difficulty": difficulty, "count": count, "points": points}
            )
        if total > MAX_QUESTIONS:
            errors.add("rules", _("At most %(n)d questions.") % {"n": MAX_QUESTIONS})

    def _candidates(self, actor: Any, data: dict[str, Any], errors: _Errors) -> None:
        from xiaobao.training.models import PositionLayer, StaffMember

        self.units: list[OrgUnit] = []
        for i, code in enumerate(data.get("candidate_units") or []):
            unit = _unit(actor, code, errors, f"candidate_units.{i}")
            if unit is not None:
                self.units.append(unit)
        self.layers: list[PositionLayer] = []
        for i, code in enumerate(data.get("candidate_layers") or []):
            layer = PositionLayer.objects.filter(code=str(code)).first()
            if layer is None:
                errors.add(f"candidate_layers.{i}", _("Unknown position layer: %(code)s") % {"code": code})
            else:
                self.layers.append(layer)
        visible_users = User.objects.visible_to(actor).filter(is_active=True)
        listed: list[int] = []
        names = data.get("candidates") or []
        if len(names) > 100_000:
            errors.add("candidates", _("Too many candidates."))
            names = []
        by_name = dict(
            visible_users.filter(username__in=[str(n) for n in names]).values_list("username", "pk")
        )
        by_number = dict(
            StaffMember.objects.filter(
                employee_no__in=[str(n) for n in names if str(n) not in by_name],
                user__in=visible_users,
            ).values_list("employee_no", "user_id")
        )
        for i, name in enumerate(names):
            pk = by_name.get(str(name)) or by_number.get(str(name))
            if pk is None:
                errors.add(f"candidates.{i}", _("Unknown user: %(name)s") % {"name": name})
            else:
                listed.append(pk)
        self.listed = listed

    def candidate_ids(self) -> list[int]:
        ids = set(self.listed)
        if self.units or self.layers:
            users = User.objects.filter(is_active=True)
            roots = self.units or ([self.org_unit] if self.org_unit else [])
            q = Q()
            for unit in roots:
                q |= subtree_q(unit.path, "org_unit__path")
            users = users.filter(q)
            if self.layers:
                users = users.filter(staff_member__layer__in=self.layers)
            ids |= set(users.values_list("pk", flat=True))
        return sorted(ids)


# --- teams -------------------------------------------------------------------------------------------


def team_resolver() -> Any:
    """A function unit id → the unit's team for contests: its highest ancestor-or-self that is a branch (the
    root unit when there is none: head-office staff)."""
    from xiaobao.core.models.org import PATH_SEGMENT

    rows = list(OrgUnit.objects.values_list("pk", "path", "kind"))
    by_path = {path: (pk, kind) for pk, path, kind in rows}
    by_id = {pk: path for pk, path, _ in rows}
    cache: dict[int | None, int | None] = {}

    def team(unit_id: int | None) -> int | None:
        if unit_id not in cache:
            path = by_id.get(unit_id or 0)
            if path is None:
                cache[unit_id] = None
            else:
                chain = [by_path[path[:i]] for i in range(PATH_SEGMENT, len(path) + 1, PATH_SEGMENT)]
                branch = next((pk for pk, kind in chain if kind == "branch"), None)
                cache[unit_id] = branch or chain[0][0]
        return cache[unit_id]

    return team


def _write_candidates(exam: Exam, user_ids: list[int]) -> None:
    team = team_resolver()
    units = dict(User.objects.filter(pk__in=user_ids).values_list("pk", "org_unit_id"))
    ExamCandidate.objects.filter(exam=exam).exclude(user_id__in=user_ids).delete()
    have = set(ExamCandidate.objects.filter(exam=exam).values_list("user_id", flat=True))
    ExamCandidate.objects.bulk_create(
        [
            ExamCandidate(exam=exam, user_id=pk, team_id=team(units.get(pk)))
            for pk in user_ids
            if pk not in have
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )


def _write(exam: Exam, clean: _Clean) -> None:
    exam.title = clean.title
    exam.kind = clean.kind
    exam.description = clean.description
    exam.org_unit = clean.org_unit  # type: ignore[assignment]
    exam.selection = clean.selection
    exam.opens_at = clean.opens_at  # type: ignore[assignment]
    exam.closes_at = clean.closes_at  # type: ignore[assignment]
    exam.time_limit_minutes = clean.time_limit
    exam.pass_mark = clean.pass_mark
    exam.attempts_allowed = clean.attempts_allowed
    exam.shuffle_questions = clean.shuffle_questions
    exam.shuffle_options = clean.shuffle_options
    exam.multiple_choice_scoring = clean.scoring
    exam.seed = clean.seed
    exam.save()
    exam.questions.all().delete()
    exam.rules.all().delete()
    ExamQuestion.objects.bulk_create(
        [
            ExamQuestion(exam=exam, question=q, points=points, position=i)
            for i, (q, points) in enumerate(clean.fixed, start=1)
        ]
    )
    ExamRule.objects.bulk_create(
        [
            ExamRule(
                exam=exam,
                tag=r["tag"],
                kind=r["kind"],
                difficulty=r["difficulty"],
                count=r["count"],
                points=r["points"],
                position=i,
            )
            for i, r in enumerate(clean.rules, start=1)
        ]
    )
    exam.candidate_units.set(clean.units)
    exam.candidate_layers.set(clean.layers)
    _write_candidates(exam, clean.candidate_ids())


def _require_manager(actor: Any) -> None:
    if not actor.has_perm(MANAGE_EXAMS) or user_scope(actor) is None:
        raise PermissionDenied


# --- services ------------------------------------------------------------------------------------------


@transaction.atomic
def exam_create(*, actor: Any, data: dict[str, Any]) -> Exam:
    """A draft exam (publish it with `exam_publish`)."""
    _require_manager(actor)
    clean = _Clean(actor=actor, data=data)
    exam = Exam(created_by=actor, status=ExamStatus.DRAFT)
    _write(exam, clean)
    audit_change(actor=actor, obj=exam, before=None)
    return exam


@transaction.atomic
def exam_update(*, actor: Any, exam: Exam, data: dict[str, Any]) -> Exam:
    """Replace a draft's whole configuration; a published or closed exam is not changed (409)."""
    _require_manager(actor)
    exam = Exam.objects.select_for_update().get(pk=exam.pk)
    if exam.status != ExamStatus.DRAFT:
        raise Conflict(_("Only a draft exam can be changed."), code="conflict")
    before = snapshot(exam)
    clean = _Clean(actor=actor, data=data, exam=exam)
    _write(exam, clean)
    audit_change(actor=actor, obj=exam, before=before)
    return exam


@transaction.atomic
def exam_publish(*, actor: Any, exam: Exam) -> Exam:
    """Open a draft to its candidates (from its opening time): it needs questions and candidates."""
    _require_manager(actor)
    exam = Exam.objects.select_for_update().get(pk=exam.pk)
    if exam.status != ExamStatus.DRAFT:
        raise Conflict(_("Only a draft exam can be published."), code="conflict")
    errors = _Errors()
    if exam.selection == Selection.RULES:
        if not exam.rules.exists():
            errors.add("rules", _("Choose the questions, or give rules to draw them by."))
    elif not exam.questions.exists():
        errors.add("question_ids", _("Choose the questions, or give rules to draw them by."))
    if not exam.candidates.exists():
        errors.add(
            "candidates", _("Nobody is a candidate: list people, or choose units or layers with staff.")
        )
    errors.raise_if_any()
    exam.status = ExamStatus.PUBLISHED
    exam.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="publish", obj=exam)
    return exam


def exam_close(*, actor: Any, exam: Exam, now: dt.datetime | None = None) -> Exam:
    """Close a published exam: no more attempts; attempts in progress are submitted with what was saved,
    and the wrong answers of its attempts go into the candidates' wrong-answer books (its key is shown from
    now on). `actor` None: the periodic job closing an exam past its closing time."""
    from xiaobao.exams.attempts import attempt_submit, book_wrong_answers

    if actor is not None:
        _require_manager(actor)
    now = now or timezone.now()
    with transaction.atomic():
        exam = Exam.objects.select_for_update().get(pk=exam.pk)
        if exam.status == ExamStatus.CLOSED:
            return exam
        if exam.status != ExamStatus.PUBLISHED:
            raise Conflict(_("Only a published exam can be closed."), code="conflict")
        exam.status = ExamStatus.CLOSED
        exam.save(update_fields=["status", "updated_at"])
        audit_record(actor=actor, action="close", obj=exam)
    for attempt in exam.attempts.filter(status="in_progress").order_by("pk"):
        attempt_submit(attempt=attempt, auto=True, now=now)
    if exam.kind != ExamKind.PRACTICE:  # practice books them at each submit
        book_wrong_answers(exam.attempts.filter(status="submitted"), at=now)
    return exam
