"""Question bank pages (/exams/questions/): the list with filters and counts by kind and difficulty, a new
question and its edit (the form adapts to the kind), a question with its versions, marking it reviewed, the
Excel template, import (errors by row and column, all-or-nothing) and export, the tags with regulations
marked revised."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from xiaobao.core.clock import localdate
from xiaobao.core.exports import xlsx_file_response
from xiaobao.core.http import AuthedRequest
from xiaobao.core.models.audit import AuditAction
from xiaobao.core.services.audit import audit_record
from xiaobao.core.views.common import bound_filter, paginate, query_without_page
from xiaobao.exams.choices import QuestionKind, TagKind
from xiaobao.exams.forms_questions import (
    DIFFICULTIES,
    ImportForm,
    QuestionFilter,
    QuestionForm,
    RevisedForm,
    TagForm,
)
from xiaobao.exams.models import MANAGE_QUESTIONS, VIEW, Question, Tag
from xiaobao.exams.question_io import export_workbook, import_questions, template_workbook
from xiaobao.exams.questions import (
    answer_letters,
    can_manage,
    question_create,
    question_list,
    question_mark_reviewed,
    question_update,
    regulation_revised,
    tag_create,
    tag_list,
    tag_update,
    version_usage,
)

EXPORT_LIMIT = 20_000


def _get(request: AuthedRequest, pk: int) -> Question:
    """The question if the user may see it; 404 otherwise (its existence is not revealed)."""
    question = (
        Question.objects.visible_to(request.user)
        .select_related("org_unit", "current_version", "created_by")
        .prefetch_related("tags")
        .filter(pk=pk)
        .first()
    )
    if question is None:
        raise Http404
    return question


def _counts(qs: Any) -> dict[str, Any]:
    """Questions by kind and difficulty (one grouped statement), the totals and how many need review."""
    cells: dict[tuple[str, int], int] = {}
    flagged = 0
    for kind, difficulty, needs_review, n in (
        qs.order_by().values_list("kind", "difficulty", "needs_review").annotate(n=Count("pk"))
    ):
        cells[(kind, difficulty)] = cells.get((kind, difficulty), 0) + n
        flagged += n if needs_review else 0
    levels = [int(v) for v, _label in DIFFICULTIES]
    rows: list[dict[str, Any]] = [
        {
            "kind": kind,
            "label": label,
            "cells": [cells.get((kind, d), 0) for d in levels],
            "total": sum(cells.get((kind, d), 0) for d in levels),
        }
        for kind, label in QuestionKind.choices
    ]
    totals = [sum(r["cells"][i] for r in rows) for i in range(len(levels))]
    return {"levels": levels, "rows": rows, "totals": totals, "total": sum(totals), "flagged": flagged}


# --- the list -----------------------------------------------------------------------------------------------


@require_GET
@permission_required(VIEW, raise_exception=True)
def question_list_view(request: AuthedRequest) -> HttpResponse:
    form, filters = _filter(request)
    qs = question_list(user=request.user, filters=filters)
    page = paginate(request, qs, per_page=50)
    for q in page.object_list:
        q.answer_text = answer_letters(q)
    context = {
        "form": form,
        "page": page,
        "counts": _counts(qs),
        "query": query_without_page(request),
        "can_manage": request.user.has_perm(MANAGE_QUESTIONS),
    }
    status = 400 if form.is_bound and not form.is_valid() else 200
    template = "exams/questions/list.html#results" if request.htmx else "exams/questions/list.html"
    return render(request, template, context, status=status)


def _filter(request: AuthedRequest) -> tuple[QuestionFilter, dict[str, Any]]:
    return bound_filter(request, QuestionFilter)


@require_GET
@permission_required(VIEW, raise_exception=True)
def question_export_view(request: AuthedRequest) -> HttpResponse:
    """The questions as the list filters them, in the template's layout (IDs included: edit, import back)."""
    _form, filters = _filter(request)
    qs = question_list(user=request.user, filters=filters)[:EXPORT_LIMIT]
    content = export_workbook(qs)
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        object_type="exams.question",
        object_repr=_("Question bank export"),
        changes={"filters": {k: str(v) for k, v in filters.items() if v not in (None, "")}},
    )
    return xlsx_file_response(f"question-bank-{localdate():%Y%m%d}.xlsx", content)


