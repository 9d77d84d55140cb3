"""Checklist scoring as pure functions: no database, tested directly (`tests/test_scoring.py`).

- An item's answer is normalised first (`normalise`): yes/no items take yes, no or n/a; score items an
  integer 0…max or n/a; number items a number; text items text; photo items whether the photo was taken.
  Gating items cannot be n/a.
- Points: yes = the item's maximum, no = 0; a score item its score; a photo item its maximum once taken.
  Number and text items are recorded, not scored. N/a takes the item out of its section's maximum.
- An item fails when it is answered no, a score item below half its maximum, a photo item without photo.
- A section scores Σ points × item weight over Σ maximum × item weight; when its gating item fails (the
  section's `gate_item_code`, or any item marked gating) the section scores 0.
- The whole: Σ section score × section weight over Σ section maximum × section weight; the percentage of
  that; stars from rating bands (the most stars whose minimum percentage the score reaches).
- The running score while filling counts answered items only (`complete` says whether every scored item
  has an answer).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

NA = "na"
YES, NO = "yes", "no"
SCORED_KINDS = ("yes_no", "score", "photo")
TEXT_MAX = 2000
NUMBER_LIMIT = Decimal("1e9")
TWO = Decimal("0.01")


class AnswerError(ValueError):
    """The answer does not fit the item (the message is shown to the inspector)."""


@dataclass(frozen=True)
class ItemSpec:
    code: str
    section: str
    kind: str = "yes_no"
    max_score: int = 1
    weight: Decimal = Decimal(1)
    critical: bool = False
    gating: bool = False
    text: str = ""

    @property
    def scored(self) -> bool:
        return self.kind in SCORED_KINDS and self.max_score > 0


@dataclass(frozen=True)
class SectionSpec:
    code: str
    name: str
    weight: Decimal = Decimal(1)
    gate_item_code: str = ""


@dataclass(frozen=True)
class ItemResult:
    code: str
    points: Decimal | None  # None: not scored (number/text, n/a, unanswered)
    passed: bool | None  # None: nothing to pass (number/text, n/a, unanswered)


@dataclass
class SectionResult:
    code: str
    name: str
    weight: Decimal
    score: Decimal = Decimal(0)
    max_score: Decimal = Decimal(0)
    gated: bool = False  # zeroed by its failed gating item
    answered: int = 0
    items: int = 0

    @property
    def percent(self) -> Decimal | None:
        return pct(self.score, self.max_score)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "weight": str(self.weight),
            "score": str(self.score),
            "max_score": str(self.max_score),
            "percent": None if self.percent is None else str(self.percent),
            "gated": self.gated,
            "answered": self.answered,
            "items": self.items,
        }


@dataclass
class Result:
    score: Decimal
    max_score: Decimal
    percent: Decimal | None
    sections: list[SectionResult]
    failed: list[str] = field(default_factory=list)  # codes of failed items, in checklist order
    critical_failed: list[str] = field(default_factory=list)
    complete: bool = False  # every scored item answered (n/a counts as answered)


def q2(value: Decimal) -> Decimal:
    return value.quantize(TWO, rounding=ROUND_HALF_UP)


def pct(score: Decimal, max_score: Decimal) -> Decimal | None:
    return None if max_score <= 0 else q2(score * 100 / max_score)


def _number(raw: Any) -> Decimal:
    if isinstance(raw, bool):
        raise AnswerError(_("Enter a number."))
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise AnswerError(_("Enter a number.")) from None
    if not value.is_finite() or abs(value) >= NUMBER_LIMIT:
        raise AnswerError(_("Enter a number."))
    return value


def normalise(item: ItemSpec, raw: Any) -> Any:
    """The stored form of an answer to `item`, or AnswerError. None clears nothing: it is refused."""
    if raw is None or raw == "":
        raise AnswerError(_("Give an answer."))
    if isinstance(raw, str):
        raw = raw.strip()
    if raw == NA and item.kind in ("yes_no", "score", "photo"):
        if item.gating:
            raise AnswerError(_("A gating item cannot be marked not applicable."))
        return NA
    if item.kind == "yes_no":
        if raw in (True, YES, "true", "1", 1):
            return YES
        if raw in (False, NO, "false", "0", 0):
            return NO
        raise AnswerError(_("Answer yes, no or not applicable."))
    if item.kind == "score":
        value = _number(raw)
        if value != value.to_integral_value() or not 0 <= value <= item.max_score:
            raise AnswerError(_("Give a whole score from 0 to %(n)d.") % {"n": item.max_score})
        return int(value)
    if item.kind == "number":
        return str(_number(raw).normalize())
    if item.kind == "photo":
        if raw in (True, "taken", "true", "1", 1):
            return "taken"
        if raw in (False, "missing", "false", "0", 0):
            return "missing"
        raise AnswerError(_("Say whether the photo was taken."))
    text = str(raw)
    if len(text) > TEXT_MAX:
        raise AnswerError(_("At most %(n)d characters.") % {"n": TEXT_MAX})
    return text


def evaluate(item: ItemSpec, value: Any) -> ItemResult:
    """Points and pass/fail of a normalised answer (None: unanswered)."""
    if value is None or value == NA or not item.scored:
        return ItemResult(item.code, None, None)
    full = Decimal(item.max_score)
    if item.kind == "yes_no":
        ok = value == YES
        return ItemResult(item.code, full if ok else Decimal(0), ok)
    if item.kind == "photo":
        ok = value == "taken"
        return ItemResult(item.code, full if ok else Decimal(0), ok)
    points = Decimal(int(value))
    return ItemResult(item.code, points, points * 2 >= full)


def score(sections: Sequence[SectionSpec], items: Sequence[ItemSpec], answers: Mapping[str, Any]) -> Result:
    """The score of a checklist from the normalised answers by item code (missing: unanswered)."""
    by_section = {s.code: SectionResult(s.code, s.name, s.weight) for s in sections}
    gates = {s.code: s.gate_item_code for s in sections}
    failed: list[str] = []
    critical: list[str] = []
    complete = True
    zeroed: set[str] = set()
    for item in items:
        sec = by_section[item.section]
        value = answers.get(item.code)
        if item.scored:
            sec.items += 1
            if value is None:
                complete = False
            else:
                sec.answered += 1
        res = evaluate(item, value)
        if res.points is not None:
            sec.score += res.points * item.weight
            sec.max_score += Decimal(item.max_score) * item.weight
        if res.passed is False:
            failed.append(item.code)
            if item.critical:
                critical.append(item.code)
            if item.gating or gates.get(item.section) == item.code:
                zeroed.add(item.section)
    total, total_max = Decimal(0), Decimal(0)
    for sec in by_section.values():
        if sec.code in zeroed:
            sec.gated, sec.score = True, Decimal(0)
        sec.score, sec.max_score = q2(sec.score), q2(sec.max_score)
        total += sec.score * sec.weight
        total_max += sec.max_score * sec.weight
    total, total_max = q2(total), q2(total_max)
    return Result(
        total, total_max, pct(total, total_max), list(by_section.values()), failed, critical, complete
    )


def stars(percent: Decimal | None, bands: Iterable[tuple[int, Decimal]]) -> int | None:
    """The most stars whose minimum percentage `percent` reaches; None without a score or a matching band."""
    if percent is None:
        return None
    reached = [s for s, minimum in bands if percent >= minimum]
    return max(reached) if reached else None


def max_score(sections: Sequence[SectionSpec], items: Sequence[ItemSpec]) -> Decimal:
    """A template's maximum when nothing is n/a."""
    weights = {s.code: s.weight for s in sections}
    return q2(
        sum(
            (Decimal(i.max_score) * i.weight * weights[i.section] for i in items if i.scored),
            Decimal(0),
        )
    )
