"""Surveys' write side: questionnaires and their questions, surveys and their status, and the public
submission. Keyword-only services that own their transaction, check the actor's subtree, refuse bad input with
field errors (`DomainError`, nothing written) and write the audit trail.

A questionnaire with answers is frozen (409 `frozen`): copy it (`questionnaire_copy`) to change the questions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaobao.core.errors import Conflict, DomainError, field_error
from xiaobao.core.models import OrgUnit
from xiaobao.core.models.audit import AuditAction
from xiaobao.core.scoping import unit_in_scope
from xiaobao.core.services.audit import audit_change, audit_record, snapshot
from xiaobao.core.vault.detect import PHONE, contains_c3, redact
from xiaobao.surveys.models import (
    INVITE,
    MANAGE,
    Answer,
    Invitation,
    Option,
    Question,
    QuestionKind,
    Questionnaire,
    Response,
    Survey,
    SurveyStatus,
    SurveyTarget,
)

MAX_QUESTIONS = 60
MAX_OPTIONS = 30
CHOICE_KINDS = {QuestionKind.CHOICE_ONE, QuestionKind.CHOICE_MANY}


# --- helpers ------------------------------------------------------------------------------------------------


def _require_manage(actor: Any, unit: OrgUnit) -> None:
    if not actor.has_perm(MANAGE) or not unit_in_scope(actor, unit):
        raise PermissionDenied


def _unit(actor: Any, value: Any, field: str = "org_unit") -> OrgUnit:
    """The unit a write names (an OrgUnit, a code or an id), inside the actor's subtree."""
    if isinstance(value, OrgUnit):
        unit: OrgUnit | None = value
    elif isinstance(value, int) or (isinstance(value, str) and value.isdigit() and len(value) < 10):
        unit = (
            OrgUnit.objects.filter(pk=int(value)).first() or OrgUnit.objects.filter(code=str(value)).first()
        )
    else:
        unit = OrgUnit.objects.filter(code=str(value or "")).first()
    if unit is None or not unit_in_scope(actor, unit):
        raise field_error(field, _("Choose a unit within your part of the organisation."))
    return unit


def _text(data: dict[str, Any], key: str, *, required: bool, limit: int, field: str = "") -> str:
    value = " ".join(str(data.get(key) or "").split()) if limit <= 300 else str(data.get(key) or "").strip()
    if required and not value:
        raise field_error(field or key, _("This field is required."))
    if len(value) > limit:
        raise field_error(field or key, _("At most %(n)s characters.") % {"n": limit})
    return value


def _frozen_guard(questionnaire: Questionnaire) -> None:
    if questionnaire.is_frozen:
        raise Conflict(
            _("This questionnaire has answers: its questions are frozen. Copy it to make a new version."),
            code="frozen",
        )


# --- questions ----------------------------------------------------------------------------------------------


