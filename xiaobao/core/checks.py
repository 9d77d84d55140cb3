"""System checks: `xiaobao check --deploy` refuses development vault keys and missing secrets."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def vault_keys_configured(app_configs: Any, **kwargs: Any) -> list[Error]:
    from xiaobao.core.vault.keys import keyring

    errors = []
    if keyring().is_development:
        errors.append(
            Error(
                "The personal-data vault uses a development key derived from SECRET_KEY.",
                hint="Set XIAOBAO_VAULT_KEY_FILE (see README, 'Personal-data vault keys').",
                id="xiaobao.E001",
            )
        )
    if settings.DEBUG:
        errors.append(Error("XIAOBAO_DEBUG is on.", id="xiaobao.E002"))
    return errors
