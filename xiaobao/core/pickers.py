"""Searchable pickers: one search for units, people and codes, by name, pinyin initials or code.

The browser's picker (`static/xiaobao/picker.js`) and programs (`GET /api/v1/pickers/{kind}`) read the same
search. Kinds are registered here: `unit` and `person` are core's; a module registers its own (complaints
registers `code`, with a dimension: channel, business_type, cause) with `@register("code")` — core never
imports a module. Every kind answers only what the user may choose: units of the user's subtree
(`visible_to`), active people of that subtree, active codes.

Pinyin: `initials("北京分行")` is ("bjfh",) — every reading of a character with several (支行 is "zhi hang",
pypinyin's default reads "zhi xing"), capped at a few variants; results are cached per string, and the unit
and code indexes are cached per process and rebuilt only when a row changed (count and newest `updated_at`).

Forms opt in with one line: `use_picker(form.fields["org_unit"], "unit")` (a `<select>`: its options carry
their search text, so typing filters them in the browser, pinyin included) or, for a text field holding a
code or usernames, `use_picker(field, "person", multiple=True)` (the browser asks the endpoint).
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django import forms
from django.contrib.auth.models import Permission
from django.db.models import Count, Max, Q
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin, pinyin

from xiaobao.core.models import OrgUnit, User
from xiaobao.core.scoping import ALL, user_scope

MAX_LIMIT = 50
DEFAULT_LIMIT = 20
MAX_VARIANTS = 8  # readings combined per string (行: hang / xing) — enough for names, bounded for long text
_HAN = re.compile(r"[\u3400-\u9fff]")
_SPACE = re.compile(r"[\s\u3000()（）·\-_/,，.]+")


class PickerError(Exception):
    """A request the search refuses (an unknown dimension): the API answers it as a field error."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


@dataclass(frozen=True)
class Choice:
    value: str  # what the form or the API takes (a unit code, a username, a code)
    label: str  # what a person reads (a name)
    hint: str = ""  # a second line (the code, the unit)


# --- pinyin ---------------------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return _SPACE.sub("", text).lower()


@lru_cache(maxsize=65536)
def initials(text: str) -> tuple[str, ...]:
    """The pinyin initials of `text` ("北京分行" → ("bjfh",)), one string per combination of readings of
    characters with several (first reading first, at most MAX_VARIANTS); other characters kept as they are
    (lower case, spaces and brackets dropped)."""
    if not _HAN.search(text):
        return (_norm(text),)
    parts = pinyin(text, style=Style.FIRST_LETTER, heteronym=True, errors=lambda s: _norm(s))
    options = [list(dict.fromkeys(p.lower() for p in part)) or [""] for part in parts]
    variants = itertools.islice(itertools.product(*options), MAX_VARIANTS)
    return tuple(dict.fromkeys(_norm("".join(v)) for v in variants))


@lru_cache(maxsize=65536)
def spelled(text: str) -> str:
    """The full pinyin of `text` without tones or spaces ("北京分行" → "beijingfenhang")."""
    return _norm("".join(lazy_pinyin(text))) if _HAN.search(text) else _norm(text)


@lru_cache(maxsize=65536)
def search_text(value: str, label: str) -> str:
    """What the browser filters a `<select>` option by: value, label, initials and full pinyin."""
    label = label.strip("\u3000 ")
    return " ".join(dict.fromkeys([value.lower(), label.lower(), *initials(label), spelled(label)]))


def rank(q: str, code: str, name: str, *more: str) -> int | None:
    """How well `q` matches a row (lower is better), or None: exact code, code prefix, name or initials
    prefix, name substring, initials/pinyin substring, code substring; `more` (a username) as a code."""
    q = _norm(q)
    if not q:
        return 9
    codes = [_norm(c) for c in (code, *more) if c]
    if q in codes:
        return 0
    if any(c.startswith(q) for c in codes):
        return 1
    letters = initials(name)
    low = _norm(name)
    if low.startswith(q) or any(i.startswith(q) for i in letters):
        return 2
    if q in low:
        return 3
    if any(q in i for i in letters) or spelled(name).startswith(q):
        return 4
    if any(q in c for c in codes) or q in spelled(name):
        return 5
    return None


def best(rows: Iterable[tuple[Choice, str, str, Sequence[str]]], q: str, limit: int) -> list[Choice]:
    """The `limit` best rows for `q`, in their given order within a rank. Rows are (choice, code, name,
    more codes)."""
    scored = []
    for i, (choice, code, name, more) in enumerate(rows):
        r = rank(q, code, name, *more)
        if r is not None:
            scored.append((r, i, choice))
    scored.sort(key=lambda t: (t[0], t[1]))
    return [c for _r, _i, c in scored[:limit]]


# --- the registry -----------------------------------------------------------------------------------------

Provider = Callable[..., list[Choice]]  # (user=, q=, dimension=, limit=) → choices
_KINDS: dict[str, Provider] = {}


def register(kind: str) -> Callable[[Provider], Provider]:
    def wrap(fn: Provider) -> Provider:
        _KINDS[kind] = fn
        return fn

    return wrap


def kinds() -> list[str]:
    return sorted(_KINDS)


def search(
    *, user: Any, kind: str, q: str = "", dimension: str = "", limit: int = DEFAULT_LIMIT
) -> list[Choice]:
    """The choices of `kind` the user may pick that match `q` (best first). KeyError for an unknown kind,
    PickerError for a bad dimension."""
    provider = _KINDS[kind]
    limit = max(1, min(int(limit), MAX_LIMIT))
    return provider(user=user, q=(q or "").strip()[:100], dimension=dimension or "", limit=limit)


