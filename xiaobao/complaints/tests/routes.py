"""Scoping-quartet entries for the complaint-export job pages (see core/tests/route_table.py); the other
complaint routes are listed in core/tests/test_scoping.py."""

from xiaobao.core.tests.route_table import Route

XLSX = b"PK\x03\x04 not really a workbook, never opened by these routes"


def setup(ctx):
    """A finished export of branch 1's power user (its requester: the only one who may fetch it)."""
    from django.core.files.base import ContentFile

    from xiaobao.complaints.models import ExportJob

    job = ExportJob(
        requested_by=ctx.b1_user, org_unit=ctx.org.b1, state="done", filename="complaints.xlsx", rows=1
    )
    job.file.save("complaints.xlsx", ContentFile(XLSX), save=False)
    job.save()
    ctx.export_job = job


def _export_of_power_b1(ctx):
    """The export, asked for by branch 1's power user (the quartet's allowed user, made after `setup`)."""
    from xiaobao.core.models import User

    power_b1 = User.objects.filter(username="power_b1").first()
    if power_b1 is not None:
        type(ctx.export_job).objects.filter(pk=ctx.export_job.pk).update(requested_by=power_b1)
    return {"pk": ctx.export_job.pk}


PAGE_ROUTES: list[Route] = [
    Route("complaints:export_job", "get", _export_of_power_b1),
    Route("complaints:export_status", "get", _export_of_power_b1),
    Route("complaints:export_download", "get", _export_of_power_b1),
]

# Issue 17: the searchable pickers (a core endpoint; its `code` kind is the complaints' code tables) and the
# assign form's workload suggestions for programs.
API_ROUTES: list[Route] = [
    Route(
        "GET /api/v1/pickers/{kind}",
        "get",
        lambda c: {"kind": "unit"},
        perm=False,
        kind="list",
        marker=lambda c: c.org.b1s.code,
    ),
    Route(
        "GET /api/v1/complaints/{complaint_id}/assignees", "get", lambda c: {"complaint_id": c.complaint.pk}
    ),
]
