"""The placeholder grammar of report templates (uploaded Excel layouts), parsing and checking.

A cell of a template may hold placeholders between double braces; the generator replaces them. A cell that
is exactly one placeholder receives the value itself (a number stays a number); in a longer text the value
is written into the text.

    {{ name }}  or  {{ name key=value key=value … }}

Names:
    period        the period, e.g. 2026-10            period_start / period_end   its first / last day
    org           the analysed unit's name            org_code                    its code
    institution   the institution's name              generated_on                the day the file was made
    total         complaints received in the period (the same as a bare {{count}})
    count         complaints received in the period, narrowed by any of these keys (each at most once):
                  channel=<code>  business_type=<code>  cause=<code>   a JR/T 0169 code and its sub-codes
                  source=direct | nfra_transfer | pboc_transfer | other_referral | forwarded (= not direct)
                  unit=<unit code>   that unit and everything below it (must lie inside the analysed unit)

Examples: {{count business_type=B02 unit=0101}}, {{count cause=C03}}, {{count source=nfra_transfer}},
"统计期间：{{period_start}}至{{period_end}}". Anything else between double braces is refused on upload.
Counts use the same complaints as the dashboard: the analysed unit's subtree, by day of receipt.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

from xiaobao.complaints.choices import Source

TEXT_NAMES = (
    "period",
    "period_start",
    "period_end",
    "org",
    "org_code",
    "institution",
    "generated_on",
)
COUNT_NAMES = ("count", "total")
NAMES = TEXT_NAMES + COUNT_NAMES
CODE_KEYS = ("channel", "business_type", "cause")
COUNT_KEYS = (*CODE_KEYS, "source", "unit")
SOURCES = (*Source.values, "forwarded")

PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
NAME = re.compile(r"[a-z_]+")
PAIR = re.compile(r"([a-z_]+)=([^\s{}=]+)")


class PlaceholderError(ValueError):
    """A placeholder that does not follow the grammar (the message says why)."""


@dataclass(frozen=True)
class Placeholder:
    raw: str
    name: str
    filters: tuple[tuple[str, str], ...] = ()

    @property
    def is_count(self) -> bool:
        return self.name in COUNT_NAMES

    def get(self, key: str) -> str | None:
        return dict(self.filters).get(key)


def parse(raw: str) -> Placeholder:
    """One placeholder from the text between the braces (or with them)."""
    inner = raw[2:-2] if raw.startswith("{{") and raw.endswith("}}") else raw
    parts = inner.split()
    if not parts:
        raise PlaceholderError(_("Empty placeholder {{}}."))
    name, args = parts[0], parts[1:]
    if not NAME.fullmatch(name) or name not in NAMES:
        raise PlaceholderError(_("Unknown placeholder “%(name)s”.") % {"name": name})
    if args and name != "count":
        raise PlaceholderError(_("“%(name)s” takes no parameters.") % {"name": name})
    filters: dict[str, str] = {}
    for arg in args:
        m = PAIR.fullmatch(arg)
        if m is None:
            raise PlaceholderError(_("“%(arg)s” is not of the form key=value.") % {"arg": arg})
        key, value = m[1], m[2]
        if key not in COUNT_KEYS:
            raise PlaceholderError(
                _("Unknown key “%(key)s” (use %(keys)s).") % {"key": key, "keys": ", ".join(COUNT_KEYS)}
            )
        if key in filters:
            raise PlaceholderError(_("The key “%(key)s” is given twice.") % {"key": key})
        if key == "source" and value not in SOURCES:
            raise PlaceholderError(
                _("Unknown source “%(value)s” (use %(values)s).")
                % {"value": value, "values": ", ".join(SOURCES)}
            )
        filters[key] = value
    return Placeholder(
        raw="{{" + inner + "}}", name="count" if name == "total" else name, filters=tuple(filters.items())
    )


def find(text: str) -> Iterator[tuple[str, Placeholder | PlaceholderError]]:
    """Every {{…}} in a text with its parse (or the error); a stray “{{” or “}}” is an error too."""
    for m in PLACEHOLDER.finditer(text):
        try:
            yield m[0], parse(m[0])
        except PlaceholderError as exc:
            yield m[0], exc
    rest = PLACEHOLDER.sub("", text)
    if "{{" in rest or "}}" in rest:
        yield rest, PlaceholderError(_("Unbalanced double braces."))


@dataclass(frozen=True)
class Found:
    cell: str  # Sheet!A1
    placeholder: Placeholder


def scan_workbook(wb: object) -> tuple[list[Found], list[str]]:
    """All placeholders of a workbook (openpyxl) and the errors, each naming its cell."""
    found: list[Found] = []
    errors: list[str] = []
    for ws in wb.worksheets:  # type: ignore[attr-defined]
        for row in ws.iter_rows():
            for cell in row:
                if not isinstance(cell.value, str) or ("{" not in cell.value and "}" not in cell.value):
                    continue
                ref = f"{ws.title}!{cell.coordinate}"
                for raw, result in find(cell.value):
                    if isinstance(result, PlaceholderError):
                        errors.append(f"{ref}: {raw.strip()[:60]} — {result}")
                    else:
                        found.append(Found(ref, result))
    return found, errors


def references(placeholders: Iterable[Placeholder]) -> dict[str, set[str]]:
    """Codes and unit codes the placeholders mention, by key (to check they exist)."""
    refs: dict[str, set[str]] = {k: set() for k in (*CODE_KEYS, "unit")}
    for p in placeholders:
        for key, value in p.filters:
            if key in refs:
                refs[key].add(value)
    return refs
