"""The wording checker's rule engine: pure Python, no Django, no database.

`check(text, product_kind=, material=, rules=, blocks=)` runs rules (`RuleSpec`, data: terms, patterns,
exceptions, required statements, numeric thresholds) over a text and returns `Finding`s with offsets into the
text. Rules come from the database (`xiaobao.checker.services.active_rules`) or, with `rules=None`, from the
presets (`xiaobao.checker.presets.PRESETS`, pending rules left out).

Context the engine judges for every term or pattern hit (a rule can switch the first two off with params
`{"negation": false}` / `{"disclaimer": false}`):

- negation: a negating word (不, 非, 无, 并非, 不承诺, 不保证, 不同于 …) shortly before the hit in the
  same clause makes it a disclosure, not a claim ("不保本", "本产品不保证收益", "理财非存款");
- question: a hit in a question ("能保本吗？", "是否有风险？"; not a rhetorical 难道…吗) is not a claim;
- quoted disclaimer: a hit inside quotes (「」 “” "" ‘’ 『』) in a sentence that warns or negates
  ("谨防“保本高收益”骗局", "不得使用“最”等用语"), or a claim named by 宣称/号称/承诺 in a sentence that
  calls it unlawful or a trap (or in a 风险提示/温馨提示 sentence), is not a claim;
- exceptions: the rule's own regexes, searched in the hit's sentence; a match that overlaps the hit drops
  it ("最低起购金额", "第一条", "无风险利率").

Kinds: `terms`/`pattern` report each surviving hit; `required` reports a block (paragraph, slide, table
cell) that holds a trigger (`near`) but none of the required statements — the statement must stand in
the same block as what it qualifies; with `near=()` the statement must appear anywhere in the text;
`numeric` parses the numbers its patterns capture (Arabic or Chinese numerals) and compares them with
`params`: `{"check": "min_months", "min": 6}` (groups `num`, `unit` — or a date range `y1`, `m1`, `d1`,
`y2`, `m2`, `d2` — a period shorter than `min` months is a finding) or `{"check": "max_percent",
"caps": {"分红": 2.0, "万能": 3.0}, "default": 3.0}` (group `num`: a rate above the cap of the keyword
found in the block, else above `default` when set).

Blocks: given by extraction (paragraphs, slides, table cells); for plain text, paragraphs separated by
blank lines (single line breaks stay inside a paragraph; a text without a blank line is one block).
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Any

LABELS = (
    "absolute",
    "guarantee",
    "no_risk",
    "deposit_confusion",
    "missing_disclosure",
    "expected_return",
    "apr_missing",
    "urgency",
    "inducement",
    "endorsement",
    "regulator_endorsement",
    "misleading",
    "unfair_terms",
    "tying",
)
PRODUCT_KINDS = (
    "wealth",
    "fund",
    "insurance",
    "deposit",
    "loan",
    "credit_card",
    "payment",
    "precious_metal",
    "other",
)
MATERIALS = ("marketing", "contract")
SEVERITIES = ("high", "medium", "low")
KINDS = ("terms", "pattern", "required", "numeric")
NUMERIC_CHECKS = ("min_months", "max_percent")


@dataclass(frozen=True)
class RuleSpec:
    code: str  # unique slug, e.g. "absolute-superlative"
    label: str  # one of LABELS
    severity: str  # "high" | "medium" | "low"
    kind: str  # "terms" | "pattern" | "required" | "numeric"
    terms: tuple[str, ...] = ()  # literal terms (kind terms)
    patterns: tuple[str, ...] = ()  # regexes (kind pattern; also allowed with terms)
    exceptions: tuple[str, ...] = ()  # regexes: a hit whose context matches one is not a finding
    product_kinds: tuple[str, ...] = ()  # API product kinds the rule applies to; () = all
    materials: tuple[str, ...] = ()  # "marketing" | "contract"; () = both
    required: tuple[str, ...] = ()  # kind required: statements (regex) one of which must appear ...
    near: tuple[str, ...] = ()  # ... in the same block as any of these triggers (regex); () = anywhere
    params: dict = field(default_factory=dict)  # numeric thresholds etc. (kind numeric), must be JSON-able
    source: str = ""  # law / rule cited, zh
    suggestion: str = ""  # suggested fix, zh
    title: str = ""  # short zh name

    def __hash__(self) -> int:  # params is a dict: hash its JSON (the compiled-rules cache is keyed by rules)
        cached = self.__dict__.get("_hash")
        if cached is None:
            cached = hash(
                tuple(
                    json.dumps(getattr(self, f.name), sort_keys=True, ensure_ascii=False)
                    if f.name == "params"
                    else getattr(self, f.name)
                    for f in fields(self)
                )
            )
            object.__setattr__(self, "_hash", cached)  # frozen: set once, not a field
        return cached


@dataclass(frozen=True)
class Finding:
    label: str
    rule: str
    start: int
    end: int
    excerpt: str
    severity: str
    source: str
    suggestion: str


class RuleError(ValueError):
    """A rule that cannot be used: unknown label/kind/severity, a regex that does not compile, bad params."""


def validate_rule(rule: RuleSpec) -> list[str]:
    """The rule's problems as messages (empty when usable); the rule editor shows them per field."""
    problems: list[str] = []
    if not rule.code:
        problems.append("code: empty")
    if rule.label not in LABELS:
        problems.append(f"label: unknown {rule.label!r}")
    if rule.severity not in SEVERITIES:
        problems.append(f"severity: unknown {rule.severity!r}")
    if rule.kind not in KINDS:
        problems.append(f"kind: unknown {rule.kind!r}")
    problems += [f"product_kinds: unknown {k!r}" for k in rule.product_kinds if k not in PRODUCT_KINDS]
    problems += [f"materials: unknown {m!r}" for m in rule.materials if m not in MATERIALS]
    for name in ("patterns", "exceptions", "required", "near"):
        for rx in getattr(rule, name):
            try:
                re.compile(rx)
            except re.error as exc:
                problems.append(f"{name}: {rx!r} does not compile ({exc})")
    if rule.kind in ("terms", "pattern") and not (rule.terms or rule.patterns):
        problems.append("terms: a terms or pattern rule needs terms or patterns")
    if rule.kind == "required" and not rule.required:
        problems.append("required: a required rule needs at least one statement")
    if rule.kind == "numeric":
        check = rule.params.get("check")
        if check not in NUMERIC_CHECKS:
            problems.append(f"params: check must be one of {', '.join(NUMERIC_CHECKS)}")
        if not rule.patterns:
            problems.append("patterns: a numeric rule needs a pattern with a (?P<num>…) group")
        for rx in rule.patterns:
            try:
                groups = re.compile(rx).groupindex
                if "num" not in groups and not {"m1", "m2"} <= set(groups):
                    problems.append(f"patterns: {rx!r} has no (?P<num>…) group (or m1…m2 of a date range)")
            except re.error:
                pass
    try:
        json.dumps(rule.params)
    except (TypeError, ValueError):
        problems.append("params: not JSON")
    return problems