def _clean_question(data: dict[str, Any], prefix: str = "") -> tuple[dict[str, Any], list[str]]:
    """Question fields and option labels from input; field errors named `<prefix><field>`."""
    kind = str(data.get("kind") or "")
    if kind not in QuestionKind.values:
        raise field_error(
            f"{prefix}kind", _("Choose single choice, multiple choice, rating scale or free text.")
        )
    fields: dict[str, Any] = {
        "kind": kind,
        "text": _text(data, "text", required=True, limit=300, field=f"{prefix}text"),
        "help_text": _text(data, "help_text", required=False, limit=300, field=f"{prefix}help_text"),
        "required": bool(data.get("required", True)),
        "scale_min": 1,
        "scale_max": 5,
        "satisfied_from": None,
        "counts_for_satisfaction": False,
    }
    options: list[str] = []
    if kind in CHOICE_KINDS:
        raw = data.get("options") or []
        if isinstance(raw, str):
            raw = raw.splitlines()
        options = [" ".join(str(o).split()) for o in raw if str(o).strip()]
        if len(options) < 2:
            raise field_error(f"{prefix}options", _("Give at least two options, one a line."))
        if len(options) > MAX_OPTIONS or any(len(o) > 200 for o in options):
            raise field_error(f"{prefix}options", _("At most 30 options of 200 characters each."))
        if len(set(options)) != len(options):
            raise field_error(f"{prefix}options", _("Each option must differ from the others."))
    if kind == QuestionKind.SCALE:
        try:
            low = int(str(data.get("scale_min") if data.get("scale_min") not in (None, "") else 1))
            high = int(str(data.get("scale_max") if data.get("scale_max") not in (None, "") else 5))
        except (TypeError, ValueError):
            raise field_error(f"{prefix}scale_max", _("Choose a scale of 1–5 or 0–10.")) from None
        if low not in (0, 1) or not 3 <= high <= 10:
            raise field_error(f"{prefix}scale_max", _("Choose a scale of 1–5 or 0–10."))
        satisfied = data.get("satisfied_from")
        if satisfied not in (None, ""):
            try:
                satisfied = int(satisfied)
            except (TypeError, ValueError):
                satisfied = -1
            if not low < satisfied <= high:
                raise field_error(
                    f"{prefix}satisfied_from",
                    _("The satisfied threshold must lie within the scale (%(low)s–%(high)s).")
                    % {"low": low + 1, "high": high},
                )
        else:
            satisfied = None
        fields.update(
            scale_min=low,
            scale_max=high,
            satisfied_from=satisfied,
            counts_for_satisfaction=bool(data.get("counts_for_satisfaction", False)),
        )
    return fields, options


def _write_options(question: Question, labels: list[str]) -> None:
    question.options.all().delete()
    Option.objects.bulk_create(
        [Option(question=question, order=i, label=label) for i, label in enumerate(labels)]
    )


def _next_order(questionnaire: Questionnaire) -> int:
    last = questionnaire.questions.order_by("-order").values_list("order", flat=True).first()
    return 0 if last is None else last + 1


@transaction.atomic
def question_add(*, actor: Any, questionnaire: Questionnaire, data: dict[str, Any]) -> Question:
    _require_manage(actor, questionnaire.org_unit)
    Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    _frozen_guard(questionnaire)
    if questionnaire.questions.count() >= MAX_QUESTIONS:
        raise DomainError(_("A questionnaire holds at most %(n)s questions.") % {"n": MAX_QUESTIONS})
    fields, options = _clean_question(data)
    question = Question(questionnaire=questionnaire, order=_next_order(questionnaire), **fields)
    question.full_clean()
    question.save()
    _write_options(question, options)
    audit_change(actor=actor, obj=question, before=None)
    return question


@transaction.atomic
def question_update(*, actor: Any, question: Question, data: dict[str, Any]) -> Question:
    questionnaire = question.questionnaire
    _require_manage(actor, questionnaire.org_unit)
    Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    _frozen_guard(questionnaire)
    merged = {
        "kind": question.kind,
        "text": question.text,
        "help_text": question.help_text,
        "required": question.required,
        "scale_min": question.scale_min,
        "scale_max": question.scale_max,
        "satisfied_from": question.satisfied_from,
        "counts_for_satisfaction": question.counts_for_satisfaction,
        "options": [o.label for o in question.options.all()],
        **data,
    }
    fields, options = _clean_question(merged)
    before = snapshot(question)
    for key, value in fields.items():
        setattr(question, key, value)
    question.full_clean()
    question.save()
    _write_options(question, options)
    audit_change(actor=actor, obj=question, before=before)
    return question


@transaction.atomic
def question_delete(*, actor: Any, question: Question) -> None:
    questionnaire = question.questionnaire
    _require_manage(actor, questionnaire.org_unit)
    Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    _frozen_guard(questionnaire)
    audit_record(actor=actor, action=AuditAction.DELETE, obj=question)
    question.delete()


@transaction.atomic
def question_move(*, actor: Any, question: Question, step: int) -> None:
    """Move a question one place up (step -1) or down (+1)."""
    questionnaire = question.questionnaire
    _require_manage(actor, questionnaire.org_unit)
    Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    _frozen_guard(questionnaire)
    ordered = list(questionnaire.questions.order_by("order", "pk"))
    i = next(n for n, q in enumerate(ordered) if q.pk == question.pk)
    j = i + (1 if step > 0 else -1)
    if 0 <= j < len(ordered):
        ordered[i], ordered[j] = ordered[j], ordered[i]
    for n, q in enumerate(ordered):
        if q.order != n:
            Question.objects.filter(pk=q.pk).update(order=n)


