"""Forms of the organisers' exam pages: the exam (settings, candidates) with its paper — fixed questions
picked from the bank with each one's points, or rules (tag / kind / difficulty / count / points) that draw
per candidate — and the bank filter of the picker. The engine's services (`exams.services`) validate again;
this form shapes the input into the body `POST /api/v1/exams` takes and puts the engine's field errors
("question_ids.2", "rules.0.count", "candidates.5" …) next to the row or field they are about.

The paper is not a Django formset: the picker re-renders the page (search the bank, add, remove, move, add
a rule row) without saving and without showing errors, and only a save validates it. Its rows come from the
posted lists (`question` + `points_<id>`; `rule_tag` / `rule_kind` / `rule_difficulty` / `rule_count` /
`rule_points`, one entry per row)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from xiaobao.core.errors import DomainError
from xiaobao.core.forms import UnitChoiceField
from xiaobao.core.models import OrgUnit
from xiaobao.core.validators import visible_text
from xiaobao.exams.choices import ExamKind, ExamStatus, MultipleScoring, QuestionKind, Selection
from xiaobao.exams.drawing import bank_q, rule_pool_q
from xiaobao.exams.models import Exam, Question, Tag
from xiaobao.training.models import PositionLayer

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MAX_POINTS = Decimal("1000")
MAX_QUESTIONS = 300  # on a paper (the engine's limit)
MAX_RULES = 50
MAX_LIST = 5000  # names in the candidates' list
BANK_PAGE = 50  # bank rows the picker shows at once
DIFFICULTIES = [(str(n), str(n)) for n in range(1, 6)]


class UnitsField(forms.ModelMultipleChoiceField):
    """Units as checkboxes, indented by depth (the unit picker of the candidates)."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{'　' * (obj.depth - 1)}{obj.name}"


def units_for(user: Any) -> QuerySet[OrgUnit]:
    return (
        OrgUnit.objects.visible_to(user).active().only("id", "name", "code", "depth", "path").order_by("path")
    )


def split_names(text: str) -> list[str]:
    """Usernames or employee numbers separated by lines, commas (also ，、；;) or spaces; each once."""
    seen: dict[str, None] = {}
    for part in re.split(r"[\s,，、;；]+", text or ""):
        if part:
            seen.setdefault(part, None)
    return list(seen)


def to_points(raw: str) -> Decimal | None:
    """Points as typed → a Decimal above 0, at most 1000, at most two decimals; None when not that."""
    try:
        value = Decimal((raw or "").strip())
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or value <= 0 or value > MAX_POINTS or value != value.quantize(Decimal("0.01")):
        return None
    return value