class StampedIndex:
    """Rows built once per process and rebuilt when the table's stamp (counts, newest update) changes, or
    after `max_age` seconds at the latest (a bulk `update()` does not move `updated_at`)."""

    def __init__(
        self, stamp: Callable[[], Any], build: Callable[[], list[Any]], max_age: float = 300
    ) -> None:
        self._stamp, self._build, self._max_age = stamp, build, max_age
        self._lock = threading.Lock()
        self._key: Any = object()
        self._built = 0.0
        self._rows: list[Any] = []

    def rows(self) -> list[Any]:
        key = self._stamp()
        if key != self._key or time.monotonic() - self._built > self._max_age:
            rows = self._build()
            with self._lock:
                self._key, self._rows, self._built = key, rows, time.monotonic()
        return self._rows

    def clear(self) -> None:
        with self._lock:
            self._key, self._rows = object(), []


# --- units ------------------------------------------------------------------------------------------------


def _unit_stamp() -> Any:
    counts = OrgUnit.objects.aggregate(
        n=Count("id"), on=Count("id", filter=Q(is_active=True)), at=Max("updated_at")
    )
    return tuple(counts.values())


def _unit_rows() -> list[tuple[str, Choice, str, str]]:
    units = OrgUnit.objects.filter(is_active=True).order_by("path").values_list("path", "code", "name")
    out = []
    for path, code, name in units:
        initials(name), spelled(name)  # warm the caches while building
        out.append((path, Choice(code, name, code), code, name))
    return out


UNIT_INDEX = StampedIndex(_unit_stamp, _unit_rows)


@register("unit")
def unit_choices(*, user: Any, q: str, dimension: str, limit: int) -> list[Choice]:
    """Active units of the user's subtree (`OrgUnit.objects.visible_to`), by name, initials or code."""
    scope = user_scope(user)
    if scope is None:
        return []
    root = "" if scope == ALL else scope.path  # type: ignore[union-attr]
    rows = ((c, code, name, ()) for path, c, code, name in UNIT_INDEX.rows() if path.startswith(root))
    return best(rows, q, limit)


# --- people -----------------------------------------------------------------------------------------------

_PERM = re.compile(r"^[a-z_]+\.[a-z_]+$")
MAX_PEOPLE_SCANNED = 20000


def people(user: Any, permission: str = "") -> Any:
    """Active staff of the user's subtree (`User.objects.visible_to`), with a unit; only holders of
    `permission` ("app_label.codename") when given."""
    qs = User.objects.visible_to(user).filter(
        is_active=True, is_service=False, org_unit__isnull=False, org_unit__is_active=True
    )
    if permission:
        app_label, codename = permission.split(".", 1)
        perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        qs = qs.filter(Q(groups__permissions__in=perm) | Q(user_permissions__in=perm)).distinct()
    return qs


@register("person")
def person_choices(*, user: Any, q: str, dimension: str, limit: int) -> list[Choice]:
    """Active people of the user's subtree by name, initials or username; `dimension` is an optional
    permission they must hold (e.g. complaints.handle_complaint)."""
    if dimension and not _PERM.match(dimension):
        raise PickerError("dimension", _("Give a permission such as complaints.handle_complaint."))
    if user_scope(user) is None:
        return []
    qs = people(user, dimension).order_by("org_unit__path", "username")
    if q and _HAN.search(q):  # Chinese text narrows in the database; letters may be initials: read the rows
        qs = qs.filter(full_name__icontains=q.strip())
    values = qs.values_list("username", "full_name", "org_unit__name")[:MAX_PEOPLE_SCANNED]
    rows = ((Choice(u, name or u, f"{u} · {unit}"), u, name or u, ()) for u, name, unit in values.iterator())
    return best(rows, q, limit)


# --- widgets: one line for a form to opt in ---------------------------------------------------------------


def _attrs(kind: str, dimension: str, multiple: bool = False) -> dict[str, str]:
    attrs = {"data-picker": kind}
    if dimension:
        attrs["data-dimension"] = dimension
    if multiple:
        attrs["data-multiple"] = "1"
    return attrs


class PickerSelect(forms.Select):
    """A `<select data-picker>`: each option carries its search text (name, initials, pinyin, code) so the
    browser filters it without asking the server; without JavaScript it is the plain select."""

    def __init__(self, kind: str, dimension: str = "", attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={**_attrs(kind, dimension), **(attrs or {})})

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        if option["value"] not in ("", None):
            option["attrs"]["data-search"] = search_text(str(option["value"]), str(option["label"]))
        return option


class PickerInput(forms.TextInput):
    """A text input holding a code or usernames (comma-separated when `multiple`), with suggestions from
    `GET /api/v1/pickers/{kind}` as one types."""

    def __init__(
        self, kind: str, dimension: str = "", multiple: bool = False, attrs: dict[str, Any] | None = None
    ) -> None:
        base = {**_attrs(kind, dimension, multiple), "autocomplete": "off", "spellcheck": "false"}
        super().__init__(attrs={**base, **(attrs or {})})


def use_picker(field: forms.Field, kind: str, dimension: str = "", *, multiple: bool = False) -> forms.Field:
    """Make a form field a picker: a choice field keeps its choices (and their validation), a text field
    gets suggestions. Returns the field."""
    attrs = {k: v for k, v in field.widget.attrs.items() if not k.startswith("data-")}
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        widget: forms.Widget = PickerSelect(kind, dimension, attrs=attrs)
        widget.choices = field.choices  # type: ignore[attr-defined]
    else:
        widget = PickerInput(kind, dimension, multiple, attrs=attrs)
    widget.is_required = field.required
    field.widget = widget
    return field