# --- questionnaires -----------------------------------------------------------------------------------------


@transaction.atomic
def questionnaire_create(*, actor: Any, data: dict[str, Any]) -> Questionnaire:
    """A questionnaire with its questions (`questions`: list of question dicts, optional)."""
    if not actor.has_perm(MANAGE):
        raise PermissionDenied
    unit = _unit(actor, data.get("org_unit") or getattr(actor, "org_unit", None))
    questions = data.get("questions") or []
    if len(questions) > MAX_QUESTIONS:
        raise field_error(
            "questions", _("A questionnaire holds at most %(n)s questions.") % {"n": MAX_QUESTIONS}
        )
    cleaned = [_clean_question(q, prefix=f"questions.{i}.") for i, q in enumerate(questions)]
    questionnaire = Questionnaire(
        title=_text(data, "title", required=True, limit=200),
        intro=_text(data, "intro", required=False, limit=2000),
        org_unit=unit,
        created_by=actor,
    )
    questionnaire.full_clean()
    questionnaire.save()
    for order, (fields, options) in enumerate(cleaned):
        question = Question.objects.create(questionnaire=questionnaire, order=order, **fields)
        _write_options(question, options)
    audit_change(actor=actor, obj=questionnaire, before=None)
    return questionnaire


@transaction.atomic
def questionnaire_update(*, actor: Any, questionnaire: Questionnaire, data: dict[str, Any]) -> Questionnaire:
    """Title and introduction; frozen once answered like the questions (people read that text too)."""
    _require_manage(actor, questionnaire.org_unit)
    Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    _frozen_guard(questionnaire)
    before = snapshot(questionnaire)
    if "title" in data:
        questionnaire.title = _text(data, "title", required=True, limit=200)
    if "intro" in data:
        questionnaire.intro = _text(data, "intro", required=False, limit=2000)
    questionnaire.full_clean()
    questionnaire.save()
    audit_change(actor=actor, obj=questionnaire, before=before)
    return questionnaire


@transaction.atomic
def questionnaire_copy(*, actor: Any, questionnaire: Questionnaire, org_unit: Any = None) -> Questionnaire:
    """A new, editable version with the same questions (the next version number of its line)."""
    if not actor.has_perm(MANAGE):
        raise PermissionDenied
    unit = _unit(actor, org_unit or questionnaire.org_unit)
    copy = Questionnaire.objects.create(
        title=questionnaire.title,
        intro=questionnaire.intro,
        org_unit=unit,
        version=questionnaire.version + 1,
        copied_from=questionnaire,
        created_by=actor,
    )
    for question in questionnaire.questions.prefetch_related("options"):
        labels = [o.label for o in question.options.all()]
        question.pk = None
        question.questionnaire = copy
        question.save()
        _write_options(question, labels)
    audit_record(
        actor=actor, action=AuditAction.CREATE, obj=copy, changes={"copied_from": [None, questionnaire.pk]}
    )
    return copy


# --- surveys ------------------------------------------------------------------------------------------------


def _date(data: dict[str, Any], key: str) -> dt.date:
    value = data.get(key)
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or ""))
    except ValueError:
        raise field_error(key, _("Enter a valid date (YYYY-MM-DD).")) from None