# --- text preparation ------------------------------------------------------------------------------------

# Full-width ASCII (Ａ-ｚ, ０-９, ％, ．) and the ideographic space to their half-width forms: one
# character for one, so offsets into the normalised text are offsets into the original.
_WIDTH = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)}
_WIDTH[0x3000] = 0x20


def normalise(text: str) -> str:
    return text.translate(_WIDTH)


_BLANK_LINE = re.compile(r"\n[ \t\r]*\n\s*")
_SENTENCE_END = re.compile(r"[。！？!?；;\n]")
_CLAUSE_END = re.compile(r"[。！？!?；;\n，,]")

# A negating word ending shortly before a hit (same clause) makes the hit a disclosure.
_NEGATION = re.compile(
    r"不|非|未|无|没有|并非|绝非|禁止|严禁|切勿|谨防|警惕|勿|拒绝|杜绝|防范|远离|否认|不存在|谈不上"
)
# Words that start like a negation but are not one (不仅 = not only, 非常 = very, 无论 = whatever, …).
_NOT_NEGATION = re.compile(
    r"不仅|不但|不只|不光|不断|不错|不少|不菲|不用担心|不必担心|无需担心|无须担心|不怕|不愁|不再担心|非常|非凡|"
    r"未来|无论|不论|无忧|无需|无须|无限|无缝|无门槛|无抵押|无担保|不限|未满|无与伦比|不可多得|不容错过|无可比拟|"
    r"不(到|足|满)(?=[\d一二两三四五六七八九十半几])"
)
_NEGATION_WINDOW = 12

