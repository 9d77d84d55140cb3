"""Results of an exam for its organisers: per candidate, per unit, per layer and per team (branch); item
analysis; the contest ranking of people and of branches.

A candidate's result is their best submitted attempt (highest score, then the quicker, then the earlier).
Units and layers are where the candidate stood when starting it (stored on the attempt), the candidate's
current unit and layer for those who have not sat the exam.

Item analysis (classical test theory) over the submitted attempts: an item's difficulty index p is the
mean share of its points earned (1 = everybody right); its discrimination is p among the top 27 % of the
attempts by total score minus p among the bottom 27 % (each group at least one attempt; items a group never
saw — papers drawn by rules — count only where seen). Flags: too easy (p > 0.9), too hard (p < 0.2), weak
discrimination (< 0.2), negative discrimination (< 0), and needs more answers (fewer than 10 submitted
attempts saw the item). Below those 10 attempts the groups are too small to tell anything: the item's
discrimination, p_top and p_bottom are None and it is flagged as needing more answers only.

Contest ranking: people by best score (descending), then time taken (ascending); equal on both share a
rank. Branches (teams) by the mean of their members' best scores; teams with fewer members than
`min_members` (setting XIAOBAO_CONTEST_MIN_TEAM, default 3) are listed after the ranked ones, marked and
without a rank.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings

from xiaobao.exams.choices import AttemptStatus
from xiaobao.exams.models import Attempt, AttemptItem, Exam, ExamCandidate

TOP_SHARE = 0.27
EASY, HARD, WEAK = 0.9, 0.2, 0.2
FEW = 10


def min_team_members() -> int:
    return int(getattr(settings, "XIAOBAO_CONTEST_MIN_TEAM", 3))


def _seconds(a: Attempt) -> int | None:
    if a.submitted_at is None:
        return None
    return max(0, int((a.submitted_at - a.started_at).total_seconds()))


def _better(a: Attempt, b: Attempt | None) -> bool:
    if b is None:
        return True
    ka = (a.score or Decimal(0), -(_seconds(a) or 0), -a.pk)
    kb = (b.score or Decimal(0), -(_seconds(b) or 0), -b.pk)
    return ka > kb


def best_attempts(exam: Exam) -> dict[int, Attempt]:
    """Each user's best submitted attempt at the exam."""
    best: dict[int, Attempt] = {}
    for a in Attempt.objects.filter(exam=exam, status=AttemptStatus.SUBMITTED).order_by("pk"):
        if _better(a, best.get(a.user_id)):
            best[a.user_id] = a
    return best


# --- results ------------------------------------------------------------------------------------------


@dataclass
class Group:
    key: int | None
    code: str
    name: str
    candidates: int = 0
    started: int = 0
    submitted: int = 0
    passed: int = 0
    scores: list[float] = field(default_factory=list)

    def row(self) -> dict[str, Any]:
        return {
            "id": self.key,
            "code": self.code,
            "name": self.name,
            "candidates": self.candidates,
            "started": self.started,
            "submitted": self.submitted,
            "passed": self.passed,
            "pass_rate": round(self.passed / self.submitted, 4) if self.submitted else None,
            "mean_score": round(sum(self.scores) / len(self.scores), 2) if self.scores else None,
        }