def to_int(raw: Any) -> int | None:
    raw = str(raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


def plain(value: Decimal) -> str:
    """2.00 → "2", 1.50 → "1.5"."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


POINTS_ERROR = gettext_lazy("Points must be a number above 0 and at most 1000, with at most two decimals.")


@dataclass
class Picked:
    """A question on a fixed paper, with the points as typed."""

    question: Question
    points: str
    error: str = ""

    @property
    def value(self) -> Decimal | None:
        return to_points(self.points)


@dataclass
class RuleRow:
    """One rule as typed; `available` = the active questions of the bank it may draw from."""

    tag: str = ""
    kind: str = ""
    difficulty: str = ""
    count: str = ""
    points: str = "1"
    available: int | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def blank(self) -> bool:
        return not (self.tag or self.kind or self.difficulty or self.count)

    @property
    def short(self) -> bool:
        n = to_int(self.count)
        return n is not None and self.available is not None and n > self.available


class ExamForm(forms.Form):
    """An exam's settings and candidates; `picked` / `rules` hold its paper (see the module's doc)."""

    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    org_unit = UnitChoiceField(
        label=gettext_lazy("Organising unit"),
        queryset=OrgUnit.objects.none(),
        to_field_name="code",
        help_text=gettext_lazy(
            "The paper uses its question bank: its own questions and those of the units above it."
        ),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of exam"), choices=ExamKind.choices, initial=ExamKind.EXAM
    )
    description = forms.CharField(
        label=gettext_lazy("Instructions for the candidates"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    opens_at = forms.DateTimeField(label=gettext_lazy("Opens at"), widget=DATETIME)
    closes_at = forms.DateTimeField(label=gettext_lazy("Closes at"), widget=DATETIME)
    time_limit_minutes = forms.IntegerField(
        label=gettext_lazy("Time limit (minutes)"), min_value=1, max_value=600
    )
    pass_mark = forms.IntegerField(
        label=gettext_lazy("Pass mark (%)"), min_value=0, max_value=100, initial=60
    )
    attempts_allowed = forms.IntegerField(
        label=gettext_lazy("Attempts allowed"), min_value=1, max_value=100, initial=1
    )
    multiple_choice_scoring = forms.ChoiceField(
        label=gettext_lazy("Multiple-choice scoring"),
        choices=MultipleScoring.choices,
        initial=MultipleScoring.ALL_OR_NOTHING,
    )
    shuffle_questions = forms.BooleanField(
        label=gettext_lazy("Shuffle the questions"), required=False, initial=True
    )
    shuffle_options = forms.BooleanField(
        label=gettext_lazy("Shuffle the options"), required=False, initial=True
    )
    selection = forms.ChoiceField(
        label=gettext_lazy("How the questions are chosen"),
        choices=Selection.choices,
        initial=Selection.FIXED,
        widget=forms.RadioSelect,
    )
    candidate_units = UnitsField(
        label=gettext_lazy("Units"),
        queryset=OrgUnit.objects.none(),
        required=False,
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Everybody in a ticked unit and in the units below it."),
    )
    candidate_layers = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Position layers"),
        queryset=PositionLayer.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        to_field_name="code",
        help_text=gettext_lazy(
            "With units: only these layers of those units (by the staff register). Alone: these layers in "
            "the organising unit."
        ),
    )
    candidate_list = forms.CharField(
        label=gettext_lazy("Named candidates"),
        required=False,
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "zhangsan, lisi, 100234"}),
        help_text=gettext_lazy("Usernames or employee numbers, separated by commas, spaces or lines."),
    )

    def __init__(self, *args: Any, user: Any, exam: Exam | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.exam = exam
        units = units_for(user)
        for name in ("org_unit", "candidate_units"):
            choice = self.fields[name]
            assert isinstance(choice, forms.ModelChoiceField)
            choice.queryset = units
        layers = self.fields["candidate_layers"]
        assert isinstance(layers, forms.ModelMultipleChoiceField)
        layers.queryset = PositionLayer.objects.filter(active=True)
        self.names: list[str] = []
        self.paper_errors: list[str] = []
        self.bank_unit = self._bank_unit()
        self.picked: list[Picked] = []
        self.rules: list[RuleRow] = []
        if self.is_bound:
            self.picked = picked_from(user, self.bank_unit, self.data)
            self.rules = rules_from(self.data)

    def _bank_unit(self) -> OrgUnit | None:
        """The organising unit as typed (its bank feeds the picker), else the exam's or the user's unit."""
        code = self.data.get("org_unit") if self.is_bound else self.initial.get("org_unit")
        if code:
            unit = units_for(self.user).filter(code=str(code)[:32]).first()
            if unit is not None:
                return unit
        if self.exam is not None:
            return self.exam.org_unit
        return getattr(self.user, "org_unit", None)

    # --- cleaning ---------------------------------------------------------------------------------------

    def clean_title(self) -> str:
        title = visible_text(self.cleaned_data["title"])
        if not title:
            raise forms.ValidationError(_("Give the exam a title."))
        return str(title)

    def clean_candidate_list(self) -> str:
        text = self.cleaned_data.get("candidate_list") or ""
        self.names = split_names(text)
        if len(self.names) > MAX_LIST:
            raise forms.ValidationError(
                ngettext("At most %(n)d name in the list.", "At most %(n)d names in the list.", MAX_LIST)
                % {"n": MAX_LIST}
            )
        if any(len(n) > 150 for n in self.names):
            raise forms.ValidationError(_("A username has at most 150 characters."))
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("The exam must close after it opens."))
        if data.get("selection") == Selection.RULES:
            self._clean_rules()
        elif data.get("selection") == Selection.FIXED:
            self._clean_fixed()
        return data

    def _clean_fixed(self) -> None:
        if not self.picked:
            self.paper_errors.append(_("Pick at least one question from the bank."))
        if len(self.picked) > MAX_QUESTIONS:
            self.paper_errors.append(_("A paper has at most %(n)d questions.") % {"n": MAX_QUESTIONS})
        for row in self.picked:
            if row.value is None:
                row.error = str(POINTS_ERROR)
        self._paper_summary()

    def _clean_rules(self) -> None:
        rows = [r for r in self.rules if not r.blank]
        if not rows:
            self.paper_errors.append(_("Add at least one rule."))
        if len(rows) > MAX_RULES:
            self.paper_errors.append(_("At most %(n)d rules.") % {"n": MAX_RULES})
        tags = set(
            Tag.objects.filter(pk__in=[to_int(r.tag) for r in rows if r.tag]).values_list("pk", flat=True)
        )
        total = 0
        for row in rows:
            n = to_int(row.count)
            if n is None or not 1 <= n <= MAX_QUESTIONS:
                row.errors["count"] = _("Draw between 1 and %(n)d questions.") % {"n": MAX_QUESTIONS}
            elif row.available is not None and n > row.available:
                row.errors["count"] = ngettext(
                    "Only %(n)d question in the bank matches.",
                    "Only %(n)d questions in the bank match.",
                    row.available,
                ) % {"n": row.available}
            total += n or 0
            if to_points(row.points) is None:
                row.errors["points"] = str(POINTS_ERROR)
            if row.tag and to_int(row.tag) not in tags:
                row.errors["tag"] = _("Choose a tag from the list.")
            if row.kind and row.kind not in QuestionKind.values:
                row.errors["kind"] = _("Choose a kind from the list.")
            if row.difficulty and row.difficulty not in {v for v, _l in DIFFICULTIES}:
                row.errors["difficulty"] = _("Choose a difficulty from 1 to 5.")
        if total > MAX_QUESTIONS:
            self.paper_errors.append(_("A paper has at most %(n)d questions.") % {"n": MAX_QUESTIONS})
        self._paper_summary()

    def _paper_summary(self) -> None:
        rows_wrong = any(p.error for p in self.picked) or any(r.errors for r in self.rules)
        if (self.paper_errors or rows_wrong) and not any(
            e.code == "paper" for e in self.errors.as_data().get("__all__", [])
        ):
            self.add_error(None, forms.ValidationError(_("Check the questions of the paper."), code="paper"))

    # --- the engine's payload and its refusals --------------------------------------------------------------

    def payload(self) -> dict[str, Any]:
        """The cleaned form in the shape `POST /api/v1/exams` takes (kept a draft)."""
        d = self.cleaned_data
        out: dict[str, Any] = {
            "title": d["title"],
            "org_unit": d["org_unit"].code,
            "kind": d["kind"],
            "description": d.get("description") or "",
            "opens_at": d["opens_at"],
            "closes_at": d["closes_at"],
            "time_limit_minutes": d["time_limit_minutes"],
            "pass_mark": d["pass_mark"],
            "attempts_allowed": d["attempts_allowed"],
            "multiple_choice_scoring": d["multiple_choice_scoring"],
            "shuffle_questions": bool(d.get("shuffle_questions")),
            "shuffle_options": bool(d.get("shuffle_options")),
            "candidates": list(self.names),
            "candidate_units": [u.code for u in d.get("candidate_units") or []],
            "candidate_layers": [layer.code for layer in d.get("candidate_layers") or []],
            "draft": True,
        }
        if d["selection"] == Selection.RULES:
            out["rules"] = [
                {
                    "tag": to_int(r.tag) if r.tag else None,
                    "kind": r.kind,
                    "difficulty": to_int(r.difficulty) if r.difficulty else None,
                    "count": to_int(r.count),
                    "points": str(to_points(r.points)),
                }
                for r in self.rules
                if not r.blank
            ]
        else:
            out["question_ids"] = [row.question.pk for row in self.picked]
            out["points"] = [str(row.value) for row in self.picked]
        return out

    def engine_errors(self, exc: DomainError) -> None:
        """Put the engine's refusal where it belongs: a row of the paper, a field, or the form."""
        if not exc.fields:
            self.add_error(None, exc.message)
            return
        rules = [r for r in self.rules if not r.blank]
        listed: list[str] = []
        for key, messages in exc.fields.items():
            head, _dot, rest = key.partition(".")
            index, _dot, sub = rest.partition(".")
            i = to_int(index)
            text = " ".join(str(m) for m in messages)
            if head in ("question_ids", "points") and i is not None and i < len(self.picked):
                self.picked[i].error = text
            elif head == "rules" and i is not None and i < len(rules):
                rules[i].errors[
                    sub if sub in ("tag", "kind", "difficulty", "count", "points") else "count"
                ] = text
            elif head in ("question_ids", "points", "rules"):
                self.paper_errors.append(text)
            elif head == "candidates":
                listed.append(text)
            elif head in self.fields:
                self.add_error(head, text)
            else:
                self.add_error(None, text)
        if listed:
            self.add_error("candidate_list", listed)
        self._paper_summary()