@require_GET
@permission_required(VIEW, raise_exception=True)
def question_template_view(request: AuthedRequest) -> HttpResponse:
    return xlsx_file_response("question-bank-template.xlsx", template_workbook())


# --- one question -------------------------------------------------------------------------------------------


@require_GET
@permission_required(VIEW, raise_exception=True)
def question_detail_view(request: AuthedRequest, pk: int) -> HttpResponse:
    question = _get(request, pk)
    used = version_usage(question)
    versions = list(question.versions.all())
    for v in versions:
        v.used = used.get(v.pk, 0)  # type: ignore[attr-defined]
        v.key_text = answer_letters(v)  # type: ignore[attr-defined]
        v.lettered = _option_rows(v)  # type: ignore[attr-defined]
    context = {
        "question": question,
        "options": _option_rows(question),
        "versions": versions,
        "can_manage": can_manage(request.user, question),
        "tags": list(question.tags.all()),
    }
    return render(request, "exams/questions/detail.html", context)


def _option_rows(q: Any) -> list[dict[str, Any]]:
    from xiaobao.exams.questions import letter

    key = q.answer if isinstance(q.answer, list) else []
    return [{"letter": letter(i), "text": o, "correct": i in key} for i, o in enumerate(q.options or [])]


@permission_required(MANAGE_QUESTIONS, raise_exception=True)
def question_create_view(request: AuthedRequest) -> HttpResponse:
    form = QuestionForm(request.POST if request.method == "POST" else None, user=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                question = question_create(
                    actor=request.user, data=form.to_data(), unit=form.cleaned_data["org_unit"]
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            except PermissionDenied as exc:
                form.add_error("org_unit", str(exc) or _("You may not do this."))
                status = 403
            else:
                messages.success(request, _("Question No. %(id)d saved.") % {"id": question.pk})
                if request.POST.get("another"):
                    return redirect(reverse("exams:question_create") + f"?kind={question.kind}")
                return redirect("exams:question_detail", pk=question.pk)
    elif request.GET.get("kind") in QuestionKind.values:
        form.initial["kind"] = request.GET["kind"]
    return render(request, "exams/questions/form.html", {"form": form, "question": None}, status=status)


@permission_required(MANAGE_QUESTIONS, raise_exception=True)
def question_edit_view(request: AuthedRequest, pk: int) -> HttpResponse:
    question = _get(request, pk)
    if not can_manage(request.user, question):
        raise PermissionDenied(_("You may not edit the question bank of this unit."))
    form = QuestionForm(
        request.POST if request.method == "POST" else None, user=request.user, question=question
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            before = question.current_version_id
            try:
                question = question_update(actor=request.user, question=question, data=form.to_data())
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                if question.current_version_id != before:
                    messages.success(
                        request,
                        _("Saved as version %(n)d: the attempts that used the earlier version keep it.")
                        % {"n": question.current_version.number},  # type: ignore[union-attr]
                    )
                else:
                    messages.success(request, _("Question No. %(id)d saved.") % {"id": question.pk})
                return redirect("exams:question_detail", pk=question.pk)
    context = {"form": form, "question": question, "used": bool(version_usage(question))}
    return render(request, "exams/questions/form.html", context, status=status)


@require_POST
@permission_required(MANAGE_QUESTIONS, raise_exception=True)
def question_reviewed_view(request: AuthedRequest, pk: int) -> HttpResponse:
    question = _get(request, pk)
    if not can_manage(request.user, question):
        raise PermissionDenied(_("You may not edit the question bank of this unit."))
    question_mark_reviewed(actor=request.user, question=question)
    messages.success(request, _("Marked as reviewed."))
    return redirect("exams:question_detail", pk=question.pk)


# --- import -------------------------------------------------------------------------------------------------


@permission_required(MANAGE_QUESTIONS, raise_exception=True)
def question_import_view(request: AuthedRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    result = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                result = import_questions(
                    actor=request.user, unit=form.cleaned_data["org_unit"], file=form.cleaned_data["file"]
                )
            except PermissionDenied as exc:
                form.add_error("org_unit", str(exc))
                status = 403
            else:
                if result.ok:
                    messages.success(
                        request,
                        _(
                            "Imported %(rows)d rows: %(created)d new questions, %(updated)d changed, "
                            "%(unchanged)d unchanged."
                        )
                        % {
                            "rows": result.rows,
                            "created": result.created,
                            "updated": result.updated,
                            "unchanged": result.unchanged,
                        },
                    )
                    return redirect("exams:questions")
    return render(request, "exams/questions/import.html", {"form": form, "result": result}, status=status)


# --- tags ---------------------------------------------------------------------------------------------------


@permission_required(VIEW, raise_exception=True)
def tag_list_view(request: AuthedRequest) -> HttpResponse:
    """Topics and regulations with their questions in the user's view; a new tag; a regulation revised."""
    may_manage = request.user.has_perm(MANAGE_QUESTIONS)
    form = TagForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        status = 400
        if form.is_valid():
            try:
                tag = tag_create(actor=request.user, data=form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Tag %(name)s added.") % {"name": tag.name})
                return redirect("exams:question_tags")
    tags = list(tag_list(user=request.user))
    flagged = dict(
        Question.objects.visible_to(request.user)
        .filter(needs_review=True)
        .order_by()
        .values_list("tags")
        .annotate(n=Count("pk", distinct=True))
    )
    for tag in tags:
        tag.flagged = flagged.get(tag.pk, 0)  # type: ignore[attr-defined]
    context = {
        "form": form,
        "topics": [t for t in tags if t.kind == TagKind.TOPIC],
        "regulations": _by_regulation([t for t in tags if t.kind == TagKind.REGULATION]),
        "revised_form": RevisedForm(initial={"on": localdate()}),
        "can_manage": may_manage,
    }
    return render(request, "exams/questions/tags.html", context, status=status)


def _by_regulation(tags: list[Tag]) -> list[dict[str, Any]]:
    groups: dict[str, list[Tag]] = {}
    for tag in tags:
        groups.setdefault(tag.regulation or tag.name, []).append(tag)
    return [{"regulation": name, "tags": items} for name, items in groups.items()]


def _tag(pk: int) -> Tag:
    tag = Tag.objects.filter(pk=pk).first()
    if tag is None:
        raise Http404
    return tag


@permission_required(MANAGE_QUESTIONS, raise_exception=True)
def tag_edit_view(request: AuthedRequest, pk: int) -> HttpResponse:
    tag = _tag(pk)
    initial = {"kind": tag.kind, "name": tag.name, "regulation": tag.regulation, "article": tag.article}
    form = TagForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                tag_update(actor=request.user, tag=tag, data=form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request, _("Tag %(name)s saved.") % {"name": form.cleaned_data["name"] or tag.name}
                )
                return redirect("exams:question_tags")
    return render(request, "exams/questions/tag_form.html", {"form": form, "tag": tag}, status=status)


@require_POST
@permission_required(MANAGE_QUESTIONS, raise_exception=True)
def tag_revised_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """The regulation (article) the tag stands for was revised: flag its questions not reviewed since."""
    tag = _tag(pk)
    form = RevisedForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, str(e))
        return redirect("exams:question_tags")
    try:
        flagged = regulation_revised(
            tag,
            on=form.cleaned_data["on"],
            actor=request.user,
            whole_regulation=form.cleaned_data["whole_regulation"],
        )
    except ValidationError as exc:
        for e in exc.messages:
            messages.error(request, e)
        return redirect("exams:question_tags")
    messages.success(
        request,
        _("Recorded as revised on %(day)s: %(n)d questions flagged for review.")
        % {"day": form.cleaned_data["on"].isoformat(), "n": flagged},
    )
    url = reverse("exams:questions") + "?needs_review=yes"
    if not form.cleaned_data["whole_regulation"]:
        url += f"&tag={tag.pk}"
    return redirect(url)