def exam_results(exam: Exam) -> dict[str, Any]:
    """{"summary", "candidates", "units", "layers", "teams"} — see the module docstring."""
    from xiaobao.core.models import OrgUnit
    from xiaobao.training.models import PositionLayer, StaffMember

    candidates = list(
        ExamCandidate.objects.filter(exam=exam)
        .select_related("user")
        .only("user_id", "team_id", "user__username", "user__full_name", "user__org_unit_id")
        .order_by("user__username")
    )
    best = best_attempts(exam)
    counts: dict[int, int] = defaultdict(int)
    in_progress: set[int] = set()
    for user_id, status in Attempt.objects.filter(exam=exam).values_list("user_id", "status"):
        counts[user_id] += 1
        if status == AttemptStatus.IN_PROGRESS:
            in_progress.add(user_id)
    started_users = set(counts)
    layers_now = dict(
        StaffMember.objects.filter(user_id__in=[c.user_id for c in candidates]).values_list(
            "user_id", "layer_id"
        )
    )
    units = {u.pk: u for u in OrgUnit.objects.only("pk", "code", "name")}
    layers = {layer.pk: layer for layer in PositionLayer.objects.all()}
    groups: dict[str, dict[int | None, Group]] = {"units": {}, "layers": {}, "teams": {}}

    def group(kind: str, key: int | None) -> Group:
        if key not in groups[kind]:
            if kind == "layers":
                layer = layers.get(key or 0)
                groups[kind][key] = Group(key, layer.code if layer else "", layer.name if layer else "")
            else:
                unit = units.get(key or 0)
                groups[kind][key] = Group(key, unit.code if unit else "", unit.name if unit else "")
        return groups[kind][key]

    rows: list[dict[str, Any]] = []
    for c in candidates:
        a = best.get(c.user_id)
        unit_id = a.org_unit_id if a else c.user.org_unit_id
        layer_id = a.layer_id if a else layers_now.get(c.user_id)
        team_id = (a.team_id if a else None) or c.team_id
        status = "submitted" if a else "in_progress" if c.user_id in in_progress else "not_started"
        rows.append(
            {
                "user": {"id": c.user_id, "username": c.user.username, "name": c.user.full_name},
                "unit": _unit_out(units.get(unit_id or 0)),
                "layer": _layer_out(layers.get(layer_id or 0)),
                "team": _unit_out(units.get(team_id or 0)),
                "status": status,
                "attempts": counts.get(c.user_id, 0),
                "attempt_id": a.pk if a else None,
                "score": float(a.score) if a and a.score is not None else None,
                "points": float(a.points) if a and a.points is not None else None,
                "max_points": float(a.max_points) if a else None,
                "passed": a.passed if a else None,
                "submitted_at": a.submitted_at if a else None,
                "seconds": _seconds(a) if a else None,
                "auto_submitted": a.auto_submitted if a else None,
            }
        )
        for kind, key in (("units", unit_id), ("layers", layer_id), ("teams", team_id)):
            g = group(kind, key)
            g.candidates += 1
            g.started += c.user_id in started_users
            if a:
                g.submitted += 1
                g.passed += bool(a.passed)
                g.scores.append(float(a.score or 0))
    whole = Group(None, "", "")
    for c in candidates:
        a = best.get(c.user_id)
        whole.candidates += 1
        whole.started += c.user_id in started_users
        if a:
            whole.submitted += 1
            whole.passed += bool(a.passed)
            whole.scores.append(float(a.score or 0))
    return {
        "summary": {k: v for k, v in whole.row().items() if k not in ("id", "code", "name")},
        "candidates": rows,
        "units": sorted((g.row() for g in groups["units"].values()), key=lambda r: r["code"]),
        "layers": [
            g.row()
            for g in sorted(
                groups["layers"].values(),
                key=lambda g: (layers[g.key].sort_order if g.key in layers else 999, g.code),
            )
        ],
        "teams": sorted((g.row() for g in groups["teams"].values()), key=lambda r: r["code"]),
    }


def _unit_out(unit: Any) -> dict[str, Any] | None:
    return {"id": unit.pk, "code": unit.code, "name": unit.name} if unit else None


def _layer_out(layer: Any) -> dict[str, Any] | None:
    return {"id": layer.pk, "code": layer.code, "name": layer.name} if layer else None


# --- item analysis ------------------------------------------------------------------------------------


def _share(earned: Decimal | None, points: Decimal) -> float:
    return float((earned or 0) / points) if points else 0.0


def item_flags(attempts: int, p: float | None, discrimination: float | None) -> list[str]:
    """What item analysis says of a question: few_answers, too_easy, too_hard, negative_discrimination or
    weak_discrimination. Below FEW attempts only few_answers: too few to judge the item."""
    if attempts < FEW:
        return ["few_answers"]
    flags = []
    if p is not None and p > EASY:
        flags.append("too_easy")
    if p is not None and p < HARD:
        flags.append("too_hard")
    if discrimination is not None and discrimination < 0:
        flags.append("negative_discrimination")
    elif discrimination is not None and discrimination < WEAK:
        flags.append("weak_discrimination")
    return flags


