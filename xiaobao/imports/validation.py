"""Checking every row of a file against a job's mapping, in memory: codes from dicts loaded once.

`build_config(job)` turns the job's mapping into a `Config` (column indexes, normalised value maps, the code
tables as dicts); `validate(config, rows)` returns the rows ready to write, the row-level errors (row number,
column, message), the number of invalid rows, rows repeated within the file, and the values that were not in
a value map (they went to the dimension's "other" value and are counted so the user can extend the table).
Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaobao.complaints.choices import Liability, Source, SpecialGroup, Status
from xiaobao.complaints.models import ComplaintCode
from xiaobao.core.services.consumers import id_number_is_valid
from xiaobao.core.vault import crypto
from xiaobao.core.vault.detect import contains_c3, redact
from xiaobao.imports.dates import parse_date
from xiaobao.imports.readers import Cell
from xiaobao.imports.targets import (
    CODE_DIMENSIONS,
    DATE_ORDERS,
    IMPORT_STATUSES,
    TARGETS_BY_NAME,
    norm_value,
)

MAX_TEXT = 20_000
MAX_STORED_ERRORS = 5_000
DEFAULT_NAME = "匿名"
EARLIEST_YEAR = 2000


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ParsedRow:
    """One valid row, ready to become a consumer, a complaint, its event and its clocks."""

    line: int
    external_reference: str
    received_at: dt.datetime
    receipt_date: dt.date
    channel_id: int
    business_type_id: int
    cause_id: int
    status: str
    liability: str
    closed_at: dt.datetime | None
    special_groups: list[str]
    product: str
    request: str
    description: str
    name: str
    id_number: str  # normalised; "" when the file has none
    status_in_file: str = ""  # the open status the file gave a historical row that was archived


@dataclass
class Config:
    headers: list[str]
    index: dict[str, int]
    maps: dict[str, dict[str, str]]
    codes: dict[str, dict[str, int]]
    fallback: dict[str, str]
    date_order: str
    prefix: str
    separator: str
    source: str
    received_on: dt.date | None
    name: str
    historical: bool = True
    now: dt.datetime = field(default_factory=timezone.now)
    labels: dict[str, str] = field(default_factory=dict)
    tz: Any = field(default_factory=timezone.get_default_timezone)
    _midnights: dict[dt.date, dt.datetime] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.labels = {
            "missing": _("(not recorded in the source system)"),
            "company": _("Company"),
            "region": _("Region"),
        }

    def midnight(self, day: dt.date) -> dt.datetime:
        """The start of a day in the institution's time zone (cached: files repeat their dates)."""
        if day not in self._midnights:
            self._midnights[day] = dt.datetime(day.year, day.month, day.day, tzinfo=self.tz)
        return self._midnights[day]

    def day_of(self, moment: dt.datetime) -> dt.date:
        """The day of receipt (same rule as complaint registration: the local calendar date)."""
        return moment.astimezone(self.tz).date()

    def column(self, name: str) -> str:
        """The file's header for one of our fields (or our field's label when it is not in the file)."""
        i = self.index.get(name)
        return self.headers[i] if i is not None else str(TARGETS_BY_NAME[name].label)


@dataclass
class Result:
    rows: list[Any] = field(default_factory=list)  # ParsedRow for complaints; another kind's parsed rows
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    invalid: int = 0
    duplicates: int = 0
    unmapped: dict[str, Counter[str]] = field(default_factory=dict)

    def add_errors(self, errors: list[RowError]) -> None:
        self.invalid += 1
        self.error_count += len(errors)
        room = MAX_STORED_ERRORS - len(self.errors)
        if room > 0:
            self.errors.extend(errors[:room])

    def unmapped_json(self) -> dict[str, dict[str, int]]:
        return {dim: dict(c.most_common()) for dim, c in self.unmapped.items() if c}


# --- configuration ------------------------------------------------------------------------------------


