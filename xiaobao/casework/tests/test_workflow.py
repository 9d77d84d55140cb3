"""The declared workflow table and its helpers, without the database: the complaint workflow as the example,
its status groups declared once, and the action input schemas checked by `validate_input`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from xiaobao.casework.transitions import validate_input
from xiaobao.casework.workflow import Action, Workflow, transitions
from xiaobao.complaints import workflow as complaints
from xiaobao.complaints.choices import Status

WF = complaints.WORKFLOW


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


# --- table helpers --------------------------------------------------------------------------------------


def test_transitions_maps_each_source_to_the_target_or_to_none():
    assert transitions([Status.DECIDED, Status.FOLLOWED_UP], Status.CLOSED) == {
        "decided": "closed",
        "followed_up": "closed",
    }
    assert transitions(["a", "b"], None) == {"a": None, "b": None}


def test_next_status_moves_or_stays_and_refuses_what_the_table_does_not_allow():
    assert WF.next_status("drafted", "notify") == "decided"
    assert WF.next_status("paused", "contact") == "paused"  # None in the table: stays
    with pytest.raises(KeyError):
        WF.next_status("closed", "notify")
    with pytest.raises(KeyError):
        WF.next_status("drafted", "fly")


def test_is_allowed_actions_from_and_lookup():
    assert WF.is_allowed("in_progress", "pause") and not WF.is_allowed("paused", "pause")
    assert not WF.is_allowed("in_progress", "fly")
    assert "pause" in WF and "fly" not in WF
    assert WF["pause"].code == "pause" and WF["pause"].transitions == {"in_progress": "paused"}
    assert [a.code for a in WF.actions_from("closed")] == ["archive", "reopen", "request_review"]
    assert WF.actions_from("archived") == []


def test_statuses_names_every_status_of_the_table():
    assert WF.statuses() == set(Status.values)


def test_a_small_table_of_another_kind_of_item():
    # given a two-step table declared the same way
    wf = Workflow(
        "rectification",
        actions=[
            Action("submit", "Submit", "x.submit", transitions(["open"], "submitted")),
            Action("verify", "Verify", "x.verify", transitions(["submitted"], "closed"), needs_input=False),
            Action("comment", "Comment", "x.comment", transitions(["open", "submitted"], None)),
        ],
        groups={"open": ["open", "submitted"]},
    )
    # then the helpers read it
    assert wf.next_status("open", "submit") == "submitted"
    assert wf.next_status("submitted", "comment") == "submitted"
    assert [a.code for a in wf.actions_from("submitted")] == ["verify", "comment"]
    assert wf.statuses() == {"open", "submitted", "closed"}
    assert wf.group("open") == ["open", "submitted"]


# --- complaint status groups, declared once -------------------------------------------------------------


def test_the_status_groups_are_one_declaration():
    groups = {name: set(WF.group(name)) for name in complaints.GROUPS}
    # the choices read the same declaration as the table
    assert Status.open_statuses() == groups["open"]
    assert Status.ended_statuses() == groups["ended"]
    # "open" counts a complaint under review; "undecided" (the old workflow.OPEN) does not
    assert groups["open"] - groups["undecided"] == {Status.UNDER_REVIEW}
    assert set(complaints.OPEN) == groups["undecided"]
    assert set(complaints.WORKING) == groups["working"] == {Status.IN_PROGRESS, Status.PAUSED}
    # every status is open, ended, or decided and not yet closed; nothing is both open and ended
    assert groups["open"] | groups["ended"] | {Status.DECIDED, Status.FOLLOWED_UP} == set(Status.values)
    assert not groups["open"] & groups["ended"]
    assert groups["stopped"] <= groups["ended"] and not groups["stopped"] & groups["decided"]


def test_the_table_uses_the_groups():
    undecided = set(WF.group("undecided"))
    assert set(WF["withdraw"].transitions) == undecided
    assert set(WF["merge"].transitions) == undecided
    assert set(WF["mark_major"].transitions) == undecided | {Status.UNDER_REVIEW}
    assert set(WF["extend"].transitions) == set(WF.group("working"))


def test_group_returns_a_copy():
    WF.group("open").append("x")
    assert "x" not in WF.group("open")


def test_module_aliases_read_the_workflow():
    assert complaints.ACTIONS is WF.table
    assert complaints.next_status("registered", "assign") == WF.next_status("registered", "assign")
    assert complaints.is_allowed("registered", "accept") and not complaints.is_allowed("closed", "accept")
    assert complaints.actions_from("drafted") == WF.actions_from("drafted")


# --- input schemas --------------------------------------------------------------------------------------


def test_every_action_declares_an_input_schema_that_takes_a_note():
    for action in WF.actions:
        assert action.schema is not None, action.code
        assert "note" in action.schema.model_fields, action.code


@pytest.mark.parametrize("action", [a.code for a in WF.actions])
def test_no_data_passes_the_schema_the_handler_decides_what_is_required(action):
    # the handler may refuse first for another reason (409, 403), so no field is required by the schema
    assert validate_input(WF[action].schema, {})["note"] is None


def test_values_pass_through_unchanged_and_unknown_keys_are_kept():
    data = {
        "liability": "valid",
        "redress_amount": Decimal("12.50"),
        "redress_paid_at": "2026-03-02",
        "case_library": True,
        "extra": [1, 2],
    }
    out = validate_input(WF["close"].schema, data)
    assert out["redress_amount"] == Decimal("12.50") and out["redress_paid_at"] == "2026-03-02"
    assert out["extra"] == [1, 2] and out["root_cause"] is None
    assert validate_input(WF["resume"].schema, {"date": dt.date(2026, 3, 2)})["date"] == dt.date(2026, 3, 2)


def test_wrong_types_are_field_errors_one_message_per_field():
    with pytest.raises(ValidationError) as exc:
        validate_input(WF["contact"].schema, {"summary": {"a": 1}, "date": ["2026-03-02"], "method": "phone"})
    assert exc.value.message_dict == {
        "summary": ["This value is not valid."],
        "date": ["This value is not valid."],
    }


@pytest.mark.parametrize(
    ("action", "data", "field", "message"),
    [
        ("pause", {"reason": "holiday"}, "reason", "Choose appraisal or mediation."),
        ("follow_up", {"satisfaction": 9}, "satisfaction", "Choose a satisfaction score from 1 to 5."),
        ("follow_up", {"satisfaction": "x"}, "satisfaction", "Choose a satisfaction score from 1 to 5."),
        ("close", {"liability": "maybe"}, "liability", "Determine the liability before closing."),
        ("approve_redress", {"amount": "abc"}, "amount", "Enter a number."),
        ("approve_redress", {"amount": "NaN"}, "amount", "Enter a number."),
        ("approve_redress", {"amount": 0}, "amount", "Enter the redress amount to approve."),
        (
            "approve_redress",
            {"amount": "1e15"},
            "amount",
            "Enter an amount between 0 and 99,999,999,999,999.",
        ),
    ],
)
def test_choices_are_checked_with_the_handlers_messages(action, data, field, message):
    with pytest.raises(ValidationError) as exc:
        validate_input(WF[action].schema, data)
    assert exc.value.message_dict == {field: [message]}


def test_valid_choices_pass():
    assert validate_input(WF["pause"].schema, {"reason": "mediation"})["reason"] == "mediation"
    assert validate_input(WF["follow_up"].schema, {"satisfaction": "4"})["satisfaction"] == "4"
    assert validate_input(WF["approve_redress"].schema, {"amount": 1000})["amount"] == 1000


def test_a_required_field_of_a_strict_schema_is_reported_as_required():
    # given a schema (of another module) that requires its field
    from pydantic import BaseModel

    class RectifyIn(BaseModel):
        measure: str

    # then a missing field is "required", not "not valid"
    with pytest.raises(ValidationError) as exc:
        validate_input(RectifyIn, {})
    assert exc.value.message_dict == {"measure": ["This field is required."]}
