from __future__ import annotations

import pytest

from xiaobao.analytics.templatetags.statistics import change_class, format_change, format_value


@pytest.mark.parametrize(
    ("change", "text"),
    [(-0.1132, "−11.32%"), (0.5, "+50.00%"), (0.0, "0.00%"), (0.00001, "0.00%"), (None, "—")],
)
def test_changes_are_written_as_regulators_do(change, text):
    assert format_change(change) == text


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        (1234, "count", "1,234"),
        (0.9617, "percent", "96.17%"),
        (670606, "amount", "¥670,606.00"),
        (None, "days", "—"),
    ],
)
def test_values_by_kind(value, kind, text):
    assert format_value(value, kind) == text


def test_a_rise_is_red_unless_it_is_good_news():
    assert change_class(0.2, "received") == "up worse"
    assert change_class(-0.2, "received") == "down"
    assert change_class(0.2, "on_time_rate") == "up"
    assert change_class(-0.2, "satisfaction") == "down worse"
    assert change_class(None, "received") == "flat"
