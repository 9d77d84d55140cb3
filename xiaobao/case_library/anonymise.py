"""Removing personal data from complaint texts before they become a case library entry.

Three layers, strongest first:

1. **What the vault knows** about the complaint's people: the complainant's (and the represented consumer's)
   name, ID number, phone, account/card number and address are replaced wherever they appear verbatim —
   the name by "客户A女士/先生" (gender read from the ID number when there is one, else "客户A"), a second
   person by "客户B…"; the staff named on the complaint (handler, registering clerk, approver, actors of its
   events) by "工作人员".
2. **The vault's detector** (`core.vault.detect`): any 18-digit ID number, mobile number and 13–19-digit card
   or account number becomes "[身份证号]", "[手机号]", "[卡号]"; landlines and other long digit runs (8+
   digits, spaces or dashes allowed) "[号码]"; e-mail addresses "[邮箱]".
3. **Heuristics** for what no list holds: a street address (…路/街/巷/村 + 号, building/unit/room) becomes
   "[地址]"; a common surname followed by a title (王女士, 张经理) becomes "某女士", "某经理"; a name after a
   role word (客户经理李强, 柜员张三) becomes "某".

`leaks(text)` says what the detector still finds: publishing refuses an entry that has any (the officer
removes it), so a published entry never shows an ID number, phone or card number, whatever was typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from xiaobao.core.vault.detect import CARD, ID_NUMBER, PHONE

ID_PLACEHOLDER, PHONE_PLACEHOLDER, CARD_PLACEHOLDER = "[身份证号]", "[手机号]", "[卡号]"
NUMBER_PLACEHOLDER, ADDRESS_PLACEHOLDER, EMAIL_PLACEHOLDER = "[号码]", "[地址]", "[邮箱]"
STAFF_PLACEHOLDER = "工作人员"

# the commonest surnames (about 85% of the population), single and compound
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施"
    "文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷"
    "盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷"
    "晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "令狐", "慕容", "尉迟", "长孙", "宇文")
TITLES = "先生|女士|小姐|阿姨|大爷|大妈|老师|经理|主任|行长|科长|处长|师傅|同志"
ROLE_WORDS = "客户经理|理财经理|大堂经理|柜员|柜台人员|工作人员|营业员|催收员|业务员|销售人员|经办人|联系人"
HAN = "\u4e00-\u9fff"

_SURNAME = "(?:" + "|".join(COMPOUND_SURNAMES) + "|[" + SURNAMES + "])"
SURNAME_TITLE = re.compile(_SURNAME + "(" + TITLES + ")")
_AFTER_NAME = (
    "说|称|表示|告知|承诺|介绍|推荐|解释|答复|回复|同意|拒绝|办理|联系|建议|要求|"
    "向|为|在|对|的|并|将|已|曾|未|没|于|让|给|和|与|就"
)
ROLE_NAME = re.compile(
    "("
    + ROLE_WORDS
    + ")"
    + _SURNAME
    + f"[{HAN}]{{1,2}}(?=[，。、；：,.;:！？!?（）()\\s]|$|(?:{_AFTER_NAME}))"
)
CARD_TAIL = re.compile(r"(尾号|末四位|后四位)\s*[:：]?\s*\d{3,6}(?!\d)")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
LONG_NUMBER = re.compile(r"(?<![\d*])(?:\d[\s-]?){7,}\d(?![\d*])")
_NUM = r"[\d一二三四五六七八九十百零〇]+"
_BUILDING = rf"(?:{_NUM}(?:号楼|栋|幢|座|单元|层|楼|室|号))"
# the street part only (a district or city alone is no one's address): "望京西路48号金隅国际3号楼2单元1201室",
# "幸福小区5栋302室"; at most six characters before 路/街 so a name before the address is never taken with it
ADDRESS = re.compile(
    rf"[{HAN}A-Za-z\d]{{1,6}}(?:大道|大街|路|街|巷|弄|胡同|村|里)(?:{_NUM}(?:号院|号|弄|巷))+"
    rf"(?:[{HAN}A-Za-z]{{0,8}}{_BUILDING}+)?"
    rf"|[{HAN}]{{2,8}}(?:小区|花园|家园|公寓){_BUILDING}+"
)
LETTERS = "ABCDEFGH"


@dataclass
class Person:
    """A person the vault knows on the complaint: the strings to replace and the placeholder."""

    placeholder: str
    name: str = ""
    exact: list[str] = field(default_factory=list)  # numbers and the address

    @property
    def values(self) -> list[str]:
        return [v for v in [self.name, *self.exact] if v]


def gender_of(id_number: str) -> str:
    """ "m", "f" or "" from an 18-digit resident ID (the 17th digit: odd for men)."""
    if id_number and ID_NUMBER.fullmatch(id_number):
        return "m" if int(id_number[16]) % 2 else "f"
    return ""


def placeholder_for(index: int, gender: str) -> str:
    letter = LETTERS[index % len(LETTERS)]
    return f"客户{letter}" + {"m": "先生", "f": "女士"}.get(gender, "")


def person_from_consumer(consumer: Any, index: int) -> Person:
    """The complainant (or a represented consumer) as the vault knows them: unsealed here, never shown."""
    id_number = _unsealed(getattr(consumer, "id_number", ""))
    name = str(getattr(consumer, "name", "") or "").strip()
    person = Person(placeholder_for(index, gender_of(id_number)), name=name if len(name) >= 2 else "")
    for field_name in ("id_number", "phone", "account_number", "address"):
        value = _unsealed(getattr(consumer, field_name, "")).strip()
        if len(value) >= 2:
            person.exact.append(value)
    return person


def _unsealed(value: Any) -> str:
    """A vault value in clear (for finding it in a text, never for showing); plain values as they are."""
    reveal = getattr(value, "reveal", None)
    return str(reveal() if callable(reveal) else (value or ""))


def _replace_exact(text: str, value: str, placeholder: str) -> str:
    return text.replace(value, placeholder) if value else text


def anonymise(text: str, *, people: Iterable[Person] = (), staff: Iterable[str] = ()) -> str:
    """The text with the known people's data and everything the detector and heuristics find replaced."""
    if not text:
        return ""
    out = str(text)
    people = list(people)
    # known values first, longest first (an address before the district it contains, a full name before a
    # surname), so the placeholders are the right ones
    known: list[tuple[str, str]] = []
    for p in people:
        if p.name:
            known.append((p.name, p.placeholder))
        known += [(value, _kind_placeholder(value)) for value in p.exact]
    known += [(name.strip(), STAFF_PLACEHOLDER) for name in staff if len(name.strip()) >= 2]
    for value, placeholder in sorted(known, key=lambda kv: -len(kv[0])):
        out = _replace_exact(out, value, placeholder)
    # a complainant's surname with a title (王女士 when the complainant is 王芳) is the complainant
    for p in people:
        surname = _surname_of(p.name)
        if surname:
            out = re.sub(re.escape(surname) + "(先生|女士|小姐)", p.placeholder, out)
    out = CARD_TAIL.sub(lambda m: m.group(1) + "****", out)
    out = EMAIL.sub(EMAIL_PLACEHOLDER, out)
    out = ID_NUMBER.sub(ID_PLACEHOLDER, out)
    out = PHONE.sub(PHONE_PLACEHOLDER, out)
    out = CARD.sub(CARD_PLACEHOLDER, out)
    out = LONG_NUMBER.sub(_long_number, out)
    out = ADDRESS.sub(ADDRESS_PLACEHOLDER, out)
    out = ROLE_NAME.sub(lambda m: m.group(1) + "某", out)
    out = SURNAME_TITLE.sub(lambda m: "某" + m.group(1), out)
    return out.replace("客户客户", "客户")


def _long_number(m: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", m.group(0))
    return CARD_PLACEHOLDER if 13 <= len(digits) <= 19 else NUMBER_PLACEHOLDER


def _kind_placeholder(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    if ID_NUMBER.fullmatch(value):
        return ID_PLACEHOLDER
    if PHONE.fullmatch(value):
        return PHONE_PLACEHOLDER
    if digits and len(digits) >= 0.8 * len(value):
        return CARD_PLACEHOLDER if len(digits) >= 13 else NUMBER_PLACEHOLDER
    return ADDRESS_PLACEHOLDER


def _surname_of(name: str) -> str:
    if not name:
        return ""
    if name[:2] in COMPOUND_SURNAMES:
        return name[:2]
    return name[0] if name[0] in SURNAMES and len(name) in (2, 3, 4) else ""


def leaks(text: str) -> list[str]:
    """The kinds of personal data the detector still finds in a text (for refusing to publish)."""
    found = []
    if ID_NUMBER.search(text or ""):
        found.append("id_number")
    if PHONE.search(text or ""):
        found.append("phone")
    if CARD.search(text or ""):
        found.append("card")
    if EMAIL.search(text or ""):
        found.append("email")
    return found
