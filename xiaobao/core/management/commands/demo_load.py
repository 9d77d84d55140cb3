from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xiaobao.core.demo import DEMO_PASSWORD, demo_load
from xiaobao.core.models import OrgUnit, User
from xiaobao.core.roles import role_name


class Command(BaseCommand):
    help = "Load the synthetic demo bank (once) and print the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=20261123)

    def handle(self, *args: Any, **opts: Any) -> None:
        if OrgUnit.objects.filter(code="HO").exists():
            self.stdout.write("Demo bank already loaded.")
            logins = [
                (u.username, ", ".join(u.role_names), u.org_unit.name if u.org_unit else "-")
                for u in User.objects.select_related("org_unit").order_by("pk")
            ]
        else:
            logins = [(x.username, role_name(x.role), x.unit) for x in demo_load(seed=opts["seed"])]
            self.stdout.write(self.style.SUCCESS("Demo bank loaded."))
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})\n")
        for username, role, unit in logins:
            self.stdout.write(f"  {username:<18} {role:<28} {unit}")
