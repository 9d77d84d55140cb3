"""Fixtures of the portal tests: a clean cache (the throttles), a pinned day, the consumer's form data, small
files of each kind, and a staff member who decides and notifies a complaint."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache

from conftest import make_power_user

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)  # a Monday
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64
HTML = b"<html><script>alert(1)</script></html>"
PHONE = "13812349876"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def pinned():
    with time_machine.travel(DAY, tick=True) as traveller:
        yield traveller


@pytest.fixture
def form_data():
    def make(**over):
        data = {
            "name": "李小红",
            "phone": PHONE,
            "email": "li.xiaohong@example.com",
            "business_type": "B03",
            "product": "白金信用卡",
            "description": "信用卡年费未经同意被扣收。",
            "request": "退还年费 600 元",
            "consent": "on",
        }
        data.update(over)
        return data

    return make


@pytest.fixture
def upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    def make(name: str, content: bytes) -> SimpleUploadedFile:
        return SimpleUploadedFile(name, content)

    return make


@pytest.fixture
def ho_worker(org):
    """Works on complaints received at the head office: assigns, handles, decides and notifies."""
    return make_power_user("ho_worker", org.ho)


@pytest.fixture
def decide():
    """Move a complaint through assignment, drafting and notification (the decision text given)."""
    from xiaobao.complaints.models import Complaint
    from xiaobao.complaints.services import complaint_transition

    def run(worker, complaint, result="经核实，同意退还年费 600 元。"):
        for action, data in (
            ("assign", {"handler": worker.username}),
            ("accept", {}),
            ("draft", {"verification": "调取扣费记录", "basis": "合同第5条", "result": result}),
            ("notify", {"method": "sms", "proof": "短信回执 1"}),
        ):
            complaint = complaint_transition(actor=worker, complaint=complaint, action=action, data=data)
        return Complaint.objects.get(pk=complaint.pk)

    return run


def stored_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def counts() -> tuple[int, ...]:
    from xiaobao.complaints.models import Attachment, Complaint
    from xiaobao.core.models import Consumer
    from xiaobao.portal.models import PortalSubmission

    return (
        Complaint.objects.count(),
        Consumer.objects.count(),
        Attachment.objects.count(),
        PortalSubmission.objects.count(),
        len(stored_files()),
    )


def buffer(content: bytes) -> io.BytesIO:
    return io.BytesIO(content)
