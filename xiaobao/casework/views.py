"""The notifications page: every signed-in user's own notifications, whatever their subject (a complaint, a
rectification item, an inspection …). No permission beyond being signed in: each person sees and marks only
their own rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import ngettext

from xiaobao.casework.forms import MarkReadForm
from xiaobao.casework.models import Notification
from xiaobao.casework.notifications import mark_read, unread_for
from xiaobao.core.http import AuthedRequest
from xiaobao.core.views.common import paginate, query_without_page


@dataclass(frozen=True)
class Row:
    """One notification as the page shows it: the subject's kind, reference and page."""

    notification: Notification
    kind: str  # the subject model's verbose name ("" without a subject)
    label: str  # the subject's reference (its str)
    url: str  # the subject's page ("" when it has none or is gone)


def _row(n: Notification) -> Row:
    subject: Any = n.subject if n.object_id is not None else None
    kind = str(subject._meta.verbose_name) if subject is not None else ""
    return Row(n, kind, n.subject_label(), n.subject_url())


def notifications_view(request: AuthedRequest) -> HttpResponse:
    """The user's notifications (unread, or all with `?show=all`); POST marks some (or all unread) read."""
    show_all = request.GET.get("show") == "all"
    form = MarkReadForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            ids = form.cleaned_data["ids"]
            if form.cleaned_data["all"]:
                ids = list(unread_for(request.user).values_list("pk", flat=True))
            n = mark_read(request.user, ids)
            messages.success(
                request,
                ngettext("%(n)d notification marked read.", "%(n)d notifications marked read.", n) % {"n": n},
            )
            return redirect(reverse("casework:notifications") + ("?show=all" if show_all else ""))
        status = 400
    rows = (
        Notification.objects.filter(user=request.user).prefetch_related("subject")
        if show_all
        else unread_for(request.user)
    ).order_by("-created_at", "-pk")
    page = paginate(request, rows)
    context = {
        "page": page,
        "rows": [_row(n) for n in page],
        "form": form,
        "show_all": show_all,
        "query": query_without_page(request),
    }
    return render(request, "casework/notifications.html", context, status=status)
