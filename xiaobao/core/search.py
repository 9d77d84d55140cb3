"""The global search behind the header's search box, the /search/ page and /api/v1/search.

Core imports no domain app: every module that wants to be found declares `Module.search` (a dotted path to
`(user, query, limit) → list[SearchHit]`, already within what the user may see) and core runs them in module
order, with its own provider for consumers. Results are grouped by the hits' kind, each group limited.

The query is normalised once (`classify`) and providers read the same classification:

- **reference** — two letters and 10–16 digits (`TS202603020000001`, `SC2026000012`): an exact match;
- **identifier** — a resident ID number, a phone number (mobile or landline), an account or card number, a
  passport or permit number: personal data. Looked up ONLY through the vault's blind indexes (keyed hashes;
  nothing is decrypted), never echoed on a page, never put in a URL, never written to logs; the search is
  recorded in the audit trail as "searched by personal identifier" with the masked value. Such queries come
  by POST (the page's and the API's); a GET carrying one is refused without searching;
- **text** — anything else: a free-text search (complaints reuse the list's `text_search`), plus an exact
  match on names when the text could be a name. Consumer names are stored in clear (masked on every screen)
  and have no blind index, so names match only exactly, never by part (typing a surname does not list every
  consumer of that surname).
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from xiaobao.casework import registry
from xiaobao.casework.registry import SearchHit
from xiaobao.core.vault import crypto
from xiaobao.core.vault.detect import ID_NUMBER, PHONE
from xiaobao.core.vault.masking import mask

log = logging.getLogger(__name__)

MIN_LENGTH = 2  # shorter queries are not searched
MAX_LENGTH = 100  # longer input is cut (a search box, not a document)
DEFAULT_LIMIT = 5  # hits per kind in the header's dropdown and the API's default
PAGE_LIMIT = 20  # hits per kind on the results page
MAX_LIMIT = 50
BUDGET_SECONDS = 1.5  # providers past this are skipped and the answer says it is partial

REFERENCE = re.compile(r"[A-Z]{2}\d{10,16}")
# Passport, Hong Kong/Macao/Taiwan permit and other document numbers: one or two letters and 7–10 digits.
DOCUMENT = re.compile(r"[A-Z]{1,2}\d{7,10}")
DATE = re.compile(r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?")  # 2026-03-02 is a day, not a phone number
_SPACES = re.compile(r"\s+")
_SEPARATORS = re.compile(r"[\s\-]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_NAME = re.compile(r"[\u3400-\u9fff·•]{2,10}|[A-Za-z][A-Za-z .'\-]{1,59}")
IDENTIFIER_DIGITS = 7  # a string of this many digits or more (spaces, dashes and +86 aside) is personal

IDENTIFIER_LABELS = {
    "id_number": _("ID number"),
    "phone": _("phone number"),
    "account_number": _("account or card number"),
}


@dataclass(frozen=True)
class SearchQuery:
    """A normalised, classified query. `text` is the normalised input: show it only when not `personal`."""

    text: str
    kind: str  # "empty" | "reference" | "identifier" | "text"
    identifier: str = ""  # vault kind of an identifier: id_number, phone or account_number
    digests: tuple[tuple[str, str], ...] = ()  # (vault kind, blind index) to look up
    could_be_name: bool = False

    @property
    def personal(self) -> bool:
        return self.kind == "identifier"

    @property
    def masked(self) -> str:
        """The identifier as screens and the audit trail may show it."""
        if not self.personal:
            return self.text
        return mask(crypto.normalise(self.text, self.identifier), self.identifier)

    @property
    def shown(self) -> str:
        """What a page may echo: the text, or the masked identifier."""
        return self.masked if self.personal else self.text

    def digest(self, kind: str) -> str:
        return dict(self.digests).get(kind, "")

    def __repr__(self) -> str:  # never the clear identifier in a traceback or a log line
        return f"<SearchQuery {self.kind} {self.shown!r}>"


def normalise(raw: str) -> str:
    """Full-width characters to their plain forms (NFKC: １３８ → 138), control characters out, runs of
    spaces to one, cut to MAX_LENGTH."""
    text = unicodedata.normalize("NFKC", str(raw or ""))
    text = _CONTROL.sub(" ", text)
    return _SPACES.sub(" ", text).strip()[:MAX_LENGTH]


def classify(raw: str) -> SearchQuery:
    text = normalise(raw)
    if len(text) < MIN_LENGTH:
        return SearchQuery(text, "empty")
    if DATE.fullmatch(text):
        return SearchQuery(text, "text")
    compact = _SEPARATORS.sub("", text).upper()
    if REFERENCE.fullmatch(compact):
        return SearchQuery(compact, "reference")
    digits = compact[3:] if compact.startswith("+86") else compact.lstrip("+")
    if ID_NUMBER.fullmatch(digits):
        return _identifier(digits, "id_number", ["id_number"])
    if digits.isdigit() and len(digits) >= IDENTIFIER_DIGITS:
        if PHONE.fullmatch(digits):
            return _identifier(digits, "phone", ["phone"])
        if len(digits) <= 12:  # a landline (7–12 digits) or a short account number
            return _identifier(
                digits, "phone", ["phone", "account_number"] if len(digits) >= 8 else ["phone"]
            )
        if len(digits) == 15:  # a first-generation resident ID, or an account number
            return _identifier(digits, "id_number", ["id_number", "account_number"])
        return _identifier(digits, "account_number", ["account_number"] if len(digits) <= 30 else [])
    if DOCUMENT.fullmatch(compact):
        return _identifier(compact, "id_number", ["id_number"])
    return SearchQuery(text, "text", could_be_name=bool(_NAME.fullmatch(text)))


def _identifier(value: str, kind: str, lookups: list[str]) -> SearchQuery:
    return SearchQuery(
        value,
        "identifier",
        identifier=kind,
        digests=tuple((k, crypto.blind_index(value, k)) for k in lookups),
    )


def looks_personal(raw: str) -> bool:
    return classify(raw).personal


# --- running the providers -------------------------------------------------------------------------------


@dataclass
class SearchGroup:
    kind: str
    hits: list[SearchHit] = field(default_factory=list)


@dataclass
class SearchResults:
    query: SearchQuery
    groups: list[SearchGroup] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # modules not searched: over the time budget or failed
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(len(g.hits) for g in self.groups)

    @property
    def partial(self) -> bool:
        return bool(self.skipped)


@dataclass(frozen=True)
class Provider:
    label: str  # the app label
    name: str  # what the user is told when it is skipped (the app's verbose name)
    path: str
    order: int


def providers() -> list[Provider]:
    """Core's consumer search, then every module that declares `search`, in module order."""
    from django.apps import apps

    found = [Provider("core", str(_("Consumers")), "xiaobao.core.search.consumer_search", 11)]
    for reg in registry.modules():
        if reg.module.search:
            config = apps.get_app_config(reg.label)
            found.append(Provider(reg.label, str(config.verbose_name), reg.module.search, reg.module.order))
    return sorted(found, key=lambda p: p.order)


