"""Scoping-quartet entries for this app's pages and API operations (see core/tests/route_table.py)."""

from django.urls import reverse

from xiaobao.core.tests.route_table import Route

XLSX = b"PK\x03\x04 not really a workbook, never opened by these routes"


def setup(ctx):
    """A finished branch-1 report (with its file) and an institution-wide template."""
    from django.core.files.base import ContentFile

    from xiaobao.reports.models import ReportJob, ReportTemplate

    job = ReportJob(
        kind="monthly",
        period="2026-03",
        org_unit=ctx.org.b1s,
        requested_by=ctx.b1_user,
        state="done",
        filename="月度投诉统计表_2026-03_B1-S1.xlsx",
        size=len(XLSX),
        sha256="b1" * 32,
    )
    job.file.save(job.filename, ContentFile(XLSX), save=False)
    job.save()
    template = ReportTemplate(
        name="监管月报模板", kind="monthly", original_name="form.xlsx", uploaded_by=ctx.b1_user
    )
    template.file.save("form.xlsx", ContentFile(XLSX), save=False)
    template.save()
    ctx.report, ctx.report_template = job, template


PAGE_ROUTES: list[Route] = [
    Route("reports:list", "get", kind="list", marker=lambda c: reverse("reports:detail", args=[c.report.pk])),
    Route(
        "reports:create",
        "post",
        kind="global",
        data=lambda c: {"kind": "monthly", "period": "2026-03", "org_unit": c.org.b1.code},
        ok=(302,),
    ),
    Route("reports:detail", "get", lambda c: {"pk": c.report.pk}),
    Route("reports:status", "get", lambda c: {"pk": c.report.pk}),
    Route("reports:download", "get", lambda c: {"pk": c.report.pk}),
    Route("reports:templates", "get", kind="global"),
    Route("reports:template_download", "get", lambda c: {"pk": c.report_template.pk}, kind="global"),
    Route(
        "reports:template_toggle", "post", lambda c: {"pk": c.report_template.pk}, kind="global", ok=(302,)
    ),
]
API_ROUTES: list[Route] = [
    Route("GET /api/v1/report-templates", "get", kind="global"),
    Route(
        "POST /api/v1/reports",
        "post",
        kind="global",
        ok=(201,),
        data=lambda c: {"kind": "monthly", "period": "2026-03", "org_unit": c.org.b1.code},
    ),
    Route("GET /api/v1/reports", "get", kind="list", marker=lambda c: c.report.sha256),
    Route("GET /api/v1/reports/{report_id}", "get", lambda c: {"report_id": c.report.pk}),
    Route("GET /api/v1/reports/{report_id}/file", "get", lambda c: {"report_id": c.report.pk}),
]
