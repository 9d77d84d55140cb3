"""The searchable pickers: pinyin initials, scoping (a branch never gets another branch's units or people),
the endpoint's answers and errors, the widget's search text, and the cached unit index."""

from __future__ import annotations

import pytest
from django import forms

from conftest import make_user
from xiaobao.core import pickers
from xiaobao.core.pickers import PickerSelect, initials, search_text, use_picker

pytestmark = pytest.mark.django_db

URL = "/api/v1/pickers/"


def values(response):
    assert response.status_code == 200, response.content
    return [row["value"] for row in response.json()]


def test_initials_and_pinyin_of_unit_names():
    # given / when / then: initials (every reading of 行), full pinyin, other text kept
    assert "bjfh" in initials("北京分行")
    assert "hdzh" in initials("海淀支行")
    assert pickers.spelled("北京分行") == "beijingfenhang"
    assert initials("Card Centre") == ("cardcentre",)


def test_rank_prefers_code_then_initials_then_text():
    assert pickers.rank("B1", "B1", "北京分行") == 0
    assert pickers.rank("bjfh", "B1", "北京分行") == 2
    assert pickers.rank("分行", "B1", "北京分行") == 3
    assert pickers.rank("shfh", "B1", "北京分行") is None


def test_unit_picker_finds_by_initials_within_the_users_subtree(api_for, branch_officer, hq_officer, org):
    # given a branch-1 officer
    api = api_for(branch_officer)
    # when they search all, by initials, by code, by name
    everything = values(api.get(URL + "unit"))
    # then only branch 1's subtree, and the matches rank first
    assert everything == ["B1", "B1-S1", "B1-S1-O1"]
    assert values(api.get(URL + "unit?q=bjfh"))[0] == "B1"
    assert values(api.get(URL + "unit?q=hdzh")) == ["B1-S1"]
    assert values(api.get(URL + "unit?q=B1-S1"))[0] == "B1-S1"
    assert values(api.get(URL + "unit?q=支行")) == ["B1-S1"]
    # and never the other branch, by initials, name or code
    assert values(api.get(URL + "unit?q=shfh")) == []
    assert values(api.get(URL + "unit?q=上海")) == []
    assert values(api.get(URL + "unit?q=B2")) == []
    # while head office finds it
    assert values(api_for(hq_officer).get(URL + "unit?q=shfh")) == ["B2"]


def test_unit_answer_shape_and_limit(api_for, hq_officer, org):
    rows = api_for(hq_officer).get(URL + "unit?q=bjfh&limit=1").json()
    assert rows == [{"value": "B1", "label": "北京分行", "hint": "B1"}]
    assert api_for(hq_officer).get(URL + "unit?limit=0").status_code == 422


def test_unit_index_follows_a_rename(api_for, hq_officer, org):
    # given the index is built
    api = api_for(hq_officer)
    assert values(api.get(URL + "unit?q=hdzh")) == ["B1-S1"]
    # when the sub-branch is renamed
    org.b1s.name = "西城支行"
    org.b1s.save()
    # then the next search reads the new name
    assert values(api.get(URL + "unit?q=xczh")) == ["B1-S1"]
    assert values(api.get(URL + "unit?q=hdzh")) == []


def test_person_picker_is_scoped_and_matches_initials(api_for, branch_officer, other_branch_officer, org):
    # given a person in each branch with a Chinese name
    make_user("wxm", org.b1s, ["complaint_handler"]).__class__.objects.filter(username="wxm").update(
        full_name="王小明"
    )
    make_user("wxh", org.b2s, ["complaint_handler"]).__class__.objects.filter(username="wxh").update(
        full_name="王小红"
    )
    # when branch 1 searches by initials, by name, by username
    api = api_for(branch_officer)
    assert values(api.get(URL + "person?q=wxm")) == ["wxm"]
    assert values(api.get(URL + "person?q=王小")) == ["wxm"]
    rows = api.get(URL + "person?q=wx").json()
    # then never the other branch's person
    assert [r["value"] for r in rows] == ["wxm"]
    assert rows[0]["label"] == "王小明" and "海淀支行" in rows[0]["hint"]
    assert values(api_for(other_branch_officer).get(URL + "person?q=wx")) == ["wxh"]


def test_person_picker_narrows_to_a_permission(api_for, branch_officer, org):
    make_user("clerk1", org.b1s, [])
    make_user("handler1", org.b1s, ["complaint_handler"])
    api = api_for(branch_officer)
    assert "clerk1" in values(api.get(URL + "person"))
    found = values(api.get(URL + "person?dimension=complaints.handle_complaint"))
    assert "handler1" in found and "clerk1" not in found
    bad = api.get(URL + "person?dimension=drop table")
    assert bad.status_code == 422 and "dimension" in bad.json()["fields"]


def test_unknown_kind_is_404_and_anonymous_is_401(api_for, client, branch_officer):
    assert api_for(branch_officer).get(URL + "nothing").json()["code"] == "not_found"
    assert client.get(URL + "unit").status_code == 401


def test_a_user_without_a_unit_gets_nothing(api_for, org):
    from xiaobao.core.models import User

    nobody = User.objects.create_user("unitless", password="x-Very-long-pw-1")
    assert values(api_for(nobody).get(URL + "unit")) == []
    assert values(api_for(nobody).get(URL + "person")) == []


def test_picker_select_carries_search_text_and_keeps_validation():
    # given a choice field made a picker in one line
    class F(forms.Form):
        unit = forms.ChoiceField(choices=[("", "—"), ("B1", "北京分行 (B1)"), ("B2", "上海分行 (B2)")])

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            use_picker(self.fields["unit"], "unit")

    html = str(F()["unit"])
    # then each option carries its search text and the select its kind
    assert isinstance(F().fields["unit"].widget, PickerSelect)
    assert 'data-picker="unit"' in html and "bjfh" in html
    assert search_text("B1", "北京分行 (B1)").startswith("b1 ")
    # and a value outside the choices is still a field error
    assert "unit" in F({"unit": "B9"}).errors
    assert F({"unit": "B2"}).is_valid()
