"""Head office's rule pages in the browser: the rule list with reviewers' verdicts, the editor (a new version
and its diff in the history), a bad pattern refused on its field, and the test bench with a wealth-management
leaflet highlighted. Time pinned (ticking) to 2026-03-02 10:00 in Shanghai.
Screenshots: var/screenshots/<test>--NN-<step>.png."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SH = ZoneInfo("Asia/Shanghai")
LEAFLET = (
    "【稳盈180天理财】\n"
    "本产品是我行最安全的理财产品，保本保收益，零风险！\n"
    "业绩比较基准4.5%，收益稳稳到手，比存款划算多了。\n"
    "名额有限，欲购从速，购买即送精美礼品。\n"
    "风险提示：理财非存款，产品有风险，投资须谨慎。"
)


@pytest.fixture(autouse=True)
def _rules():
    """The transactional flush took the presets with it; the post-migrate sync puts them back."""
    from xiaobao.checker.services import presets_sync

    presets_sync()


def test_rule_list_editor_and_bench(page, login, shot, hq_officer, b1_complaint):
    from xiaobao.checker.services import check_and_store, finding_decide

    hq_officer.full_name = "赵总行"
    hq_officer.save(update_fields=["full_name"])
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH), tick=True):
        # given reviewers' verdicts on some findings (precision in the list)
        found = check_and_store(b1_complaint, text=LEAFLET, product_kind="wealth", material="marketing")
        for i, f in enumerate(found):
            finding_decide(f, decision="dismissed" if i % 4 == 3 else "confirmed", by=hq_officer)

        # the rule list
        login(page, "hq_cp")
        page.goto("/review-rules/")
        expect(page.get_by_test_id("rule-list")).to_be_visible()
        shot(page, "01-rule-list")
        page.get_by_label("标签").select_option("absolute")
        expect(page.locator("[data-testid=rule-row]")).to_have_count(2)

        # the editor: add a term, with a note → version 2 with its diff
        page.goto("/review-rules/absolute-superlative/")
        terms = page.locator("textarea[name=terms]")
        terms.fill(terms.input_value() + "\n业内领先")
        page.locator("textarea[name=note]").fill("补充“业内领先”")
        page.get_by_test_id("save").click()
        expect(page.get_by_test_id("version-2")).to_contain_text("补充“业内领先”")
        expect(page.get_by_test_id("version-2")).to_contain_text("＋业内领先")
        shot(page, "02-editor-history")

        # a bad pattern is named on its field and nothing is saved
        page.locator("textarea[name=patterns]").fill("保本(保息")
        page.get_by_test_id("save").click()
        expect(page.get_by_test_id("error-patterns")).to_contain_text("保本(保息")
        shot(page, "03-editor-bad-pattern")

        # the bench: the leaflet with its findings highlighted and the legend
        page.goto("/review-rules/bench/")
        page.locator("textarea[name=text]").fill(LEAFLET)
        page.locator("select[name=product_kind]").select_option("wealth")
        page.get_by_test_id("check").click()
        expect(page.get_by_test_id("legend")).to_be_visible()
        marks = page.locator("[data-testid=highlighted] mark")
        assert marks.count() >= 4
        expect(page.get_by_test_id("legend")).to_contain_text("《")
        shot(page, "04-bench")
