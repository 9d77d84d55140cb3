"""The REST API at /api/v1/: one NinjaAPI, one router per app, one error shape {code, message, fields}."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer, SessionAuth

from xiaobao.core.errors import DomainError
from xiaobao.core.middleware import docs_login_required
from xiaobao.core.services.accounts import api_token_authenticate


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer <token>` for machine clients (tokens from `xiaobao api_token create`)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class ActiveSessionAuth(SessionAuth):
    """The browser's session cookie (CSRF enforced on unsafe methods)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


def _refuse_nul(value: Any, loc: list[Any]) -> None:
    """A NUL character anywhere in the input is a field error: PostgreSQL cannot store one in text, so it
    would otherwise be a server error wherever the string reaches the database."""
    if isinstance(value, str):
        if "\x00" in value:
            message = str(ProhibitNullCharactersValidator.message)
            raise NinjaValidationError([{"loc": loc, "msg": message, "type": "null_character"}])
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_nul(key, loc)
            _refuse_nul(item, [*loc, key])
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _refuse_nul(item, [*loc, i])


class TextParser(Parser):
    """JSON bodies, query strings and form fields, refused (422) when they hold a NUL character (ninja turns
    a body parser's exception into HttpError(400) — `_http_error` answers the 422 it carries)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        _refuse_nul(data, [])
        return data

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        result = super().parse_querydict(data, list_fields, request)
        _refuse_nul(result, [])
        return result


api = NinjaAPI(
    title="Xiaobao API",
    version="1",
    description="Financial consumer-protection platform. Authenticate with `Authorization: Bearer <token>` "
    "(create one with `xiaobao api_token create <username>`) or a browser session.",
    auth=[BearerTokenAuth(), ActiveSessionAuth()],
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    docs_decorator=docs_login_required,  # schema and docs: signed-in users only (API_SCHEMA_PUBLIC)
    parser=TextParser(),
)


def error(
    request: HttpRequest, status: int, code: str, message: str, fields: dict[str, list[str]] | None = None
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": message, "fields": fields or {}}, status=status
    )


@api.exception_handler(ValidationError)
def _django_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    first = next(iter(fields.values()))[0] if fields else _("Invalid input.")
    return error(request, 422, "invalid", str(first), {k: [str(m) for m in v] for k, v in fields.items()})


@api.exception_handler(NinjaValidationError)
def _schema_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "payload", "form")]
        fields.setdefault(".".join(loc) or "__all__", []).append(str(err.get("msg", "invalid")))
    return error(request, 422, "invalid", _("Invalid input."), fields)


@api.exception_handler(DomainError)
def _domain(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return error(request, exc.status, exc.code, exc.message, exc.fields)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error(request, 404, "not_found", _("Not found."))


api.exception_handler(ObjectDoesNotExist)(_not_found)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error(request, 403, "forbidden", str(exc) or _("You do not have permission to do this."))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error(request, 401, "unauthenticated", _("Authentication required."))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, NinjaValidationError):  # TextParser refused the body ninja was parsing
        return _schema_validation(request, exc.__cause__)
    return error(request, exc.status_code, "error", str(exc))


def _register_routers() -> None:
    from xiaobao.complaints.api import router as complaints_router
    from xiaobao.core.api import router as core_router

    api.add_router("/", core_router)
    api.add_router("/", complaints_router)
    from xiaobao.analytics.api import router as analytics_router
    from xiaobao.early_warning.api import router as early_warning_router
    from xiaobao.imports.api import router as imports_router
    from xiaobao.reports.api import router as reports_router

    api.add_router("/", analytics_router)
    api.add_router("/", early_warning_router)
    api.add_router("/", reports_router)
    api.add_router("/", imports_router)


_register_routers()
