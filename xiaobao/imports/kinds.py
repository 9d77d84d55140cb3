"""Import kinds: what an import fills. Historical complaints are the built-in kind (`complaints`, the
default); a module adds its own by naming an `ImportKind` in its `AppConfig.import_kinds` (dotted paths), e.g.

```python
class SalesRecordingConfig(AppConfig):
    import_kinds = ["xiaobao.sales_recording.importing.KIND"]
```

The framework keeps one upload → read → mapping → validate → import flow (services, pages, API, retention);
a kind brings its targets (the fields the column mapping can fill), its value tables, its mapping and preset
forms, the permission that lets a user import it and a `run` that checks the rows and returns the writer.
Presets belong to a kind; a job takes its kind from its preset. Declarations are dotted paths, imported when
first used, so declaring imports nothing at start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from xiaobao.imports.targets import DIMENSION_LABELS, DIMENSIONS, TARGETS, Target

if TYPE_CHECKING:
    from xiaobao.imports.validation import Result

COMPLAINTS = "complaints"


@dataclass
class Checked:
    """What a kind's `run` returns after checking every row: the result (valid rows, errors, unmapped
    values), how many valid rows were imported before, and `write(batch_size, progress, after)` that writes
    the valid rows not imported before, all or nothing, returning (created, skipped_existing)."""

    result: Result
    existing: int
    write: Callable[[int, Callable[[float], None], Callable[[int, int], None]], tuple[int, int]]


@dataclass(frozen=True)
class ImportKind:
    """One kind of import. Callables and forms are dotted paths (resolved on use)."""

    code: str
    label: str | Promise
    permission: str  # "app.codename" that lets a user import this kind (into their own subtree)
    targets: Sequence[Target]
    dimensions: Sequence[str] = ()  # value tables (our value per value in the file)
    table_dimensions: Sequence[str] = ()  # the value tables the mapping screen and preset editor show
    dimension_labels: Mapping[str, str | Promise] = field(default_factory=dict)
    check_maps: str = ""  # (value_maps, defaults) → None, raises ValidationError
    choices: str = ""  # () → {dimension: [(value, label)]} for the value-table selects
    run: str = ""  # (job, table, progress(done)) → Checked
    mapping_form: str = ""  # form class, MappingFields + a defaults form
    preset_form: str = ""  # form class, PresetFields + a defaults form
    results_url: str = ""  # (job) → URL of what the import created ("" when nothing)
    upload_title: str | Promise = ""
    unit_label: str | Promise = ""
    created_label: str | Promise = ""  # the summary's "created" line
    results_label: str | Promise = ""  # the link to what was imported
    writing_message: str | Promise = ""  # progress while writing, with %(n)d

    @property
    def targets_by_name(self) -> dict[str, Target]:
        return {t.name: t for t in self.targets}

    def resolve(self, name: str) -> Callable[..., Any]:
        return import_string(getattr(self, name))  # type: ignore[no-any-return]

    def check(self, value_maps: dict[str, Any], defaults: dict[str, Any]) -> None:
        self.resolve("check_maps")(value_maps, defaults)

    def label_of(self, dimension: str) -> str | Promise:
        return self.dimension_labels.get(dimension, dimension)


COMPLAINTS_KIND = ImportKind(
    code=COMPLAINTS,
    label=_("Historical complaints"),
    permission="imports.import_complaints",
    targets=TARGETS,
    dimensions=DIMENSIONS,
    table_dimensions=("business_type", "cause", "channel", "status", "special_groups"),
    dimension_labels=DIMENSION_LABELS,
    check_maps="xiaobao.imports.validation.check_value_maps",
    choices="xiaobao.imports.complaint_kind.target_choices",
    run="xiaobao.imports.complaint_kind.run",
    mapping_form="xiaobao.imports.forms.MappingForm",
    preset_form="xiaobao.imports.forms.PresetForm",
    results_url="xiaobao.imports.complaint_kind.results_url",
    upload_title=_("Import historical complaints"),
    unit_label=_("Unit the complaints belong to"),
    created_label=_("Complaints created"),
    results_label=_("View the imported complaints"),
    writing_message=_("Writing %(n)d complaints"),
)


@cache
def all_kinds() -> tuple[ImportKind, ...]:
    """The built-in kind, then the kinds apps declare (`AppConfig.import_kinds`), in app order."""
    found = [COMPLAINTS_KIND]
    for cfg in apps.get_app_configs():
        for path in getattr(cfg, "import_kinds", ()):
            found.append(import_string(path))
    return tuple(found)


def kind_of(code: str) -> ImportKind:
    """The kind with this code; the built-in kind for an unknown code is never guessed: KeyError."""
    for kind in all_kinds():
        if kind.code == code:
            return kind
    raise KeyError(code)


def kind_choices() -> list[tuple[str, str]]:
    return [(k.code, str(k.label)) for k in all_kinds()]


def kinds_for(user: Any) -> list[ImportKind]:
    """The kinds the user may import."""
    return [k for k in all_kinds() if user.has_perm(k.permission)]


def may_import(user: Any) -> bool:
    return bool(kinds_for(user))
