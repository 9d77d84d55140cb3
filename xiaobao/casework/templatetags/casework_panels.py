"""`{% module_panels obj %}`: the panels other modules declare for an object's page (`Module.panels`), so a
page shows them without its app importing theirs (the complaint page shows the reviews linked to it)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from xiaobao.casework.registry import panel_templates

register = template.Library()


@register.simple_tag(takes_context=True)
def module_panels(context: template.Context, obj: Any) -> SafeString:
    """Each declared template for `obj`'s model, rendered in the page's context with `object` = obj."""
    if obj is None or not hasattr(obj, "_meta"):
        return mark_safe("")
    names = panel_templates(obj._meta.label_lower)
    if not names:
        return mark_safe("")
    backend: Any = template.engines["django"]
    engine: Any = context.template.engine if context.template is not None else backend.engine
    parts = []
    with context.push(object=obj):
        for name in names:
            parts.append(engine.get_template(name).render(context))
    return mark_safe("".join(parts))  # noqa: S308  # the included templates escape their own output
