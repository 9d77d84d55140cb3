"""The education catalogue every bank starts from (code tables: head office may add, rename or retire):
the eight standing campaigns in the order the regulator's calendar names them, the seven venue types
(线上 is the online one) and the topics, the anti-fraud ones flagged."""

from django.db import migrations

CAMPAIGNS = [
    ("consumer_rights_week", "3·15 消费者权益保护教育宣传周", 10),
    ("financial_literacy_month", "金融知识普及月", 20),
    ("financial_knowledge_tour", "金融知识万里行", 30),
    ("financial_knowledge_homes", "金融知识进万家", 40),
    ("illegal_fundraising_month", "防范非法集资宣传月", 50),
    ("fintech_week", "金融科技宣传周", 60),
    ("financial_knowledge_countryside", "金融知识下乡", 70),
    ("credit_care_day", "信用关爱日", 80),
]

VENUES = [
    ("community", "进社区", 10, False),
    ("village", "进乡村", 20, False),
    ("campus", "进校园", 30, False),
    ("enterprise", "进企业", 40, False),
    ("business_district", "进商圈", 50, False),
    ("outlet_education_area", "网点公众教育区", 60, False),
    ("online", "线上", 70, True),
]

TOPICS = [
    ("illegal_fundraising", "非法集资", 10, True),
    ("telecom_fraud", "电信网络诈骗", 20, True),
    ("credit", "征信/信用", 30, False),
    ("pension_fraud", "养老诈骗", 40, True),
    ("deposit_insurance", "存款保险", 50, False),
    ("rmb_counterfeit", "人民币/反假币", 60, False),
    ("investment_risk", "理财与投资风险", 70, False),
    ("insurance_knowledge", "保险知识", 80, False),
    ("personal_information", "个人信息保护", 90, False),
    ("impersonated_loans", "防范冒名贷款", 100, True),
    ("bank_card_security", "银行卡安全", 110, True),
    ("other", "其他", 120, False),
]


def load(apps, schema_editor):
    Campaign = apps.get_model("education", "Campaign")
    Venue = apps.get_model("education", "Venue")
    Topic = apps.get_model("education", "Topic")
    for code, name, order in CAMPAIGNS:
        Campaign.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})
    for code, name, order, online in VENUES:
        Venue.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order, "online": online})
    for code, name, order, fraud in TOPICS:
        Topic.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order, "fraud": fraud})


def unload(apps, schema_editor):
    apps.get_model("education", "Campaign").objects.filter(code__in=[c[0] for c in CAMPAIGNS]).delete()
    apps.get_model("education", "Venue").objects.filter(code__in=[c[0] for c in VENUES]).delete()
    apps.get_model("education", "Topic").objects.filter(code__in=[c[0] for c in TOPICS]).delete()


class Migration(migrations.Migration):
    dependencies = [("education", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
