"""Write side of the question bank (题库): questions with their versions, tags, regulation revisions.

- `question_create(actor=, data=, unit=)`: a question and its version 1 (`current_version` set).
- `question_update(actor=, question=, data=)`: a change of content (kind, stem, options, answer, explanation,
  difficulty) makes a new `QuestionVersion` only when the current version was already used by an attempt
  (an `AttemptItem` points at it): those attempts keep showing and grading the old one. An unused version
  is updated in place. Tags, `active` and the review flag are not content: no new version.
- `question_mark_reviewed`: the question was checked (after a regulation it tests was revised).
- `tag_create`, `tag_update`, `resolve_tags` (tags given by name: an unknown name becomes a topic tag).
- `regulation_revised(tag, on=)`: the regulation (article) a tag names was revised on `on`: its questions
  not reviewed since are flagged `needs_review`.

Data as the API takes it (`POST /api/v1/questions`): {"kind", "stem", "options": [...], "answer": [option
indexes] | "text", "explanation", "tags": [names], "difficulty": 1-5}. `clean_question` checks it and
answers a ValidationError with a message per field in the user's language.

Who may write: `exams.manage_questions` on a question of a unit in the user's scope; the head office's
people (no branch on the way up from their unit) also keep the institution-wide bank at the root unit, which
every unit sees (`Question.objects.visible_to`: own subtree and the units above).

Versions and concurrent attempts: the in-place update locks the version row FOR UPDATE first, which waits
for (and is waited for by) any transaction inserting an AttemptItem that references it (PostgreSQL's
foreign-key check takes KEY SHARE on the referenced row); the "was it used?" check after the lock therefore
sees every attempt that showed the version.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils.translation import gettext as _

from xiaobao.core.clock import localdate
from xiaobao.core.clock import now as recorded_now
from xiaobao.core.models import OrgUnit
from xiaobao.core.models.audit import AuditAction
from xiaobao.core.models.org import OrgUnitKind
from xiaobao.core.scoping import ALL, unit_in_scope, user_scope
from xiaobao.core.services.audit import audit_change, audit_record, snapshot
from xiaobao.exams.choices import QuestionKind, TagKind
from xiaobao.exams.models import MANAGE_QUESTIONS, AttemptItem, Question, QuestionVersion, Tag

CONTENT_FIELDS = ("kind", "stem", "options", "answer", "explanation", "difficulty")
TRUE_FALSE_OPTIONS = ["正确", "错误"]
MIN_OPTIONS, MAX_OPTIONS = 2, 8
LETTERS = "ABCDEFGH"
LIMITS = {"stem": 2000, "option": 500, "answer": 500, "explanation": 5000, "tag": 100}
CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.TRUE_FALSE)
OUTSIDE_HEAD_OFFICE = {OrgUnitKind.BRANCH, OrgUnitKind.SUB_BRANCH, OrgUnitKind.OUTLET}
TAG_SEPARATORS = re.compile(r"[,，、;；\n]+")


# --- who may write ------------------------------------------------------------------------------------------


def at_head_office(user: Any) -> bool:
    """The user's unit is the head office or one of its departments (no branch on the way up)."""
    unit = getattr(user, "org_unit", None)
    if unit is None:
        return False
    kinds = {unit.kind, *unit.ancestors().values_list("kind", flat=True)}
    return not (kinds & OUTSIDE_HEAD_OFFICE)


def may_manage_unit(user: Any, unit: OrgUnit) -> bool:
    if not user.has_perm(MANAGE_QUESTIONS):
        return False
    if unit_in_scope(user, unit):
        return True
    return unit.parent_id is None and at_head_office(user)


def can_manage(user: Any, question: Question) -> bool:
    """Whether the user may edit the question (a question of a unit above the user's is only read)."""
    return may_manage_unit(user, question.org_unit)


def manageable_units(user: Any) -> QuerySet[OrgUnit]:
    """Active units the user may put questions in (the root among them for the head office's people)."""
    units = OrgUnit.objects.active()
    scope = user_scope(user)
    if scope == ALL:
        return units
    if scope is None:
        return units.none()
    from xiaobao.core.scoping import subtree_q

    q = subtree_q(scope.path, "path")  # type: ignore[union-attr]
    if at_head_office(user):
        q = q | Q(parent__isnull=True)
    return units.filter(q)


