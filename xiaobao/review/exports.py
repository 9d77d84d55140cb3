"""The review register as Excel (`/reviews/export.xlsx`, the list page's filters): a summary sheet (the banks'
sentence and the figures of the rows exported, by kind and opinions by category), the reviews, the opinions
issued on them. Names, not codes (units, kinds, product kinds, statuses in the user's language); no personal
data — no people at all, only units. A4 landscape, the institution's name in the page header, the header row
repeated on every page. Written with openpyxl's write-only workbook from database iterators, so a register
of tens of thousands of reviews streams through in constant memory.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.contrib.auth.decorators import permission_required
from django.db.models import Count, Max, Min, Q, QuerySet
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from xiaobao.core.clock import localdate as recorded_date
from xiaobao.core.clock import now as recorded_now
from xiaobao.core.exports import safe_cell, xlsx_file_response
from xiaobao.core.http import AuthedRequest
from xiaobao.core.models import OrgUnit
from xiaobao.core.models.audit import AuditAction
from xiaobao.core.services.audit import audit_record
from xiaobao.reports.builders import institution_name
from xiaobao.review.choices import (
    Conclusion,
    OpinionCategory,
    OpinionResponse,
    OpinionSeverity,
    OpinionState,
    ReviewKind,
    Status,
    Track,
)
from xiaobao.review.figures import VIEW_PERM, Tally, WorkingDays, banks_sentence, tallies
from xiaobao.review.models import Approval, Review, ReviewOpinion

# Reviews per file: a bank concludes a few thousand a year; 20,000 reviews with 60,000 opinions take ≈ 35 s
# (bench/review_figures_bench.py), inside the web worker's 60 s timeout. Past it the newest are kept and the
# summary sheet says so.
EXPORT_LIMIT = 20_000
CHUNK = 2000


def _labels(choices: Any) -> dict[str, str]:
    """Value → its name in the active language, translated once per export (not once per cell)."""
    return {str(value): str(label) for value, label in choices.choices}


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return pgettext("review figures", "Yes") if value else pgettext("review figures", "No")


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


# --- sheets -----------------------------------------------------------------------------------------------


def review_headers() -> list[str]:
    return [
        pgettext("review figures", "Reference"),
        pgettext("review figures", "Title"),
        pgettext("review figures", "Kind of review"),
        pgettext("review figures", "Product kind"),
        pgettext("review figures", "Product name"),
        pgettext("review figures", "Submitting unit"),
        pgettext("review figures", "Track"),
        pgettext("review figures", "Status"),
        pgettext("review figures", "Submitted on"),
        pgettext("review figures", "Planned launch"),
        pgettext("review figures", "Due date"),
        pgettext("review figures", "Concluded on"),
        pgettext("review figures", "Conclusion"),
        pgettext("review figures", "On time"),
        pgettext("review figures", "Working days"),
        pgettext("review figures", "Opinions"),
        pgettext("review figures", "Must change"),
        pgettext("review figures", "Adopted"),
        pgettext("review figures", "Partly adopted"),
        pgettext("review figures", "Not adopted"),
        pgettext("review figures", "Unanswered"),
        pgettext("review figures", "Approval numbers"),
    ]


REVIEW_WIDTHS = [15, 32, 14, 12, 20, 18, 8, 12, 11, 11, 11, 11, 12, 8, 8, 8, 8, 8, 8, 8, 8, 22]


def _opinion_counts(reviews: QuerySet[Review]) -> dict[int, tuple[int, int, int, int, int]]:
    """Review id → (issued opinions, must change, adopted, partly adopted, not adopted): one grouped scan."""
    issued = ReviewOpinion.objects.filter(review__in=reviews.values("pk"), issued=True).order_by()
    return {
        row[0]: row[1:]
        for row in issued.values("review_id")
        .annotate(
            n=Count("pk"),
            must=Count("pk", filter=Q(severity=OpinionSeverity.MUST_CHANGE)),
            adopted=Count("pk", filter=Q(response=OpinionResponse.ADOPTED)),
            partly=Count("pk", filter=Q(response=OpinionResponse.PARTLY_ADOPTED)),
            not_adopted=Count("pk", filter=Q(response=OpinionResponse.NOT_ADOPTED)),
        )
        .values_list("review_id", "n", "must", "adopted", "partly", "not_adopted")
    }


REVIEW_FIELDS = (
    "pk",
    "reference",
    "title",
    "kind",
    "product_kind__name",
    "product_name",
    "org_unit__name",
    "track",
    "status",
    "submitted_on",
    "planned_launch",
    "due_date",
    "concluded_at",
    "conclusion",
)


def _approval_numbers(reviews: QuerySet[Review]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for review_id, number in (
        Approval.objects.filter(review__in=reviews.values("pk"))
        .order_by("issued_at", "id")
        .values_list("review_id", "number")
    ):
        out.setdefault(review_id, []).append(number)
    return out


def _working_days(reviews: QuerySet[Review]) -> WorkingDays:
    span = reviews.exclude(conclusion="").aggregate(first=Min("submitted_on"), last=Max("concluded_at"))
    if span["first"] is None or span["last"] is None:
        return WorkingDays([])
    return WorkingDays([(span["first"], timezone.localdate(span["last"]))])


def review_rows(reviews: QuerySet[Review]) -> Iterator[list[Any]]:
    """One row per review (newest submission first), streamed from the database in chunks."""
    numbers = _approval_numbers(reviews)
    counts = _opinion_counts(reviews)
    days = _working_days(reviews)
    kinds, tracks, statuses, conclusions = (
        _labels(ReviewKind),
        _labels(Track),
        _labels(Status),
        _labels(Conclusion),
    )
    rows = reviews.order_by("-submitted_on", "-id").values_list(*REVIEW_FIELDS)
    for (
        pk,
        ref,
        title,
        kind,
        pkind,
        pname,
        unit,
        track,
        status,
        sub,
        launch,
        due,
        at,
        conclusion,
    ) in rows.iterator(chunk_size=CHUNK):
        concluded = timezone.localdate(at) if at and conclusion else None
        n, must, adopted, partly, not_adopted = counts.get(pk, (0, 0, 0, 0, 0))
        yield [
            ref,
            title,
            kinds.get(kind, kind),
            pkind,
            pname,
            unit,
            tracks.get(track, track),
            statuses.get(status, status),
            sub,
            launch,
            due,
            concluded,
            conclusions.get(conclusion, conclusion),
            _yes_no(concluded <= due) if concluded and due else "",
            days.between(sub, concluded) if concluded and sub else None,
            n,
            must,
            adopted,
            partly,
            not_adopted,
            n - adopted - partly - not_adopted,
            "、".join(numbers.get(pk, [])),
        ]


def opinion_headers() -> list[str]:
    return [
        pgettext("review figures", "Reference"),
        pgettext("review figures", "Title"),
        pgettext("review figures", "Opinion no."),
        pgettext("review figures", "Category"),
        pgettext("review figures", "Must change or suggestion"),
        pgettext("review figures", "Document"),
        pgettext("review figures", "Where"),
        pgettext("review figures", "Quoted text"),
        pgettext("review figures", "Opinion"),
        pgettext("review figures", "State"),
        pgettext("review figures", "Answer"),
        pgettext("review figures", "Reason given"),
    ]


OPINION_WIDTHS = [15, 28, 7, 14, 10, 16, 12, 30, 45, 9, 9, 36]


def opinion_rows(reviews: QuerySet[Review]) -> Iterator[list[Any]]:
    """The opinions issued to the submitter on the reviews (a reviewer's unissued drafts are left out), in
    the reviews sheet's order."""
    categories, severities = _labels(OpinionCategory), _labels(OpinionSeverity)
    states, responses = _labels(OpinionState), _labels(OpinionResponse)
    opinions = (
        ReviewOpinion.objects.filter(review__in=reviews.values("pk"), issued=True)
        .order_by("-review__submitted_on", "-review_id", "number")
        .values_list(
            "review__reference",
            "review__title",
            "number",
            "category",
            "severity",
            "document__title",
            "location",
            "quote",
            "body",
            "state",
            "response",
            "response_note",
        )
    )
    for (
        ref,
        title,
        number,
        category,
        severity,
        doc,
        location,
        quote,
        body,
        state,
        response,
        note,
    ) in opinions.iterator(chunk_size=CHUNK):
        yield [
            ref,
            title,
            number,
            categories.get(category, category),
            severities.get(severity, severity),
            doc or "",
            location,
            quote,
            body,
            states.get(state, state),
            responses.get(response, "") if response else "",
            note,
        ]


def _tally_rows(t: Tally) -> list[Any]:
    return [
        t.received,
        t.concluded,
        t.rejected,
        t.opinions,
        t.must_change,
        t.adopted,
        t.partly_adopted,
        t.not_adopted,
        _round(t.adoption_rate),
        _round(t.on_time_rate),
        _round(t.average_working_days, 1),
    ]


def summary_rows(
    reviews: QuerySet[Review], *, unit: OrgUnit, description: Sequence[tuple[str, str]], truncated: bool
) -> list[list[Any]]:
    """The figures of exactly the rows exported: every submitted row counts as received, every concluded
    row as reviewed (definitions: `xiaobao.review.figures`)."""
    t, _concluded = tallies(reviews=reviews, unit=unit, period=None)
    total = Tally()
    for tally in t.by_kind.values():
        total.add(tally)
    rows: list[list[Any]] = [[label, value] for label, value in description]
    if truncated:
        rows.append(
            [
                pgettext("review figures", "Note"),
                _("Only the first %(n)s reviews are in this file.") % {"n": f"{EXPORT_LIMIT:,}"},
            ]
        )
    rows += [[], [banks_sentence(total)], []]
    head = [
        pgettext("review figures", "Received"),
        pgettext("review figures", "Concluded"),
        pgettext("review figures", "Rejected"),
        pgettext("review figures", "Opinions"),
        pgettext("review figures", "Must change"),
        pgettext("review figures", "Adopted"),
        pgettext("review figures", "Partly adopted"),
        pgettext("review figures", "Not adopted"),
        pgettext("review figures", "Adoption rate"),
        pgettext("review figures", "Reviews on time"),
        pgettext("review figures", "Average working days"),
    ]
    rows.append([pgettext("review figures", "Kind of review"), *head])
    for value, label in ReviewKind.choices:
        if value in t.by_kind:
            rows.append([str(label), *_tally_rows(t.by_kind[value])])
    rows.append([pgettext("review figures", "Total"), *_tally_rows(total)])
    rows += [[], [pgettext("review figures", "Category"), *head[3:9]]]
    for value, label in OpinionCategory.choices:
        if value in t.by_category:
            c = t.by_category[value]
            rows.append([str(label), *_tally_rows(c)[3:9]])
    rows += [
        [],
        [_("Adoption rate = (adopted + partly adopted) ÷ answered opinions (unanswered: not counted).")],
        [_("On time = concluded on or before the due date; working days from the day after submission.")],
    ]
    return rows


# --- the workbook -----------------------------------------------------------------------------------------


def _print_setup(ws: Any, *, header: str, title_rows: str | None = "1:1") -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = True
    ws.oddHeader.center.text = header.replace("&", "&&")
    ws.oddFooter.center.text = "&P / &N"
    if title_rows:
        ws.print_title_rows = title_rows


def _widths(ws: Any, widths: Iterable[int]) -> None:
    from openpyxl.utils import get_column_letter

    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width


def _bold(ws: Any, values: Sequence[Any]) -> list[Any]:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    cells = []
    for v in values:
        cell = WriteOnlyCell(ws, value=safe_cell(v))
        cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def register_workbook(
    reviews: QuerySet[Review],
    *,
    unit: OrgUnit,
    institution: str,
    description: Sequence[tuple[str, str]] = (),
) -> bytes:
    """Summary, reviews and opinions of the given reviews (already scoped and filtered by the caller)."""
    from openpyxl import Workbook

    truncated = reviews.order_by().values("pk")[EXPORT_LIMIT : EXPORT_LIMIT + 1].exists()
    if truncated:
        cut = reviews.order_by("-submitted_on", "-id").values("pk")[:EXPORT_LIMIT]
        reviews = Review.objects.filter(pk__in=cut)
    wb = Workbook(write_only=True)
    title = pgettext("review figures", "Consumer-protection review register")
    header = f"{institution} {title}"

    ws = wb.create_sheet(pgettext("review figures sheet", "Summary"))
    _print_setup(ws, header=header, title_rows=None)
    _widths(ws, [22, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 14])
    ws.append(_bold(ws, [institution]))
    ws.append(_bold(ws, [title]))
    for row in summary_rows(reviews, unit=unit, description=description, truncated=truncated):
        ws.append([safe_cell(v) for v in row])

    for name, headers, widths, rows in (
        (pgettext("review figures sheet", "Reviews"), review_headers(), REVIEW_WIDTHS, review_rows(reviews)),
        (
            pgettext("review figures sheet", "Opinions"),
            opinion_headers(),
            OPINION_WIDTHS,
            opinion_rows(reviews),
        ),
    ):
        ws = wb.create_sheet(str(name)[:31])
        _print_setup(ws, header=header)
        _widths(ws, widths)
        ws.freeze_panes = "B2"
        ws.append(_bold(ws, headers))
        for row in rows:
            ws.append([safe_cell(v) for v in row])
    with tempfile.TemporaryFile() as tmp:  # write-only: rows go to disk, not memory
        wb.save(tmp)
        tmp.seek(0)
        return tmp.read()


def describe(form: Any, *, unit: OrgUnit) -> list[tuple[str, str]]:
    """The scope and filters of the export in words (for the summary sheet): field labels, choice names."""
    out = [
        (pgettext("review figures", "Unit"), unit.name),
        (
            pgettext("review figures", "Exported on"),
            timezone.localtime(recorded_now()).strftime("%Y-%m-%d %H:%M"),
        ),
    ]
    for name, value in form.cleaned_data.items():
        if value in (None, "", [], ()) or name in ("unit", "ordering"):
            continue
        field = form.fields[name]
        choices = dict(getattr(field, "choices", ()) or ())
        if isinstance(value, list | tuple):
            text = "、".join(str(choices.get(v, v)) for v in value)
        elif isinstance(value, bool):
            text = _yes_no(value)
        elif isinstance(value, dt.date):
            text = value.isoformat()
        else:
            text = str(choices.get(value, value))
        out.append((str(field.label), text))
    return out


# --- the view ---------------------------------------------------------------------------------------------


@permission_required(VIEW_PERM, raise_exception=True)
def review_export_view(request: AuthedRequest) -> HttpResponse:
    """The register filtered as on the list page (`?status=&kind=&unit=&concluded_from=…`) as a workbook; the
    user's scope (`visible_to`) first; a bad filter is a 400 naming the field; audited."""
    from xiaobao.review.filtersets import ReviewFilter, apply_filters

    form = ReviewFilter(request.GET)
    if not form.is_valid():
        errors = "; ".join(f"{name}: {' '.join(str(m) for m in e)}" for name, e in form.errors.items())
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    units = OrgUnit.objects.visible_to(request.user).order_by("path")
    code = form.cleaned_data.get("unit") or ""
    unit = units.filter(code=code).first() if code else units.first()
    if unit is None:
        raise Http404
    reviews = apply_filters(Review.objects.visible_to(request.user), form.cleaned_data, request.user)
    content = register_workbook(
        reviews, unit=unit, institution=institution_name(), description=describe(form, unit=unit)
    )
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        object_type="review.review",
        object_repr="review register export",
        changes={"filters": {k: str(v) for k, v in form.cleaned_data.items() if v not in (None, "", [])}},
    )
    return xlsx_file_response(f"reviews-{recorded_date():%Y%m%d}.xlsx", content)