_QUOTES = {"“": "”", "「": "」", "『": "』", "‘": "’", "《": "》", "〝": "〞"}
# A sentence that warns or negates: quoted terms in it are named, not claimed.
_DISCLAIMER_CUE = re.compile(
    r"不得|不应|不能|不可|禁止|严禁|切勿|谨防|警惕|请勿|不要|不是|并非|不属于|不等于|不存在|没有|不会|"
    r"风险提示|温馨提示|特别提示|重要提示|郑重提示|提醒|声明|误导|骗局|陷阱|违规|违法|虚假|不实|宣称|声称|号称|所谓|"
    r"误区|谣言|话术|套路|忽悠|误解|错误|不成立|有人说|别信|不靠谱"
)
# A question asks, it does not claim ("这个理财能保本吗？"); a rhetorical one (难道, 岂) still claims.
_QUESTION = re.compile(
    r"(吗|么|是否|能否|会否|可否|有没有|能不能|会不会|可不可以|是不是)[^。！!？?]{0,6}[？?]\s*$"
)
_RHETORICAL = re.compile(r"难道|岂|谁说|何必")
_WARNING_HEAD = re.compile(r"^\s*[【\[(（]?\s*(风险提示|温馨提示|特别提示|重要提示|郑重提示|风险揭示|提醒)")
# A claim named (宣称…, 承诺…) in a sentence calling such claims unlawful or a trap is a warning, not a claim.
_NAMING = re.compile(r"(宣称|声称|号称|所谓|标榜|鼓吹|打着|承诺|宣传|以)[^，,。；;]{0,6}$")
_NAMING_HIT = re.compile(r"承诺|宣称|声称|号称|保证")
_WARNING = re.compile(r"不|非|勿|谨防|警惕|骗局|陷阱|违规|违法|虚假|误导")
_STRONG_WARNING = re.compile(
    r"违规|违法|骗局|陷阱|不可信|勿信|不要相信|请勿|切勿|警惕|谨防|虚假|误导|非法|诈骗|涉嫌|当心|小心"
)


class _Text:
    """The text once prepared for every rule: normalised, its blocks, sentence and clause boundaries."""

    def __init__(self, text: str, blocks: Sequence[Sequence[int]] | None):
        self.raw = text
        self.norm = normalise(text)
        n = len(text)
        if blocks:
            spans = sorted((max(0, int(b[0])), min(n, int(b[1]))) for b in blocks)
            self.blocks = [(s, e) for s, e in spans if e > s]
        else:
            # Paragraphs are separated by blank lines; single line breaks stay inside one (a leaflet's
            # lines, a fact sheet's rows, a footnote under its figure). A text without a blank line is one
            # paragraph.
            self.blocks = []
            start = 0
            for m in _BLANK_LINE.finditer(self.norm):
                if self.norm[start : m.start()].strip():
                    self.blocks.append((start, m.start()))
                start = m.end()
            if self.norm[start:n].strip():
                self.blocks.append((start, n))
        self.block_starts = [s for s, _ in self.blocks]
        self.sentence_ends = [m.end() for m in _SENTENCE_END.finditer(self.norm)]
        self.clause_ends = [m.end() for m in _CLAUSE_END.finditer(self.norm)]

    def block_of(self, pos: int) -> tuple[int, int]:
        i = bisect_right(self.block_starts, pos) - 1
        if i >= 0 and self.blocks[i][0] <= pos < self.blocks[i][1]:
            return self.blocks[i]
        return (pos, pos)

    def _span(self, ends: list[int], pos: int) -> tuple[int, int]:
        i = bisect_right(ends, pos)
        start = ends[i - 1] if i > 0 else 0
        end = ends[i] if i < len(ends) else len(self.norm)
        b0, b1 = self.block_of(pos)
        if b1 > b0:  # never across a block boundary
            start, end = max(start, b0), min(end, b1)
        return start, end

    def sentence(self, pos: int) -> tuple[int, int]:
        return self._span(self.sentence_ends, pos)

    def clause(self, pos: int) -> tuple[int, int]:
        return self._span(self.clause_ends, pos)


