"""Scoping-quartet entries for this app's pages and API operations (see core/tests/route_table.py)."""

from xiaobao.core.tests.route_table import Route

# A tiny CFPB export: the upload routes import it into the allowed user's own unit.
CSV = (
    b"Date received,Product,Issue,Submitted via,Company response to consumer,Tags,Complaint ID\n"
    b"2020/3/18,Mortgage,Struggling to pay mortgage,Web,Closed with explanation,,9100001\n"
)


def setup(ctx):
    """A branch-1 import (validated, not yet imported) the routes act on."""
    from io import BytesIO

    from conftest import make_user
    from xiaobao.imports.models import ImportPreset
    from xiaobao.imports.services import import_job_create, import_job_run, import_job_start

    officer = make_user("b1_import_officer", ctx.org.b1, ["branch_cp_officer"])
    job = import_job_create(
        actor=officer,
        fileobj=BytesIO(CSV),
        name="b1-history-marker.csv",
        preset=ImportPreset.objects.get(name="cfpb"),
        org_unit=ctx.org.b1s,
    )
    ctx.import_job = import_job_run(job=import_job_start(actor=officer, job=job, stage="validate"))
    ctx.import_preset = ImportPreset.objects.get(name="cfpb")


def _upload(c):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile("history.csv", CSV), "preset": "cfpb", "org_unit": c.org.b1.pk}


PAGE_ROUTES: list[Route] = [
    Route("imports:list", "get", kind="list", marker=lambda c: "b1-history-marker.csv"),
    Route("imports:create", "get", kind="global"),
    Route("imports:presets", "get", kind="global"),
    Route("imports:preset_edit", "get", lambda c: {"pk": c.import_preset.pk}, kind="global"),
    Route("imports:detail", "get", lambda c: {"pk": c.import_job.pk}),
    Route("imports:mapping", "get", lambda c: {"pk": c.import_job.pk}),
    Route("imports:progress", "get", lambda c: {"pk": c.import_job.pk}),
    Route("imports:errors", "get", lambda c: {"pk": c.import_job.pk}),
    Route("imports:validate", "post", lambda c: {"pk": c.import_job.pk}, ok=(302,)),
    Route("imports:run", "post", lambda c: {"pk": c.import_job.pk}, ok=(302,)),
]
API_ROUTES: list[Route] = [
    Route("GET /api/v1/imports", "get", kind="list", marker=lambda c: "b1-history-marker.csv"),
    Route(
        "POST /api/v1/imports",
        "post",
        kind="global",
        ok=(201,),
        extra={"multipart": True, "file": ("history.csv", CSV)},
    ),
    Route("GET /api/v1/imports/presets", "get", kind="global"),
    Route(
        "PUT /api/v1/imports/presets/{name}/value-maps/{dimension}",
        "put",
        lambda c: {"name": "cfpb", "dimension": "channel"},
        lambda c: {"values": {"Web": "A0399", "Phone": "A0302"}},
        kind="global",
    ),
    Route("GET /api/v1/imports/{job_id}", "get", lambda c: {"job_id": c.import_job.pk}),
]