# --- the paper's rows from the posted data ---------------------------------------------------------------


def bank_for(user: Any, unit: OrgUnit | None) -> QuerySet[Question]:
    """The questions a paper of `unit` may use: active, in the unit's bank (its subtree's and those of the
    units above) and visible to the organiser — what the engine accepts."""
    qs = Question.objects.visible_to(user).filter(active=True)
    return qs.filter(bank_q(unit)) if unit is not None else qs.none()


def picked_from(user: Any, unit: OrgUnit | None, data: Any) -> list[Picked]:
    """The fixed paper as posted: `question` ids in order, each with `points_<id>`; ids the paper may not use
    (not in the bank, inactive, not a number) are dropped. One query (and the tags')."""
    ids: list[int] = []
    for raw in data.getlist("question") if hasattr(data, "getlist") else []:
        pk = to_int(raw)
        if pk is not None and pk not in ids:
            ids.append(pk)
    ids = ids[: MAX_QUESTIONS + 1]
    found = {q.pk: q for q in bank_for(user, unit).filter(pk__in=ids).prefetch_related("tags")}
    return [Picked(found[pk], str(data.get(f"points_{pk}", "1"))[:20]) for pk in ids if pk in found]


def rules_from(data: Any) -> list[RuleRow]:
    """The rule rows as posted (parallel lists; a missing cell is blank)."""
    if not hasattr(data, "getlist"):
        return []
    cols = {name: data.getlist(f"rule_{name}") for name in ("tag", "kind", "difficulty", "count", "points")}
    n = min(max((len(v) for v in cols.values()), default=0), MAX_RULES + 1)

    def cell(name: str, i: int) -> str:
        values = cols[name]
        return str(values[i]).strip()[:20] if i < len(values) else ""

    return [
        RuleRow(
            tag=cell("tag", i),
            kind=cell("kind", i),
            difficulty=cell("difficulty", i),
            count=cell("count", i),
            points=cell("points", i) or "1",
        )
        for i in range(n)
    ]


