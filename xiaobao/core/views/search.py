"""The global search page (/search/) and the header's live results (the same URL, asked by htmx).

- The header's form and the page's form POST the query (with the CSRF token), so what was typed — a name,
  an ID or phone number — never sits in a URL, the browser history or an access log.
- `GET /search/?q=…` works for queries that are not personal data (a reference to link to); a GET carrying
  an ID, phone or account number is answered without searching and without echoing it.
- An htmx POST (the dropdown, debounced as the user types) answers the dropdown's fragment; it never searches
  an identifier (those only on Enter, a full POST, which is audited) and writes nothing.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from xiaobao.core import search as core_search
from xiaobao.core.http import AuthedRequest


@require_http_methods(["GET", "POST"])
def search(request: AuthedRequest) -> HttpResponse:
    raw = (request.POST if request.method == "POST" else request.GET).get("q", "")
    query = core_search.classify(raw)
    if request.method == "POST" and request.htmx:
        return _live(request, query)
    notice = ""
    results = None
    if request.method == "GET" and query.personal:
        notice = _(
            "ID, phone and account numbers are searched from the search box, which sends them without "
            "putting them in the address. Type the number there and press Enter."
        )
    elif query.kind != "empty":
        results = core_search.run_search(request.user, query.text, core_search.PAGE_LIMIT)
    return render(
        request,
        "core/search.html",
        {
            "query": query,
            "results": results,
            "notice": notice,
            "identifier_label": core_search.IDENTIFIER_LABELS.get(query.identifier, ""),
            "min_length": core_search.MIN_LENGTH,
        },
    )


def _live(request: AuthedRequest, query: core_search.SearchQuery) -> HttpResponse:
    """The dropdown: a few hits per kind for text and references; a hint (no search) for identifiers."""
    results = None
    if query.kind in ("reference", "text"):
        results = core_search.run_search(request.user, query.text, core_search.DEFAULT_LIMIT, audit=False)
    return render(request, "core/search_dropdown.html", {"query": query, "results": results})
