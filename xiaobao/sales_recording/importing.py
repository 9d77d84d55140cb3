"""Importing the register of sales that require recording: this module's import kind (`recorded_sales`).

The import framework (xiaobao/imports) does the upload, the reading, the mapping screen, the dry run and the
job; this module declares what a file can fill (targets), one value table (the other system's product
types → our product kinds), the defaults form, the row check and the writer. Rows are written all or none;
`(source, external ID)` is unique, so the same file imported again adds nothing.

Each row's outlet is a unit code of the file (or the import's unit when the file has none) and must lie in
the subtree of the unit the file is imported into. No customer names or ID numbers are read: the applicant
appears as an age only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xiaobao.core.models import OrgUnit
from xiaobao.core.scoping import subtree_q
from xiaobao.imports.dates import parse_date
from xiaobao.imports.forms import BaseDefaultsForm, MappingFields, PresetFields
from xiaobao.imports.kinds import Checked, ImportKind
from xiaobao.imports.readers import Cell, Table
from xiaobao.imports.targets import DATE_ORDER_CHOICES, DATE_ORDERS, Target, norm_value
from xiaobao.imports.validation import MAX_STORED_ERRORS, Result, RowError
from xiaobao.sales_recording.choices import ProductKind

CODE = "recorded_sales"
PRESET_NAME = "双录销售台账"
BATCH_SIZE = 1000
EARLIEST_YEAR = 2000
MAX_AGE = 130

TARGETS: list[Target] = [
    Target(
        "external_id",
        _("External ID"),
        "text",
        help=_("The sales system's transaction number: importing the same file again adds nothing."),
    ),
    Target(
        "outlet",
        _("Outlet code"),
        "text",
        help=_("Code of the outlet the sale was made at (default: the unit imported into)."),
    ),
    Target("product", _("Product"), "text", help=_("Required.")),
    Target("product_kind", _("Product kind"), "code", "product_kind"),
    Target("seller", _("Seller (staff name or number)"), "text", help=_("Required.")),
    Target("sale_at", _("Sale time"), "date", help=_("Required (or give a default date).")),
    Target("recording_id", _("Recording id"), "text"),
    Target(
        "duration",
        _("Recording length"),
        "text",
        help=_("Seconds, or minutes:seconds, or hours:minutes:seconds."),
    ),
    Target("applicant_age", _("Applicant's age"), "text", help=_("Whole years; no names or ID numbers.")),
]
TARGETS_BY_NAME = {t.name: t for t in TARGETS}
DIMENSIONS = ("product_kind",)
DIMENSION_LABELS = {"product_kind": _("Product kind")}
DEFAULT_SOURCE = "import"
_SOURCE_RE = re.compile(r"^[\w.:-]{1,30}$")


def target_choices() -> dict[str, list[tuple[str, str]]]:
    return {"product_kind": [(str(v), str(label)) for v, label in ProductKind.choices]}


def check_maps(value_maps: dict[str, Any], defaults: dict[str, Any]) -> None:
    """The value table's targets and the defaults must be known values."""
    errors: dict[str, list[str]] = {}
    kinds = set(ProductKind.values)
    for dim, mapping in (value_maps or {}).items():
        if dim not in DIMENSIONS or not isinstance(mapping, dict):
            errors.setdefault("value_maps", []).append(gettext("Unknown value table: %(d)s") % {"d": dim})
            continue
        bad = sorted({str(v) for v in mapping.values() if str(v) not in kinds})
        if bad:
            errors.setdefault(dim, []).append(gettext("Unknown value: %(v)s") % {"v": ", ".join(bad[:10])})
    defaults = defaults or {}
    if str(defaults.get("product_kind") or ProductKind.OTHER) not in kinds:
        errors.setdefault("defaults.product_kind", []).append(
            gettext("Unknown value: %(v)s") % {"v": defaults.get("product_kind")}
        )
    if str(defaults.get("date_order") or "auto") not in DATE_ORDERS:
        errors.setdefault("defaults.date_order", []).append(gettext("Unknown date order."))
    if not _SOURCE_RE.match(str(defaults.get("source") or DEFAULT_SOURCE)):
        errors.setdefault("defaults.source", []).append(
            gettext("At most 30 letters, digits, '.', ':', '_' or '-'.")
        )
    if errors:
        raise ValidationError(errors)