def count_available(user: Any, unit: OrgUnit | None, rows: list[RuleRow]) -> None:
    """Set each row's `available`: the questions of the bank its tag, kind and difficulty select (the
    engine's pool rule); one COUNT per distinct rule; a row with an impossible cell gets None."""
    bank = bank_for(user, unit)
    cache: dict[tuple[str, str, str], int | None] = {}
    for row in rows:
        if row.blank:
            row.available = None
            continue
        key = (row.tag, row.kind, row.difficulty)
        if key not in cache:
            tag = to_int(row.tag) if row.tag else None
            difficulty = to_int(row.difficulty) if row.difficulty else None
            ok = (
                (not row.tag or tag is not None)
                and (not row.kind or row.kind in QuestionKind.values)
                and (not row.difficulty or (difficulty is not None and 1 <= difficulty <= 5))
            )
            pool = bank.filter(rule_pool_q(tag_id=tag, kind=row.kind, difficulty=difficulty))
            cache[key] = pool.values("pk").distinct().count() if ok else None
        row.available = cache[key]


def rules_total(rows: list[RuleRow]) -> dict[str, Any]:
    """Questions and points each candidate gets from the rules as typed (rows that make sense)."""
    questions, points = 0, Decimal(0)
    for r in rows:
        n, p = to_int(r.count), to_points(r.points)
        if n and p:
            questions += n
            points += n * p
    return {"questions": questions, "points": points}


