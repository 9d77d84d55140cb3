"""What the notes panel on the complaint page shows, and the template picker on the draft form."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from xiaobao.notes import services
from xiaobao.notes.models import Note, ReplyTemplate, TemplateKind


@dataclass
class NoteRow:
    note: Note
    html: SafeString
    can_change: bool


@dataclass
class NotesPanel:
    complaint: Any
    rows: list[NoteRow] = field(default_factory=list)
    can_write: bool = False
    form: Any = None
    mention_url: str = ""


def note_html(note: Note) -> SafeString:
    """The note's text escaped, line breaks kept, its resolved mentions highlighted."""
    names = {u.username: u for u in note.mentions.all()} | {
        u.full_name: u for u in note.mentions.all() if u.full_name
    }
    text = str(escape(note.text))
    if names:
        pattern = re.compile(
            "@(" + "|".join(re.escape(str(escape(n))) for n in sorted(names, key=len, reverse=True)) + ")"
        )
        text = pattern.sub(
            lambda m: f'<span class="mention" data-testid="mention">@{m.group(1)}</span>', text
        )
    return mark_safe(text.replace("\n", "<br>"))  # noqa: S308  # escaped above; only our span added


def notes_panel(user: Any, complaint: Any, form: Any = None) -> NotesPanel | None:
    """None for a user who may not read the complaint (the panel is then not shown at all)."""
    from xiaobao.notes.forms import NoteForm

    if not user.has_perm(services.VIEW):
        return None
    now = timezone.now()
    rows = [NoteRow(n, note_html(n), services.can_change(user, n, now)) for n in Note.objects.on(complaint)]
    can_write = user.has_perm(services.WRITE) and not complaint.anonymised_at
    return NotesPanel(
        complaint=complaint,
        rows=rows,
        can_write=can_write,
        form=form or (NoteForm() if can_write else None),
        mention_url=reverse("notes:mentions", args=[complaint.pk]) if can_write else "",
    )


@dataclass
class TemplatePicker:
    templates: list[ReplyTemplate]
    render_urls: dict[int, str]


def template_picker(user: Any, complaint: Any) -> TemplatePicker:
    templates = services.templates_for(complaint, TemplateKind.DECISION)
    urls = {t.pk: reverse("notes:template_render", args=[complaint.pk, t.pk]) for t in templates}
    return TemplatePicker(templates, urls)
