"""The template upload form's description field is labelled as a template's description, not as a
complaint's (issue 12 item 22: it read 投诉事项描述, one msgid shared with the complaint form)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


def _label(html: str, field: str) -> str:
    match = re.search(rf'<label for="id_{field}"[^>]*>(.*?)</label>', html, re.S)
    assert match, f"no label for {field}"
    return re.sub(r"<[^>]+>", "", match[1]).strip()


def test_the_upload_form_labels_the_templates_description(client_for, org, sysadmin):
    with translation.override("zh-hans"):
        html = client_for(sysadmin).get(reverse("reports:templates")).content.decode()
    label = _label(html, "description")
    assert "投诉" not in label
    assert label.rstrip("：:") == "模板说明"


def test_the_complaint_form_keeps_its_own_label():
    from xiaobao.complaints.forms import ComplaintIntakeForm

    with translation.override("zh-hans"):
        assert str(ComplaintIntakeForm.base_fields["description"].label) == "投诉事项描述"