# --- the bank filter of the picker -----------------------------------------------------------------------


class BankFilter(forms.Form):
    """The picker's search of the bank (fields prefixed `bank_` in the exam form's POST)."""

    bank_q = forms.CharField(label=gettext_lazy("Search the bank"), max_length=100, required=False)
    bank_tag = forms.ModelChoiceField(label=gettext_lazy("Tag"), queryset=Tag.objects.all(), required=False)
    bank_kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), choices=[("", "—"), *QuestionKind.choices], required=False
    )
    bank_difficulty = forms.ChoiceField(
        label=gettext_lazy("Difficulty"), choices=[("", "—"), *DIFFICULTIES], required=False
    )

    def results(self, user: Any, unit: OrgUnit | None, exclude: list[int]) -> tuple[list[Question], int]:
        """The newest BANK_PAGE matches not on the paper yet, and how many match."""
        qs = bank_for(user, unit).exclude(pk__in=exclude)
        d = self.cleaned_data if self.is_valid() else {}
        if d.get("bank_q"):
            qs = qs.filter(stem__icontains=visible_text(d["bank_q"]))
        if d.get("bank_tag"):
            qs = qs.filter(tags=d["bank_tag"])
        if d.get("bank_kind"):
            qs = qs.filter(kind=d["bank_kind"])
        if d.get("bank_difficulty"):
            qs = qs.filter(difficulty=int(d["bank_difficulty"]))
        qs = qs.order_by("-pk")
        return list(qs.prefetch_related("tags")[:BANK_PAGE]), qs.count()


# --- an existing exam as the form's starting point -----------------------------------------------------


def initial_for(exam: Exam) -> dict[str, Any]:
    local = timezone.localtime
    return {
        "title": exam.title,
        "org_unit": exam.org_unit.code,
        "kind": exam.kind,
        "description": exam.description,
        "opens_at": local(exam.opens_at),
        "closes_at": local(exam.closes_at),
        "time_limit_minutes": exam.time_limit_minutes,
        "pass_mark": exam.pass_mark,
        "attempts_allowed": exam.attempts_allowed,
        "multiple_choice_scoring": exam.multiple_choice_scoring,
        "shuffle_questions": exam.shuffle_questions,
        "shuffle_options": exam.shuffle_options,
        "selection": exam.selection,
        "candidate_units": [u.code for u in exam.candidate_units.all()],
        "candidate_layers": [layer.code for layer in exam.candidate_layers.all()],
    }


def paper_of(exam: Exam) -> tuple[list[Picked], list[RuleRow]]:
    picked = [
        Picked(eq.question, plain(eq.points))
        for eq in exam.questions.select_related("question").prefetch_related("question__tags")
    ]
    rules = [
        RuleRow(
            tag=str(r.tag_id or ""),
            kind=r.kind,
            difficulty=str(r.difficulty or ""),
            count=str(r.count),
            points=plain(r.points),
        )
        for r in exam.rules.all()
    ]
    return picked, rules


def editable(exam: Exam) -> bool:
    return exam.status == ExamStatus.DRAFT
