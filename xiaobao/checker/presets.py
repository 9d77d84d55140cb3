"""The preset rules of the wording checker: data, copied into the database (A2's `CheckRule`) by a
post_migrate sync that creates missing codes only; head office edits the database copy, never this file.

Written from the labelled development texts (`tests/corpus/dev.jsonl`). Judgement calls, so the rule
editor knows why a term is (not) here:
- `absolute` takes from the public 广告法 list (`shared/data/marketing/es3344520_advertising-limit-words/
  Dete.txt`) only the entries that are absolute claims in financial marketing: the 最/第一/唯一/顶级/国家级/首
  families. Left out as normal financial wording: 最 alone (最近, 最终, 最迟), 最新 (最新净值, 最新公告),
  万能 (万能险), 保险公司, 投资价值, 投资回报, 安全, 推荐, 指定, 评比, 排序, 永久 (a card may truly have no
  fee), 至尊 (card names), the superstition, medical and lure entries. Kept with exceptions: 最低 (最低起购
  金额, 最低还款额), 最高 (最高可贷, 最高偿付限额), 最大 (最大回撤), 第一 (第一条, 第一期, 第一顺位),
  唯一 (唯一官方客服热线), 绝对 (绝对收益策略).
- `guarantee` does not apply to deposits (a deposit, and a 保本浮动收益型 structured deposit, may say
  保本保息).
- Insurance demonstration-rate caps are configurable data (the figures are UNCONFIRMED).
- The 2026 《金融产品网络营销管理办法》 rule is `params.pending` (its dates are UNCONFIRMED): the engine
  leaves it out of the default presets; the database copy takes effect on its effective date.
"""

from __future__ import annotations

from xiaobao.checker.engine import RuleSpec

# Sources (zh), cited by several rules.
AD_LAW_9 = "《中华人民共和国广告法》第九条第（三）项：不得使用“国家级”“最高级”“最佳”等用语"
AD_LAW_25 = (
    "《中华人民共和国广告法》第二十五条：投资回报类广告不得对未来效果、收益作出保证性承诺，"
    "不得明示或暗示保本、无风险或者保收益，不得利用专家、受益者等作推荐、证明"
)
FIN_MKT_2019 = "《关于进一步规范金融营销宣传行为的通知》（2019年）"
WEALTH_SALES = "《理财公司理财产品销售管理暂行办法》（银保监会令2021年第4号）"
WEALTH_SALES_25 = (
    WEALTH_SALES + "第二十五条：不得在未说明选择原因、测算依据或计算方法的情况下展示业绩比较基准"
)
FUND_PROMO = "《公开募集证券投资基金宣传推介材料管理暂行规定》（证监会公告〔2020〕59号）"
INS_SALES = "《保险销售行为管理办法》（金融监管总局令2023年第2号）"
SUITABILITY = (
    "《金融机构产品适当性管理办法》（金融监管总局令2025年第7号）第十二、十三条："
    "不得混淆存款、理财、基金、保险，不得承诺保本保收益"
)
CP_MEASURES = "《银行保险机构消费者权益保护管理办法》（银保监会令2022年第9号）"
NET_MKT_2026 = "《金融产品网络营销管理办法》（2026年，施行日期待核实）第十条"
APR_NOTICE = "中国人民银行公告〔2021〕第3号（贷款产品营销须明示年化利率；文号待核实）"
STD_TERMS = "《中华人民共和国消费者权益保护法》第二十六条、《中华人民共和国民法典》第四百九十七条（格式条款）"

_NON_DEPOSIT = ("wealth", "fund", "insurance", "loan", "credit_card", "payment", "precious_metal", "other")
_INVESTMENT = ("wealth", "fund", "insurance", "precious_metal", "other")