# --- checking rows ------------------------------------------------------------------------------------


@dataclass
class SaleRow:
    line: int
    external_id: str
    org_unit_id: int
    product: str
    product_kind: str
    seller: str
    sale_at: dt.datetime
    recording_id: str
    duration_seconds: int
    applicant_age: int | None


def parse_duration(value: Cell) -> int:
    """'95', '95.0', '1:35', '00:01:35' → 95 seconds; ValueError otherwise (or when negative)."""
    if isinstance(value, dt.datetime):
        return value.hour * 3600 + value.minute * 60 + value.second
    if isinstance(value, dt.date):
        raise ValueError(value)
    text = str(value).strip()
    if ":" in text:
        parts = text.split(":")
        if len(parts) > 3 or not all(p.strip().isdigit() for p in parts):
            raise ValueError(text)
        seconds = 0
        for p in parts:
            seconds = seconds * 60 + int(p)
        return seconds
    number = float(text)
    if number < 0 or number != number or number > 10**7:
        raise ValueError(text)
    return round(number)


def parse_age(value: Cell) -> int:
    text = str(value).strip()
    number = float(text)
    if number != int(number) or not 0 <= number <= MAX_AGE:
        raise ValueError(text)
    return int(number)


class _Checker:
    """Checks the rows of one file against a job's mapping (everything it needs loaded once)."""

    def __init__(self, job: Any, table: Table) -> None:
        self.job, self.headers = job, table.headers
        self.index = {
            f: table.headers.index(h)
            for f, h in (job.columns or {}).items()
            if f in TARGETS_BY_NAME and h in table.headers
        }
        defaults = job.defaults or {}
        self.source = str(defaults.get("source") or DEFAULT_SOURCE)
        self.default_kind = str(defaults.get("product_kind") or ProductKind.OTHER)
        self.date_order = str(defaults.get("date_order") or "auto")
        self.kinds = {
            norm_value(k): str(v) for k, v in (job.value_maps or {}).get("product_kind", {}).items()
        }
        self.units = dict(
            OrgUnit.objects.filter(subtree_q(job.org_unit.path), is_active=True).values_list("code", "pk")
        )
        self.tz = timezone.get_default_timezone()
        self.now = timezone.now()
        self.result = Result()

    def column(self, name: str) -> str:
        i = self.index.get(name)
        return self.headers[i] if i is not None else str(TARGETS_BY_NAME[name].label)

    def run(self, rows: Sequence[Sequence[Cell]], progress: Callable[[int], None]) -> Result:
        seen: set[str] = set()
        for i, values in enumerate(rows):
            errors: list[RowError] = []
            parsed = self.parse(values, i + 2, errors)
            if parsed is None:
                self.result.invalid += 1
                self.result.error_count += len(errors)
                room = MAX_STORED_ERRORS - len(self.result.errors)
                self.result.errors.extend(errors[: max(room, 0)])
            elif parsed.external_id in seen:
                self.result.duplicates += 1
            else:
                seen.add(parsed.external_id)
                self.result.rows.append(parsed)
            if (i + 1) % 2000 == 0:
                progress(i + 1)
        return self.result

    def parse(self, values: Sequence[Cell], line: int, errors: list[RowError]) -> SaleRow | None:
        def get(name: str) -> Cell:
            i = self.index.get(name)
            return values[i] if i is not None else ""

        def text(name: str, limit: int) -> str:
            value = get(name)
            out = value.isoformat() if isinstance(value, dt.date) else " ".join(str(value).split())
            if len(out) > limit:
                errors.append(
                    RowError(line, self.column(name), gettext("Longer than %(n)d characters.") % {"n": limit})
                )
            return out

        def error(name: str, message: str) -> None:
            errors.append(RowError(line, self.column(name), message))

        unit_code = text("outlet", 32)
        unit_id = self.units.get(unit_code) if unit_code else self.job.org_unit_id
        if unit_id is None:
            error(
                "outlet", gettext("No open unit %(c)s under the unit imported into.") % {"c": unit_code[:32]}
            )
        product = text("product", 100)
        if not product:
            error("product", gettext("The product is empty."))
        seller = text("seller", 60)
        if not seller:
            error("seller", gettext("The seller is empty."))
        raw_kind = text("product_kind", 100)
        kind = self.default_kind
        if raw_kind:
            mapped = self.kinds.get(norm_value(raw_kind))
            if mapped is None:
                self.result.unmapped.setdefault("product_kind", Counter())[raw_kind[:100]] += 1
            else:
                kind = mapped
        sale_at = self.moment(get("sale_at"), error)
        recording = text("recording_id", 64)
        duration = 0
        if str(get("duration")).strip():
            try:
                duration = parse_duration(get("duration"))
            except (ValueError, OverflowError):
                error("duration", gettext("Not a length of time: %(v)s") % {"v": str(get("duration"))[:40]})
        age = None
        if str(get("applicant_age")).strip():
            try:
                age = parse_age(get("applicant_age"))
            except (ValueError, OverflowError):
                error(
                    "applicant_age",
                    gettext("Not an age (whole years, 0–%(max)d): %(v)s")
                    % {"max": MAX_AGE, "v": str(get("applicant_age"))[:40]},
                )
        ext = text("external_id", 64)
        if not ext:
            joined = "\x1f".join(v.isoformat() if isinstance(v, dt.date) else str(v) for v in values)
            ext = "h:" + hashlib.sha256(joined.encode()).hexdigest()[:24]
        if errors or sale_at is None or unit_id is None:
            return None
        return SaleRow(line, ext, unit_id, product, kind, seller, sale_at, recording, duration, age)

    def moment(self, value: Cell, error: Callable[[str, str], None]) -> dt.datetime | None:
        if value == "" and self.job.received_on is not None:
            value = self.job.received_on
        if value == "":
            error("sale_at", gettext("The sale time is empty."))
            return None
        try:
            parsed = parse_date(value, self.date_order)
        except ValueError:
            error("sale_at", gettext("Not a date: %(v)s") % {"v": str(value)[:40]})
            return None
        if isinstance(parsed, dt.datetime):
            at = parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, self.tz)
        else:
            at = dt.datetime(parsed.year, parsed.month, parsed.day, tzinfo=self.tz)
        if at > self.now + dt.timedelta(minutes=5):
            error("sale_at", gettext("The sale time cannot be in the future."))
            return None
        if at.year < EARLIEST_YEAR:
            error("sale_at", gettext("The sale time is too far in the past."))
            return None
        return at