def _other_code(dimension: str, codes: dict[str, int], names: dict[str, str]) -> str:
    """The dimension's "other" code: a top-level code ending in 99, else one named 其他."""
    tops = [c for c in codes if len(c) == 3 and c.endswith("99")]
    if tops:
        return sorted(tops)[0]
    named = [c for c, n in names.items() if n == "其他"]
    if named:
        return sorted(named)[0]
    raise ValidationError(
        {"defaults": [_("No 'other' code for %(dim)s: set a default.") % {"dim": dimension}]}
    )


def check_value_maps(value_maps: dict[str, Any], defaults: dict[str, Any]) -> None:
    """Every target of a value map and every default must exist (active codes, known statuses…)."""
    codes: dict[str, set[str]] = {d: set() for d in CODE_DIMENSIONS}
    for dim, code in ComplaintCode.objects.active().values_list("dimension", "code"):
        codes.setdefault(dim, set()).add(code)
    allowed: dict[str, set[str]] = {
        **codes,
        "status": {str(s) for s in IMPORT_STATUSES},
        "liability": set(Liability.values),
        "special_groups": set(SpecialGroup.values),
    }
    errors: dict[str, list[str]] = {}
    for dim, mapping in (value_maps or {}).items():
        if dim not in allowed or not isinstance(mapping, dict):
            errors.setdefault("value_maps", []).append(_("Unknown value table: %(d)s") % {"d": dim})
            continue
        bad = sorted({str(v) for v in mapping.values() if str(v) not in allowed[dim]})
        if bad:
            errors.setdefault(dim, []).append(_("Unknown value: %(v)s") % {"v": ", ".join(bad[:10])})
    for dim in (*CODE_DIMENSIONS, "status", "liability"):
        value = (defaults or {}).get(dim)
        if value not in (None, "") and str(value) not in allowed[dim]:
            errors.setdefault(f"defaults.{dim}", []).append(_("Unknown value: %(v)s") % {"v": value})
    if (defaults or {}).get("source", "") not in ("", *Source.values):
        errors.setdefault("defaults.source", []).append(_("Unknown source."))
    if (defaults or {}).get("date_order", "auto") not in DATE_ORDERS:
        errors.setdefault("defaults.date_order", []).append(_("Unknown date order."))
    if len(str((defaults or {}).get("external_prefix", ""))) > 20:
        errors.setdefault("defaults.external_prefix", []).append(_("At most 20 characters."))
    if errors:
        raise ValidationError(errors)


def build_config(
    *,
    headers: list[str],
    columns: dict[str, str],
    value_maps: dict[str, dict[str, str]],
    defaults: dict[str, Any],
    received_on: dt.date | None,
) -> Config:
    check_value_maps(value_maps, defaults)
    codes: dict[str, dict[str, int]] = {d: {} for d in CODE_DIMENSIONS}
    names: dict[str, dict[str, str]] = {d: {} for d in CODE_DIMENSIONS}
    for pk, dim, code, name in ComplaintCode.objects.active().values_list("pk", "dimension", "code", "name"):
        if dim in codes:
            codes[dim][code], names[dim][code] = pk, name
    fallback = {
        dim: str(defaults.get(dim) or _other_code(dim, codes[dim], names[dim])) for dim in CODE_DIMENSIONS
    }
    fallback["status"] = str(defaults.get("status") or Status.CLOSED)
    fallback["liability"] = str(defaults.get("liability") or "")
    index = {f: headers.index(h) for f, h in (columns or {}).items() if f in TARGETS_BY_NAME and h in headers}
    return Config(
        headers=headers,
        index=index,
        maps={d: {norm_value(k): str(v) for k, v in m.items()} for d, m in (value_maps or {}).items()},
        codes=codes,
        fallback=fallback,
        date_order=str(defaults.get("date_order") or "auto"),
        prefix=str(defaults.get("external_prefix") or ""),
        separator=str(defaults.get("list_separator") or ","),
        source=str(defaults.get("source") or Source.DIRECT),
        received_on=received_on,
        name=str(defaults.get("complainant_name") or DEFAULT_NAME)[:100],
        historical=is_historical(defaults),
    )


