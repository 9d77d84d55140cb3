"""The education demo loader: a year of editions with targets per demo branch and activities across the
demo bank (mostly approved), their events and topics, a few photos with their EXIF date —
and the pages after it."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management.base import BaseCommand
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from xiaobao.core.demo import demo_load as bank_load
from xiaobao.core.models import OrgUnit, User
from xiaobao.education import demo
from xiaobao.education.models import Activity, ActivityEvent, ActivityPhoto, CampaignEdition, EditionTarget

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pinned():
    with time_machine.travel("2026-09-25 10:00 +0800", tick=False):
        yield


def test_the_demo_loads_a_year_of_campaigns_once(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    # given the demo bank
    bank_load(consumers=0)
    # when the education demo is loaded twice
    first, second = StringIO(), StringIO()
    cmd = BaseCommand(stdout=first)
    demo.load(cmd)
    demo.load(BaseCommand(stdout=second))
    # then eight editions of 2026 with a target for every demo branch, and the activities
    assert "Demo education loaded" in first.getvalue() and "already loaded" in second.getvalue()
    assert CampaignEdition.objects.filter(year=2026).count() == 8
    branches = OrgUnit.objects.filter(kind="branch").count()
    assert EditionTarget.objects.count() == 8 * branches
    assert Activity.objects.count() == demo.ACTIVITIES
    by_status = dict(Activity.objects.values_list("status").annotate(n=Count("id")))
    assert by_status["approved"] > by_status["submitted"] > by_status["returned"] > 0
    # every activity's audience adds up; held within its edition; outlets mostly
    for a in Activity.objects.select_related("edition")[:200]:
        assert sum(a.audience().values()) == a.people_reached
        if a.edition:
            assert a.edition.starts_on <= a.held_on <= a.edition.ends_on
    assert Activity.objects.filter(org_unit__kind="outlet").count() > demo.ACTIVITIES * 0.7
    # events as the transition service writes them; topics on every activity
    assert ActivityEvent.objects.filter(action="report").count() == demo.ACTIVITIES
    assert ActivityEvent.objects.filter(action="approve").count() == by_status["approved"]
    assert not Activity.objects.filter(topics__isnull=True).exists()
    # photos with their own date: one a couple of days off is flagged
    assert ActivityPhoto.objects.count() == demo.PHOTOS
    assert ActivityPhoto.objects.filter(date_mismatch=True).count() == 1
    assert ActivityPhoto.objects.filter(taken_on__isnull=False).count() == demo.PHOTOS
    # the branch officer's pages show the data
    officer = User.objects.get(username="branch1_cp")
    c = Client()
    c.force_login(officer)
    edition = CampaignEdition.objects.get(campaign__code="financial_literacy_month")
    assert c.get(reverse("education:home")).status_code == 200
    page = c.get(reverse("education:edition", args=[edition.pk]))
    assert page.status_code == 200 and "silent-outlets" in page.content.decode()
    assert edition.report_by == dt.date(2026, 10, 10)