def item_analysis(exam: Exam) -> dict[str, Any]:
    """{"attempts", "group_size", "items": [...]} over the exam's submitted attempts, items in the order of
    the paper (fixed) or by question id (drawn)."""
    attempts = list(
        Attempt.objects.filter(exam=exam, status=AttemptStatus.SUBMITTED)
        .order_by("points", "pk")
        .values_list("pk", "points")
    )
    n = len(attempts)
    size = max(1, math.ceil(n * TOP_SHARE)) if n else 0
    bottom = {pk for pk, _ in attempts[:size]}
    top = {pk for pk, _ in attempts[n - size :]} if n else set()
    rows = AttemptItem.objects.filter(
        attempt__exam=exam, attempt__status=AttemptStatus.SUBMITTED
    ).values_list("attempt_id", "question_id", "points", "earned", "answer", "version_id")
    per: dict[int, dict[str, Any]] = {}
    for attempt_id, qid, points, earned, answer, version_id in rows.iterator(chunk_size=5000):
        s = per.setdefault(
            qid,
            {"n": 0, "sum": 0.0, "answered": 0, "top": [], "bottom": [], "chosen": defaultdict(int), "v": 0},
        )
        s["v"] = max(s["v"], version_id)
        share = _share(earned, points)
        s["n"] += 1
        s["sum"] += share
        if answer is not None:
            s["answered"] += 1
            if isinstance(answer, list):
                for i in answer:
                    s["chosen"][int(i)] += 1
        if attempt_id in top:
            s["top"].append(share)
        if attempt_id in bottom:
            s["bottom"].append(share)
    from xiaobao.exams.models import ExamQuestion, Question, QuestionVersion

    order = {
        qid: pos
        for pos, qid in enumerate(
            ExamQuestion.objects.filter(exam=exam).values_list("question_id", flat=True)
        )
    }
    # the newest version the attempts showed: its options and key (answers are in its option indexes)
    versions = {
        v.question_id: v for v in QuestionVersion.objects.filter(pk__in=[s["v"] for s in per.values()])
    }
    flagged = dict(Question.objects.filter(pk__in=per).values_list("pk", "needs_review"))
    items = []
    for qid in sorted(per, key=lambda q: (order.get(q, 10**9), q)):
        s = per[qid]
        q = versions[qid]
        p = s["sum"] / s["n"] if s["n"] else None
        # too few attempts (of the exam, or that saw this item): no groups worth comparing
        enough = s["n"] >= FEW
        p_top = sum(s["top"]) / len(s["top"]) if s["top"] and enough else None
        p_bottom = sum(s["bottom"]) / len(s["bottom"]) if s["bottom"] and enough else None
        disc = p_top - p_bottom if p_top is not None and p_bottom is not None else None
        flags = item_flags(s["n"], p, disc)
        key = q.answer if isinstance(q.answer, list) else []
        items.append(
            {
                "question": {
                    "id": qid,
                    "kind": q.kind,
                    "stem": q.stem,
                    "difficulty": q.difficulty,
                    "version": q.number,
                    "needs_review": flagged.get(qid, False),
                },
                "attempts": s["n"],
                "answered": s["answered"],
                "difficulty_index": round(p, 4) if p is not None else None,
                "discrimination": round(disc, 4) if disc is not None else None,
                "p_top": round(p_top, 4) if p_top is not None else None,
                "p_bottom": round(p_bottom, 4) if p_bottom is not None else None,
                "options": [
                    {"text": text, "key": i in key, "chosen": s["chosen"].get(i, 0)}
                    for i, text in enumerate(q.options or [])
                ]
                if q.kind != "blank"
                else [],
                "flags": flags,
            }
        )
    return {"attempts": n, "group_size": size, "items": items}


# --- contest ranking -----------------------------------------------------------------------------------


def ranking(exam: Exam, *, min_members: int | None = None) -> dict[str, Any]:
    """{"people": [...], "teams": [...], "min_members"} — see the module docstring."""
    from xiaobao.core.models import OrgUnit, User

    min_members = min_team_members() if min_members is None else min_members
    best = list(best_attempts(exam).values())
    users = {
        u.pk: u for u in User.objects.filter(pk__in=[a.user_id for a in best]).only("username", "full_name")
    }
    teams_of = dict(ExamCandidate.objects.filter(exam=exam).values_list("user_id", "team_id"))
    units = {u.pk: u for u in OrgUnit.objects.only("pk", "code", "name")}
    best.sort(key=lambda a: (-(a.score or 0), _seconds(a) or 0, a.pk))
    people: list[dict[str, Any]] = []
    previous: tuple[Any, Any] | None = None
    rank = 0
    for i, a in enumerate(best, start=1):
        here = (a.score, _seconds(a))
        if here != previous:
            rank = i
            previous = here
        user = users.get(a.user_id)
        team_id = a.team_id or teams_of.get(a.user_id)
        people.append(
            {
                "rank": rank,
                "user": {
                    "id": a.user_id,
                    "username": user.username if user else "",
                    "name": user.full_name if user else "",
                },
                "team": _unit_out(units.get(team_id or 0)),
                "score": float(a.score or 0),
                "seconds": _seconds(a),
                "attempt_id": a.pk,
            }
        )
    by_team: dict[int | None, list[float]] = defaultdict(list)
    for row in people:
        by_team[row["team"]["id"] if row["team"] else None].append(row["score"])
    invited: dict[int | None, int] = defaultdict(int)
    for team_id in teams_of.values():
        invited[team_id] += 1
    teams: list[dict[str, Any]] = []
    for team_id, scores in by_team.items():
        unit = units.get(team_id or 0)
        teams.append(
            {
                "team": _unit_out(unit),
                "members": len(scores),
                "candidates": invited.get(team_id, len(scores)),
                "mean_score": round(sum(scores) / len(scores), 2),
                "below_minimum": len(scores) < min_members,
            }
        )
    teams.sort(key=lambda t: (t["below_minimum"], -t["mean_score"], t["team"]["code"] if t["team"] else ""))
    rank = 0
    previous_mean = None
    for i, t in enumerate(teams, start=1):
        if t["below_minimum"]:
            t["rank"] = None
            continue
        if t["mean_score"] != previous_mean:
            rank = i
            previous_mean = t["mean_score"]
        t["rank"] = rank
    return {"min_members": min_members, "people": people, "teams": teams}