PRESETS: list[RuleSpec] = [
    # --- absolute ---------------------------------------------------------------------------------------
    RuleSpec(
        code="absolute-superlative",
        label="absolute",
        severity="medium",
        kind="terms",
        title="绝对化用语（最……）",
        terms=(
            "最佳",
            "最具",
            "最赚",
            "最优",
            "最优秀",
            "最好",
            "最大",
            "最高",
            "最高级",
            "最高档",
            "最低",
            "最低价",
            "最便宜",
            "最受欢迎",
            "最先进",
            "最安全",
            "最稳",
            "最稳健",
            "最强",
            "最划算",
            "最实惠",
            "最专业",
            "最权威",
            "最靠谱",
            "最值得",
            "最快",
            "最牛",
            "最火",
            "最热门",
            "最省",
            "最有价值",
            "最优惠",
        ),
        exceptions=(
            r"最低\s*(起购|起投|起存|认购|申购|购买|投资|持有|还款|存款|存入|金额|缴费|缴存|保费|保额|消费|交易|额度|"
            r"限额|收费|标准|档|工资|年龄|期限|可|为|至|\d)",
            r"最高\s*(人民法院|人民检察院|可|额度|额|限额|授信|不超过|偿付|赔付|保额|保险金额|给付|投保年龄|年龄|档|为|至|\d)",
            r"最大\s*(回撤|亏损|损失|跌幅|可能损失|限额|额度|金额|期限|年龄|限度|程度|努力|\d)",
            r"最快\s*(T|\d|当|次)",
            r"最好\s*(不要|别|先|提前|根据|在|能|是否|咨询|仔细|认真|结合)",
        ),
        materials=("marketing",),
        source=AD_LAW_9,
        suggestion="删除“最……”类绝对化用语，改用有依据、可核实的客观表述（如注明数据来源和统计区间）。",
    ),
    RuleSpec(
        code="absolute-rank-first",
        label="absolute",
        severity="medium",
        kind="pattern",
        title="绝对化用语（第一、唯一、顶级……）",
        terms=(
            "第一",
            "中国第一",
            "全国第一",
            "全网第一",
            "销量第一",
            "排名第一",
            "第一品牌",
            "行业第一",
            "仅此一家",
            "唯一",
            "独一无二",
            "一流",
            "全球级",
            "世界级",
            "宇宙级",
            "极品",
            "极佳",
            "绝对",
            "绝佳",
            "极致",
            "顶级",
            "顶尖",
            "尖端",
            "终极",
            "首个",
            "首选",
            "全国首家",
            "全球首发",
            "全网首发",
            "首款",
            "首家",
            "首只",
            "独家",
            "销量冠军",
            "国家级",
            "世界领先",
            "行业领先",
            "领导品牌",
            "领导者",
            "王者",
            "问鼎",
            "巅峰",
            "之王",
            "王牌",
            "绝无仅有",
            "前无古人",
            "史无前例",
            "无敌",
            "无与伦比",
            "秒杀全网",
            "名列前茅",
            "位居前列",
            "业绩优良",
        ),
        patterns=(r"排名\s*第\s*1(?!\d)", r"第\s*1\s*名", r"(?<![\w.])(NO|TOP)\s*\.?\s*1(?!\d)"),
        exceptions=(
            r"第一\s*(条|款|章|节|项|期|年|个|次|季度|季|天|日|月|步|部分|阶段|类|档|顺位|顺序|受益人|还款来源|批|笔|张|"
            r"页|届|位|时间|联系人|、|\.)",
            r"唯一(的)?(官方|指定|合法|授权)?(客服|服务)?(热线|电话|渠道|途径|网站|网址|账户|账号|联系方式|凭证|依据|"
            r"标识|编码|编号|识别码|受益人|客服)",
            r"绝对(安全|收益|值|额|回报|控制|化)",
        ),
        materials=("marketing",),
        source=AD_LAW_9 + "；" + FUND_PROMO + "第十五条（“名列前茅”“位居前列”“唯一”等须有依据）",
        suggestion="删除“第一”“唯一”“顶级”“国家级”等绝对化或无依据的排名用语；确需引用排名的，注明评选机构、时间和范围。",
    ),
    # --- guarantee --------------------------------------------------------------------------------------
    RuleSpec(
        code="guarantee-principal-return",
        label="guarantee",
        severity="high",
        kind="pattern",
        title="承诺保本保收益",
        terms=(
            "保本",
            "保收益",
            "保息",
            "本息无忧",
            "本金无忧",
            "零亏损",
            "不亏本",
            "不会亏",
            "亏不了",
            "稳赚",
            "包赚",
            "只赚不赔",
            "只涨不跌",
            "稳赚不赔",
            "稳赚不亏",
            "承诺收益",
            "收益承诺",
            "保证收益",
            "保底收益",
            "保本保息",
            "保本保收益",
            "收益有保障",
            "本金有保障",
            "本息保障",
            "本息安全",
            "刚性兑付",
            "刚兑",
            "必定升值",
            "必将升值",
            "一定升值",
            "稳定升值",
            "保值增值",
            "一分不会少",
            "一分都不会少",
            "零损失",
            "旱涝保收",
            "100%兑付",
            "稳拿",
            "必涨",
            "包赔",
            "保本保值",
        ),
        patterns=(
            r"承诺[^。，,；;！!]{0,6}(兑付|收益|回报|保本|不亏|盈利)",
            r"保证[^。，,；;！!]{0,4}(分红|收益|回报|翻倍|盈利|赚钱|不亏|本金)",
            r"本金\s*(100%|百分之百|绝对)?\s*(安全|无忧|有保障)",
            r"(亏损|损失|亏了)[^。，,；;]{0,2}(由|归)?(银行|本行|我行|公司|平台|管理人)[^。，,；;]{0,2}(兜底|承担|补足|赔付|赔)",
            r"(银行|本行|我行|平台|公司|国企|央企)(兜底|保底)",
            r"固定(年化)?收益(率)?\s*(为)?\s*\d",
        ),
        exceptions=(r"打破(刚性兑付|刚兑)",),
        product_kinds=_NON_DEPOSIT,
        source=AD_LAW_25 + "；" + SUITABILITY + "；" + FIN_MKT_2019,
        suggestion="删除保本、保收益、稳赚等承诺；如实说明产品不保证本金和收益，并提示可能的损失。",
    ),
    # --- no_risk ----------------------------------------------------------------------------------------
    RuleSpec(
        code="no-risk",
        label="no_risk",
        severity="high",
        kind="pattern",
        title="宣称无风险",
        terms=(
            "零风险",
            "无风险",
            "没有风险",
            "毫无风险",
            "无任何风险",
            "没有任何风险",
            "风险为零",
            "风险为0",
            "绝对安全",
            "100%安全",
            "百分百安全",
            "万无一失",
            "无亏损风险",
        ),
        patterns=(
            r"不存在(任何)?(亏损|损失|本金损失|投资)?风险",
            r"(无|没有|毫无)(任何)?(亏损|损失|本金损失|本金)风险",
        ),
        exceptions=(r"无风险(利率|收益率|资产|套利|回报率)", r"本金\s*(100%|百分之?百)\s*安全"),
        product_kinds=(),
        source=AD_LAW_25 + "；" + FUND_PROMO + "第十五条（不得使用“无风险”等用语）",
        suggestion="删除“零风险”“无风险”等表述，如实揭示产品风险等级和可能的损失。",
    ),
    # --- deposit_confusion ------------------------------------------------------------------------------
    RuleSpec(
        code="deposit-confusion",
        label="deposit_confusion",
        severity="high",
        kind="pattern",
        title="混淆存款",
        terms=("类存款", "准存款", "存款替代", "储蓄型", "储蓄险", "储蓄计划", "存款型"),
        patterns=(
            r"(比|胜过|超过|高于|跑赢|好于|秒杀|完胜|强于|优于)[^。，,！!；;]{0,6}(存款|定期|定存|活期|储蓄|存银行|放银行|存单|银行利息|银行利率)",
            r"(和|跟|与|同)[^。，,！!；;]{0,6}(存款|定期|定存|储蓄|存单)[^。，,！!；;]{0,3}(一样|一般|相同|无异|差不多|类似)",
            r"(存款|定期|定存|储蓄)[^。]{0,12}(不如|还不如)",
            r"(存款|定期|活期|储蓄)[^。，,！!；;]{0,4}\d+(\.\d+)?\s*倍",
            r"(替代|代替|取代)[^。，,！!；;]{0,4}(存款|储蓄|定期|活期)|(存款|储蓄|定期)[^。，,！!；;]{0,3}(的)?(好)?(替代|平替)",
            r"(像|如同|等同于?|相当于|就是|堪比|好比)[^。，,！!；;]{0,6}(存款|定期|存单|储蓄|存钱)",
            r"(这款|这个|该|本)\s*[“\"「]?(存款|存单)",
            r"存(进|入)来|存(基金|理财|保险)",
        ),
        exceptions=(r"储蓄(卡|账户|存款账户)", r"存款保险"),
        product_kinds=_NON_DEPOSIT,
        source=SUITABILITY
        + "；"
        + INS_SALES
        + "第十七条（不当类比）；"
        + NET_MKT_2026
        + "（不得将保险与存款比较）",
        suggestion="不得将理财、基金、保险表述为存款、储蓄或与存款作片面比较；写明“本产品不是存款”并说明其性质和风险。",
    ),
    RuleSpec(
        code="deposit-confusion-insurance-saving",
        label="deposit_confusion",
        severity="high",
        kind="pattern",
        title="保险表述为存钱",
        patterns=(
            r"(存|存入|连存|每年存)\s*\d+(\.\d+)?\s*(年|万|千|元)",
            r"存\s*[一二两三四五六七八九十]+\s*(年|万)",
            r"(拿|领|吃|有|赚)利息|利息(收入|照拿|照领)",
        ),
        product_kinds=("insurance",),
        materials=("marketing",),
        source=INS_SALES + "第十七条（偷换概念、不当类比）",
        suggestion="用“交费”“保险费”“保险期间”等保险术语，不要用“存”“存期”描述交费。",
    ),
    # --- missing_disclosure -----------------------------------------------------------------------------
    RuleSpec(
        code="disclosure-wealth-not-deposit",
        label="missing_disclosure",
        severity="high",
        kind="required",
        title="理财缺少“理财非存款”提示",
        near=(r"(年化|收益率?|回报率?|业绩比较基准|七日|万份)[^。；;\n]{0,12}?\d+(\.\d+)?\s*%",),
        required=(r"理财(产品)?(不是|非|并非)(银行)?存款[^。\n]{0,4}产品有风险[^。\n]{0,4}投资[须需应]谨慎",),
        product_kinds=("wealth",),
        materials=("marketing",),
        source="《商业银行理财业务监督管理办法》（2018年，条款号待核实）；" + WEALTH_SALES,
        suggestion="在展示收益或业绩比较基准的同一段落（同一页/同一单元格）醒目写明“理财非存款、产品有风险、投资须谨慎”。",
    ),
    RuleSpec(
        code="disclosure-fund-past-performance",
        label="missing_disclosure",
        severity="high",
        kind="required",
        title="基金业绩缺少“过往业绩不预示未来表现”",
        near=(r"(收益率?|回报率?|涨幅|净值增长率?|业绩|年化)[^。；;\n]{0,12}?\d+(\.\d+)?\s*%",),
        required=(
            r"过往业绩[^。；;\n]{0,6}(不代表|不预示|并不预示|不构成|不能代表|不等于)",
            r"(历史|以往|过去)(业绩|表现|收益)[^。；;\n]{0,6}(不代表|不预示|并不预示|不能代表)",
        ),
        product_kinds=("fund",),
        materials=("marketing",),
        source=FUND_PROMO + "第六条",
        suggestion="在展示业绩的同一段落写明“基金的过往业绩并不预示其未来表现”。",
    ),
    RuleSpec(
        code="disclosure-insurance-nature",
        label="missing_disclosure",
        severity="high",
        kind="required",
        title="保险宣传未说明是保险产品",
        near=(
            r"收益|利率|回报|年化|演示|分红|储蓄|复利|利息|万能账户|存(款|单|入|钱|\s*\d|[一二两三四五六七八九十]+\s*(年|万))",
        ),
        required=(
            r"(本|该|此|上述|以上|这款)(产品|计划|险种)[^。；;\n]{0,30}(为|是|系|属于)[^。；;\n]{0,30}保险(产品|合同)",
            r"由[^。；;\n]{0,25}承保|保险公司承保",
            r"保险产品[^。；;\n]{0,4}(不是|非|并非)(银行)?(存款|储蓄|理财)",
            r"(不是|非|并非)(银行)?(存款|储蓄)[^。；;\n]{0,6}(而是|是|属于)[^。；;\n]{0,4}保险",
        ),
        product_kinds=("insurance",),
        materials=("marketing",),
        source=INS_SALES + "第十七条（明确标识为保险产品）",
        suggestion="在介绍收益、利率或分红的同一段落写明“本产品为保险产品”及承保的保险公司名称。",
    ),
    # --- expected_return --------------------------------------------------------------------------------
    RuleSpec(
        code="expected-return-no-basis",
        label="expected_return",
        severity="high",
        kind="required",
        title="预期收益或业绩比较基准缺少测算依据",
        near=(
            r"(预期|预计|目标)\s*(年化)?\s*(收益率?|回报率?)[^。；;\n]{0,8}?\d",
            r"业绩比较基准[^。；;\n]{0,8}?\d",
        ),
        required=(
            r"测算(依据|方法|过程)",
            r"(业绩比较基准|预期收益|目标收益|基准)[^。；;\n]{0,20}(不代表|不构成|不等于|不等同|并非|不是|不作为)",
            r"(不构成|不代表|不等于|并非|不是|不作为)[^。；;\n]{0,12}(收益承诺|承诺|保证|实际收益)",
        ),
        product_kinds=("wealth", "fund", "insurance", "deposit", "precious_metal", "other"),
        source=WEALTH_SALES_25 + "；" + FIN_MKT_2019,
        suggestion="在同一段落说明业绩比较基准的选择原因和测算依据，并写明“业绩比较基准不代表产品未来表现和实际收益，不构成收益承诺”；不得使用“预期收益率”。",
    ),
    # --- apr_missing ------------------------------------------------------------------------------------
    RuleSpec(
        code="apr-missing",
        label="apr_missing",
        severity="high",
        kind="required",
        title="贷款或分期未明示年化利率",
        near=(
            r"日息|月息|日利率|月利率|日费率|月费率|手续费|利息|利率|费率|息费|万分之",
            r"(每天|一天|每日|日均|每月|每期)[^。，,；;]{0,6}?\d+(\.\d+)?\s*(元|块|毛|角|%)",
            r"%\s*/\s*(天|日|月|期)",
        ),
        required=(r"年化|APR|年利率|年息",),
        product_kinds=("loan", "credit_card"),
        materials=("marketing",),
        source=APR_NOTICE + "；" + FIN_MKT_2019,
        suggestion="在同一段落以明显方式展示年化利率（如“年化利率7.3%（单利）”），不得只展示日息、月费率或分期手续费。",
    ),
    # --- urgency ----------------------------------------------------------------------------------------
    RuleSpec(
        code="urgency",
        label="urgency",
        severity="medium",
        kind="pattern",
        title="制造紧迫感",
        terms=(
            "欲购从速",
            "欲借从速",
            "欲存从速",
            "申购良机",
            "名额有限",
            "额度有限",
            "售完即止",
            "售完为止",
            "先到先得",
            "手慢无",
            "限时抢购",
            "抢购",
            "限量发售",
            "机不可失",
            "失不再来",
            "错过再等",
            "错过不再",
            "错过就没有",
            "最后机会",
            "即将售罄",
            "仅剩",
            "只剩",
            "倒计时",
            "速抢",
            "赶紧",
            "数量有限",
            "额度紧张",
            "抢完即止",
            "过时不候",
            "仅限今日",
            "今日截止",
        ),
        patterns=(
            r"(即将|马上|就要|下月|下周|月底|近期|很快)[^。，,！!；;]{0,8}(停售|下架|涨价|调价|下调|上调|上涨|降息|提高|恢复原价|停止销售|下线)",
            r"最后\s*(\d+|[一二两三四五六七八九十])\s*(天|日|周|个?名额|份)",
            r"抓紧(投保|购买|抢购|时间|办理|认购|申购)",
            r"(现在|今天|再)不买[^。，,！!]{0,4}(就|更)?(晚|亏|没)",
        ),
        exceptions=(r"(根据|依据|按照)[^。]{0,20}公告[^。]{0,30}(停售|停止销售|下架)",),
        materials=("marketing",),
        source=FUND_PROMO
        + "第十五条（欲购从速、申购良机）；"
        + INS_SALES
        + "第十九条（不得在正式通知前宣称停售或调价）",
        suggestion="删除“欲购从速”“名额有限”“即将停售”等催促用语；停售、调价以正式公告为准并注明公告。",
    ),
    # --- inducement -------------------------------------------------------------------------------------
    RuleSpec(
        code="inducement-gift",
        label="inducement",
        severity="medium",
        kind="pattern",
        title="购买送礼、返利",
        terms=("返佣", "返现", "返利", "回扣", "现金红包", "买一送一", "送现金"),
        patterns=(
            r"(购买|认购|申购|投保|买入?|存入?|新存|转入|办理|开户|签约)[^。；;！!]{0,12}(即|就|便|可|再|还)?(送|赠)",
            r"返还[^。，,；;]{0,4}保费",
            r"(购买|认购|申购|投保|存入?|新存|转入|开户)[^。；;！!]{0,12}(抽奖|领红包|抢红包|得红包)",
            r"返\s*\d+(\.\d+)?\s*(元|%)",
            r"保费[^。，,；;]{0,3}(打折|折扣|[一二三四五六七八九]折)",
        ),
        exceptions=(r"返还(本金|本息|投资)",),
        product_kinds=(
            "wealth",
            "fund",
            "insurance",
            "deposit",
            "loan",
            "payment",
            "precious_metal",
            "other",
        ),
        materials=("marketing",),
        source=FIN_MKT_2019 + "；" + INS_SALES + "（不得给予合同约定以外的利益）",
        suggestion="删除与购买挂钩的赠品、返现、返佣；确需开展的营销活动须符合监管规定并另行审查。",
    ),
    # --- endorsement ------------------------------------------------------------------------------------
    RuleSpec(
        code="endorsement",
        label="endorsement",
        severity="medium",
        kind="pattern",
        title="专家、协会或客户推荐",
        terms=("明星代言", "名人代言", "专家推荐", "专家力荐"),
        patterns=(
            r"(专家|教授|学者|经济学家|分析师|名人|明星|大V|网红|协会|学会|研究会|权威)[^。！!，,]{0,10}"
            r"(推荐|力荐|认证|认可|背书|代言|推介|看好|一致好评|都说好|首选)",
            r"(阿姨|大爷|大妈|叔叔|先生|女士|小姐|客户|投资者|网友|邻居|同事|朋友)[^。！!]{0,20}(赚了|挣了|翻倍|获利|赚到)",
            r"(投资者|客户|用户)[^。！!，,]{0,6}(都说好|一致好评|交口称赞)",
            r"(专家|教授|学者|经济学家|分析师)[^。！!]{0,6}(表示|认为|称|指出|预测)[^。！!]{0,16}(收益|稳|赚|值得|安全|上涨)",
        ),
        materials=("marketing",),
        source=AD_LAW_25 + "；" + FIN_MKT_2019,
        suggestion="删除专家、协会、明星或客户对收益的推荐和证明。",
    ),
    RuleSpec(
        code="regulator-endorsement",
        label="regulator_endorsement",
        severity="high",
        kind="pattern",
        title="以监管批准或政府信用作保证",
        terms=("国家背书", "政府背书", "央行背书", "国家信用担保", "国家兜底", "政府兜底", "国家监管，放心"),
        patterns=(
            r"(国家金融监督管理总局|金融监管总局|银保监会|银监会|保监会|证监会|中国人民银行|人民银行|人行|央行|"
            r"监管部门|监管机构|政府|国家)[^。！!；;]{0,12}(批准|审批|核准|备案|认可|背书|监制|担保|监管|信用)"
            r"[^。！!；;]{0,12}(安全|放心|保障|无忧|可靠|靠谱|信赖|稳|正规)",
        ),
        exceptions=(r"(证监会|监管)[^。]{0,40}(并不表明|不表明|不代表|不意味着)",),
        materials=("marketing",),
        source=INS_SALES + "第十七条（不得以监管批准或备案作为保证）；" + NET_MKT_2026 + "（待施行）",
        suggestion="删除以监管机构批准、备案或政府信用作为产品安全或收益保证的表述；登记、备案只可如实说明事实。",
    ),
    # --- misleading -------------------------------------------------------------------------------------
    RuleSpec(
        code="misleading-short-period",
        label="misleading",
        severity="medium",
        kind="numeric",
        title="业绩展示期间不足六个月",
        patterns=(
            r"近\s*(?P<num>\d+(?:\.\d+)?|[一二两三四五六七八九十半]+)\s*个?\s*(?P<unit>年|季度|季|月|周|星期|天|日)"
            r"[^。；;\n]{0,8}?(收益|涨幅|回报|业绩|年化|排名|净值|增长|涨)",
        ),
        params={"check": "min_months", "min": 6},
        product_kinds=("fund", "wealth"),
        materials=("marketing",),
        source=FUND_PROMO + "第四条（展示业绩期间不少于六个月）",
        suggestion="展示业绩须覆盖至少六个月（如近一年、成立以来），不得突出短期业绩或短期排名。",
    ),
    RuleSpec(
        code="misleading-short-period-words",
        label="misleading",
        severity="medium",
        kind="pattern",
        title="突出短期业绩",
        patterns=(
            r"(上|本|当)(周|月|星期|季度)[^。；;\n]{0,6}(收益|涨幅|回报|业绩|净值|年化)",
            r"(日|周|月)(涨幅|收益)(冠军|第一|榜首)",
        ),
        product_kinds=("fund", "wealth"),
        materials=("marketing",),
        source=FUND_PROMO + "第四条；" + NET_MKT_2026 + "（不得以短期业绩排名）",
        suggestion="删除上周、本月等短期业绩，展示至少六个月的业绩并附过往业绩提示。",
    ),
    RuleSpec(
        code="misleading-demo-rate",
        label="misleading",
        severity="high",
        kind="numeric",
        title="保险演示利率超上限",
        patterns=(
            r"演示[^。；;\n%]{0,10}?(?P<num>\d+(?:\.\d+)?)\s*%",
            r"(高|中|低)档[^。；;\n%]{0,3}?(?P<num>\d+(?:\.\d+)?)\s*%",
        ),
        params={
            "check": "max_percent",
            "caps": {"分红": 2.0, "万能": 3.0},
            "default": 3.0,
            "unconfirmed": True,
        },
        product_kinds=("insurance",),
        source=INS_SALES + "第十七条（不得夸大收益）；演示利率上限为可配置数据（数值待核实）",
        suggestion="演示利率不得高于监管规定的上限（分红险、万能险上限按规则参数配置），并注明演示利率不代表实际收益。",
    ),
    RuleSpec(
        code="misleading-comparison",
        label="misleading",
        severity="medium",
        kind="pattern",
        title="不当比较与夸大",
        terms=("坐享财富增长", "安心享受成长", "尽享牛市", "吊打", "碾压"),
        patterns=(
            r"(秒杀|远超|完胜|甩开|超越)\s*(同类|同行|其他|所有|各大|别家|市面)",
            r"高收益",
            r"比(其他|别家|别的|各大|同业|他行|同类|市面上?)[^。，,！!]{0,10}(高|强|好|多|优)",
        ),
        exceptions=(r"高收益(债|信用债|债券|率债)",),
        product_kinds=_INVESTMENT,
        materials=("marketing",),
        source=FUND_PROMO
        + "第十五条（不得使用“高收益”“坐享财富增长”等用语）；"
        + INS_SALES
        + "第十七条（不当比较）",
        suggestion="删除贬低同业、夸大收益的表述；比较须公平、有依据并注明来源。",
    ),
    RuleSpec(
        code="misleading-zero-interest",
        label="misleading",
        severity="medium",
        kind="pattern",
        title="“零利息”隐去收费条件",
        patterns=(r"(0|零)\s*(利息|利率)",),
        exceptions=(r"(0|零)\s*(利息|利率)[^。]{0,10}(0|零|免)\s*手续费",),
        product_kinds=("loan", "credit_card"),
        materials=("marketing",),
        source=FIN_MKT_2019 + "；" + CP_MEASURES + "（知情权：不得隐瞒收费条件）",
        suggestion="不得以“0利息”掩盖手续费、服务费；同时展示全部费用和年化利率。",
    ),
    # --- unfair_terms -----------------------------------------------------------------------------------
    RuleSpec(
        code="unfair-terms",
        label="unfair_terms",
        severity="high",
        kind="pattern",
        title="免除自身责任、排除消费者权利的格式条款",
        terms=("最终解释权", "概不负责", "概不退还", "概不承担", "一经售出概不退换"),
        patterns=(
            r"(本行|银行|我行|本公司|公司|管理人|贷款人|发卡行|发卡机构|平台|保险人|机构)[^。；;，,]{0,4}(有权|可以|可)(随时|单方面?|自行)[^。；;]{0,10}(调整|修改|变更|解除|终止)",
            r"无[需须](另行|事先|提前)?通知",
            r"不(承担|负)任何(法律)?(责任|后果|损失)",
            r"(一律|均|概)不(承担|负)",
            r"不得[^。；;]{0,16}(异议|索赔|追偿|诉讼|投诉)",
            r"放弃[^。；;]{0,6}(追索|抗辩|诉讼|起诉)权",
        ),
        exceptions=(r"不可抗力[^。]{0,40}不承担",),
        params={"negation": False},
        source=STD_TERMS + "；" + CP_MEASURES + "（公平交易权）",
        suggestion="删除排除消费者权利、免除本机构责任或保留“最终解释权”的条款；调整收费或条款须提前公告并允许客户选择。",
    ),
    # --- tying ------------------------------------------------------------------------------------------
    RuleSpec(
        code="tying",
        label="tying",
        severity="high",
        kind="pattern",
        title="捆绑搭售、默认勾选",
        terms=("默认勾选", "默认开通", "自动勾选", "搭售", "捆绑销售", "捆绑购买", "强制购买", "强制搭售"),
        patterns=(
            r"(须|需|必须|需要|要求)(同时|一并|搭配|配套|捆绑)(购买|投保|认购)",
            r"(须|需|必须|需要|要求)(同时|一并|搭配|配套|捆绑)?(开通|办理)[^。，,；;]{0,10}(收费|付费|增值|会员|保险|理财|基金|短信|套餐)",
            r"(贷款|借款|房贷|车贷|办卡|开户|存款|办理)[^。，,；;]{0,6}(须|需|必须|需要|要求)(购买|投保)",
            r"不(购买|买|办理|开通|投保)[^。；;]{0,10}(就|则)?(不予|不给|不能|无法|不|没法)(放款|办理|审批|办|贷|批|通过)",
            r"不买不给办",
            r"[☑✅✔√]\s*(同意)?\s*(开通|购买|加入|订阅|办理|投保)",
        ),
        source=CP_MEASURES + "（自主选择权）；" + INS_SALES + "第二十三条（不得强制搭售、默认勾选）",
        suggestion="取消捆绑和默认勾选，由客户自主选择是否购买附加产品或开通收费服务。",
    ),
    # --- pending: 金融产品网络营销管理办法 (2026) -----------------------------------------------------------
    RuleSpec(
        code="net-marketing-inducing-terms",
        label="misleading",
        severity="medium",
        kind="terms",
        title="网络营销诱导性用语（待施行）",
        terms=("低风险", "低门槛", "秒到账", "高收益", "低利率", "无成本"),
        exceptions=(
            r"(PR|R)\s*\d\s*[（(]?\s*(中低|低)风险",
            r"(中低|低)风险\s*[（(]?\s*(PR|R)\s*\d",
            r"风险等级[^。]{0,10}(中低|低)风险",
            r"中低风险",
            r"高收益(债|信用债|债券)",
        ),
        params={"pending": True, "effective_from": "2026-09-30", "dates_unconfirmed": True},
        source=NET_MKT_2026 + "（“低风险”“低门槛”“秒到账”“高收益”“低利率”“无成本”等诱导性用语）",
        suggestion="删除诱导性用语，如实说明风险、费用和到账时间。",
    ),
]
