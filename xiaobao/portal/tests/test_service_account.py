"""The portal's service account acts for consumers and nothing else: it is never offered as a person to assign
or pick, a complaint cannot be assigned to it, and nobody signs in as it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from xiaobao.complaints.forms import handler_choices
from xiaobao.complaints.services import complaint_transition
from xiaobao.core.pickers import people
from xiaobao.desk.services import eligible_handlers
from xiaobao.portal.services import ACCOUNT, portal_actor, portal_settings, portal_submit

pytestmark = pytest.mark.django_db


def _usernames(choices):
    return {u for _, group in choices[1:] for u, _label in group}


def test_the_service_account_is_never_offered_as_a_person(org, hq_officer, form_data, pinned):
    account = portal_actor()
    assert account.is_service and not account.has_usable_password()
    assert ACCOUNT not in _usernames(handler_choices(hq_officer))
    assert not people(hq_officer, "complaints.handle_complaint").filter(username=ACCOUNT).exists()
    assert not eligible_handlers(hq_officer).filter(username=ACCOUNT).exists()
    # … while the head office's own handlers are offered
    assert hq_officer.username in _usernames(handler_choices(hq_officer))

    portal_settings()
    complaint = portal_submit(data={**form_data(), "consent": True})
    with pytest.raises(ValidationError) as exc:
        complaint_transition(
            actor=hq_officer, complaint=complaint, action="assign", data={"handler": ACCOUNT}
        )
    assert "handler" in exc.value.message_dict


def test_nobody_signs_in_as_the_service_account(org):
    portal_actor()
    client = Client()
    answer = client.post(reverse("core:login"), {"username": ACCOUNT, "password": "anything-at-all"})
    assert answer.status_code == 400  # the login form's refusal
    assert "_auth_user_id" not in client.session
