"""Grading, pure: no database, no clock.

Answers are kept in the question's ORIGINAL option indexes (the attempt's `option_order` maps what the
candidate saw to them), a choice answer as a sorted list of distinct indexes, a blank as its text; an empty
answer (no index, only whitespace) is no answer (`None`).

- single choice, true/false: right when the one index is the key's;
- multiple choice: `all_or_nothing` — right (full points) only when the chosen set is the key's set;
  `partial` — the key's set in full earns the points, a proper subset of it earns points × chosen / key
  (rounded down to the cent), any wrong option earns nothing;
- blank: the answer and each alternative of the key (separated by "|") are normalised — Unicode NFKC (full-
  width letters, digits and punctuation become their half-width forms), case folded, every whitespace
  removed — and the answer is right when it equals one of them.
"""

from __future__ import annotations

import unicodedata
from decimal import ROUND_DOWN, Decimal
from typing import Any

CHOICE_KINDS = ("single", "multiple", "true_false")
ONE_INDEX_KINDS = ("single", "true_false")
MAX_BLANK_LENGTH = 500
CENT = Decimal("0.01")


def normalise_text(text: str) -> str:
    """The form blanks are compared in: NFKC (width), case folded, without any whitespace."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(folded.split())


def alternatives(key: Any) -> set[str]:
    """A blank's accepted answers, normalised (empty alternatives ignored)."""
    return {n for part in str(key or "").split("|") if (n := normalise_text(part))}


def normalise_answer(kind: str, answer: Any) -> Any:
    """The stored form of an answer already validated: a sorted list of distinct ints, a stripped text, or
    None for no answer."""
    if answer is None:
        return None
    if kind in CHOICE_KINDS:
        indexes = sorted({int(i) for i in answer})
        return indexes or None
    text = str(answer).strip()
    return text or None


def grade(
    kind: str, key: Any, answer: Any, points: Decimal, scoring: str = "all_or_nothing"
) -> tuple[bool, Decimal]:
    """(right, points earned) for one question; `answer` in original indexes / text, None for none."""
    points = Decimal(points)
    zero = Decimal("0.00")
    if answer is None or answer == [] or (isinstance(answer, str) and not answer.strip()):
        return False, zero
    if kind == "blank":
        right = normalise_text(str(answer)) in alternatives(key)
        return right, (points if right else zero)
    chosen = {int(i) for i in answer} if isinstance(answer, list) else set()
    expected = {int(i) for i in (key or [])}
    if not chosen or not expected:
        return False, zero
    if chosen == expected:
        return True, points
    if kind == "multiple" and scoring == "partial" and chosen < expected:
        earned = (points * len(chosen) / len(expected)).quantize(CENT, rounding=ROUND_DOWN)
        return False, earned
    return False, zero


def validate_answer(kind: str, option_count: int, answer: Any) -> str | None:
    """Why an answer (in display indexes / text) cannot be saved, or None. An empty list or text clears it."""
    from django.utils.translation import gettext as _

    if answer is None:
        return None
    if kind in CHOICE_KINDS:
        if not isinstance(answer, list) or any(isinstance(i, bool) or not isinstance(i, int) for i in answer):
            return _("Give the chosen options as a list of option numbers.")
        if any(i < 0 or i >= option_count for i in answer):
            return _("Option %(i)s does not exist.") % {
                "i": next(i for i in answer if i < 0 or i >= option_count)
            }
        if len(set(answer)) != len(answer):
            return _("An option is chosen twice.")
        if kind in ONE_INDEX_KINDS and len(answer) > 1:
            return _("Choose one option only.")
        return None
    if not isinstance(answer, str):
        return _("Give the answer as text.")
    if len(answer) > MAX_BLANK_LENGTH:
        return _("Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).") % {
            "limit_value": MAX_BLANK_LENGTH,
            "show_value": len(answer),
        }
    return None