def existing_ids(source: str, ids: Sequence[str]) -> set[str]:
    from xiaobao.sales_recording.models import RecordedSale

    found: set[str] = set()
    pending = sorted(set(ids))
    for start in range(0, len(pending), 500):
        chunk = pending[start : start + 500]
        qs = RecordedSale.objects.filter(source=source, external_id__in=chunk)
        found.update(qs.values_list("external_id", flat=True))
    return found


def write_sales(
    *,
    job: Any,
    source: str,
    rows: Sequence[SaleRow],
    batch_size: int,
    progress: Callable[[float], None],
    after: Callable[[int, int], None],
) -> tuple[int, int]:
    """Write the rows not imported before, all or none; returns (created, skipped_existing)."""
    from xiaobao.sales_recording.models import RecordedSale

    with transaction.atomic():
        # Serialise imports from one source so two runs of one file cannot both miss each other's rows.
        OrgUnit.objects.select_for_update().filter(pk=job.org_unit_id).values_list("pk", flat=True).first()
        existing = existing_ids(source, [r.external_id for r in rows])
        todo = [r for r in rows if r.external_id not in existing]
        for start in range(0, len(todo), batch_size):
            RecordedSale.objects.bulk_create(
                [
                    RecordedSale(
                        org_unit_id=r.org_unit_id,
                        product=r.product,
                        product_kind=r.product_kind,
                        seller=r.seller,
                        sale_at=r.sale_at,
                        recording_id=r.recording_id,
                        duration_seconds=r.duration_seconds,
                        applicant_age=r.applicant_age,
                        source=source,
                        external_id=r.external_id,
                        batch_id=job.pk,
                    )
                    for r in todo[start : start + batch_size]
                ]
            )
            progress((start + batch_size) / max(len(todo), 1))
        created, skipped = len(todo), len(rows) - len(todo)
        after(created, skipped)
    return created, skipped