def _negated(t: _Text, start: int) -> bool:
    c0, _ = t.clause(start)
    lo = max(c0, start - _NEGATION_WINDOW)
    window = t.norm[lo:start]
    if not window:
        return False
    window = _NOT_NEGATION.sub(lambda m: " " * len(m.group()), window)
    return _NEGATION.search(window) is not None


def _inside_quotes(sentence: str, offset: int) -> bool:
    stack: list[str] = []
    ascii_open = False
    for ch in sentence[:offset]:
        if ch in _QUOTES:
            stack.append(_QUOTES[ch])
        elif stack and ch == stack[-1]:
            stack.pop()
        elif ch == '"':
            ascii_open = not ascii_open
    return bool(stack) or ascii_open


def _disclaimed(t: _Text, start: int, end: int) -> bool:
    s0, s1 = t.sentence(start)
    sentence = t.norm[s0:s1]
    if _QUESTION.search(sentence) and not _RHETORICAL.search(sentence):
        return True
    if _inside_quotes(sentence, start - s0) and _DISCLAIMER_CUE.search(sentence):
        return True
    named = _NAMING.search(t.norm[s0:start]) is not None or _NAMING_HIT.match(t.norm, start, end) is not None
    if named and _STRONG_WARNING.search(sentence):
        return True
    return named and _WARNING_HEAD.search(sentence) is not None and _WARNING.search(sentence) is not None


# --- numbers ---------------------------------------------------------------------------------------------

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}


def parse_number(value: str) -> float | None:
    """'3', '3.5', '三', '十二', '二十四', '半', '一个半', '四点五' → a number (None when it is not one)."""
    value = normalise(value).strip().replace("个", "")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    if "点" in value:  # 四点五
        whole, _, frac = value.partition("点")
        head = parse_number(whole) if whole else 0.0
        digits = [_CN_DIGITS.get(ch) for ch in frac]
        if head is None or not digits or None in digits:
            return None
        return head + float("0." + "".join(str(d) for d in digits))
    half = 0.0
    if value.endswith("半"):
        half, value = 0.5, value[:-1]
        if not value:
            return 0.5
    total, current = 0, 0
    for ch in value:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            total += (current or 1) * _CN_UNITS[ch]
            current = 0
        else:
            return None
    return total + current + half


_MONTHS_PER_UNIT = {
    "年": 12.0,
    "季": 3.0,
    "季度": 3.0,
    "月": 1.0,
    "周": 7 / 30,
    "星期": 7 / 30,
    "天": 1 / 30,
    "日": 1 / 30,
}


def to_months(num: str, unit: str) -> float | None:
    n = parse_number(num)
    factor = _MONTHS_PER_UNIT.get(unit.strip().replace("个", ""))
    if n is None or factor is None:
        return None
    return n * factor


# --- compiled rules --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Compiled:
    spec: RuleSpec
    hits: tuple[re.Pattern[str], ...]  # the terms as one regex, then each pattern (a union scans slower)
    exceptions: re.Pattern[str] | None
    required: re.Pattern[str] | None
    near: re.Pattern[str] | None
    negation: bool
    disclaimer: bool


def _union(regexes: Sequence[str]) -> re.Pattern[str] | None:
    if not regexes:
        return None
    return re.compile("|".join(f"(?:{rx})" for rx in regexes), re.IGNORECASE)


