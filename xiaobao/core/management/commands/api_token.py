"""`xiaobao api_token create <username> [--name N]`, `list <username>`, `revoke <prefix>`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xiaobao.core.models import ApiToken, User
from xiaobao.core.services.accounts import api_token_create, api_token_revoke


class Command(BaseCommand):
    help = "Create (prints the token once), list or revoke API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("username")
        create.add_argument("--name", default="")
        listing = sub.add_parser("list")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **opts: Any) -> None:
        action = opts["action"]
        if action == "revoke":
            # the prefix as `list` prints it ("xb_abcdefg…") or without the ellipsis
            prefix = opts["prefix"].strip().rstrip("…").removesuffix("...")
            tokens = list(ApiToken.objects.filter(prefix=prefix, revoked_at__isnull=True))
            if len(tokens) != 1:
                raise CommandError(f"{len(tokens)} active tokens have prefix {prefix!r}")
            api_token_revoke(actor=None, token=tokens[0])
            self.stdout.write(f"revoked {tokens[0].prefix}…")
            return
        user = User.objects.filter(username=opts["username"]).first()
        if user is None:
            raise CommandError(f"no user {opts['username']!r}")
        if action == "create":
            if not user.is_active:
                raise CommandError("the user is deactivated")
            _token, raw = api_token_create(actor=None, user=user, name=opts["name"])
            self.stdout.write(raw)
        else:
            for t in ApiToken.objects.filter(user=user):
                state = "active" if t.is_active else "revoked"
                self.stdout.write(f"{t.prefix}…  {t.name or '-'}  {t.created_at:%Y-%m-%d}  {state}")