def run(job: Any, table: Table, progress: Callable[[int], None]) -> Checked:
    checker = _Checker(job, table)
    result = checker.run(table.rows, progress)
    existing = existing_ids(checker.source, [r.external_id for r in result.rows])

    def write(
        batch_size: int, on_progress: Callable[[float], None], after: Callable[[int, int], None]
    ) -> tuple[int, int]:
        return write_sales(
            job=job,
            source=checker.source,
            rows=result.rows,
            batch_size=min(batch_size, BATCH_SIZE),
            progress=on_progress,
            after=after,
        )

    return Checked(result, sum(1 for r in result.rows if r.external_id in existing), write)


def results_url(job: Any) -> str:
    return f"{reverse('sales_recording:list')}?{urlencode({'batch': job.pk})}"


# --- forms ----------------------------------------------------------------------------------------------


class SaleDefaultsForm(BaseDefaultsForm):
    """Defaults and options of a recorded-sales mapping."""

    source = forms.CharField(
        label=_("Source system"),
        max_length=30,
        initial=DEFAULT_SOURCE,
        help_text=_("Names the system the file comes from: its transaction numbers are unique within it."),
    )
    product_kind = forms.ChoiceField(
        label=_("Product kind when not in the table"), choices=ProductKind.choices, initial=ProductKind.OTHER
    )
    date_order = forms.ChoiceField(label=_("Order of day and month"), choices=DATE_ORDER_CHOICES)

    DEFAULT_KEYS = ("source", "product_kind", "date_order")

    def clean_source(self) -> str:
        value = str(self.cleaned_data["source"]).strip()
        if not _SOURCE_RE.match(value):
            raise ValidationError(gettext("At most 30 letters, digits, '.', ':', '_' or '-'."))
        return value


class SaleMappingForm(MappingFields, SaleDefaultsForm):
    targets = TARGETS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["received_on"].label = _("Default sale date")


class SalePresetForm(PresetFields, SaleDefaultsForm):
    targets = TARGETS


KIND = ImportKind(
    code=CODE,
    label=_("Sales that require recording"),
    permission="sales_recording.import_recordedsale",
    targets=TARGETS,
    dimensions=DIMENSIONS,
    table_dimensions=DIMENSIONS,
    dimension_labels=DIMENSION_LABELS,
    check_maps="xiaobao.sales_recording.importing.check_maps",
    choices="xiaobao.sales_recording.importing.target_choices",
    run="xiaobao.sales_recording.importing.run",
    mapping_form="xiaobao.sales_recording.importing.SaleMappingForm",
    preset_form="xiaobao.sales_recording.importing.SalePresetForm",
    results_url="xiaobao.sales_recording.importing.results_url",
    upload_title=_("Import sales that require recording (双录)"),
    unit_label=_("Unit the sales belong to (outlets in the file must lie under it)"),
    created_label=_("Sales added to the register"),
    results_label=_("View the imported sales"),
    writing_message=_("Writing %(n)d sales"),
)
