"""The training-and-exams figures' Excel export (the figures themselves are a section of the statistics
page, `training.stats`)."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _

from xiaobao.analytics.forms import DashboardForm
from xiaobao.core.exports import xlsx_file_response
from xiaobao.core.http import AuthedRequest
from xiaobao.core.models import OrgUnit
from xiaobao.core.models.audit import AuditAction
from xiaobao.core.services.audit import audit_record
from xiaobao.training.figures import VIEW_PERM, compute
from xiaobao.training.stats import figures_workbook


@permission_required(VIEW_PERM, raise_exception=True)
def figures_export(request: AuthedRequest) -> HttpResponse:
    """The figures of a unit's subtree over a period (`?unit=&period=`, as on the statistics page) as a
    workbook; a unit outside the user's scope is a 404, a bad period a 400 naming the field; audited."""
    form = DashboardForm(request.GET)
    if not form.is_valid():
        errors = "; ".join(f"{name}: {' '.join(str(m) for m in e)}" for name, e in form.errors.items())
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    units = OrgUnit.objects.visible_to(request.user).order_by("path")
    code = form.cleaned_data.get("unit") or ""
    unit = units.filter(code=code).first() if code else units.first()
    if unit is None:
        raise Http404
    period = form.cleaned_data["period"]
    data = compute(user=request.user, unit=unit, period=period)
    audit_record(
        actor=request.user,
        action=AuditAction.EXPORT,
        object_type="training.figures",
        object_repr=_("training figures export"),
        changes={"unit": unit.code, "period": period.label},
    )
    name = f"training-{unit.code}-{period.label.replace('..', '_')}.xlsx"
    return xlsx_file_response(name, figures_workbook(data))