def _compile(rule: RuleSpec) -> _Compiled:
    problems = validate_rule(rule)
    if problems:
        raise RuleError(f"{rule.code}: " + "; ".join(problems))
    terms = sorted({normalise(t) for t in rule.terms if t}, key=len, reverse=True)
    hits: tuple[re.Pattern[str], ...] = ()
    if rule.kind in ("terms", "pattern"):  # a numeric rule's patterns are compiled in _numeric
        term_rx = _union([re.escape(t) for t in terms])
        hits = ((term_rx,) if term_rx else ()) + tuple(re.compile(p, re.IGNORECASE) for p in rule.patterns)
    return _Compiled(
        spec=rule,
        hits=hits,
        exceptions=_union(rule.exceptions),
        required=_union(rule.required),
        near=_union(rule.near),
        negation=bool(rule.params.get("negation", True)),
        disclaimer=bool(rule.params.get("disclaimer", True)),
    )


@lru_cache(maxsize=64)
def compile_rules(rules: tuple[RuleSpec, ...]) -> tuple[_Compiled, ...]:
    """Compiled once per rule tuple (the DB's active rules are one cached tuple per day)."""
    return tuple(_compile(r) for r in rules)


@lru_cache(maxsize=256)
def _numeric_patterns(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in patterns)


@lru_cache(maxsize=1)
def default_rules() -> tuple[RuleSpec, ...]:
    """The presets in force: those marked `params.pending` (a rule not yet in force) are left out."""
    from xiaobao.checker.presets import PRESETS

    return tuple(r for r in PRESETS if not r.params.get("pending"))


# --- the check -------------------------------------------------------------------------------------------


def _excepted(c: _Compiled, t: _Text, start: int, end: int) -> bool:
    if c.exceptions is None:
        return False
    s0, s1 = t.sentence(start)
    s1 = max(s1, min(end, len(t.norm)))
    return any(m.start() < end and m.end() > start for m in c.exceptions.finditer(t.norm, s0, s1))


def _claim(c: _Compiled, t: _Text, start: int, end: int) -> bool:
    """A hit that stands as a claim: not excepted, not negated, not a quoted/named term in a disclaimer."""
    if _excepted(c, t, start, end):
        return False
    if c.negation and _negated(t, start):
        return False
    return not (c.disclaimer and _disclaimed(t, start, end))


def _finding(c: _Compiled, t: _Text, start: int, end: int) -> Finding:
    r = c.spec
    return Finding(
        label=r.label,
        rule=r.code,
        start=start,
        end=end,
        excerpt=t.raw[start:end],
        severity=r.severity,
        source=r.source,
        suggestion=r.suggestion,
    )


def _hits(c: _Compiled, t: _Text) -> list[Finding]:
    return [
        _finding(c, t, m.start(), m.end())
        for rx in c.hits
        for m in rx.finditer(t.norm)
        if m.end() > m.start() and _claim(c, t, m.start(), m.end())
    ]


def _required(c: _Compiled, t: _Text) -> list[Finding]:
    assert c.required is not None
    if c.near is None:
        if c.required.search(t.norm):
            return []
        if not t.blocks:
            return []
        s, e = t.blocks[0]
        return [_finding(c, t, s, min(e, s + 40))]
    out = []
    for i, (b0, b1) in enumerate(t.blocks):
        trigger = next(
            (
                m
                for m in c.near.finditer(t.norm, b0, b1)
                if m.end() > m.start() and _claim(c, t, m.start(), m.end())
            ),
            None,
        )
        if trigger is None or c.required.search(t.norm, b0, b1):
            continue
        # a heading belongs to the paragraph under it: a trigger in the heading is answered by the paragraph
        # ("XX消费金融“安心分期”" above the rate), a statement in the heading answers the paragraph
        # ("XX混合（风险等级R3）" above the figures)
        if _is_heading(t.norm[b0:b1]) and i + 1 < len(t.blocks):
            n0, n1 = t.blocks[i + 1]
            if c.required.search(t.norm, n0, n1):
                continue
        if i > 0 and _is_heading(t.norm[t.blocks[i - 1][0] : t.blocks[i - 1][1]]):
            p0, p1 = t.blocks[i - 1]
            if c.required.search(t.norm, p0, p1):
                continue
        out.append(_finding(c, t, trigger.start(), trigger.end()))
    return out


_HEADING_MAX = 32


def _is_heading(block: str) -> bool:
    """A one-line block without a sentence end: a title or heading."""
    block = block.strip()
    return 0 < len(block) <= _HEADING_MAX and "\n" not in block and not _SENTENCE_END.search(block)


