"""The paper each candidate gets, reproducible from the attempt's stored seed.

`attempt_seed(exam_seed, user_id, number)` derives the attempt's seed (SHA-256, so neighbouring users do not
get related sequences); `draw(...)` is pure: one `random.Random(seed)` takes, in this order, each rule's
questions (sampled from the rule's pool sorted by id, never a question an earlier rule took), the question
order (when shuffled) and each choice question's option order (when shuffled; true/false keeps 正确/错误).
The same seed and the same pools give the same paper; `paper_for(exam, seed)` reads the pools from the
database. The drawn paper is stored on the attempt (AttemptItem rows), so a bank changing later changes
nothing for an attempt already started.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q

SHUFFLED_OPTION_KINDS = ("single", "multiple")


@dataclass(frozen=True)
class RuleSpec:
    """A rule with its pool: the ids of the questions it may draw (any order; sorted before drawing)."""

    count: int
    points: Decimal
    pool: Sequence[int]


@dataclass(frozen=True)
class Drawn:
    question_id: int
    points: Decimal
    position: int
    option_order: list[int]


def attempt_seed(exam_seed: int, user_id: int, number: int) -> int:
    digest = hashlib.sha256(f"{exam_seed}:{user_id}:{number}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1  # 63 bits: fits a signed BIGINT


def draw(
    *,
    seed: int,
    fixed: Sequence[tuple[int, Decimal]] = (),
    rules: Sequence[RuleSpec] = (),
    option_counts: dict[int, tuple[str, int]],
    shuffle_questions: bool,
    shuffle_options: bool,
) -> list[Drawn]:
    """The paper: fixed questions (id, points) in their order, or each rule's draw; `option_counts` maps a
    question id to (kind, number of options)."""
    rng = random.Random(seed)
    chosen: list[tuple[int, Decimal]] = list(fixed)
    taken = {qid for qid, _ in chosen}
    for rule in rules:
        pool = sorted(set(rule.pool) - taken)
        picked = rng.sample(pool, min(rule.count, len(pool)))
        chosen += [(qid, rule.points) for qid in picked]
        taken |= set(picked)
    if shuffle_questions:
        rng.shuffle(chosen)
    paper = []
    for position, (qid, points) in enumerate(chosen, start=1):
        kind, count = option_counts[qid]
        order = list(range(count))
        if shuffle_options and kind in SHUFFLED_OPTION_KINDS:
            rng.shuffle(order)
        paper.append(Drawn(qid, points, position, order))
    return paper


def bank_q(unit: Any) -> Q:
    """The questions an exam set by `unit` may draw: the unit's subtree's and those of the units above."""
    from xiaobao.core.models.org import PATH_SEGMENT
    from xiaobao.core.scoping import subtree_q

    above = [unit.path[:i] for i in range(PATH_SEGMENT, len(unit.path), PATH_SEGMENT)]
    return subtree_q(unit.path, "org_unit__path") | Q(org_unit__path__in=above)


def rule_pool_q(*, tag_id: int | None, kind: str, difficulty: int | None) -> Q:
    q = Q(active=True)
    if tag_id:
        q &= Q(tags=tag_id)
    if kind:
        q &= Q(kind=kind)
    if difficulty:
        q &= Q(difficulty=difficulty)
    return q


def rule_pool(exam: Any, rule: Any) -> list[int]:
    from xiaobao.exams.models import Question

    q = bank_q(exam.org_unit) & rule_pool_q(tag_id=rule.tag_id, kind=rule.kind, difficulty=rule.difficulty)
    return list(Question.objects.filter(q).values_list("pk", flat=True).distinct())


def paper_for(exam: Any, seed: int) -> list[Drawn]:
    """Draw `exam`'s paper for `seed` from the database (the exam's fixed questions or its rules' pools)."""
    return paper_with_versions(exam, seed)[0]


def paper_with_versions(exam: Any, seed: int) -> tuple[list[Drawn], dict[int, int | None]]:
    """The paper, and each drawn question's current version (None: the question has none yet)."""
    from xiaobao.exams.models import ExamQuestion, Question

    fields = ("kind", "options", "current_version_id", "current_version__kind", "current_version__options")
    fixed: list[tuple[int, Decimal]] = []
    specs: list[RuleSpec] = []
    if exam.selection == "rules":
        specs = [RuleSpec(r.count, r.points, rule_pool(exam, r)) for r in exam.rules.all()]
        ids = {qid for s in specs for qid in s.pool}
        rows = list(Question.objects.filter(pk__in=ids).values_list("pk", *fields))
    else:
        paper_rows = list(
            ExamQuestion.objects.filter(exam=exam)
            .order_by("position", "pk")
            .values_list("question_id", "points", *(f"question__{f}" for f in fields))
        )
        fixed = [(qid, points) for qid, points, *_ in paper_rows]
        rows = [(qid, *rest) for qid, _points, *rest in paper_rows]
    # what the attempt will show is the current version (the question row when it has none yet)
    counts = {
        pk: (vkind or kind, len((vopts if vkind else opts) or []))
        for pk, kind, opts, _vid, vkind, vopts in rows
    }
    versions = {pk: vid for pk, _kind, _opts, vid, _vkind, _vopts in rows}
    paper = draw(
        seed=seed,
        fixed=fixed,
        rules=specs,
        option_counts=counts,
        shuffle_questions=exam.shuffle_questions,
        shuffle_options=exam.shuffle_options,
    )
    return paper, {d.question_id: versions[d.question_id] for d in paper}
