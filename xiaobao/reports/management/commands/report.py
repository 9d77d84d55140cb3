"""`xiaobao report <kind> --period P [--org CODE] [--user NAME] [--template ID] [--out FILE]`.

Generates a report synchronously (no worker needed) and writes it to a file:

    xiaobao report monthly --period 2026-10 --org 0101 --out 月报.xlsx
    xiaobao report quarterly --period 2026-Q3 --org HO
    xiaobao report disclosure --period 2026
    xiaobao report board --period 2026-H1

The report is made *as a user* — their scope, recorded as the requester, the job kept and downloadable in the
web UI like any other. `--user` names that person. Without it the command acts as the institution's
head-office consumer-protection officer when there is exactly one active user with that role, and refuses
otherwise (it never guesses between several people). `--org` defaults to the top of the user's scope.
Progress goes to stdout, then the output path; a bad period, unit or template exits with status 1.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from xiaobao.core.models import OrgUnit, User
from xiaobao.core.models.jobs import JobState
from xiaobao.reports.choices import ReportKind
from xiaobao.reports.services import RUN_PERM, report_request, report_run

DEFAULT_ROLE = "hq_cp_officer"


def acting_user(username: str | None) -> User:
    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {username!r}")
    else:
        candidates = list(User.objects.filter(is_active=True, groups__name=DEFAULT_ROLE).distinct()[:2])
        if len(candidates) != 1:
            raise CommandError(
                f"pass --user: there are {'several' if candidates else 'no'} active users with the "
                f"{DEFAULT_ROLE} role to act as"
            )
        user = candidates[0]
    if not user.has_perm(RUN_PERM):
        raise CommandError(f"{user.username} may not run reports (permission {RUN_PERM})")
    return user


class Command(BaseCommand):
    help = "Generate a report (monthly, quarterly, disclosure, board) into a file, as a user."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=ReportKind.values)
        parser.add_argument("--period", required=True, help="2026-10 | 2026-Q3 | 2026 | 2026-H1")
        parser.add_argument("--org", default="", help="code of the unit analysed (default: your scope)")
        parser.add_argument("--user", default="", help="username to act as (see the module docstring)")
        parser.add_argument("--template", type=int, default=None, help="id of a report template")
        parser.add_argument("--out", default="", help="output file (default: the report's name, here)")

    def handle(self, *args: Any, **opts: Any) -> None:
        user = acting_user(opts["user"] or None)
        org = opts["org"] or self._scope_root(user)
        try:
            job = report_request(
                actor=user,
                kind=opts["kind"],
                period=opts["period"],
                unit_code=org,
                template_id=opts["template"],
                enqueue=False,
            )
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
        self.stdout.write(f"report #{job.pk}: {job.kind} {job.period} {org}, as {user.username}")
        job = report_run(job, on_progress=self._progress)
        if job.state != JobState.DONE:
            raise CommandError(f"report #{job.pk} failed: {job.error}")
        out = Path(opts["out"] or job.filename)
        out.parent.mkdir(parents=True, exist_ok=True)
        with job.file.open("rb") as src, out.open("wb") as dst:
            shutil.copyfileobj(src, dst)
        self.stdout.write(f"{out.resolve()}  ({job.size:,} bytes, sha256 {job.sha256})")

    def _progress(self, done: int, total: int, message: str) -> None:
        self.stdout.write(f"  [{done}/{total}] {message}")

    @staticmethod
    def _scope_root(user: User) -> str:
        unit = OrgUnit.objects.visible_to(user).order_by("path").first()
        if unit is None:
            raise CommandError(f"{user.username} sees no unit")
        return unit.code
