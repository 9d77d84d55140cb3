"""Inspection pages: the list, one inspection, the fill page for a phone."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import render

from xiaobao.core.http import AuthedRequest
from xiaobao.core.views.common import bound_filter, paginate, query_without_page
from xiaobao.inspections.filtersets import InspectionFilter
from xiaobao.inspections.selectors import inspection_list

VIEW = "inspections.view_inspection"


@permission_required(VIEW, raise_exception=True)
def inspection_list_view(request: AuthedRequest) -> HttpResponse:
    """Inspections in the user's scope, filtered; HTMX filter changes get the results only."""
    form, filters = bound_filter(request, InspectionFilter)
    page = paginate(request, inspection_list(user=request.user, filters=filters))
    status = 400 if form.is_bound and not form.is_valid() else 200
    template = "inspections/list.html#results" if request.htmx else "inspections/list.html"
    return render(
        request, template, {"form": form, "page": page, "query": query_without_page(request)}, status=status
    )
