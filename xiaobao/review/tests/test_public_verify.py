"""The public check (/public/verify/): no login, the verdict in plain words (withdrawn, expired, superseded in
red), the approved file's name and SHA-256, the institution's name — and nothing internal. Files are hashed,
never stored; the form is throttled per address."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xiaobao.review import approvals as svc
from xiaobao.review import views_approvals
from xiaobao.review.tests.test_approvals_fixtures import on, passed_review, people

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def approved(org, settings):
    settings.INSTITUTION_NAME = "晓宝农商银行"
    submitter, reviewer = people(org)
    with on("2026-03-02"):
        review = passed_review(submitter, reviewer, valid_until=dt.date(2027, 2, 28))
    approval = review.approvals.get()
    with approval.version.file.open("rb") as f:
        content = f.read()
    return approval, content, reviewer


def test_the_code_page_needs_no_login_and_shows_the_verdict(client, approved):
    approval, _content, reviewer = approved
    # when anybody opens the page a QR code leads to
    with on("2026-04-01"):
        response = client.get(reverse("review_public:verify_code", args=[approval.code]))
    # then: approved, for which product, until when, which file, by which institution
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="verdict-ok"' in html
    for shown in (
        "稳盈1号理财产品",
        approval.number,
        approval.sha256,
        "leaflet.docx",
        "2027-02-28",
        "晓宝农商银行",
    ):
        assert shown in html
    # and nothing internal: no review reference, no people, no row ids
    assert approval.review.reference not in html
    assert reviewer.username not in html and reviewer.full_name not in html
    assert f"/reviews/{approval.review_id}/" not in html and "b1_product" not in html


def test_a_code_typed_loosely_leads_to_its_page(client, approved):
    approval, _content, _reviewer = approved
    typed = f"{approval.code[:4].lower()}-{approval.code[4:].lower()}"
    with on("2026-04-01"):
        response = client.get(reverse("review_public:verify"), {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == reverse("review_public:verify_code", args=[approval.code])


def test_withdrawn_expired_and_unknown_are_said_in_red(client, approved):
    approval, _content, reviewer = approved
    url = reverse("review_public:verify_code", args=[approval.code])
    # expired: after its date
    with on("2027-03-01"):
        expired = client.get(url).content.decode()
    assert 'data-testid="verdict-bad"' in expired and "已过期" in expired
    # withdrawn
    with on("2026-05-06"):
        svc.approval_withdraw(approval, by=reviewer, reason="下架")
        withdrawn = client.get(url).content.decode()
    assert 'data-testid="verdict-bad"' in withdrawn and "已撤回" in withdrawn
    assert "下架" not in withdrawn  # the internal reason is not published
    # unknown
    with on("2026-05-06"):
        unknown = client.get(reverse("review_public:verify_code", args=["ZZZZZZZZ"]))
    assert unknown.status_code == 404 and 'data-testid="verdict-bad"' in unknown.content.decode()


def test_checking_the_file_itself(client, approved):
    approval, content, _reviewer = approved
    url = reverse("review_public:verify")
    with on("2026-04-01"):
        # the approved file alone is recognised
        alone = client.post(url, {"file": SimpleUploadedFile("any-name.docx", content)})
        # the code with a changed file is flagged
        changed = client.post(
            url, {"code": approval.code, "file": SimpleUploadedFile("x.docx", content + b" ")}
        )
        # a file nobody approved
        stranger = client.post(url, {"file": SimpleUploadedFile("y.docx", b"not approved")})
    assert alone.status_code == 200 and 'data-testid="file-match"' in alone.content.decode()
    assert approval.number in alone.content.decode()
    html = changed.content.decode()
    assert changed.status_code == 200 and 'data-testid="file-mismatch"' in html
    assert hashlib.sha256(content + b" ").hexdigest() in html
    assert stranger.status_code == 404 and 'data-testid="verdict-bad"' in stranger.content.decode()


def test_the_file_is_not_stored(client, approved, settings, tmp_path):
    # given an empty media folder of its own (other tests write to the shared one meanwhile)
    _approval, content, _reviewer = approved
    settings.MEDIA_ROOT = str(tmp_path)
    # when a file is checked
    with on("2026-04-01"):
        response = client.post(
            reverse("review_public:verify"), {"file": SimpleUploadedFile("check.docx", content)}
        )
    # then it was recognised and nothing was written
    assert 'data-testid="file-match"' in response.content.decode()
    assert list(tmp_path.rglob("*")) == []


def test_an_empty_form_and_a_too_large_file_are_refused_with_a_message(client, approved, monkeypatch):
    url = reverse("review_public:verify")
    with on("2026-04-01"):
        empty = client.post(url, {"code": ""})
        monkeypatch.setattr(views_approvals, "PUBLIC_VERIFY_MAX_BYTES", 10)
        large = client.post(url, {"file": SimpleUploadedFile("big.docx", b"x" * 100)})
    assert empty.status_code == 400 and "errorlist" in empty.content.decode()
    assert large.status_code == 413 and "errorlist" in large.content.decode()


def test_the_public_check_is_throttled_per_address(client, approved, monkeypatch):
    approval, _content, _reviewer = approved
    monkeypatch.setattr(views_approvals, "PUBLIC_VERIFY_PER_MINUTE", 3)
    url = reverse("review_public:verify_code", args=[approval.code])
    with on("2026-04-01"):
        answers = [client.get(url).status_code for _ in range(5)]
    assert answers == [200, 200, 200, 429, 429]


def test_the_form_page_opens_without_login(client, settings):
    settings.INSTITUTION_NAME = "晓宝农商银行"
    response = client.get(reverse("review_public:verify"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="verify-form"' in html and 'enctype="multipart/form-data"' in html
    assert "晓宝农商银行" in html
