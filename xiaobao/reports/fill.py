"""Filling an uploaded template: every count placeholder answered from ONE grouped query.

The complaints are grouped by exactly the dimensions the template mentions (code ids, source, responsible
unit); the groups are then summed once per combination of referenced values, and each placeholder is a
dictionary look-up — a form with thousands of cells costs one query and one pass over the groups.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaobao.analytics.stats import FIELD_OF, REGULATOR_SOURCES
from xiaobao.complaints.models import Complaint, ComplaintCode
from xiaobao.core.exports import safe_cell
from xiaobao.core.models import OrgUnit
from xiaobao.core.models.org import PATH_SEGMENT
from xiaobao.reports.builders import institution_name
from xiaobao.reports.placeholders import CODE_KEYS, PLACEHOLDER, Placeholder, parse, references


class TemplateError(ValueError):
    """The template cannot be filled for this unit (the message says which placeholder and why)."""


@dataclass
class CountIndex:
    """Counts answered by dictionary look-up: for every set of keys the placeholders use, the grouped rows
    are summed once under each combination of referenced values they match (a code's ancestors, a unit's
    ancestors, "forwarded"), so a form with thousands of cells costs one pass over the groups."""

    tables: dict[tuple[str, ...], Counter[tuple[str, ...]]]

    def count(self, p: Placeholder) -> int:
        keys = tuple(sorted(k for k, _v in p.filters))
        values = tuple(v for _k, v in sorted(p.filters))
        return self.tables[keys][values]


def _code_ids(refs: dict[str, set[str]]) -> dict[tuple[str, str], set[int]]:
    out: dict[tuple[str, str], set[int]] = {}
    for dimension in CODE_KEYS:
        if not refs[dimension]:
            continue
        rows = list(ComplaintCode.objects.filter(dimension=dimension).values_list("pk", "code", "parent_id"))
        kids: dict[int | None, list[int]] = {}
        for pk, _code, parent in rows:
            kids.setdefault(parent, []).append(pk)
        by_code = {code: pk for pk, code, _ in rows}
        for code in refs[dimension]:
            if code not in by_code:
                raise TemplateError(
                    _("The template names the code %(code)s, which is not in the %(dimension)s table.")
                    % {"code": code, "dimension": dimension}
                )
            ids, todo = set(), [by_code[code]]
            while todo:
                pk = todo.pop()
                if pk not in ids:
                    ids.add(pk)
                    todo += kids.get(pk, [])
            out[(dimension, code)] = ids
    return out


def _unit_paths(unit: OrgUnit, codes: set[str]) -> dict[str, str]:
    found = dict(OrgUnit.objects.filter(code__in=codes).values_list("code", "path"))
    for code in sorted(codes):
        path = found.get(code)
        if path is None or not path.startswith(unit.path):
            raise TemplateError(
                _("The template names the unit %(code)s, which is not %(unit)s or a unit below it.")
                % {"code": code, "unit": unit.code}
            )
    return found


def _matchers(
    fields: list[str],
    code_ids: dict[tuple[str, str], set[int]],
    unit_paths: dict[str, str],
    groups: list[tuple],
) -> dict[str, Callable[[Any], list[str]]]:
    """For each key: group value → the referenced values (of placeholders) it counts towards."""
    by_id: dict[str, dict[int, list[str]]] = {k: defaultdict(list) for k in CODE_KEYS}
    for (key, code), ids in code_ids.items():
        for pk in ids:
            by_id[key][pk].append(code)
    path_to_code = {path: code for code, path in unit_paths.items()}
    unit_of: dict[int, list[str]] = {}
    if "org_unit_id" in fields:
        i = fields.index("org_unit_id")
        paths = dict(OrgUnit.objects.filter(pk__in={g[i] for g in groups}).values_list("pk", "path"))
        for pk, path in paths.items():
            prefixes = (path[:n] for n in range(PATH_SEGMENT, len(path) + 1, PATH_SEGMENT))
            unit_of[pk] = [path_to_code[p] for p in prefixes if p in path_to_code]

    def code_matcher(key: str) -> Callable[[Any], list[str]]:
        return lambda v: by_id[key].get(v, [])

    matchers: dict[str, Callable[[Any], list[str]]] = {k: code_matcher(k) for k in CODE_KEYS}
    matchers["source"] = lambda v: [v, "forwarded"] if v in REGULATOR_SOURCES else [v]
    matchers["unit"] = lambda v: unit_of.get(v, [])
    return matchers


def count_index(qs: QuerySet[Complaint], unit: OrgUnit, placeholders: Iterable[Placeholder]) -> CountIndex:
    placeholders = [p for p in placeholders if p.is_count]
    refs = references(placeholders)
    keys = sorted({k for p in placeholders for k, _v in p.filters})
    fields = [FIELD_OF[k] for k in keys]
    rows = (
        qs.order_by().values_list(*fields).annotate(n=Count("pk")).values_list(*fields, "n") if fields else []
    )
    groups = [tuple(r) for r in rows] if fields else [(qs.order_by().count(),)]
    code_ids = _code_ids(refs)
    unit_paths = _unit_paths(unit, refs["unit"]) if refs["unit"] else {}
    match = _matchers(fields, code_ids, unit_paths, groups)
    tables: dict[tuple[str, ...], Counter[tuple[str, ...]]] = {}
    for keyset in {tuple(sorted(k for k, _v in p.filters)) for p in placeholders}:
        table: Counter[tuple[str, ...]] = Counter()
        positions = [keys.index(k) for k in keyset]
        for g in groups:
            options = [match[k](g[i]) for k, i in zip(keyset, positions, strict=True)]
            for combo in itertools.product(*options):
                table[combo] += g[-1]
        tables[keyset] = table
    return CountIndex(tables)


def text_values(unit: OrgUnit, period: Any) -> dict[str, str]:
    return {
        "period": period.label,
        "period_start": period.start.isoformat(),
        "period_end": period.end.isoformat(),
        "org": unit.name,
        "org_code": unit.code,
        "institution": institution_name(),
        "generated_on": timezone.localdate().isoformat(),
    }


def fill_value(text: str, index: CountIndex, texts: dict[str, str]) -> Any:
    """The cell's new value: a number when the cell is exactly one count placeholder, else the text."""

    def value(p: Placeholder) -> Any:
        return index.count(p) if p.is_count else texts[p.name]

    matches = list(PLACEHOLDER.finditer(text))
    if len(matches) == 1 and matches[0][0] == text.strip():
        return safe_cell(value(parse(matches[0][0])))
    return safe_cell(PLACEHOLDER.sub(lambda m: str(value(parse(m[0]))), text))