def default_unit(user: Any) -> OrgUnit | None:
    """Where a new question goes unless told: the root (the bank every unit sees) for the head office's
    people, else the user's own unit."""
    if user_scope(user) == ALL or at_head_office(user):
        root = OrgUnit.objects.filter(parent__isnull=True).order_by("pk").first()
        if root is not None:
            return root
    return getattr(user, "org_unit", None)


def _require_unit(actor: Any, unit: OrgUnit) -> None:
    if not may_manage_unit(actor, unit):
        raise PermissionDenied(_("You may not edit the question bank of this unit."))


# --- checking a question's content --------------------------------------------------------------------------


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def letter(index: int) -> str:
    return LETTERS[index] if 0 <= index < len(LETTERS) else str(index + 1)


def clean_question(data: dict[str, Any], *, partial_of: Question | None = None) -> dict[str, Any]:
    """The content fields checked and normalised; ValidationError with messages per field otherwise.

    With `partial_of`, a key missing from `data` keeps that question's value (PUT with some fields)."""
    if partial_of is not None:
        if data.get("kind") not in (None, partial_of.kind) and data.get("options") is None:
            data = {**data, "options": []}  # a new kind without options: none (true/false: its default)
        data = {
            **{f: getattr(partial_of, f) for f in CONTENT_FIELDS},
            "tags": None,
            **{k: v for k, v in data.items() if v is not None or k == "tags"},
        }
    errors: dict[str, list[str]] = {}
    kind = _text(data.get("kind"))
    if kind not in QuestionKind.values:
        _add(errors, "kind", _("Choose single, multiple, true_false or blank."))
    stem = _text(data.get("stem"))
    if not stem:
        _add(errors, "stem", _("This field is required."))
    elif len(stem) > LIMITS["stem"]:
        _add(
            errors,
            "stem",
            _("At most %(n)d characters (it has %(m)d).") % {"n": LIMITS["stem"], "m": len(stem)},
        )
    explanation = _text(data.get("explanation"))
    if len(explanation) > LIMITS["explanation"]:
        _add(
            errors,
            "explanation",
            _("At most %(n)d characters (it has %(m)d).")
            % {"n": LIMITS["explanation"], "m": len(explanation)},
        )
    difficulty = _difficulty(data.get("difficulty"))
    if not 1 <= difficulty <= 5:
        _add(errors, "difficulty", _("Difficulty is a whole number from 1 (easy) to 5 (hard)."))

    options = _clean_options(kind, data.get("options"), errors)
    answer = _clean_answer(kind, data.get("answer"), options, errors)
    tags = _clean_tag_names(data.get("tags"), errors)
    if errors:
        raise ValidationError(errors)
    return {
        "kind": kind,
        "stem": stem,
        "options": options,
        "answer": answer,
        "explanation": explanation,
        "difficulty": difficulty,
        "tags": tags,
    }