def run_search(
    user: Any, raw: str, limit: int = DEFAULT_LIMIT, *, audit: bool = True, budget: float = BUDGET_SECONDS
) -> SearchResults:
    """Every provider's hits for the query, grouped by kind (in order of first appearance), each group cut to
    `limit`. An identifier search is audited (masked value). Providers that fail are logged (never with the
    query) and named in `skipped`, as are those left when the time budget is spent."""
    query = classify(raw)
    limit = max(1, min(int(limit), MAX_LIMIT))
    results = SearchResults(query)
    if query.kind == "empty":
        return results
    started = time.perf_counter()
    groups: dict[str, SearchGroup] = {}
    for provider in providers():
        if time.perf_counter() - started > budget:
            results.skipped.append(provider.name)
            continue
        try:
            hits = registry.resolve(provider.path)(user, query.text, limit)
        except Exception:  # one module's failure must not take the header's search down
            log.exception("global search provider %s failed (%s query)", provider.label, query.kind)
            results.skipped.append(provider.name)
            continue
        for hit in hits:
            group = groups.setdefault(str(hit.kind), SearchGroup(str(hit.kind)))
            if len(group.hits) < limit:
                group.hits.append(hit)
    results.groups = [g for g in groups.values() if g.hits]
    results.seconds = time.perf_counter() - started
    if query.personal and audit:
        _audit_identifier_search(user, query, results.total)
    return results


def _audit_identifier_search(user: Any, query: SearchQuery, found: int) -> None:
    from xiaobao.core.services.audit import audit_record

    audit_record(
        actor=user,
        action="search",
        object_type="search",
        object_repr="searched by personal identifier",
        changes={"identifier": query.identifier, "value": query.masked, "results": found},
    )


# --- core's own provider: consumers ------------------------------------------------------------------------


def consumer_search(user: Any, query: str, limit: int) -> list[SearchHit]:
    """Consumers in the user's scope (`core.view_consumer`): by identifier through the blind indexes, or by
    exact name. The title is the masked name; the subtitle the registering unit and the masked ID number."""
    from django.db.models import Q
    from django.urls import reverse

    from xiaobao.core.models import Consumer

    q = classify(query)
    if q.personal:
        cond = Q()
        for kind, digest in q.digests:
            cond |= Q(**{f"{kind}_bidx": digest})
        if not cond:
            return []
    elif q.kind == "text" and q.could_be_name:
        cond = Q(name=q.text)
    else:
        return []
    rows = Consumer.objects.visible_to(user).filter(cond).select_related("org_unit").order_by("-id")[:limit]
    label = _("Consumers")
    return [
        SearchHit(
            kind=label,
            title=c.masked_name,
            url=reverse("core:consumer_detail", args=[c.pk]),
            subtitle=" · ".join(p for p in (c.org_unit.name, str(c.id_number)) if p),
        )
        for c in rows
    ]
