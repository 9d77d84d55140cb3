"""The desk's part of `xiaobao demo_load` (`Module.demo`): a few saved views for the demo's complaint staff —
the head-office handler's, and each branch officer's, one of them shared with the branch."""

from __future__ import annotations

from typing import Any

# (name, scope, query, shared) for every branch officer; the head-office handler gets the queue views
BRANCH_VIEWS = [
    ("处理中按到期排序", "list", "open=true&clock_state=running&ordering=due", True),
    ("已超期未结", "list", "open=true&clock_state=breached&ordering=due", True),
    ("重大投诉", "list", "major=true&open=true&ordering=due", False),
    ("待分派", "list", "status=registered&ordering=due", False),
]
HANDLER_VIEWS = [
    ("我的重大投诉", "queue", "major=true", False),
    ("我的已超期", "queue", "clock_state=breached", False),
    ("监管转办", "list", "forwarded=true&open=true&ordering=due", False),
]


def load(command: Any, **opts: Any) -> None:
    from xiaobao.core.models import User
    from xiaobao.desk.models import SavedView
    from xiaobao.desk.services import view_save

    out = command.stdout
    if SavedView.objects.exists():
        out.write("Demo saved views already loaded.")
        return
    made = 0
    plans: list[tuple[str, list[tuple[str, str, str, bool]]]] = [("hq_handler", HANDLER_VIEWS)]
    plans += [(f"branch{n}_cp", BRANCH_VIEWS) for n in range(1, 10)]
    plans += [(f"branch{n}_handler", HANDLER_VIEWS) for n in range(1, 10)]
    for username, views in plans:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None or not user.has_perm("complaints.view_complaint"):
            continue
        for name, scope, query, shared in views:
            view_save(actor=user, name=name, scope=scope, query=query, shared=shared)
            made += 1
    out.write(command.style.SUCCESS(f"Demo saved views loaded: {made}."))
