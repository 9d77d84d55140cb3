"""What every module's action endpoint (`POST /<items>/{id}/actions/{action}`) shares."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from xiaobao.core.errors import field_error


def action_payload(request: HttpRequest) -> dict[str, Any]:
    """The action's input: the request body as a JSON object (empty body → {}), else 422 on `body`."""
    if not request.body:
        return {}
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise field_error("body", _("The request body is not valid JSON.")) from exc
    if not isinstance(data, dict):
        raise field_error("body", _("The request body must be a JSON object."))
    return data
