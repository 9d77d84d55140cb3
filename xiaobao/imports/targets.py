"""What an import can fill: our fields (targets of the column mapping) and the value-map dimensions.

Pure: no database. Header and value normalisation live here so the preset, the mapping screen, the
validation and the API compare the same way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from xiaobao.complaints.choices import Liability, SpecialGroup, Status


@dataclass(frozen=True)
class Target:
    name: str
    label: Any  # lazy translation
    kind: str  # text | date | code | choice | list | id
    dimension: str = ""  # the value map this field goes through
    help: Any = ""


TARGETS: list[Target] = [
    Target(
        "external_id",
        _("External ID"),
        "text",
        help=_("The other system's complaint number: re-importing the same file adds nothing."),
    ),
    Target("received_on", _("Date of receipt"), "date", help=_("Required (or give a default date).")),
    Target("business_type", _("Business type"), "code", "business_type"),
    Target("cause", _("Cause"), "code", "cause"),
    Target("channel", _("Channel"), "code", "channel"),
    Target(
        "status",
        _("Status / outcome"),
        "choice",
        "status",
        help=_("Mapped to a status and a liability through the value tables."),
    ),
    Target(
        "special_groups",
        _("Special groups"),
        "list",
        "special_groups",
        help=_("Several values separated by commas."),
    ),
    Target("product", _("Product"), "text"),
    Target("sub_product", _("Sub-product"), "text"),
    Target("issue", _("Issue (becomes the request)"), "text"),
    Target("sub_issue", _("Sub-issue"), "text"),
    Target("narrative", _("Narrative (becomes the description)"), "text"),
    Target("company", _("Company complained about"), "text"),
    Target("region", _("Region"), "text"),
    Target("closed_on", _("Date closed"), "date"),
    Target("complainant_name", _("Complainant name"), "text"),
    Target(
        "id_number",
        _("Complainant ID number"),
        "id",
        help=_("Resident ID numbers: the complainant is found again through the blind index."),
    ),
]
TARGETS_BY_NAME = {t.name: t for t in TARGETS}

CODE_DIMENSIONS = ("business_type", "cause", "channel")
DIMENSIONS = ("business_type", "cause", "channel", "status", "liability", "special_groups")
DIMENSION_LABELS: dict[str, str | Promise] = {
    "business_type": _("Business type"),
    "cause": _("Cause"),
    "channel": _("Channel"),
    "status": _("Status"),
    "liability": _("Liability"),
    "special_groups": _("Special groups"),
}
# The column a dimension's source values come from.
DIMENSION_FIELD = {
    "business_type": "business_type",
    "cause": "cause",
    "channel": "channel",
    "status": "status",
    "liability": "status",
    "special_groups": "special_groups",
}

# Statuses an imported complaint may get: open (awaiting assignment) or one of the ended ones.
IMPORT_STATUSES = (Status.REGISTERED, Status.CLOSED, Status.WITHDRAWN, Status.DECLINED)
STATUS_CHOICES = [(s.value, s.label) for s in IMPORT_STATUSES]
LIABILITY_CHOICES = [(v, label) for v, label in Liability.choices]
GROUP_CHOICES = list(SpecialGroup.choices)
SOURCE_OPTIONS = ("direct", "nfra_transfer", "pboc_transfer", "other_referral")
DATE_ORDERS = ("auto", "ymd", "mdy", "dmy")
DATE_ORDER_CHOICES = [
    ("auto", _("Automatic (year first; 3/19/2015 month first; 27-04-2023 day first)")),
    ("ymd", _("Year, month, day")),
    ("mdy", _("Month, day, year")),
    ("dmy", _("Day, month, year")),
]

_HEADER_SEP = re.compile(r"[\s_\-]+")


def norm_header(value: object) -> str:
    """'Date_received', 'date received ', 'Timely response?' → 'date received', 'timely response'."""
    text = str(value or "").strip().rstrip("?？").strip()
    return _HEADER_SEP.sub(" ", text).casefold().strip()


def norm_value(value: object) -> str:
    """Value-map keys compare without case and with runs of spaces collapsed."""
    return " ".join(str(value or "").split()).casefold()


def resolve_columns(
    aliases: dict[str, list[str]], headers: list[str], targets: Mapping[str, Target] | None = None
) -> dict[str, str]:
    """Our field → the file's own header, for each field whose aliases match a header of the file (the fields
    are those of `targets`, by default the complaint targets)."""
    targets = TARGETS_BY_NAME if targets is None else targets
    by_norm: dict[str, str] = {}
    for h in headers:
        key = norm_header(h)
        if key and key not in by_norm:
            by_norm[key] = h
    out = {}
    for field, names in (aliases or {}).items():
        if field not in targets:
            continue
        for name in [names] if isinstance(names, str) else names or []:
            header = by_norm.get(norm_header(name))
            if header is not None:
                out[field] = header
                break
    return out