def _span_months(groups: dict[str, Any]) -> float | None:
    """Months from (y1)-m1-d1 to (y2)-m2-d2 (groups of a date range; a year left out is the same year)."""
    try:
        y1 = int(groups.get("y1") or 0)
        y2 = int(groups.get("y2") or 0) or y1
        m1, m2 = int(groups["m1"]), int(groups["m2"])
        d1, d2 = int(groups.get("d1") or 1), int(groups.get("d2") or 1)
    except (TypeError, ValueError):
        return None
    return (y2 - y1) * 12 + (m2 - m1) + (d2 - d1 + 1) / 30


def _cap(params: dict[str, Any], block: str) -> float | None:
    caps = params.get("caps") or {}
    found = [float(v) for k, v in caps.items() if k in block]
    if found:
        return min(found)
    default = params.get("default")
    return None if default is None else float(default)


def _numeric(c: _Compiled, t: _Text) -> list[Finding]:
    params = c.spec.params
    check = params["check"]
    out = []
    for rx in _numeric_patterns(c.spec.patterns):
        for m in rx.finditer(t.norm):
            if m.end() <= m.start() or not _claim(c, t, m.start(), m.end()):
                continue
            groups = m.groupdict()
            if check == "min_months":
                if groups.get("m1") and groups.get("m2"):
                    months = _span_months(groups)
                else:
                    months = to_months(groups.get("num") or "", groups.get("unit") or "")
                if months is not None and months < float(params.get("min", 6)):
                    out.append(_finding(c, t, m.start(), m.end()))
            elif check == "max_percent":
                value = parse_number(groups.get("num") or "")
                b0, b1 = t.block_of(m.start())
                cap = _cap(params, t.norm[b0:b1] if b1 > b0 else t.norm)
                if value is not None and cap is not None and value > cap:
                    out.append(_finding(c, t, m.start(), m.end()))
    return out


_RANK = {"high": 0, "medium": 1, "low": 2}


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """One finding per label where spans overlap: the more severe, then the longer, then the earlier rule."""
    ordered = sorted(
        enumerate(findings), key=lambda p: (_RANK.get(p[1].severity, 3), -(p[1].end - p[1].start), p[0])
    )
    kept: list[Finding] = []
    spans: dict[str, tuple[list[int], list[int]]] = {}  # label → kept starts, ends (sorted, disjoint)
    for _, f in ordered:
        starts, ends = spans.setdefault(f.label, ([], []))
        i = bisect_right(starts, f.start)
        if (i > 0 and ends[i - 1] > f.start) or (i < len(starts) and starts[i] < f.end):
            continue
        starts.insert(i, f.start)
        ends.insert(i, f.end)
        kept.append(f)
    return sorted(kept, key=lambda f: (f.start, f.end, f.label, f.rule))


def check(
    text: str,
    *,
    product_kind: str,
    material: str,
    rules: Sequence[RuleSpec] | None = None,
    blocks: Sequence[Sequence[int]] | None = None,
) -> list[Finding]:
    """The findings of `rules` (default: the presets in force) on `text` for a product kind and material.

    `blocks` are (start, end[, label]) offsets of paragraphs, slides or table cells; without them every line
    is a blank-line separated paragraph. Offsets in the findings are into `text`."""
    if product_kind not in PRODUCT_KINDS:
        raise ValueError(f"unknown product kind {product_kind!r}")
    if material not in MATERIALS:
        raise ValueError(f"unknown material {material!r}")
    if not text:
        return []
    compiled = compile_rules(tuple(rules) if rules is not None else default_rules())
    t = _Text(text, blocks)
    findings: list[Finding] = []
    for c in compiled:
        r = c.spec
        if r.product_kinds and product_kind not in r.product_kinds:
            continue
        if r.materials and material not in r.materials:
            continue
        if r.kind == "required":
            findings += _required(c, t)
        elif r.kind == "numeric":
            findings += _numeric(c, t)
        else:
            findings += _hits(c, t)
    return _dedupe(findings)
