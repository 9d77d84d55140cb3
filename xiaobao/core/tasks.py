"""Background work of the foundation: a thin task per job, as the other apps do."""

from __future__ import annotations

from django.utils import translation
from django_tasks import task


@task()
def password_reset_task(login: str, domain: str, use_https: bool, language: str) -> None:
    """E-mail a one-time reset link to whoever `login` names (maybe nobody), in the requester's language.
    Queued for every request, so the request itself takes the same time whether or not an account exists."""
    from xiaobao.core.forms import PasswordResetRequestForm

    with translation.override(language):
        form = PasswordResetRequestForm({"email": login})
        if form.is_valid():
            form.save(domain_override=domain, use_https=use_https)
