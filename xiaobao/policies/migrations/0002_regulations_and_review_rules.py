"""Preloads the regulations and the articles internal policies implement, from the domain notes
(/work/shared/domain/regulations.md: the complaint rules, the consumer-protection rules, suitability, marketing
and advertising, personal information, sales recording), and the review period per level (12 months).

Articles whose number or wording the notes mark UNCONFIRMED are loaded with `unconfirmed=True` (shown with a
badge; check the official text before relying on them). get_or_create: rows an administrator edited are kept;
the reverse removes only unmapped preset rows."""

import datetime as dt

from django.db import migrations

DIGITS = "零一二三四五六七八九"


def cn(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十, 45 → 四十五 (article numbers up to 99)."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return DIGITS[ones]
    head = "" if tens == 1 else DIGITS[tens]
    return head + "十" + (DIGITS[ones] if ones else "")


def art(n: int, suffix: str = "") -> str:
    return f"第{cn(n)}条{suffix}"


# (code, name, document number, issuer, effective, unconfirmed, note, [(number, summary, unconfirmed)])
REGULATIONS = [
    (
        "nfra-complaints-2020",
        "银行业保险业消费投诉处理管理办法",
        "中国银保监会令2020年第3号",
        "中国银行保险监督管理委员会（现国家金融监督管理总局）",
        dt.date(2020, 3, 1),
        False,
        "6章45条",
        [
            (art(2), "消费投诉的定义：消费者因购买银行、保险产品或接受相关服务与机构或其从业人员产生纠纷，向机构主张民事权益的行为。", False),
            (art(3), "投诉处理遵循依法合规、便捷高效、标本兼治、多元化解原则。", False),
            (art(7), "明确投诉处理的高管或部门负责人，设立或指定投诉管理部门和岗位；设置接待场所并配备录音录像，建立投诉管理信息系统。", False),
            (art(8), "在网站、移动应用、营业场所显著位置公布投诉电话、通信地址和投诉处理流程；合同中载明投诉电话或其他渠道。", False),
            (art(10), "督促合作第三方协助处理投诉，将配合情况纳入合作机构准入和退出评估。", False),
            (art(11), "机构负责处理因其产品或服务引起的消费投诉。", False),
            (art(12), "可要求通过公布的渠道投诉；现场投诉可要求在指定接待场所进行；多人共同现场投诉应推选代表，不超过5名。", False),
            (art(13), "可要求投诉人提供身份及联系方式、被投诉机构或人员、投诉请求、主要事实和理由；不得要求提供机构已掌握的材料。", False),
            (art(14), "消费者确有困难的应接受代理投诉；应接受继承人的投诉。", False),
            (art(15), "投诉人撤回投诉的，处理程序自收到撤回申请之日终止。", False),
            (art(17), "建立回避制度，由与投诉事项无直接利害关系的人员处理。", False),
            (art(18), "收到投诉之日起15日内作出处理决定并告知；情况复杂的可延长至30日；特别复杂的经上级机构或总公司高管批准可再延长30日；鉴定等时间不计入。", False),
            (art(19), "告知处理决定时应说明核实情况、作出决定的依据和理由，以及申请核查、调解、仲裁、诉讼等救济途径。", False),
            (art(20), "投诉人对分支机构的处理决定有异议的，可在30日内书面向其上级机构申请核查；上级机构30日内作出核查决定并告知。", False),
            (art(21), "保留告知凭证；书面告知在期限内交付或寄出，短信电子邮件在期限内发出，电话在期限内拨打。", False),
            (art(22), "核实投诉人身份，保护投诉人信息安全，依法保护国家秘密、商业秘密和个人隐私。", False),
            (art(23), "投诉人同意调解的，调解期间不计入处理期限。", False),
            (art(26), "建立统计分析、溯源整改、信息披露、责任追究制度；定期分析投诉；通过年报等方式披露年度投诉情况。", False),
            (art(27), "建立投诉处理考核评价制度，将投诉纳入各级机构综合绩效考核指标体系。", False),
            (art(28), "登记投诉并将登记记录、处理意见等存档备查；法律法规对保存期限有规定的从其规定。", False),
            (art(29), "制定重大消费投诉应急预案；20名以上投诉人采取面谈方式共同提出的投诉等属重大消费投诉。", False),
            (art(35), "按监管要求报告投诉处理工作制度、责任人名单及变动情况。", False),
            (art(36), "按监管要求报送投诉数据和处理情况，对其真实性、完整性、准确性负责。", False),
            (art(43), "本办法所称“以内”“以上”包含本数；“日”为自然日，“7个工作日”除外。", False),
        ],
    ),
    (
        "cbirc-consumer-protection-2022",
        "银行保险机构消费者权益保护管理办法",
        "中国银保监会令2022年第9号",
        "中国银行保险监督管理委员会（现国家金融监督管理总局）",
        dt.date(2023, 3, 1),
        False,
        "仅核对第一至十二条；其后条款的条号未核实",
        [
            (art(2), "适用于向消费者提供产品和服务的银行业金融机构和保险机构。", False),
            (art(6), "消费者权益保护遵循依法合规、平等自愿、诚实守信原则。", False),
            (art(7), "将消费者权益保护融入公司治理、企业文化和经营发展战略，贯穿业务流程各环节。", False),
            (art(8), "董事会承担最终责任并设立消费者权益保护委员会；高级管理层建立管理体系；监事会监督；指定部门牵头。", False),
            (art(9), "建立消保审查机制，在产品和服务的设计开发、定价管理、协议制定、营销宣传等环节进行审查；新产品上线或条款重大变化时必须审查。", False),
            (art(10), "建立信息披露机制，真实、准确、完整、及时；通过年报等方式公开披露年度消保工作情况。", False),
            (art(11), "适当性管理：产品风险评估分级并动态管理，评估消费者风险认知、偏好和承受能力，将合适的产品提供给合适的消费者。", False),
            (art(12), "销售行为可回溯管理：记录和保存销售过程（条文其余部分未核对）。", True),
        ],
    ),
    (
        "pboc-consumer-protection-2020",
        "中国人民银行金融消费者权益保护实施办法",
        "中国人民银行令〔2020〕第5号",
        "中国人民银行",
        dt.date(2020, 11, 1),
        True,
        "未取得正式全文，条号均未核实",
        [
            ("转办投诉答复（条号待核实）", "对人民银行分支机构转办的投诉，自收到之日起15日内答复；复杂情况经负责人批准可延长，最长不超过60日。", True),
            ("投诉档案保存（条号待核实）", "投诉档案自办结之日起保存不少于3年。", True),
            ("信息泄露报告（条号待核实）", "个人金融信息泄露可能危及人身财产安全的立即报告并告知消费者；其他不利影响72小时内报告。", True),
            ("年度自评估（条号待核实）", "每年开展金融消费者权益保护自评估，次年1月31日前报送。", True),
            ("培训（条号待核实）", "每年至少开展一次消保专项培训，覆盖中高级管理人员、基层业务人员和新入职人员。", True),
        ],
    ),
    (
        "suitability-2025",
        "金融机构产品适当性管理办法",
        "金融监管总局令2025年第7号",
        "国家金融监督管理总局",
        dt.date(2026, 2, 1),
        False,
        "",
        [
            (art(8), "设计开发产品时开展消费者权益保护审查。", False),
            (art(12), "不得向风险承受能力不匹配的客户销售产品。", False),
            (art(13), "不得代客评估、未评估先销售、作虚假或误导性风险提示、混淆存款与理财保险等、承诺保本保收益、夸大收益。", False),
            (art(16), "销售人员考核应包含合规和投诉指标，不得仅以销售业绩考核。", False),
            (art(17), "记录适当性管理关键环节（含录音录像），合同关系终止后保存不少于5年。", False),
            (art(18), "65周岁以上客户购买高风险产品的特别注意义务。", False),
            (art(22), "产品风险等级至少划分为一至五级；发行与销售机构评级不一致的采用较高等级。", False),
            (art(29), "客户风险承受能力至少五级；同一机构每日重新评估不超过2次、12个月内不超过8次；结果有效期12个月。", False),
            (art(44), "适当性管理纳入年度消费者权益保护监管评价。", False),
        ],
    ),
    (
        "insurance-sales-2023",
        "保险销售行为管理办法",
        "金融监管总局令2023年第2号",
        "国家金融监督管理总局",
        dt.date(2024, 3, 1),
        False,
        "",
        [
            (art(7), "按照合法、正当、必要、诚信原则收集个人信息，未经同意不得向他人提供。", False),
            (art(17), "营销宣传应明示保险产品属性，不得虚假夸大、偷换概念、不当类比、不当评比排序，不得以监管审批备案作保证。", False),
            (art(18), "销售人员发布营销宣传须经机构事先审核和授权。", False),
            (art(19), "保险公司正式通知前不得宣称产品即将停售或调价。", False),
            (art(23), "不得强制搭售或默认勾选。", False),
            (art(31), "通过录音录像、页面及点击轨迹等实施销售行为可回溯。", False),
            (art(36), "销售人员离职或合作终止后30日内通知投保人。", False),
            (art(40), "公布退保条件和时限。", False),
        ],
    ),
    (
        "insurance-traceability-2017",
        "保险销售行为可回溯管理暂行办法",
        "保监发〔2017〕54号",
        "原中国保险监督管理委员会",
        dt.date(2017, 11, 1),
        False,
        "",
        [
            (art(2), "可回溯的定义：销售行为可回放、重要信息可查询、问题责任可确认。", False),
            (art(5), "电话销售全程录音。", False),
            (art(6), "银保渠道销售期限超过一年的人身保险、投连险及向60周岁以上投保人销售一年期以上人身险须现场同步录音录像。", False),
            (art(7), "录音录像应包含出示证件、投保提示书、条款及免责说明、犹豫期后退保损失提示、投保人明确表示和签字。", False),
            (art(10), "犹豫期内对不少于30%的录音录像质检，第六条第二项全部质检；问题15个工作日内整改。", False),
            (art(13), "录音录像资料保存期限：一年期以下不少于5年，一年期以上不少于10年。", False),
        ],
    ),
    (
        "bank-sales-recording-2017",
        "银行业金融机构销售专区录音录像管理暂行规定",
        "银监办发〔2017〕110号",
        "原中国银行业监督管理委员会",
        dt.date(2017, 8, 23),
        False,
        "仅核对部分条文",
        [
            (art(2), "在营业场所销售自有理财产品及代销产品的，应设立销售专区并对每笔销售全程同步录音录像。", False),
            (art(3), "代销国债及实物贵金属可不录音录像；小型网点可设固定销售专柜。", True),
        ],
    ),
    (
        "wm-sales-2021",
        "理财公司理财产品销售管理暂行办法",
        "中国银保监会令2021年第4号",
        "中国银行保险监督管理委员会",
        None,
        False,
        "",
        [
            (art(20), "禁止使用“安全、保证、承诺、保险、避险、有保障、高收益、无风险”等表述（条号未核实）。", True),
            (art(25), "不得无依据展示业绩比较基准，不得单独或突出展示绝对数值或区间。", False),
            (art(30), "产品风险评级至少一级至五级，并在销售文件中展示。", False),
        ],
    ),
    (
        "advertising-law-2021",
        "中华人民共和国广告法（2021年修正）",
        "",
        "全国人民代表大会常务委员会",
        dt.date(2021, 4, 29),
        False,
        "",
        [
            (art(4), "广告不得含有虚假或者引人误解的内容。", False),
            (art(9, "第三项"), "不得使用“国家级”“最高级”“最佳”等用语。", False),
            (art(25), "投资收益类广告应合理提示风险，不得承诺收益、明示或暗示保本无风险保收益，不得利用专家、受益者作推荐。", False),
        ],
    ),
    (
        "pipl-2021",
        "中华人民共和国个人信息保护法",
        "",
        "全国人民代表大会常务委员会",
        dt.date(2021, 11, 1),
        False,
        "",
        [
            (art(5), "处理个人信息遵循合法、正当、必要和诚信原则。", False),
            (art(6), "目的明确合理，限于实现处理目的的最小范围。", False),
            (art(13), "处理个人信息的合法性基础。", False),
            (art(17), "处理前告知处理者、目的、方式、种类、保存期限及行使权利的方式。", False),
            (art(19), "保存期限为实现处理目的所必要的最短时间。", False),
            (art(23), "向其他处理者提供个人信息应告知并取得单独同意。", False),
            (art(24), "自动化决策的透明公正，个性化营销应提供退出方式。", False),
            (art(28), "敏感个人信息包括金融账户等，仅在特定目的和充分必要时处理。", False),
            (art(29), "处理敏感个人信息应取得单独同意。", False),
            (art(47), "目的已实现、停止服务、保存期限届满等情形应主动删除个人信息。", False),
            (art(51), "制定内部管理制度和操作规程，分类管理，加密去标识化，权限管理，培训，应急预案。", False),
            (art(54), "定期开展合规审计。", False),
            (art(55), "处理敏感个人信息等情形事前进行个人信息保护影响评估。", False),
            (art(56), "影响评估报告和处理情况记录至少保存3年。", False),
            (art(57), "发生泄露立即采取补救措施并通知履行个人信息保护职责的部门和个人。", False),
        ],
    ),
    (
        "consumer-rights-law-2013",
        "中华人民共和国消费者权益保护法（2013年修正）",
        "",
        "全国人民代表大会常务委员会",
        dt.date(2014, 3, 15),
        False,
        "",
        [
            (art(14), "消费者享有个人信息依法得到保护的权利。", False),
            (art(29), "收集使用个人信息应合法、正当、必要，明示目的方式范围并经同意。", False),
        ],
    ),
    (
        "cybersecurity-law-2016",
        "中华人民共和国网络安全法",
        "",
        "全国人民代表大会常务委员会",
        dt.date(2017, 6, 1),
        False,
        "镜像为2016年文本，后续修正未核实",
        [
            (art(21, "第三项"), "留存网络日志不少于六个月。", False),
        ],
    ),
]


def load(apps, schema_editor):
    Regulation = apps.get_model("policies", "Regulation")
    Article = apps.get_model("policies", "RegulationArticle")
    ReviewRule = apps.get_model("policies", "ReviewRule")
    for order, (code, name, number, issuer, effective, unconfirmed, note, articles) in enumerate(REGULATIONS):
        reg, _ = Regulation.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "document_number": number,
                "issuer": issuer,
                "effective_on": effective,
                "unconfirmed": unconfirmed,
                "note": note,
                "sort_order": (order + 1) * 10,
            },
        )
        for i, (art_number, summary, art_unconfirmed) in enumerate(articles):
            Article.objects.get_or_create(
                regulation=reg,
                number=art_number,
                defaults={
                    "summary": summary,
                    "unconfirmed": art_unconfirmed or unconfirmed,
                    "sort_order": (i + 1) * 10,
                },
            )
    for level in ("head_office", "branch"):
        ReviewRule.objects.get_or_create(level=level, defaults={"months": 12})


def unload(apps, schema_editor):
    Regulation = apps.get_model("policies", "Regulation")
    Article = apps.get_model("policies", "RegulationArticle")
    ReviewRule = apps.get_model("policies", "ReviewRule")
    codes = [r[0] for r in REGULATIONS]
    Article.objects.filter(regulation__code__in=codes, mappings__isnull=True).delete()
    Regulation.objects.filter(code__in=codes, articles__isnull=True, policies__isnull=True).delete()
    ReviewRule.objects.filter(level__in=("head_office", "branch")).delete()


class Migration(migrations.Migration):
    dependencies = [("policies", "0001_catalogue")]
    operations = [migrations.RunPython(load, unload)]
