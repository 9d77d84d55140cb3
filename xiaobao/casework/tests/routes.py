"""Scoping-quartet entries for casework's pages (see core/tests/route_table.py)."""

from xiaobao.core.tests.route_table import Route

MARK = "B1NOTICEMARK"  # the message of a branch-1 clerk's notification: nobody else's page shows it


def setup(ctx):
    from xiaobao.casework.notifications import notify

    notify(users=[ctx.b1_user], subject=ctx.complaint, kind="assigned", message=MARK, key="scoping:notice")


PAGE_ROUTES: list[Route] = [
    # every signed-in user has the page (perm=False); it lists only the user's own notifications
    Route("casework:notifications", "get", perm=False, kind="list", marker=lambda c: MARK),
]
