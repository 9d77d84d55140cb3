"""Assignment with workload for programs: GET /api/v1/complaints/{complaint_id}/assignees."""

from django.http import Http404, HttpRequest
from ninja import Router, Schema

from xiaobao.complaints.forms import Assignee, assignee_suggestions
from xiaobao.complaints.selectors import complaint_detail
from xiaobao.core.api.common import require_perm

router = Router(tags=["complaints"])
ASSIGN = "complaints.assign_complaint"


class ComplaintAssigneeOut(Schema):
    username: str
    name: str
    open: int
    due_soon: int


@router.get(
    "/complaints/{complaint_id}/assignees",
    response=list[ComplaintAssigneeOut],
    summary="Handlers to assign to, least loaded first",
)
def complaint_assignees(request: HttpRequest, complaint_id: int) -> list[Assignee]:
    """Active handlers of the complaint's responsible unit within the user's scope, never a person named in
    the complaint, least loaded first: `open` complaints they handle and `due_soon`, those of them whose
    decision is due within the sweeper's first warning (SLA_WARN_WORKING_DAYS, working days) or overdue.
    A complaint outside the user's scope is a 404."""
    require_perm(request.user, ASSIGN)
    complaint = complaint_detail(user=request.user, pk=complaint_id)
    if complaint is None:
        raise Http404
    return assignee_suggestions(request.user, complaint)
