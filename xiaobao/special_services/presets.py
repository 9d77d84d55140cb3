"""The code tables' preloaded rows (data migration 0002): the facilities checklist — each item with the
inspections module's facilities-checklist item that checks the same thing (适老化及特殊群体服务设施检查表,
EF01…EF08) — the reasons for a home service and the kinds of service."""

FACILITY_ITEMS = [
    # code, name, inspection item, description
    ("priority_window", "爱心窗口/优先窗口", "EF01", "设置爱心窗口（优先窗口）并有明显标识"),
    ("reading_glasses", "老花镜", "EF02", "不少于两副且度数齐全"),
    ("waiting_seats", "休息座椅", "", "等候区设有休息座椅"),
    ("priority_seats", "爱心座椅/等候区", "EF03", "等候区设置爱心座椅，不少于两个"),
    ("wheelchair", "轮椅", "EF04", "可正常使用"),
    ("braille", "盲文服务/盲文折页", "EF05", "盲文服务指引、盲文折页或读屏、语音等助盲设施"),
    ("barrier_free_access", "无障碍通道", "EF06", "无障碍通道、扶手符合要求，坡道畅通无占用"),
    ("hearing_aids", "助听/手写板", "EF07", "助听器、手写板等辅助沟通工具"),
    ("magnifier", "放大镜", "EF07", "放大镜"),
    ("first_aid_kit", "应急药箱", "", "常用药品在有效期内"),
    ("large_print_guide", "大字版业务指引", "", "大字版业务办理指引"),
    ("accessible_toilet", "无障碍卫生间", "EF08", "设置无障碍卫生间或有就近指引"),
]

REASONS = [
    ("limited_mobility", "行动不便"),
    ("serious_illness", "重病"),
    ("advanced_age", "高龄"),
    ("disability", "残障"),
    ("other", "其他"),
]

SERVICE_KINDS = [
    ("account_opening", "开户"),
    ("loss_report", "挂失"),
    ("password_reset", "密码重置"),
    ("social_security_card", "社保卡激活"),
    ("withdrawal", "取款"),
    ("other", "其他"),
]


def load(apps: object, schema_editor: object = None) -> None:
    get = apps.get_model  # type: ignore[attr-defined]
    for i, (code, name, ref, desc) in enumerate(FACILITY_ITEMS, start=1):
        get("special_services", "FacilityItem").objects.get_or_create(
            code=code,
            defaults={"name": name, "inspection_item": ref, "description": desc, "sort_order": i * 10},
        )
    for model, rows in (("ServiceReason", REASONS), ("ServiceKind", SERVICE_KINDS)):
        for i, (code, name) in enumerate(rows, start=1):
            get("special_services", model).objects.get_or_create(
                code=code, defaults={"name": name, "sort_order": i * 10}
            )


def unload(apps: object, schema_editor: object = None) -> None:
    get = apps.get_model  # type: ignore[attr-defined]
    get("special_services", "FacilityItem").objects.filter(code__in=[r[0] for r in FACILITY_ITEMS]).delete()
    get("special_services", "ServiceReason").objects.filter(code__in=[r[0] for r in REASONS]).delete()
    get("special_services", "ServiceKind").objects.filter(code__in=[r[0] for r in SERVICE_KINDS]).delete()