def is_historical(defaults: dict[str, Any]) -> bool:
    """History (the default) is archived: a row the file gives as still open is stored as archived with its
    history, so it enters no queue, inbox, sweep, escalation or early-warning scan. Only a preset with
    `"historical": false` (taking over live cases from another system) imports open rows as open."""
    return (defaults or {}).get("historical", True) not in (False, "false", "0", 0)


# --- one row --------------------------------------------------------------------------------------------


def _shown(value: Cell) -> str:
    text = redact(value.isoformat() if isinstance(value, dt.date) else str(value))
    return text if len(text) <= 40 else text[:39] + "…"


class _Row:
    """Parses one row, collecting its errors; `cfg.index` says where each of our fields is."""

    def __init__(self, cfg: Config, values: Sequence[Cell], line: int, result: Result) -> None:
        self.cfg, self.values, self.line, self.result = cfg, values, line, result
        self.errors: list[RowError] = []

    def get(self, name: str) -> Cell:
        i = self.cfg.index.get(name)
        return self.values[i] if i is not None else ""

    def text(self, name: str) -> str:
        value = self.get(name)
        return value.isoformat() if isinstance(value, dt.date) else " ".join(str(value).split())

    def error(self, name: str, message: str) -> None:
        self.errors.append(RowError(self.line, self.cfg.column(name), message))

    def mapped(self, dim: str, column: str) -> str:
        raw = self.text(column)
        if not raw:
            return self.cfg.fallback[dim]
        target = self.cfg.maps.get(dim, {}).get(norm_value(raw))
        if target is None:
            self.result.unmapped.setdefault(dim, Counter())[raw[:100]] += 1
            return self.cfg.fallback[dim]
        return target

    def moment(self, name: str, value: Cell) -> dt.datetime | None:
        try:
            parsed = parse_date(value, self.cfg.date_order)
        except ValueError:
            self.error(name, _("Not a date: %(v)s") % {"v": _shown(value)})
            return None
        if isinstance(parsed, dt.datetime):
            return timezone.make_aware(parsed, self.cfg.tz)
        return self.cfg.midnight(parsed)

    def received(self) -> dt.datetime | None:
        value = self.get("received_on")
        if value == "" and self.cfg.received_on is not None:
            value = self.cfg.received_on
        if value == "":
            if "received_on" in self.cfg.index:
                self.error("received_on", _("The date of receipt is empty."))
            else:
                self.error(
                    "received_on",
                    _("No date of receipt: the file has no such column; give a default date of receipt."),
                )
            return None
        at = self.moment("received_on", value)
        if at is None:
            return None
        if at > self.cfg.now + dt.timedelta(minutes=5):
            self.error("received_on", _("The time of receipt cannot be in the future."))
        elif at.year < EARLIEST_YEAR:
            self.error("received_on", _("The time of receipt is too far in the past."))
        return at

    def closed(self, status: str, received: dt.datetime) -> dt.datetime | None:
        if status not in Status.ended_statuses():
            return None
        value = self.get("closed_on")
        if value == "":
            return received  # no closing date in the file: the day of receipt (documented)
        at = self.moment("closed_on", value)
        if at is not None and at < received:
            self.error("closed_on", _("The closing date is before the date of receipt."))
        return at

    def groups(self) -> list[str]:
        raw = self.text("special_groups")
        if not raw:
            return []
        out = set()
        table = self.cfg.maps.get("special_groups", {})
        for part in raw.split(self.cfg.separator):
            part = part.strip()
            if not part:
                continue
            target = table.get(norm_value(part))
            if target is None:
                self.result.unmapped.setdefault("special_groups", Counter())[part[:100]] += 1
            else:
                out.add(target)
        return sorted(out)

    def identity(self) -> str:
        raw = self.text("id_number").replace(" ", "").upper()
        if raw and not id_number_is_valid(raw):
            self.error(
                "id_number", _("Not a valid resident ID number (18 characters with a correct check digit).")
            )
            return ""
        return crypto.normalise(raw, "id_number") if raw else ""

    def reference(self) -> str:
        ext = self.text("external_id")
        if not ext:
            joined = "\x1f".join(_shown_full(v) for v in self.values)
            ext = "h:" + hashlib.sha256(joined.encode()).hexdigest()[:24]
        ref = self.cfg.prefix + ext
        if len(ref) > 64:
            self.error("external_id", _("The external ID is longer than 64 characters."))
        return ref

    def texts(self) -> tuple[str, str, str]:
        product = " / ".join(p for p in (self.text("product"), self.text("sub_product")) if p)[:100]
        issue = " / ".join(p for p in (self.text("issue"), self.text("sub_issue")) if p)
        narrative = str(self.get("narrative")).strip()
        request = issue or self.cfg.labels["missing"]
        description = narrative or issue or self.cfg.labels["missing"]
        facts = [
            f"{self.cfg.labels[name]}：{value}"
            for name in ("company", "region")
            if (value := self.text(name))
        ]
        if facts:
            description = f"{description}\n\n{'；'.join(facts)}"
        if len(description) > MAX_TEXT:
            description = description[: MAX_TEXT - 1] + "…"
        for text in (request, description):
            if contains_c3(text):
                self.error(
                    "narrative" if "narrative" in self.cfg.index else "issue",
                    _("The text appears to contain a password, PIN, CVV or verification code (C3)."),
                )
                break
        return product, request, description

    def parse(self) -> ParsedRow | None:
        cfg = self.cfg
        received = self.received()
        codes = {}
        for dim in CODE_DIMENSIONS:
            code = self.mapped(dim, dim)
            codes[dim] = cfg.codes[dim].get(code)
            if codes[dim] is None:
                self.error(dim, _("Unknown or inactive code: %(c)s") % {"c": code})
        status = self.mapped("status", "status")
        liability = self.mapped("liability", "status") if status == Status.CLOSED else ""
        in_file = ""
        if cfg.historical and status not in Status.ended_statuses():
            in_file, status = status, Status.ARCHIVED
        groups = self.groups()
        id_number = self.identity()
        ref = self.reference()
        product, request, description = self.texts()
        closed = self.closed(status, received) if received else None
        if self.errors or received is None:
            return None
        return ParsedRow(
            line=self.line,
            external_reference=ref,
            received_at=received,
            receipt_date=self.cfg.day_of(received),
            channel_id=codes["channel"],  # type: ignore[arg-type]
            business_type_id=codes["business_type"],  # type: ignore[arg-type]
            cause_id=codes["cause"],  # type: ignore[arg-type]
            status=status,
            liability=liability,
            closed_at=closed,
            special_groups=groups,
            product=product,
            request=request,
            description=description,
            name=(self.text("complainant_name") or cfg.name)[:100],
            id_number=id_number,
            status_in_file=in_file,
        )


def _shown_full(value: Cell) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def validate(
    cfg: Config,
    rows: Sequence[Sequence[Cell]],
    progress: Callable[[int], None] | None = None,
    every: int = 2000,
) -> Result:
    """Every row checked; rows whose external reference repeats an earlier row of the file are skipped."""
    result = Result()
    seen: set[str] = set()
    for i, values in enumerate(rows):
        row = _Row(cfg, values, i + 2, result)
        parsed = row.parse()
        if parsed is None:
            result.add_errors(row.errors)
        elif parsed.external_reference in seen:
            result.duplicates += 1
        else:
            seen.add(parsed.external_reference)
            result.rows.append(parsed)
        if progress and (i + 1) % every == 0:
            progress(i + 1)
    return result
