"""Issue 15's walk in a real Chromium, by the people who do it, all through the pages.

Head office (a consumer-protection officer) imports the staff register from Excel through the import
pages — a layer the preset does not know is reported on its row, mapped in the value table, the file
validated again and imported; the learners who already have accounts (username = employee number) are
linked to their entries. It downloads the question bank's template, fills 200 questions into it and imports
them. It plans the year (layer targets) and a session today; two learners sign in from the link of the QR
code the session page shows: one with an account in their own browser, one without an account on the public
page (employee number and name). It sets an exam drawn by rules from the bank for the learners, publishes
it; a learner takes it on a 360 px phone, loses the connection midway (the test cuts it), answers on,
comes back, reloads and finishes. The organiser reads the results and the item analysis, and the training
home's coverage counts the two who signed in. The database is checked at the end: every saved answer graded.

Only the units and the head-office officer (and the learners' pre-existing accounts) are made directly.
Time pinned (ticking) on a Tuesday morning in Shanghai. Screenshots: var/screenshots/issue15_walk--NN-*.png.
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import re
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=SH)
TODAY = NOW.date()
PHONE = {"width": 360, "height": 740}

# --- the staff register (the HR system's export) --------------------------------------------------------

STAFF_HEADER = ["工号", "姓名", "机构代码", "岗位层级", "岗位", "入职日期", "在职状态"]
# (employee number, name, unit code, layer as HR writes it, position, hire date)
STAFF = [
    ("900001", "陈总", "HO-CPD", "高管", "消保部总经理", "2008-04-01"),
    ("900002", "刘洋", "HO-CPD", "中层", "消保部副总经理", "2012-07-15"),
    ("900003", "黄蕾", "HO-CPD", "一线员工", "消保专员", "2019-09-02"),
    ("110001", "周建国", "B1", "高管", "分行行长", "2005-03-01"),
    ("110002", "吴敏", "B1", "中层", "消保部负责人", "2011-06-20"),
    ("110003", "郑磊", "B1", "一线员工", "消保专员", "2018-10-08"),
    ("110004", "冯雪", "B1", "新员工", "管培生", "2025-09-01"),
    ("120001", "王建华", "B1-S1", "中层", "支行行长", "2009-05-11"),
    ("120002", "何静", "B1-S1", "一线", "客户经理", "2016-02-29"),
    ("120003", "许亮", "B1-S1", "柜员", "柜员", "2021-08-16"),
    ("120004", "邓丽", "B1-S1", "理财经理", "理财经理", "2017-04-03"),
    ("120005", "曹阳", "B1-S1", "新入职", "柜员", "2025-12-01"),
    ("100001", "王芳", "B1-S1-O1", "一线员工", "柜员", "2020-07-01"),
    ("100002", "李强", "B1-S1-O1", "客户经理", "客户经理", "2019-03-18"),
    ("100003", "赵敏", "B1-S1-O1", "新员工", "柜员", "2026-02-02"),
    ("100004", "孙浩", "B1-S1-O1", "网点负责人", "网点主任", "2013-11-04"),
    ("100005", "钱程", "B1-S1-O1", "大堂经理", "大堂经理", "2022-09-15"),  # a layer HR spells its own way
    ("100006", "朱琳", "B1-S1-O1", "柜员", "柜员", "2023-03-06"),
    ("100007", "胡军", "B1-S1-O1", "理财经理", "理财经理", "2018-05-21"),
    ("100008", "高洁", "B1-S1-O1", "新员工", "柜员", "2025-07-14"),
    ("210001", "林峰", "B2", "高管", "分行副行长", "2007-01-08"),
    ("210002", "罗娟", "B2", "中层", "消保部负责人", "2014-03-17"),
    ("210003", "梁晨", "B2", "一线员工", "消保专员", "2020-11-02"),
    ("210004", "宋佳", "B2", "新员工", "管培生", "2025-08-25"),
    ("200001", "孙丽", "B2-S1", "一线员工", "客户经理", "2017-06-12"),
    ("200002", "唐伟", "B2-S1", "中层", "支行行长", "2010-09-01"),
    ("200003", "韩梅", "B2-S1", "柜员", "柜员", "2021-04-19"),
    ("200004", "冯涛", "B2-S1", "客户经理", "客户经理", "2016-12-05"),
    ("200005", "董雪", "B2-S1", "理财经理", "理财经理", "2019-02-25"),
    ("200006", "萧然", "B2-S1", "新员工", "柜员", "2026-01-05"),
]
# learners who already have an account (username = employee number): the import links them
ACCOUNTS = [("100001", "B1-S1-O1"), ("100002", "B1-S1-O1"), ("200001", "B2-S1")]
SIGNED_IN_WITH_ACCOUNT = ("100001", "王芳")
SIGNED_IN_WITHOUT_ACCOUNT = ("100003", "赵敏")

# --- the question bank: 16 facts (4 topics × 4 kinds), each asked in a numbered variant ------------------

REG_COMPLAINTS = "《银行保险机构消费者投诉处理管理办法》"
REG_RIGHTS = "《中国人民银行金融消费者权益保护实施办法》"
REG_SALES = "《理财公司理财产品销售管理暂行办法》"
REG_PRIVACY = "《中华人民共和国个人信息保护法》"
# (topic, regulation, kind, stem, options, answer, explanation)
FACTS = [
    (
        "投诉处理",
        REG_COMPLAINTS,
        "单选",
        "银行保险机构应当在收到投诉之日起多少日内作出处理决定并告知投诉人？",
        ["7日", "15日", "30日", "60日"],
        "B",
        "15日内作出处理决定；情况复杂的可以延长至30日。",
    ),
    (
        "投诉处理",
        REG_COMPLAINTS,
        "多选",
        "银行保险机构应当向社会公布的投诉处理信息包括哪些？",
        ["投诉电话", "通讯地址", "投诉处理流程", "投诉人的身份信息"],
        "A,B,C",
        "公布投诉渠道和流程；投诉人的个人信息必须保密。",
    ),
    (
        "投诉处理",
        REG_COMPLAINTS,
        "判断",
        "情况复杂的投诉，处理期限可以延长至30日。",
        [],
        "对",
        "情况复杂的可以延长至30日，并告知投诉人。",
    ),
    (
        "投诉处理",
        REG_COMPLAINTS,
        "填空",
        "银行保险机构应当在收到投诉之日起____日内作出处理决定。",
        [],
        "15|十五",
        "一般投诉15日内作出处理决定。",
    ),
    (
        "消费者权利",
        REG_RIGHTS,
        "单选",
        "下列哪一项属于金融消费者的基本权利？",
        ["财产安全权", "无条件退款权", "保本收益权", "优先办理权"],
        "A",
        "八项基本权利：财产安全权、知情权、自主选择权、公平交易权、依法求偿权、受教育权、受尊重权、信息安全权。",
    ),
    (
        "消费者权利",
        REG_RIGHTS,
        "多选",
        "下列哪些属于金融消费者的基本权利？",
        ["知情权", "自主选择权", "公平交易权", "保证收益权"],
        "A,B,C",
        "不存在“保证收益权”。",
    ),
    (
        "消费者权利",
        REG_RIGHTS,
        "判断",
        "银行可以因消费者拒绝购买理财产品而拒绝为其办理存款业务。",
        [],
        "错",
        "捆绑搭售侵害消费者的自主选择权和公平交易权。",
    ),
    (
        "消费者权利",
        REG_RIGHTS,
        "填空",
        "金融消费者的基本权利共有____项。",
        [],
        "8|八",
        "共八项基本权利。",
    ),
    (
        "营销宣传",
        REG_SALES,
        "单选",
        "理财产品宣传中，下列哪种表述是被禁止的？",
        [
            "保本保收益",
            "过往业绩不代表未来表现",
            "理财非存款、产品有风险、投资须谨慎",
            "业绩比较基准不是预期收益率",
        ],
        "A",
        "不得承诺保本保收益。",
    ),
    (
        "营销宣传",
        REG_SALES,
        "多选",
        "销售理财产品时，下列哪些做法违规？",
        ["承诺保本保收益", "夸大过往业绩", "未经风险承受能力评估即销售", "向客户揭示产品风险"],
        "A,B,C",
        "揭示风险是应尽义务，其余均违规。",
    ),
    (
        "营销宣传",
        REG_SALES,
        "判断",
        "理财产品应当销售给风险承受能力与产品风险等级相匹配的客户。",
        [],
        "对",
        "适当性管理要求。",
    ),
    (
        "营销宣传",
        REG_SALES,
        "填空",
        "理财产品宣传材料应当载明“理财非存款、产品有风险、投资须____”。",
        [],
        "谨慎",
        "风险揭示语。",
    ),
    (
        "个人信息保护",
        REG_PRIVACY,
        "单选",
        "处理个人信息应当遵循的原则是？",
        ["合法、正当、必要和诚信", "越多越好", "先收集后告知", "默认同意"],
        "A",
        "合法、正当、必要和诚信原则。",
    ),
    (
        "个人信息保护",
        REG_PRIVACY,
        "多选",
        "下列哪些属于敏感个人信息？",
        ["金融账户", "生物识别信息", "行踪轨迹", "已公开的企业名称"],
        "A,B,C",
        "金融账户、生物识别、行踪轨迹等属于敏感个人信息。",
    ),
    (
        "个人信息保护",
        REG_PRIVACY,
        "判断",
        "银行可以未经消费者同意，将其个人信息提供给合作的第三方用于营销。",
        [],
        "错",
        "向第三方提供个人信息应当取得个人同意。",
    ),
    (
        "个人信息保护",
        REG_PRIVACY,
        "填空",
        "处理敏感个人信息应当取得个人的____同意。",
        [],
        "单独",
        "处理敏感个人信息应当取得个人的单独同意。",
    ),
]
QUESTIONS = 200


@pytest.fixture(autouse=True)
def _training_presets(_presets):
    """The transactional test starts from a flushed database: put back the training data migrations' rows
    (the position layers, the staff register's import preset)."""
    from django.apps import apps

    importlib.import_module("xiaobao.training.migrations.0002_position_layers").load(apps, None)
    from xiaobao.training.importing import load_preset_now

    load_preset_now()


@pytest.fixture
def phone_context(browser, live_server):
    """A phone: 360 px wide, touch; closed after the test."""
    contexts = []

    def _make():
        ctx = browser.new_context(
            viewport=PHONE,
            is_mobile=True,
            has_touch=True,
            device_scale_factor=2,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            base_url=live_server.url,
        )
        ctx.set_default_timeout(10_000)
        contexts.append(ctx)
        return ctx

    yield _make
    for ctx in contexts:
        ctx.close()


def _xlsx(header: list[str], rows: list[list]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "员工名册"
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _question_rows() -> list[dict[str, object]]:
    """200 questions: the facts in turn, each variant numbered, difficulty 1-5 in turn."""
    rows = []
    for n in range(QUESTIONS):
        topic, regulation, kind, stem, options, answer, explanation = FACTS[n % len(FACTS)]
        rows.append(
            {
                "题型": kind,
                "题干": f"{stem}（{n + 1:03d}）",
                **{f"选项{'ABCDEFGH'[i]}": text for i, text in enumerate(options)},
                "答案": answer,
                "解析": explanation,
                "难度": n % 5 + 1,
                "主题标签": topic,
                "法规": regulation,
            }
        )
    return rows


def _fill_template(template: bytes) -> bytes:
    """The downloaded template with the 200 questions written under its own column names."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(template))
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    assert {"题型", "题干", "选项A", "答案", "解析", "难度", "主题标签", "法规"} <= set(header), header
    for row in _question_rows():
        ws.append([row.get(name, None) for name in header])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


UNSTICK = """() => document.querySelectorAll('body *').forEach(e => {
    const p = getComputedStyle(e).position;
    if (p === 'sticky' || p === 'fixed') { e.dataset.walkPosition = p; e.style.position = 'static'; } })"""
RESTICK = """() => document.querySelectorAll('[data-walk-position]').forEach(e => {
    e.style.position = ''; delete e.dataset.walkPosition; })"""


@pytest.fixture
def snap(shot, request):
    """`snap(page, "NN-name")`: the `shot` fixture's full-page screenshot with the sticky bars put in their
    place (a full-page shot draws them where the page was scrolled to); `screen=True` also keeps what the
    phone's screen shows (…-screen.png), the readable view of a long phone page."""
    from xiaobao.core.tests.browser.fixtures import SCREENSHOT_DIR

    test = request.node.name.removeprefix("test_")

    def _snap(page, name: str, *, screen: bool = False) -> None:
        if screen:
            page.screenshot(path=str(SCREENSHOT_DIR / f"{test}--{name}-screen.png"))
        page.evaluate(UNSTICK)
        try:
            shot(page, name)
        finally:
            page.evaluate(RESTICK)

    return _snap


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url}: {width} px wide"


def _card(page, item):
    return page.locator(f'[data-q="{item.question_id}"]')


def _answer(page, item, *, right: bool) -> None:
    """Answer an attempt item as the candidate sees it (options shuffled): rightly or wrongly."""
    version = item.version
    card = _card(page, item)
    if version.kind == "blank":
        card.locator("[data-blank]").fill(str(version.answer).split("|")[0] if right else "不知道")
        card.locator("[data-blank]").blur()
        return
    key = list(version.answer)
    if right:
        chosen = key
    elif version.kind == "multiple":
        chosen = key[:1]  # one right option only: wrong under all-or-nothing
    else:
        chosen = [next(i for i in range(len(version.options)) if i not in key)]
    for original in chosen:
        shown = item.option_order.index(original) if item.option_order else original
        card.locator(f'input[data-option][value="{shown}"]').locator("..").tap()


def test_issue15_walk(browser, live_server, new_context, phone_context, login, snap, org, tmp_path):
    from xiaobao.exams.models import Attempt, AttemptItem, Exam, Question
    from xiaobao.training.models import Attendance, StaffMember

    # given the bank's units (conftest `org`), its head-office officer and three learners' accounts
    officer = make_user("hq_training", org.cpd, ["hq_cp_officer"])
    officer.full_name = "杨培训"
    officer.save(update_fields=["full_name"])
    units = {u.code: u for u in (org.ho, org.cpd, org.b1, org.b1s, org.b1o, org.b2, org.b2s)}
    for number, unit in ACCOUNTS:
        learner = make_user(number, units[unit], ["learner"])
        learner.full_name = next(name for no, name, *_ in STAFF if no == number)
        learner.save(update_fields=["full_name"])

    traveller = time_machine.travel(NOW, tick=True)
    traveller.start()
    try:
        hq = new_context().new_page()
        login(hq, officer.username)

        # 1. head office imports the staff register: a row error first, fixed in the mapping
        rows = [
            [no, name, unit, layer, position, hired, "在职"]
            for no, name, unit, layer, position, hired in STAFF
        ]
        register = tmp_path / "员工名册-2026年3月.xlsx"
        register.write_bytes(_xlsx(STAFF_HEADER, rows))
        hq.goto("/training/staff/import/")
        expect(hq.locator("h1")).to_contain_text("导入员工名册")
        snap(hq, "01-staff-import-entry")
        hq.get_by_test_id("upload").click()
        hq.locator("input[name=file]").set_input_files(str(register))
        hq.locator("select[name=org_unit]").select_option(str(org.ho.pk))
        hq.get_by_test_id("upload-form").locator("button[type=submit]").click()
        expect(hq.locator("select[name=col_employee_no]")).to_have_value("工号")
        expect(hq.locator("select[name=col_layer]")).to_have_value("岗位层级")
        snap(hq, "02-staff-mapping")
        hq.get_by_test_id("save-validate").click()
        errors = hq.get_by_test_id("error-table")
        expect(errors.locator("tbody tr")).to_have_count(1)
        bad_line = str(2 + [r[0] for r in STAFF].index("100005"))
        expect(errors.locator("tbody tr").first.locator("td").first).to_have_text(bad_line)
        expect(errors).to_contain_text("大堂经理")
        expect(hq.get_by_test_id("run")).to_have_count(0)  # nothing can be imported while a row is wrong
        snap(hq, "03-staff-row-error")
        assert not StaffMember.objects.exists()
        # the fix: 大堂经理 → 一线员工 in the layers' value table, validated again, imported
        hq.get_by_test_id("edit-mapping").click()
        values = hq.get_by_test_id("values-layer")
        expect(values).to_contain_text("大堂经理")
        values.locator("tr", has_text="大堂经理").locator("select").select_option("front_line")
        snap(hq, "04-staff-mapping-fixed")
        hq.get_by_test_id("save-validate").click()
        expect(hq.get_by_test_id("error-table")).to_have_count(0)
        hq.get_by_test_id("run").click()
        expect(hq.get_by_test_id("created")).to_have_text(str(len(STAFF)))
        snap(hq, "05-staff-imported")
        hq.get_by_test_id("results-link").click()
        expect(hq.get_by_test_id("staff-row")).to_have_count(len(STAFF))
        snap(hq, "06-staff-register")
        assert StaffMember.objects.count() == len(STAFF)
        assert StaffMember.objects.get(employee_no="100005").layer.code == "front_line"
        linked = dict(
            StaffMember.objects.filter(user__isnull=False).values_list("employee_no", "user__username")
        )
        assert linked == {no: no for no, _unit in ACCOUNTS}

        # 2. 200 questions: the bank's own template, downloaded and filled
        hq.goto("/exams/questions/import/")
        with hq.expect_download() as download:
            hq.get_by_test_id("template-link").click()
        template = tmp_path / download.value.suggested_filename
        download.value.save_as(template)
        bank_file = tmp_path / "消保题库200题.xlsx"
        bank_file.write_bytes(_fill_template(template.read_bytes()))
        hq.locator("input[name=file]").set_input_files(str(bank_file))
        snap(hq, "07-question-import")
        hq.get_by_test_id("import").click()
        expect(hq.locator(".messages")).to_contain_text("200")
        expect(hq.get_by_test_id("question-total")).to_have_text(str(QUESTIONS))
        snap(hq, "08-question-bank")
        assert Question.objects.count() == QUESTIONS

        # 3. the year's plan, a session today, two learners signing in by the QR code's link
        _plan_session_and_sign_in(hq, phone_context, login, snap, org)

        # 4. an exam drawn by rules from the bank for the learners, published
        in_bank = Counter(str(row["主题标签"]) for row in _question_rows())
        hq.goto("/exams/")
        hq.get_by_test_id("new-exam").click()
        hq.locator("#id_title").fill("2026年3月消保知识测试")
        hq.locator("#id_opens_at").fill(f"{TODAY.isoformat()}T08:30")
        hq.locator("#id_closes_at").fill(f"{TODAY.isoformat()}T18:00")
        hq.locator("#id_time_limit_minutes").fill("30")
        hq.locator("#id_pass_mark").fill("60")
        hq.get_by_label("按规则抽题").check()
        expect(hq.get_by_test_id("rules")).to_be_visible()
        rule = hq.get_by_test_id("rule-row").first
        rule.locator("select[name=rule_tag]").select_option(label="投诉处理")
        rule.locator("input[name=rule_count]").fill("5")
        hq.get_by_test_id("add-rule").click()
        expect(hq.get_by_test_id("rule-row")).to_have_count(2)
        expect(hq.get_by_test_id("rule-row").first.get_by_test_id("available")).to_have_text(
            str(in_bank["投诉处理"])
        )
        rule = hq.get_by_test_id("rule-row").nth(1)
        rule.locator("select[name=rule_tag]").select_option(label="消费者权利")
        rule.locator("input[name=rule_count]").fill("5")
        hq.get_by_test_id("recount").click()
        expect(hq.get_by_test_id("rule-row").nth(1).get_by_test_id("available")).to_have_text(
            str(in_bank["消费者权利"])
        )
        hq.locator("#id_candidate_list").fill("\n".join(no for no, _unit in ACCOUNTS))
        snap(hq, "19-exam-form-rules")
        hq.get_by_test_id("save").click()
        expect(hq.get_by_test_id("status")).to_contain_text("草稿")
        expect(hq.get_by_test_id("paper")).to_contain_text("10")
        hq.get_by_test_id("publish").click()
        expect(hq.get_by_test_id("status")).to_contain_text("已发布")
        expect(hq.get_by_test_id("n-candidates")).to_have_text(str(len(ACCOUNTS)))
        expect(hq.get_by_test_id("n-submitted")).to_have_text("0")
        snap(hq, "20-exam-published")
        exam = Exam.objects.get(title="2026年3月消保知识测试")
        assert exam.selection == "rules" and exam.status == "published"

        # 5. 王芳 takes it on her phone; the connection drops midway
        learner_no, learner_name = SIGNED_IN_WITH_ACCOUNT
        ctx = phone_context()
        phone = ctx.new_page()
        login(phone, learner_no)
        phone.goto("/exams/my/")
        card = phone.get_by_test_id(f"exam-{exam.pk}")
        expect(card).to_contain_text("2026年3月消保知识测试")
        _fits(phone)
        snap(phone, "21-phone-my-learning")
        card.get_by_test_id("start").tap()
        expect(phone.get_by_test_id("question-count")).to_have_text("10")
        snap(phone, "22-phone-start")
        phone.get_by_test_id("start").tap()
        expect(phone.get_by_test_id("clock")).to_be_visible()
        attempt = Attempt.objects.get(exam=exam, user__username=learner_no)
        items = list(
            AttemptItem.objects.filter(attempt=attempt).select_related("version").order_by("position")
        )
        assert len(items) == 10
        assert (
            sorted(
                t for i in items for t in i.question.tags.filter(kind="topic").values_list("name", flat=True)
            )
            == ["投诉处理"] * 5 + ["消费者权利"] * 5
        )
        _fits(phone)
        snap(phone, "23-phone-taking", screen=True)
        wrong = {items[1].pk, items[6].pk}  # two answered wrongly: 8 of 10
        for item in items[:4]:
            _answer(phone, item, right=item.pk not in wrong)
            expect(_card(phone, item).locator("[data-state]")).to_have_text("已保存")
        expect(phone.get_by_test_id("answered")).to_have_text("4")
        assert AttemptItem.objects.filter(attempt=attempt, answer__isnull=False).count() == 4
        ctx.set_offline(True)
        for item in items[4:8]:
            _answer(phone, item, right=item.pk not in wrong)
            expect(_card(phone, item).locator("[data-state]")).to_have_text("未保存：等待发送")
        expect(phone.get_by_test_id("answered")).to_have_text("8")
        expect(phone.get_by_test_id("conn")).to_contain_text("网络已断开")
        expect(phone.get_by_test_id("conn")).to_contain_text("(4)")
        assert AttemptItem.objects.filter(attempt=attempt, answer__isnull=False).count() == 4
        _card(phone, items[6]).scroll_into_view_if_needed()
        snap(phone, "24-phone-offline", screen=True)
        # back online: the answers kept on the phone are sent, the banner goes
        ctx.set_offline(False)
        for item in items[4:8]:
            expect(_card(phone, item).locator("[data-state]")).to_have_text("已保存")
        expect(phone.get_by_test_id("conn")).to_have_text("")
        assert AttemptItem.objects.filter(attempt=attempt, answer__isnull=False).count() == 8
        # (waited for: a reload while they are still on their way can show a saved answer as unanswered —
        # the page is rendered before the server has it, and the old page drops it from localStorage when the
        # late reply comes in before the new page replaces it; exams/static/exams/take.js)
        # the page reopened: the same attempt, every answer as saved
        phone.reload()
        for item in items[:8]:
            expect(_card(phone, item).locator("[data-state]")).to_have_text("已保存")
        expect(phone.get_by_test_id("answered")).to_have_text("8")
        assert AttemptItem.objects.filter(attempt=attempt, answer__isnull=False).count() == 8
        assert Attempt.objects.filter(exam=exam, user__username=learner_no).count() == 1
        snap(phone, "25-phone-back-online", screen=True)
        for item in items[8:]:
            _answer(phone, item, right=True)
            expect(_card(phone, item).locator("[data-state]")).to_have_text("已保存")
        phone.get_by_test_id("submit").tap()
        expect(phone.get_by_test_id("score")).to_have_text("80")
        expect(phone.get_by_test_id("passed")).to_have_text("通过")
        _fits(phone)
        snap(phone, "26-phone-result")
        # her own record: the session's hours and the exam
        phone.get_by_role("link", name="返回我的学习").tap()
        expect(phone.get_by_test_id(f"result-{attempt.pk}")).to_contain_text("80")
        phone.get_by_test_id("my-record").tap()
        expect(phone.get_by_test_id("hours-done")).to_have_text("2")
        expect(phone.get_by_test_id("record-exams")).to_contain_text("2026年3月消保知识测试")
        _fits(phone)
        snap(phone, "27-phone-my-record")

        # 6. the organiser: progress, results, item analysis
        hq.goto(f"/exams/{exam.pk}/")
        expect(hq.get_by_test_id("n-submitted")).to_have_text("1")
        expect(hq.get_by_test_id("n-passed")).to_have_text("1")
        snap(hq, "28-exam-progress")
        hq.get_by_test_id("results-link").first.click()
        candidate_rows = hq.get_by_test_id("candidate-row")
        expect(candidate_rows).to_have_count(len(ACCOUNTS))
        mine = candidate_rows.filter(has_text=learner_name)
        expect(mine).to_contain_text("80")
        expect(mine).to_contain_text("通过")
        expect(hq.get_by_test_id("summary")).to_contain_text("100%通过率")
        expect(hq.get_by_test_id("summary")).to_contain_text("80平均分")
        snap(hq, "29-exam-results")
        hq.get_by_test_id("analysis-link").first.click()
        expect(hq.get_by_test_id("item")).to_have_count(10)
        # the two questions she got wrong: nobody earned their points (p = 0), the rest p = 1
        expect(
            hq.get_by_test_id("item").filter(has=hq.locator("[data-testid=p]", has_text="0.00"))
        ).to_have_count(2)
        expect(
            hq.get_by_test_id("item").filter(has=hq.locator("[data-testid=p]", has_text="1.00"))
        ).to_have_count(8)
        snap(hq, "30-item-analysis")

        # 7. the training home's coverage counts the two who signed in
        _coverage_reflects_sign_ins(hq, snap)

        # then, in the database: every saved answer graded, the score and the sign-ins as seen
        attempt.refresh_from_db()
        assert attempt.status == "submitted" and not attempt.auto_submitted
        graded = list(AttemptItem.objects.filter(attempt=attempt))
        assert len(graded) == 10 and all(i.answer is not None for i in graded)
        assert all(i.correct is not None and i.earned is not None for i in graded)
        assert {i.pk for i in graded if not i.correct} == wrong
        assert float(attempt.score) == 80.0 and attempt.passed
        signed = set(Attendance.objects.values_list("staff__employee_no", flat=True))
        assert signed == {SIGNED_IN_WITH_ACCOUNT[0], SIGNED_IN_WITHOUT_ACCOUNT[0]}
    finally:
        traveller.stop()


def _plan_session_and_sign_in(hq, phone_context, login, snap, org) -> None:
    """Head office plans the year and a session today; 王芳 signs in with her account from the QR code's
    link on her phone, 赵敏 (no account) on the public page with her employee number and name."""
    # the year's plan at head office: target hours per layer, one course
    hq.goto("/training/")
    expect(hq.get_by_test_id("coverage-total")).to_have_text("—")
    hq.get_by_test_id("home-plans").locator("a[href$='/training/plans/new/']").click()
    form = hq.get_by_test_id("plan-form")
    expect(form.locator("#id_year")).to_have_value(str(TODAY.year))
    form.locator("#id_org_unit").select_option("HO")
    form.locator("#id_title").fill("2026年消费者权益保护教育培训计划")
    for code, hours in (
        ("senior_management", "6"),
        ("middle_management", "4"),
        ("front_line", "2"),
        ("new_hire", "2"),
    ):
        form.locator(f"#id_target_{code}").fill(hours)
    snap(hq, "09-plan-form")
    form.locator("button[type=submit]").click()
    expect(hq.get_by_test_id("plan-detail")).to_contain_text("2026年消费者权益保护教育培训计划")
    expect(hq.get_by_test_id("targets").locator("tr")).to_have_count(4)
    expect(hq.get_by_test_id("targets")).to_contain_text("一线员工")
    course = hq.get_by_test_id("course-add")
    course.locator("[name=title]").fill("金融消费者权益保护基础")
    course.locator("[name=layer]").select_option("front_line")
    course.locator("[name=hours]").fill("2")
    course.locator("[name=planned_month]").select_option(str(TODAY.month))
    course.locator("button[type=submit]").click()
    expect(hq.get_by_test_id("course-row")).to_have_count(1)
    snap(hq, "10-plan")

    # a session of the plan today at the Zhongguancun outlet, for front-line staff and new hires
    hq.get_by_test_id("plan-detail").locator("a[href*='/training/sessions/new/?plan=']").click()
    form = hq.get_by_test_id("session-form")
    form.locator("#id_title").fill("消保知识培训：投诉处理与消费者八项权利")
    form.locator("#id_topic").fill("消费者权益保护")
    form.locator("#id_org_unit").select_option("B1-S1-O1")
    expect(form.locator("#id_date")).to_have_value(TODAY.isoformat())
    form.locator("#id_start_time").fill("09:30")
    form.locator("#id_end_time").fill("11:30")
    form.locator("#id_hours").fill("2")
    form.locator("#id_trainer_name").fill("吴敏")
    form.locator("#id_venue").fill("中关村网点二楼会议室")
    form.get_by_label("一线员工").check()
    form.get_by_label("新入职员工").check()
    form.locator("#id_course").select_option(label="金融消费者权益保护基础")
    snap(hq, "11-session-form")
    form.locator("button[type=submit]").click()
    detail = hq.get_by_test_id("session-detail")
    expect(detail).to_contain_text("消保知识培训：投诉处理与消费者八项权利")
    expect(detail).to_contain_text("2026年消费者权益保护教育培训计划")
    expect(hq.get_by_test_id("attendance-count")).to_have_text("0")
    if hq.get_by_test_id("signin-open").count():
        hq.get_by_test_id("signin-open").click()
    expect(hq.get_by_test_id("signin-state")).to_have_text("签到中")
    qr = hq.get_by_test_id("signin-qr")
    expect(qr.locator("svg").first).to_be_visible()
    account_url = qr.locator("p.url a").first.inner_text().strip()
    public_url = qr.get_by_test_id("public-link").inner_text().strip()
    assert re.fullmatch(r"http://[^/]+/training/sign-in/[^/]+/", account_url), account_url
    assert re.fullmatch(r"http://[^/]+/public/training/sign-in/[^/]+/", public_url), public_url
    snap(hq, "12-session-qr")

    # 王芳 scans the code: her phone opens the address, she logs in, one tap signs her in
    number, name = SIGNED_IN_WITH_ACCOUNT
    wang = phone_context().new_page()
    wang.goto(account_url)
    wang.locator("input[name=username]").fill(number)
    from conftest import PASSWORD

    wang.locator("input[name=password]").fill(PASSWORD)
    wang.locator("form:has(input[name=password]) button[type=submit]").click()
    expect(wang.get_by_test_id("signin-page")).to_contain_text("消保知识培训")
    expect(wang.get_by_test_id("signin-form")).to_contain_text(name)
    _fits(wang)
    snap(wang, "13-phone-signin-account")
    wang.get_by_test_id("signin-button").tap()
    expect(wang.locator(".messages")).to_contain_text(f"签到成功：{name}，2.0 学时")
    expect(wang.get_by_test_id("signin-done")).to_contain_text(f"{name} 已签到")
    _fits(wang)
    snap(wang, "14-phone-signed-in")

    # 赵敏 has no account: the public page, employee number and name (a typo first)
    number, name = SIGNED_IN_WITHOUT_ACCOUNT
    zhao = phone_context().new_page()
    zhao.goto(public_url)
    form = zhao.get_by_test_id("public-signin-form")
    form.locator("input[name=employee_no]").fill(number)
    form.locator("input[name=name]").fill("赵明")
    zhao.get_by_test_id("signin-button").tap()
    expect(zhao.locator(".errorlist")).to_contain_text("工号与姓名与本场次所属机构的员工名册不符")
    expect(zhao.get_by_test_id("current-user")).to_have_count(0)  # nobody is logged in here
    snap(zhao, "15-phone-public-mismatch")
    form = zhao.get_by_test_id("public-signin-form")
    form.locator("input[name=employee_no]").fill(number)
    form.locator("input[name=name]").fill(name)
    zhao.get_by_test_id("signin-button").tap()
    expect(zhao.locator(".messages")).to_contain_text(f"签到成功：{name}，2.0 学时")
    _fits(zhao)
    snap(zhao, "16-phone-public-signed-in")

    # the organiser sees both on the attendance list and on the room display
    hq.reload()
    expect(hq.get_by_test_id("attendance-count")).to_have_text("2")
    rows = hq.get_by_test_id("attendance-row")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text=SIGNED_IN_WITH_ACCOUNT[1])).to_contain_text("扫码签到")
    expect(rows.filter(has_text=SIGNED_IN_WITHOUT_ACCOUNT[1])).to_contain_text("扫码签到")
    snap(hq, "17-session-attendance")
    hq.get_by_test_id("room-link").click()
    expect(hq.get_by_test_id("room-count").locator("strong")).to_have_text("2")
    expect(hq.get_by_test_id("room-count")).to_contain_text("人已签到")
    expect(hq.get_by_test_id("room-qr").locator("svg")).to_be_visible()
    snap(hq, "18-room-display")


def _coverage_reflects_sign_ins(hq, snap) -> None:
    """The training home: 2 sessions-attended people of the 30 with a target reached theirs."""
    hq.goto("/training/")
    figures = hq.get_by_test_id("training-figures")
    expect(figures).to_contain_text(f"覆盖率（{len(STAFF)} 人中 2 人达标）")
    expect(figures.locator("div").nth(0)).to_contain_text("1本年培训场次")
    expect(figures.locator("div").nth(1)).to_contain_text("2人次")
    expect(hq.get_by_test_id("coverage-total")).to_have_text("6.67%")
    rows = hq.get_by_test_id("coverage-row")
    expect(rows.filter(has_text="一线员工")).to_contain_text("1/15")
    expect(rows.filter(has_text="新入职员工")).to_contain_text("1/6")
    expect(rows.filter(has_text="高级管理人员")).to_contain_text("0/3")
    snap(hq, "31-training-home-coverage")