def _survey_fields(actor: Any, data: dict[str, Any], current: Survey | None = None) -> dict[str, Any]:
    def get(key: str) -> Any:
        if key in data:
            return data[key]
        return getattr(current, key) if current is not None else None

    from xiaobao.surveys.selectors import questionnaires_usable

    out: dict[str, Any] = {"title": _text({"title": get("title")}, "title", required=True, limit=200)}
    target = get("target") or ""
    if target not in SurveyTarget.values:
        raise field_error("target", _("Choose whom the survey asks."))
    out["target"] = target
    q = get("questionnaire")
    qid = q.pk if isinstance(q, Questionnaire) else q
    questionnaire = questionnaires_usable(actor).filter(pk=qid).first() if str(qid or "").isdigit() else None
    if questionnaire is None:
        raise field_error("questionnaire", _("Choose a questionnaire you can see."))
    out["questionnaire"] = questionnaire
    unit = get("org_unit")
    out["org_unit"] = _unit(actor, unit if unit is not None else getattr(actor, "org_unit", None))
    out["opens_on"] = _date({"opens_on": get("opens_on")}, "opens_on")
    out["closes_on"] = _date({"closes_on": get("closes_on")}, "closes_on")
    if out["closes_on"] < out["opens_on"]:
        raise field_error("closes_on", _("The closing date cannot be before the opening date."))
    if (out["closes_on"] - out["opens_on"]).days > 366:
        raise field_error("closes_on", _("A survey stays open at most a year."))
    activity = get("activity")
    out["activity"] = None
    if activity not in (None, ""):
        from xiaobao.education.models import Activity

        aid = activity.pk if isinstance(activity, Activity) else activity
        found = Activity.objects.visible_to(actor).filter(pk=aid).first() if str(aid).isdigit() else None
        if found is None:
            raise field_error("activity", _("Choose an education activity you can see."))
        out["activity"] = found
    if target == SurveyTarget.EVENT_AUDIENCE and out["activity"] is None and "activity" in data:
        pass  # an event's audience may be surveyed without the activity being recorded yet
    out["one_per_browser"] = bool(get("one_per_browser")) if get("one_per_browser") is not None else True
    out["ask_contact"] = bool(get("ask_contact")) if get("ask_contact") is not None else True
    out["notes"] = _text({"notes": get("notes") or ""}, "notes", required=False, limit=2000)
    return out


@transaction.atomic
def survey_create(*, actor: Any, data: dict[str, Any]) -> Survey:
    if not actor.has_perm(MANAGE):
        raise PermissionDenied
    fields = _survey_fields(actor, data)
    survey = Survey(created_by=actor, status=SurveyStatus.DRAFT, **fields)
    survey.full_clean()
    survey.save()
    audit_change(actor=actor, obj=survey, before=None)
    return survey


@transaction.atomic
def survey_update(*, actor: Any, survey: Survey, data: dict[str, Any]) -> Survey:
    _require_manage(actor, survey.org_unit)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    fields = _survey_fields(actor, data, current=survey)
    answered = survey.responses.exists()
    if answered and fields["questionnaire"].pk != survey.questionnaire_id:
        raise field_error("questionnaire", _("The survey has answers: its questionnaire cannot change."))
    if answered and fields["org_unit"].pk != survey.org_unit_id:
        raise field_error("org_unit", _("The survey has answers: its unit cannot change."))
    before = snapshot(survey)
    for key, value in fields.items():
        setattr(survey, key, value)
    survey.full_clean()
    survey.save()
    audit_change(actor=actor, obj=survey, before=before)
    return survey


@transaction.atomic
def survey_set_status(*, actor: Any, survey: Survey, status: str) -> Survey:
    """Open (from draft or closed), close (from open), back to draft (only without answers)."""
    _require_manage(actor, survey.org_unit)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if status not in SurveyStatus.values:
        raise field_error("status", _("Choose draft, open or closed."))
    if status == survey.status:
        return survey
    if status == SurveyStatus.OPEN and not survey.questionnaire.questions.exists():
        raise field_error("status", _("The questionnaire has no questions yet."))
    if status == SurveyStatus.DRAFT and survey.responses.exists():
        raise Conflict(_("The survey has answers: it can be closed, not put back to draft."), code="answered")
    before = snapshot(survey)
    survey.status = status
    survey.save(update_fields=["status", "updated_at"])
    audit_change(actor=actor, obj=survey, before=before)
    return survey


@transaction.atomic
def survey_delete(*, actor: Any, survey: Survey) -> None:
    _require_manage(actor, survey.org_unit)
    if survey.responses.exists():
        raise Conflict(_("The survey has answers: close it instead of deleting it."), code="answered")
    audit_record(actor=actor, action=AuditAction.DELETE, obj=survey)
    survey.delete()


# --- complainants' personal links ---------------------------------------------------------------------------

MAX_INVITATIONS = 500


