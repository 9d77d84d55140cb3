"""`{% complaint_notes c as panel %}` for the notes panel, `{% reply_template_picker c as picker %}` for the
draft form, `{% notice_body c as text %}` for the printable notice: each template fetches what it shows, so
the pages including them import nothing of this app."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def complaint_notes(context: template.Context, complaint: Any) -> Any:
    from xiaobao.notes.panel import notes_panel

    request = context.get("request")
    if request is None or complaint is None:
        return None
    return notes_panel(request.user, complaint)


@register.simple_tag(takes_context=True)
def reply_template_picker(context: template.Context, complaint: Any) -> Any:
    from xiaobao.notes.panel import template_picker

    request = context.get("request")
    if request is None or complaint is None:
        return None
    return template_picker(request.user, complaint)


@register.simple_tag(takes_context=True)
def notice_body(context: template.Context, complaint: Any) -> str:
    from xiaobao.notes.notice_docs import notice_body as body

    request = context.get("request")
    if request is None or complaint is None:
        return ""
    return body(request.user, complaint)


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if mapping else None


@register.simple_tag(takes_context=True)
def notice_sending(context: template.Context, complaint: Any) -> dict[str, Any]:
    """Whether the user may record the notice as sent now (the complaint's `notify` action) and its link."""
    from django.urls import reverse

    from xiaobao.complaints.services import allowed_actions

    request = context.get("request")
    if request is None or complaint is None:
        return {}
    codes = {a.code for a in allowed_actions(request.user, complaint)}
    can = "notify" in codes and not complaint.notified_at
    return {
        "can_notify": can,
        "url": reverse("complaints:action", args=[complaint.pk, "notify"]) if can else "",
    }
