"""Pages: the notes panel's actions on the complaint page, the reply-template pages, the notice files."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from xiaobao.complaints.models import Complaint
from xiaobao.complaints.views.common import get_complaint
from xiaobao.core.errors import DomainError
from xiaobao.core.http import AuthedRequest
from xiaobao.notes import notice_docs, services
from xiaobao.notes.forms import NoteForm, PreviewForm, ReplyTemplateForm
from xiaobao.notes.models import Note, ReplyTemplate
from xiaobao.notes.panel import notes_panel

VIEW = "complaints.view_complaint"


def _errors_to_form(form: Any, exc: DomainError | ValidationError) -> None:
    if isinstance(exc, DomainError):
        if exc.fields:
            for field, errors in exc.fields.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc.message)
    elif hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _panel_response(
    request: AuthedRequest, c: Complaint, form: NoteForm | None = None, status: int = 200
) -> HttpResponse:
    context = {"object": c, "panel": notes_panel(request.user, c, form=form)}
    return render(request, "notes/_notes_panel.html", context, status=status)


# --- notes ------------------------------------------------------------------------------------------------


@require_POST
@permission_required(services.WRITE, raise_exception=True)
def note_add(request: AuthedRequest, pk: int) -> HttpResponse:
    """Add a note (HTMX: answers the refreshed panel; without JavaScript: back to the complaint page)."""
    c = get_complaint(request, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            note = services.note_add(actor=request.user, complaint=c, text=form.cleaned_data["text"])
        except (DomainError, ValidationError) as exc:
            _errors_to_form(form, exc)
        else:
            told = [str(u) for u in note.mentions.all() if u.pk != request.user.pk]
            flash = _("Note added.")
            if told:
                flash += " " + _("Told: %(names)s.") % {"names": "、".join(told)}
            if request.htmx:
                response = _panel_response(request, c)
                response["HX-Trigger"] = "noteAdded"
                return response
            messages.success(request, flash)
            return redirect(reverse("complaints:detail", args=[c.pk]) + "#notes")
    if request.htmx:
        return _panel_response(request, c, form=form, status=400)
    for errors in form.errors.values():
        for e in errors:
            messages.error(request, str(e))
    return redirect(reverse("complaints:detail", args=[c.pk]) + "#notes")


def _own_note(request: AuthedRequest, pk: int) -> Note:
    note = get_object_or_404(Note.objects.select_related("complaint", "author"), pk=pk)
    get_complaint(request, note.complaint_id)  # 404 outside the user's scope
    return note


@permission_required(services.WRITE, raise_exception=True)
def note_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    note = _own_note(request, pk)
    if not services.can_change(request.user, note):
        raise PermissionDenied(_("Only the author may change a note, within 15 minutes."))
    form = NoteForm(request.POST or None, initial={"text": note.text})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.note_edit(actor=request.user, note=note, text=form.cleaned_data["text"])
            except (DomainError, ValidationError) as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("Note changed."))
                return redirect(reverse("complaints:detail", args=[note.complaint_id]) + "#notes")
        status = 400
    return render(
        request, "notes/note_edit.html", {"note": note, "form": form, "c": note.complaint}, status=status
    )


@require_POST
@permission_required(services.WRITE, raise_exception=True)
def note_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    note = _own_note(request, pk)
    complaint_id = note.complaint_id
    try:
        services.note_delete(actor=request.user, note=note)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do this."))
    else:
        messages.success(request, _("Note withdrawn."))
    return redirect(reverse("complaints:detail", args=[complaint_id]) + "#notes")


@require_GET
@permission_required(services.WRITE, raise_exception=True)
def mention_candidates(request: AuthedRequest, pk: int) -> JsonResponse:
    """People who can see the complaint whose username or name contains `q` (the @ suggestion list)."""
    c = get_complaint(request, pk)
    people = services.mention_candidates(c, request.GET.get("q", "")[:30])
    rows = [
        {"username": u.username, "name": str(u), "unit": u.org_unit.name if u.org_unit else ""}
        for u in people
    ]
    return JsonResponse({"people": rows})


# --- reply templates --------------------------------------------------------------------------------------


@require_GET
@permission_required(services.MANAGE, raise_exception=True)
def template_list(request: AuthedRequest) -> HttpResponse:
    own = ReplyTemplate.objects.manageable_by(request.user).select_related(
        "org_unit", "business_type", "cause"
    )
    inherited = (
        services.usable_by(request.user)
        .exclude(pk__in=own.values("pk"))
        .select_related("org_unit", "business_type", "cause")
    )
    return render(
        request,
        "notes/template_list.html",
        {
            "templates": list(own.order_by("kind", "name")),
            "inherited": list(inherited.order_by("kind", "name")),
        },
    )


def _template_form_page(request: AuthedRequest, template: ReplyTemplate | None) -> HttpResponse:
    form = ReplyTemplateForm(request.POST or None, user=request.user, instance=template)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = services.template_save(actor=request.user, data=form.to_data(), template=template)
            except (DomainError, ValidationError) as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, _("Template saved."))
                return redirect("notes:template_edit", pk=saved.pk)
        status = 400
    return render(
        request,
        "notes/template_form.html",
        {"form": form, "template": template, "placeholders": ReplyTemplateForm.placeholder_help()},
        status=status,
    )


@permission_required(services.MANAGE, raise_exception=True)
def template_create(request: AuthedRequest) -> HttpResponse:
    return _template_form_page(request, None)


def _managed(request: AuthedRequest, pk: int) -> ReplyTemplate:
    qs = ReplyTemplate.objects.manageable_by(request.user).select_related(
        "org_unit", "business_type", "cause"
    )
    template = qs.filter(pk=pk).first()
    if template is None:
        raise Http404
    return template


@permission_required(services.MANAGE, raise_exception=True)
def template_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    return _template_form_page(request, _managed(request, pk))


@require_POST
@permission_required(services.MANAGE, raise_exception=True)
def template_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    template = _managed(request, pk)
    services.template_delete(actor=request.user, template=template)
    messages.success(request, _("Template deleted."))
    return redirect("notes:templates")


@require_GET
@permission_required(services.MANAGE, raise_exception=True)
def template_preview(request: AuthedRequest, pk: int) -> HttpResponse:
    """The template filled in for a complaint of the user's scope (by reference; the latest one it matches
    when none is given)."""
    template = _managed(request, pk)
    form = PreviewForm(request.GET or None)
    ref = (request.GET.get("complaint") or "").strip()
    visible = Complaint.objects.visible_to(request.user).select_related(
        "org_unit", "business_type", "cause", "channel", "complainant", "handler"
    )
    complaint = None
    if ref:
        complaint = visible.filter(reference=ref).first()
        if complaint is None:
            form.is_valid()
            form.add_error("complaint", _("No complaint with this reference in your scope."))
    else:
        qs = visible.filter(org_unit__path__startswith=template.org_unit.path)
        if template.business_type_id:
            qs = qs.filter(business_type=template.business_type)
        complaint = qs.order_by("-received_at").first() or visible.order_by("-received_at").first()
    fields = services.template_render(request.user, complaint, template) if complaint else {}
    labels = {
        n: getattr(ReplyTemplate._meta.get_field(n), "verbose_name", n) for n in ReplyTemplate.TEXT_FIELDS
    }
    return render(
        request,
        "notes/template_preview.html",
        {
            "template": template,
            "form": form,
            "complaint": complaint,
            "fields": [(labels[n], text) for n, text in fields.items() if text.strip()],
            "matches": complaint is not None and template in services.templates_for(complaint, template.kind),
        },
    )


@require_GET
@permission_required(VIEW, raise_exception=True)
def template_render(request: AuthedRequest, pk: int, template_id: int) -> JsonResponse:
    """A template's texts filled in for the complaint, as JSON for the picker on the draft form."""
    c = get_complaint(request, pk)
    if not (request.user.has_perm("complaints.handle_complaint") or request.user.has_perm(services.MANAGE)):
        raise PermissionDenied
    template = ReplyTemplate.objects.usable_at(c.org_unit.path).filter(pk=template_id).first()
    if template is None:
        raise Http404
    return JsonResponse({"id": template.pk, "fields": services.template_render(request.user, c, template)})


# --- the decision notice as files -------------------------------------------------------------------------


def _notice_file(request: AuthedRequest, pk: int, fmt: str) -> HttpResponse:
    c = get_complaint(request, pk)
    try:
        if fmt == "docx":
            content = notice_docs.build_docx(request.user, c)
        else:
            content = notice_docs.build_pdf(request.user, c)
    except DomainError as exc:
        return render(
            request, "complaints/notice.html", {"c": c, "text": "", "error": exc.message}, status=exc.status
        )
    notice_docs.record_generated(actor=request.user, c=c, fmt=fmt)
    return notice_docs.file_response(content, c, fmt)


@require_GET
@permission_required(VIEW, raise_exception=True)
def notice_docx(request: AuthedRequest, pk: int) -> HttpResponse:
    return _notice_file(request, pk, "docx")


@require_GET
@permission_required(VIEW, raise_exception=True)
def notice_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    return _notice_file(request, pk, "pdf")