@transaction.atomic
def invitations_create(
    *, actor: Any, survey: Survey, reference: str = "", decided_from: dt.date | None = None
) -> list[Invitation]:
    """Personal links for complainants after their decision: the complaint of `reference`, or every complaint
    decided since `decided_from` (at most 500) — complaints the actor sees, in the survey's subtree, with a
    decision notified. Idempotent: a complaint invited already keeps its link (returned again)."""
    from xiaobao.complaints.models import Complaint

    if not (actor.has_perm(INVITE) or actor.has_perm(MANAGE)) or not unit_in_scope(actor, survey.org_unit):
        raise PermissionDenied
    if survey.target != SurveyTarget.COMPLAINANTS:
        raise DomainError(_("Personal links are for surveys of complainants."), code="not_complainants")
    if survey.status == SurveyStatus.CLOSED:
        raise Conflict(_("The survey is closed."), code="closed")
    reference = " ".join(str(reference or "").split()).upper()[:24]
    if not reference and decided_from is None:
        raise field_error("reference", _("Give a complaint reference or a first day of decisions."))
    complaints = Complaint.objects.visible_to(actor).filter(
        org_unit__path__startswith=survey.org_unit.path, decided_on__isnull=False
    )
    if reference:
        found = list(complaints.filter(reference__iexact=reference)[:1])
        if not found:
            raise field_error(
                "reference",
                _("No complaint with a notified decision and this reference in the survey's units."),
            )
    else:
        found = list(
            complaints.filter(decided_on__gte=decided_from)
            .exclude(pk__in=Invitation.objects.filter(survey=survey).values("complaint"))
            .order_by("decided_on", "pk")[: MAX_INVITATIONS + 1]
        )
        if len(found) > MAX_INVITATIONS:
            raise field_error(
                "decided_from", _("More than %(n)s complaints: choose a later day.") % {"n": MAX_INVITATIONS}
            )
    out = []
    for complaint in found:
        invitation, created = Invitation.objects.get_or_create(
            survey=survey,
            complaint=complaint,
            defaults={"org_unit_id": complaint.org_unit_id, "created_by": actor},
        )
        if created:
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                obj=invitation,
                object_repr=f"{survey.title[:120]} · {complaint.reference}",
                changes={"survey": [None, survey.pk], "complaint": [None, complaint.reference]},
            )
        out.append(invitation)
    return out


# --- the public submission ----------------------------------------------------------------------------------


class AlreadyAnswered(Conflict):
    """The same form (nonce) or the same browser answered this survey already."""


def browser_hash(browser_id: str) -> str:
    """A keyed hash of the random per-browser id (the raw id never reaches the database)."""
    if not browser_id:
        return ""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"surveys:browser:{browser_id}".encode(), hashlib.sha256).hexdigest()


def response_unit(survey: Survey, code: str) -> OrgUnit:
    """The unit an answer is attributed to: the outlet of a per-unit link inside the survey's subtree, else
    the survey's own unit."""
    if code:
        unit = OrgUnit.objects.filter(code=code[:32], is_active=True).first()
        if unit is not None and unit.path.startswith(survey.org_unit.path):
            return unit
    return survey.org_unit


def _clean_text_answer(question: Question, value: str) -> str:
    if contains_c3(value):
        raise field_error(
            f"q{question.pk}",
            _("Please do not write passwords, PINs or verification codes here."),
            code="c3_information",
        )
    return redact(value.strip())[:2000]


