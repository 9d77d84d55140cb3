"""`{% oidc_login_button next %}`: the login page's "Sign in with <provider>" button, only when OpenID Connect
sign-in is configured (XIAOBAO_OIDC_*)."""

from __future__ import annotations

from typing import Any

from django import template

from xiaobao.directory import oidc

register = template.Library()


@register.inclusion_tag("directory/oidc_login_button.html")
def oidc_login_button(next_url: str = "") -> dict[str, Any]:
    if not oidc.oidc_on():
        return {"on": False}
    return {"on": True, "label": oidc.button_label(), "next": next_url or ""}


@register.inclusion_tag("directory/oidc_configuration.html")
def oidc_configuration() -> dict[str, Any]:
    """The directory page's read-only OpenID Connect section (never the client secret)."""
    return {"oidc": oidc.conf(), "label": oidc.button_label()}
