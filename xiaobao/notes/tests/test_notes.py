"""Internal notes: mentions tell only people who can see the complaint; the author's 15 minutes; the audit
trail masks personal data; notes stay out of the notice; the panel and the API are scoped."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.urls import reverse

from xiaobao.casework.models import Notification
from xiaobao.core.errors import DomainError
from xiaobao.core.models import AuditEvent
from xiaobao.notes.models import Note
from xiaobao.notes.services import note_add, note_delete, note_edit, resolve_mentions

pytestmark = pytest.mark.django_db(transaction=False)
T0 = "2026-03-03 09:00 +0800"


def _mentions(user):
    return list(Notification.objects.filter(user=user, kind="mention"))


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(T0, tick=False):
        yield


def test_a_mention_tells_a_colleague_who_can_see_the_complaint(
    django_capture_on_commit_callbacks, complaint, b1_handler, b1_colleague
):
    # given a colleague of the same sub-branch
    # when the handler mentions her by username and by name
    with django_capture_on_commit_callbacks(execute=True):
        note = note_add(actor=b1_handler, complaint=complaint, text="@b1_colleague 请核实，@李娜请回电客户")
    # then she is mentioned once and told once, with a link to the complaint
    assert [u.username for u in note.mentions.all()] == ["b1_colleague"]
    told = _mentions(b1_colleague)
    assert len(told) == 1 and told[0].object_id == complaint.pk and complaint.reference in told[0].message


def test_a_mention_of_somebody_who_cannot_see_the_complaint_tells_nobody(
    django_capture_on_commit_callbacks, complaint, b1_handler, b2_handler
):
    # given a handler of another branch (the complaint is outside his scope)
    # when he is mentioned by username and by name
    with django_capture_on_commit_callbacks(execute=True):
        note = note_add(actor=b1_handler, complaint=complaint, text="@b2_handler @王强 你好")
    # then he is not mentioned and not told
    assert list(note.mentions.all()) == []
    assert _mentions(b2_handler) == []


def test_the_longest_name_wins_and_email_addresses_are_not_mentions(complaint, b1_handler, b1_colleague):
    # "@李娜请" → 李娜; "x@b1_colleague.cn" is an e-mail address
    assert resolve_mentions(complaint, "@李娜请核实") == [b1_colleague]
    assert resolve_mentions(complaint, "邮件 x@b1_colleague.cn") == []


def test_a_name_two_people_share_asks_for_the_username(complaint, b1_handler, b1_colleague, org):
    from conftest import make_user
    from xiaobao.core.models import User

    twin = make_user("b1_twin", org.b1, ["complaint_handler"])
    User.objects.filter(pk=twin.pk).update(full_name="李娜")
    with pytest.raises(DomainError) as exc:
        note_add(actor=b1_handler, complaint=complaint, text="@李娜 请看")
    assert exc.value.code == "ambiguous_mention" and "b1_twin" in exc.value.fields["text"][0]


def test_the_author_may_change_a_note_for_15_minutes_then_it_is_kept(complaint, b1_handler, b1_colleague):
    from django.core.exceptions import PermissionDenied

    note = note_add(actor=b1_handler, complaint=complaint, text="初稿")
    # a colleague may not change it
    with pytest.raises(PermissionDenied):
        note_edit(actor=b1_colleague, note=note, text="改")
    # the author may, within 15 minutes
    with time_machine.travel("2026-03-03 09:14 +0800", tick=False):
        note_edit(actor=b1_handler, note=note, text="修改后")
    # not after
    with time_machine.travel("2026-03-03 09:16 +0800", tick=False):
        with pytest.raises(PermissionDenied):
            note_edit(actor=b1_handler, note=note, text="再改")
        with pytest.raises(PermissionDenied):
            note_delete(actor=b1_handler, note=note)
    note.refresh_from_db()
    assert note.text == "修改后" and note.edited_at is not None


def test_the_audit_trail_has_the_note_with_numbers_masked(complaint, b1_handler):
    note = note_add(
        actor=b1_handler, complaint=complaint, text="客户手机 13812345678，身份证 110108199003070016"
    )
    note_delete(actor=b1_handler, note=note)
    rows = AuditEvent.objects.filter(object_type="notes.note").order_by("pk")
    assert [r.action for r in rows] == ["create", "delete"]
    dumped = json.dumps([r.changes for r in rows], ensure_ascii=False)
    assert "13812345678" not in dumped and "110108199003070016" not in dumped
    assert "客户手机" in dumped


def test_passwords_and_codes_are_refused(complaint, b1_handler):
    with pytest.raises(DomainError) as exc:
        note_add(actor=b1_handler, complaint=complaint, text="客户说验证码是 123456")
    assert exc.value.fields["text"]


def test_notes_are_never_in_the_notice(client_for, drafted, b1_handler):
    note_add(actor=b1_handler, complaint=drafted, text="内部意见：客户情绪激动，谨慎沟通")
    html = client_for(b1_handler).get(reverse("complaints:notice", args=[drafted.pk])).content.decode()
    assert "退还年费" in html and "内部意见" not in html


def test_the_panel_shows_notes_and_adds_one_through_htmx(client_for, complaint, b1_handler, b1_colleague):
    client = client_for(b1_handler)
    page = client.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
    assert 'id="notes"' in page and "data-mention-input" in page
    response = client.post(
        reverse("notes:add", args=[complaint.pk]), {"text": "@李娜 请跟进"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="mention"' in html and "@李娜" in html
    # an empty note: a field error in the panel
    response = client.post(
        reverse("notes:add", args=[complaint.pk]), {"text": " "}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 400 and "errorlist" in response.content.decode()


def test_the_suggestions_list_only_people_who_can_see_the_complaint(
    client_for, complaint, b1_handler, b1_colleague, b2_handler
):
    client = client_for(b1_handler)
    rows = client.get(reverse("notes:mentions", args=[complaint.pk]), {"q": "b"}).json()["people"]
    names = {r["username"] for r in rows}
    assert "b1_colleague" in names and "b2_handler" not in names


def test_api_notes(api_for, complaint, b1_handler, b1_colleague, b2_handler):
    api = api_for(b1_handler)
    url = f"/api/v1/complaints/{complaint.pk}/notes"
    # when a note is posted
    response = api.post(url, json.dumps({"text": "@b1_colleague 请看"}), content_type="application/json")
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["mentions"] == ["b1_colleague"] and body["author"] == "b1_handler" and body["text"]
    assert [n["id"] for n in api.get(url).json()] == [body["id"]]
    # an empty note → 422 with the field
    bad = api.post(url, json.dumps({"text": ""}), content_type="application/json")
    assert bad.status_code == 422 and "text" in bad.json()["fields"]
    # outside the user's subtree → 404
    assert api_for(b2_handler).get(url).status_code == 404
    # the author edits it within 15 minutes
    patch = api.patch(f"{url}/{body['id']}", json.dumps({"text": "已改"}), content_type="application/json")
    assert patch.status_code == 200 and patch.json()["text"] == "已改"
    with time_machine.travel(
        dt.datetime(2026, 3, 3, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False
    ):
        late = api.delete(f"{url}/{body['id']}")
    assert late.status_code == 403
    assert Note.objects.filter(pk=body["id"]).exists()


def test_the_retention_purge_takes_the_notes_texts(complaint, b1_handler):
    from django.utils import timezone

    note = note_add(actor=b1_handler, complaint=complaint, text="客户手机 13812345678")
    # when the complaint is anonymised (as complaints.retention does: save with anonymised_at)
    complaint.anonymised_at = timezone.now()
    complaint.save(update_fields=["anonymised_at"])
    # then the note keeps its author and time, not its text
    note.refresh_from_db()
    assert note.text == "〔已按保存期限匿名化〕" and note.author == b1_handler