@transaction.atomic
def response_submit(
    *,
    survey: Survey,
    answers: dict[int, Any],
    nonce: str,
    browser: str = "",
    unit_code: str = "",
    consent: bool = False,
    contact_name: str = "",
    contact_phone: str = "",
    invitation: Invitation | None = None,
    now: dt.datetime | None = None,
) -> Response:
    """Store one submission. `answers`: question id → option id / list of option ids / scale value / text,
    already checked by the page's form; checked again here (required, options of the question, scale range).
    Refused when the survey is not open today, with a reused nonce or (one answer per browser) a browser
    that answered already (`AlreadyAnswered`). With a complainant's `invitation` (of this survey): once per
    invitation, counted for the complaint's unit; the invitation records the day, the response stays
    unlinked (anonymous)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    survey = Survey.objects.select_related("org_unit", "questionnaire").get(pk=survey.pk)
    if not survey.accepting(today):
        raise Conflict(_("This survey is not open for answers."), code="closed")
    if not nonce or len(nonce) > 64:
        raise DomainError(_("The form has expired: reload the page and answer again."), code="nonce")
    browser_key = browser_hash(browser) if survey.one_per_browser else ""
    if invitation is not None:
        invitation = Invitation.objects.select_for_update().select_related("org_unit").get(pk=invitation.pk)
        if invitation.survey_id != survey.pk:
            raise DomainError(_("This link does not belong to the survey."), code="invitation")
        if invitation.answered_on is not None:
            raise AlreadyAnswered(
                _("Thank you — your answers to this survey were received already."), code="repeat"
            )
    if Response.objects.filter(survey=survey, nonce=nonce).exists() or (
        browser_key and Response.objects.filter(survey=survey, browser=browser_key).exists()
    ):
        raise AlreadyAnswered(
            _("Thank you — your answers to this survey were received already."), code="repeat"
        )
    rows: list[Answer] = []
    errors: dict[str, list[str]] = {}
    questions = list(survey.questionnaire.questions.prefetch_related("options"))
    for question in questions:
        key = f"q{question.pk}"
        value = answers.get(question.pk)
        empty = value in (None, "", [])
        if empty:
            if question.required:
                errors[key] = [_("Please answer this question.")]
            continue
        option_ids = {o.pk for o in question.options.all()}
        try:
            if question.kind == QuestionKind.CHOICE_ONE:
                chosen = int(str(value))
                if chosen not in option_ids:
                    raise ValueError
                rows.append(Answer(question=question, option_id=chosen))
            elif question.kind == QuestionKind.CHOICE_MANY:
                picked = {int(str(v)) for v in (value if isinstance(value, list | tuple | set) else [value])}
                if not picked <= option_ids:
                    raise ValueError
                rows += [Answer(question=question, option_id=pk) for pk in sorted(picked)]
            elif question.kind == QuestionKind.SCALE:
                number = int(str(value))
                if not question.scale_min <= number <= question.scale_max:
                    raise ValueError
                rows.append(Answer(question=question, value=number))
            else:
                rows.append(Answer(question=question, text=_clean_text_answer(question, str(value))))
        except (TypeError, ValueError):
            errors[key] = [_("Choose one of the answers offered.")]
    name = " ".join((contact_name or "").split())[:50]
    phone = "".join((contact_phone or "").split())[:20]
    if consent and survey.ask_contact:
        if not name:
            errors["contact_name"] = [_("Give a name to be contacted, or untick the consent.")]
        if not PHONE.fullmatch(phone):
            errors["contact_phone"] = [_("Enter a mobile number of 11 digits, or untick the consent.")]
    if errors:
        first = next(iter(errors.values()))[0]
        raise DomainError(first, code="invalid", fields=errors)
    keep_contact = consent and survey.ask_contact
    response = Response(
        survey=survey,
        org_unit=invitation.org_unit if invitation is not None else response_unit(survey, unit_code),
        submitted_at=now,
        submitted_on=today,
        nonce=nonce,
        browser=browser_key,
        consent=keep_contact,
    )
    if keep_contact:
        response.contact_name = name  # type: ignore[assignment]  # sealed on save
        response.contact_phone = phone  # type: ignore[assignment]
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError:  # the same nonce or browser at the same moment
        raise AlreadyAnswered(
            _("Thank you — your answers to this survey were received already."), code="repeat"
        ) from None
    if invitation is not None:
        Invitation.objects.filter(pk=invitation.pk).update(answered_on=today)
    for row in rows:
        row.response = response
    Answer.objects.bulk_create(rows)
    audit_record(
        actor=None,
        action=AuditAction.CREATE,
        obj=response,
        object_repr=f"{survey.title[:150]} #{response.pk}",
        changes={
            "survey": [None, survey.pk],
            "unit": [None, response.org_unit.code],
            "consent": [None, keep_contact],
        },
    )
    return response