def _difficulty(raw: Any) -> int:
    """1-5 from an int, a whole float (Excel) or digits; 3 when not given; 0 (refused) otherwise."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return 3
    if isinstance(raw, bool):
        return 0
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw.strip())
    return 0


def _clean_options(kind: str, raw: Any, errors: dict[str, list[str]]) -> list[str]:
    if raw in (None, ""):
        raw = []
    if not isinstance(raw, list | tuple):
        _add(errors, "options", _("Give the options as a list of texts."))
        return []
    options = [_text(o) for o in raw]
    if kind == QuestionKind.BLANK:
        if any(options):
            _add(errors, "options", _("A fill-in-the-blank question has no options."))
        return []
    if kind == QuestionKind.TRUE_FALSE:
        options = [o for o in options if o] or list(TRUE_FALSE_OPTIONS)
        if len(options) != 2:
            _add(errors, "options", _("A true-or-false question has exactly two options (正确, 错误)."))
        return options
    if kind not in QuestionKind.values:
        return options
    # single / multiple: empty options at the end are dropped (a form's unused rows)
    while options and not options[-1]:
        options.pop()
    if len(options) < MIN_OPTIONS or len(options) > MAX_OPTIONS:
        _add(
            errors,
            "options",
            _("Give from %(a)d to %(b)d options (there are %(n)d).")
            % {"a": MIN_OPTIONS, "b": MAX_OPTIONS, "n": len(options)},
        )
        return options
    for i, option in enumerate(options):
        if not option:
            _add(errors, "options", _("Option %(letter)s is empty.") % {"letter": letter(i)})
        elif len(option) > LIMITS["option"]:
            _add(
                errors,
                "options",
                _("Option %(letter)s is longer than %(n)d characters.")
                % {"letter": letter(i), "n": LIMITS["option"]},
            )
    seen: dict[str, int] = {}
    for i, option in enumerate(options):
        if option and option in seen:
            _add(
                errors,
                "options",
                _("Options %(a)s and %(b)s are the same.") % {"a": letter(seen[option]), "b": letter(i)},
            )
        seen.setdefault(option, i)
    return options


def _clean_answer(kind: str, raw: Any, options: list[str], errors: dict[str, list[str]]) -> Any:
    if kind == QuestionKind.BLANK:
        if not isinstance(raw, str):
            _add(errors, "answer", _("The answer of a fill-in-the-blank question is a text."))
            return ""
        parts = [p.strip() for p in raw.replace("｜", "|").split("|")]
        if not any(parts):
            _add(errors, "answer", _("This field is required."))
            return ""
        if not all(parts):
            _add(errors, "answer", _("An accepted answer between the | signs is empty."))
        text = "|".join(parts)
        if len(text) > LIMITS["answer"]:
            _add(
                errors,
                "answer",
                _("At most %(n)d characters (it has %(m)d).") % {"n": LIMITS["answer"], "m": len(text)},
            )
        return text
    if kind not in CHOICE_KINDS:
        return raw
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = [raw]
    if not isinstance(raw, list | tuple) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in raw
    ):
        _add(errors, "answer", _("Give the answer as a list of option indexes (0 = the first option)."))
        return []
    indexes = sorted(set(raw))
    if len(indexes) != len(raw):
        _add(errors, "answer", _("An option is given twice in the answer."))
    if not indexes:
        _add(errors, "answer", _("Mark the correct option."))
        return []
    out_of_range = [i for i in indexes if not 0 <= i < len(options)]
    if out_of_range and options:
        _add(
            errors,
            "answer",
            _("Option index %(i)d does not exist: the options are numbered 0 to %(n)d.")
            % {"i": out_of_range[0], "n": len(options) - 1},
        )
    if kind in (QuestionKind.SINGLE, QuestionKind.TRUE_FALSE) and len(indexes) != 1:
        _add(errors, "answer", _("A single-choice or true-or-false question has exactly one correct option."))
    return indexes


def _clean_tag_names(raw: Any, errors: dict[str, list[str]]) -> list[Any] | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        raw = split_tag_names(raw)
    if not isinstance(raw, list | tuple):
        _add(errors, "tags", _("Give the tags as a list of names."))
        return []
    out: list[Any] = []
    for item in raw:
        if isinstance(item, Tag):
            out.append(item)
            continue
        name = _text(item)
        if not name:
            continue
        if len(name) > LIMITS["tag"]:
            _add(errors, "tags", _("A tag name has at most %(n)d characters.") % {"n": LIMITS["tag"]})
            continue
        if name not in out:
            out.append(name)
    return out


def split_tag_names(text: str) -> list[str]:
    return [n.strip() for n in TAG_SEPARATORS.split(text or "") if n.strip()]


# --- tags ---------------------------------------------------------------------------------------------------


def resolve_tags(items: Iterable[Any], *, actor: Any = None) -> list[Tag]:
    """Tags from Tag objects or names: a name finds the tag of that name (the topic one when a regulation
    tag has the same name); an unknown name becomes a new topic tag."""
    tags: list[Tag] = []
    names: list[str] = []
    for item in items:
        if isinstance(item, Tag):
            tags.append(item)
        elif str(item).strip() and str(item).strip() not in names:
            names.append(str(item).strip())
    if names:
        found: dict[str, Tag] = {}
        for tag in Tag.objects.filter(name__in=names).order_by("-kind"):  # topic after regulation: wins
            found[tag.name] = tag
        missing = [n for n in names if n not in found]
        if missing:
            Tag.objects.bulk_create([Tag(kind=TagKind.TOPIC, name=n) for n in missing], ignore_conflicts=True)
            for tag in Tag.objects.filter(kind=TagKind.TOPIC, name__in=missing):
                found[tag.name] = tag
                audit_record(
                    actor=actor, action=AuditAction.CREATE, obj=tag, changes={"name": [None, tag.name]}
                )
        tags += [found[n] for n in names if n in found]
    unique: dict[int, Tag] = {}
    for tag in tags:
        unique.setdefault(tag.pk, tag)
    return list(unique.values())


def _clean_tag(data: dict[str, Any], tag: Tag | None = None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    kind = _text(data.get("kind", tag.kind if tag else TagKind.TOPIC)) or TagKind.TOPIC
    if kind not in TagKind.values:
        _add(errors, "kind", _("Choose topic or regulation."))
    regulation = _text(data.get("regulation", tag.regulation if tag else ""))
    article = _text(data.get("article", tag.article if tag else ""))
    name = _text(data.get("name", tag.name if tag else ""))
    if kind == TagKind.REGULATION:
        if not regulation:
            _add(errors, "regulation", _("Name the regulation the tag stands for."))
        name = name or regulation_tag_name(regulation, article)
    elif regulation or article:
        _add(errors, "regulation", _("Only a regulation tag names a regulation and an article."))
    if not name:
        _add(errors, "name", _("This field is required."))
    for field, value, limit in (
        ("name", name, 100),
        ("regulation", regulation, 200),
        ("article", article, 60),
    ):
        if len(value) > limit:
            _add(errors, field, _("At most %(n)d characters (it has %(m)d).") % {"n": limit, "m": len(value)})
    clash = Tag.objects.filter(kind=kind, name=name)
    if tag is not None:
        clash = clash.exclude(pk=tag.pk)
    if name and clash.exists():
        _add(errors, "name", _("There is already a tag of this kind with this name."))
    if errors:
        raise ValidationError(errors)
    return {"kind": kind, "name": name, "regulation": regulation, "article": article}


def regulation_tag_name(regulation: str, article: str) -> str:
    """The name of a regulation tag made from its regulation and article (《…》 kept as written)."""
    return f"{regulation.strip()} {article.strip()}".strip()[:100]


def _require_tag_manager(actor: Any) -> None:
    if not actor.has_perm(MANAGE_QUESTIONS):
        raise PermissionDenied


@transaction.atomic
def tag_create(*, actor: Any, data: dict[str, Any]) -> Tag:
    """A topic tag, or a regulation tag (regulation, article; its name made from them when not given)."""
    _require_tag_manager(actor)
    tag = Tag.objects.create(**_clean_tag(data))
    audit_change(actor=actor, obj=tag, before=None)
    return tag


@transaction.atomic
def tag_update(*, actor: Any, tag: Tag, data: dict[str, Any]) -> Tag:
    _require_tag_manager(actor)
    tag = Tag.objects.select_for_update().get(pk=tag.pk)
    before = snapshot(tag)
    for key, value in _clean_tag(data, tag).items():
        setattr(tag, key, value)
    tag.save()
    audit_change(actor=actor, obj=tag, before=before)
    return tag


def regulation_tag(regulation: str, article: str = "", *, actor: Any = None) -> Tag:
    """The regulation tag for (regulation, article), made when there is none (imports name them so)."""
    regulation, article = regulation.strip(), article.strip()
    tag = Tag.objects.filter(kind=TagKind.REGULATION, regulation=regulation, article=article).first()
    if tag is not None:
        return tag
    name = regulation_tag_name(regulation, article)
    tag, created = Tag.objects.get_or_create(
        kind=TagKind.REGULATION, name=name, defaults={"regulation": regulation, "article": article}
    )
    if created:
        audit_change(actor=actor, obj=tag, before=None)
    return tag


@transaction.atomic
def regulation_revised(tag: Tag, *, on: dt.date, actor: Any = None, whole_regulation: bool = False) -> int:
    """Record that the regulation (article) `tag` stands for was revised on `on`; flag for review every
    question with the tag (or, with `whole_regulation`, any tag of the same regulation) that was neither
    reviewed nor written on or after that day. Returns the number of questions newly flagged."""
    if actor is not None:
        _require_tag_manager(actor)
    if tag.kind != TagKind.REGULATION:
        raise ValidationError({"tag": [_("Only a regulation tag can be marked revised.")]})
    if not isinstance(on, dt.date) or isinstance(on, dt.datetime):
        raise ValidationError({"on": [_("Enter a valid date.")]})
    tags = Tag.objects.filter(pk=tag.pk)
    if whole_regulation and tag.regulation:
        tags = Tag.objects.filter(kind=TagKind.REGULATION, regulation=tag.regulation)
    tags = tags.select_for_update()
    tag_list = list(tags)
    for t in tag_list:
        t.revised_on = on
    Tag.objects.bulk_update(tag_list, ["revised_on"])
    from django.utils import timezone

    day_start = timezone.make_aware(dt.datetime.combine(on, dt.time.min))
    reason = _("%(regulation)s was revised on %(day)s: check the question against the new text.") % {
        "regulation": tag.regulation if whole_regulation else (tag.name or tag.regulation),
        "day": on.isoformat(),
    }
    stale = (
        Question.objects.filter(tags__in=tag_list, needs_review=False)
        .filter(Q(reviewed_on__lt=on) | Q(reviewed_on__isnull=True, created_at__lt=day_start))
        .values_list("pk", flat=True)
        .distinct()
    )
    ids = list(stale)
    flagged = Question.objects.filter(pk__in=ids).update(
        needs_review=True, review_reason=reason[:300], updated_at=recorded_now()
    )
    for t in tag_list:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=t,
            changes={"revised_on": [None, on.isoformat()], "questions_flagged": [None, flagged]},
        )
    return flagged


# --- questions ----------------------------------------------------------------------------------------------


def _version_from(question: Question, number: int) -> QuestionVersion:
    return QuestionVersion(
        question=question,
        number=number,
        kind=question.kind,
        stem=question.stem,
        options=question.options,
        answer=question.answer,
        explanation=question.explanation,
        difficulty=question.difficulty,
    )


def _audit_question(
    actor: Any, question: Question, before: dict[str, Any] | None, tags_before: list[str] | None
) -> None:
    after = snapshot(question)
    changes = {
        k: [None if before is None else before.get(k), v]
        for k, v in after.items()
        if before is None or before.get(k) != v
    }
    tags_after = sorted(question.tags.values_list("name", flat=True))
    if tags_before != tags_after:
        changes["tags"] = [tags_before, tags_after]
    if before is not None and not changes:
        return
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
        obj=question,
        changes=changes,
    )


@transaction.atomic
def question_create(*, actor: Any, data: dict[str, Any], unit: OrgUnit | None = None) -> Question:
    """A question in `unit` (default: `default_unit(actor)`) with its version 1."""
    if not actor.has_perm(MANAGE_QUESTIONS):
        raise PermissionDenied
    unit = unit or default_unit(actor)
    if unit is None:
        raise PermissionDenied(_("You have no unit to put questions in."))
    _require_unit(actor, unit)
    clean = clean_question(data)
    tags = resolve_tags(clean.pop("tags") or [], actor=actor)
    question = Question.objects.create(org_unit=unit, created_by=actor, **clean)
    version = _version_from(question, 1)
    version.save()
    question.current_version = version
    question.save(update_fields=["current_version"])
    if tags:
        question.tags.set(tags)
    _audit_question(actor, question, None, None)
    return question


@transaction.atomic
def question_update(*, actor: Any, question: Question, data: dict[str, Any]) -> Question:
    """Change a question. Keys left out of `data` keep their values; besides the content fields `data` may
    hold "tags" (names or Tag objects: the full list), "active" (bool) and "reviewed" (True: the question
    was checked, its review flag is cleared)."""
    question = Question.objects.select_for_update().select_related("org_unit").get(pk=question.pk)
    if not can_manage(actor, question):
        raise PermissionDenied(_("You may not edit the question bank of this unit."))
    before = snapshot(question)
    tags_before = sorted(question.tags.values_list("name", flat=True))
    clean = clean_question(
        {k: v for k, v in data.items() if k not in ("active", "reviewed")}, partial_of=question
    )
    tags = clean.pop("tags")
    changed = any(getattr(question, f) != clean[f] for f in CONTENT_FIELDS)
    if changed:
        for field in CONTENT_FIELDS:
            setattr(question, field, clean[field])
        _new_or_updated_version(question)
    if data.get("active") is not None:
        question.active = bool(data["active"])
    if data.get("reviewed"):
        question.needs_review = False
        question.review_reason = ""
        question.reviewed_on = localdate()
    question.save()
    if tags is not None:
        question.tags.set(resolve_tags(tags, actor=actor))
    _audit_question(actor, question, before, tags_before)
    return question


def _new_or_updated_version(question: Question) -> None:
    """Put the question's (already changed) content into its version: a new one when the current one was
    used by an attempt, else the current one updated in place."""
    current = None
    if question.current_version_id:
        current = QuestionVersion.objects.select_for_update().filter(pk=question.current_version_id).first()
    if current is not None and not AttemptItem.objects.filter(version=current).exists():
        for field in CONTENT_FIELDS:
            setattr(current, field, getattr(question, field))
        current.save()
        return
    number = (question.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = _version_from(question, number)
    version.save()
    question.current_version = version


@transaction.atomic
def question_mark_reviewed(*, actor: Any, question: Question) -> Question:
    """The question was checked against the regulation as it stands: its review flag is cleared."""
    return question_update(actor=actor, question=question, data={"reviewed": True})


@transaction.atomic
def question_set_active(*, actor: Any, question: Question, active: bool) -> Question:
    """Retire a question (no longer drawn or picked for new exams) or bring it back."""
    return question_update(actor=actor, question=question, data={"active": active})


def version_usage(question: Question) -> dict[int, int]:
    """Version id → how many attempt items showed it."""
    from django.db.models import Count

    rows = (
        AttemptItem.objects.filter(question=question)
        .values("version_id")
        .annotate(n=Count("id"))
        .values_list("version_id", "n")
    )
    return dict(rows)


def answer_letters(question: Any) -> str:
    """The key as people write it: "A", "A,C", "正确"; a blank's accepted answers as written (a|b)."""
    kind, answer, options = question.kind, question.answer, question.options or []
    if kind == QuestionKind.BLANK:
        return str(answer or "")
    indexes: Sequence[int] = answer if isinstance(answer, list) else []
    if kind == QuestionKind.TRUE_FALSE:
        return ",".join(options[i] if 0 <= i < len(options) else str(i) for i in indexes)
    return ",".join(letter(i) for i in indexes)


# --- read side ----------------------------------------------------------------------------------------------


def apply_filters(qs: QuerySet[Question], data: dict[str, Any]) -> QuerySet[Question]:
    """The list page's, the export's and the API's filters (cleaned by `forms_questions.QuestionFilter`)."""
    from xiaobao.core.scoping import subtree_q

    if data.get("q"):
        qs = qs.filter(stem__icontains=data["q"].strip())
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    if data.get("tag"):
        qs = qs.filter(tags=data["tag"])
    if data.get("difficulty"):
        qs = qs.filter(difficulty=data["difficulty"])
    if data.get("needs_review") in ("yes", "no"):
        qs = qs.filter(needs_review=data["needs_review"] == "yes")
    if data.get("active") in ("yes", "no"):
        qs = qs.filter(active=data["active"] == "yes")
    if data.get("unit") is not None:
        qs = qs.filter(subtree_q(data["unit"].path, "org_unit__path"))
    return qs


def question_list(*, user: Any, filters: dict[str, Any]) -> QuerySet[Question]:
    qs = Question.objects.visible_to(user).select_related("org_unit", "current_version")
    return apply_filters(qs, filters).prefetch_related("tags").order_by("-pk")


def tag_list(*, user: Any) -> QuerySet[Tag]:
    """Every tag (the vocabulary is shared), with `n_questions`: its questions in the user's view."""
    from django.db.models import Count, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    through = Question.tags.through
    visible = Question.objects.visible_to(user).values("pk")
    counted = (
        through.objects.filter(tag_id=OuterRef("pk"), question_id__in=visible)
        .order_by()
        .values("tag_id")
        .annotate(n=Count("pk"))
        .values("n")  # type: ignore[misc]  # the annotation, not a field
    )
    return Tag.objects.annotate(n_questions=Coalesce(Subquery(counted[:1]), Value(0))).order_by(
        "kind", "regulation", "name"
    )
