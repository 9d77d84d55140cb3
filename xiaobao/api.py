"""The REST API at /api/v1/: one NinjaAPI, one router per app, one error shape {code, message, fields}."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    ValidationError,
)
from django.core.validators import ProhibitNullCharactersValidator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import URLPattern
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.views import defaults
from ninja import Field, NinjaAPI, Schema
from ninja.conf import settings as ninja_settings
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import LimitOffsetPagination
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


MAX_OFFSET = 2**31 - 1  # far past any list; an unbounded offset overflowed the database's integer (500)


class BoundedLimitOffset(Schema):
    """The query of every `@paginate(LimitOffsetPagination)` list (and its subclasses): ninja bounds the limit
    but not the offset."""

    limit: int = Field(ninja_settings.PAGINATION_PER_PAGE, ge=1, le=ninja_settings.PAGINATION_MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


# Set before any router is imported (`_register_routers` below), so every paginated route is built with it.
LimitOffsetPagination.Input = BoundedLimitOffset  # type: ignore[assignment,misc]


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "fields": fields or {}}


STATUS_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found"}


def _status_error(status: int) -> tuple[str, str]:
    """(code, message) of an error answer known only by its status."""
    if status == 405:
        return "method_not_allowed", _("This method is not allowed here.")
    if status == 413:
        return "too_large", _("The request is too large.")
    if status >= 500:
        return "server_error", _("The server could not answer; the error has been logged.")
    messages = {
        400: _("The request cannot be read."),
        401: _("Authentication required."),
        403: _("You do not have permission to do this."),
        404: _("Not found."),
    }
    return STATUS_CODES.get(status, "error"), messages.get(status, _("The request cannot be read."))


def json_error_response(status: int, code: str = "", message: str = "") -> JsonResponse:
    """An error answer in the API's shape, for answers made outside the NinjaAPI (Django's handlers)."""
    default_code, default_message = _status_error(status)
    return JsonResponse(error_body(code or default_code, message or default_message), status=status)


def _json_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Any error answer a route gives outside the exception handlers (ninja's 405 is plain text) is put in
    the error shape."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        ctype = response.get("Content-Type", "")
        if response.status_code >= 400 and not ctype.startswith("application/json"):
            allow = response.get("Allow")
            response = json_error_response(response.status_code)
            if allow:
                response["Allow"] = allow
        return response

    return wrapped


class XiaobaoAPI(NinjaAPI):
    def _get_urls(self) -> list[Any]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = _json_errors(pattern.callback)
        return urls


api = XiaobaoAPI(
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
    return api.create_response(request, error_body(code, message, fields), status=status)


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
    if isinstance(exc.__cause__, RecursionError):
        return _too_deep(request, exc.__cause__)
    if exc.__cause__ is not None and exc.status_code == 400:  # a body that is not JSON
        return error(request, 400, "bad_request", _("The request body is not valid JSON."))
    return error(request, exc.status_code, "error", str(exc))


@api.exception_handler(RequestDataTooBig)
def _too_large(request: HttpRequest, exc: Exception) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 2**20
    return error(request, 413, "too_large", _("The request is larger than %(mb)d MB.") % {"mb": limit})


@api.exception_handler(SuspiciousOperation)
def _bad_request(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Bodies Django refuses to read: malformed multipart (no or a broken boundary), too many fields or
    files; the 413 above is the too-large case."""
    if isinstance(exc, RequestDataTooBig):
        return _too_large(request, exc)
    return error(request, 400, "bad_request", _("The request cannot be read: %(e)s") % {"e": _reason(exc)})


def _reason(exc: Exception) -> str:
    text = str(exc).replace("\x00", "")
    return text[:200] if text.isprintable() else repr(text)[:200]


api.exception_handler(MultiPartParserError)(_bad_request)
api.exception_handler(BadRequest)(_bad_request)


@api.exception_handler(LookupError)
def _unknown_charset(request: HttpRequest, exc: LookupError) -> HttpResponse:
    """`Content-Type: …; charset=<unknown>`: Django's decoding raises a bare LookupError. Its subclasses
    (KeyError, IndexError) are programming errors and stay server errors."""
    if type(exc) is not LookupError:
        raise exc
    return error(request, 400, "bad_request", _("The request's character set is unknown."))


@api.exception_handler(RecursionError)
def _too_deep(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error(request, 400, "too_deep", _("The request body is nested too deeply."))


# --- answers made outside the NinjaAPI: Django's error handlers for /api/ paths (urls.py) -----------------


def is_api_path(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Any path under /api/v1/ that no route matches."""
    return json_error_response(404)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not is_api_path(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return json_error_response(413)
    return json_error_response(400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not is_api_path(request):
        return defaults.permission_denied(request, exception)
    return json_error_response(403, message=str(exception) if str(exception) else "")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not is_api_path(request):
        return defaults.page_not_found(request, exception)
    return json_error_response(404)


def server_error(request: HttpRequest) -> HttpResponse:
    if not is_api_path(request):
        return defaults.server_error(request)
    return json_error_response(500)


def _register_routers() -> None:
    from xiaobao.complaints.api import router as complaints_router
    from xiaobao.complaints.api_assignees import router as complaints_assignees_router
    from xiaobao.core.api import router as core_router

    api.add_router("/", core_router)
    # The desk's and classification's /complaints/bulk, /complaints/views, /complaints/suggest before the
    # complaints router's /complaints/{complaint_id}.
    from xiaobao.case_library.api import router as case_library_router
    from xiaobao.classification.api import router as classification_router
    from xiaobao.desk.api import router as desk_router
    from xiaobao.notes.api import router as notes_router

    api.add_router("/", desk_router)
    api.add_router("/", classification_router)
    api.add_router("/", complaints_assignees_router)
    api.add_router("/", complaints_router)
    api.add_router("/", notes_router)
    api.add_router("/", case_library_router)
    from xiaobao.directory.api import router as directory_router
    from xiaobao.outreach.api import router as outreach_router
    from xiaobao.portal.api import router as portal_router
    from xiaobao.webhooks.api import router as webhooks_router

    api.add_router("/", directory_router)
    api.add_router("/", portal_router)
    api.add_router("/", outreach_router)
    api.add_router("/", webhooks_router)
    from xiaobao.analytics.api import router as analytics_router
    from xiaobao.early_warning.api import router as early_warning_router
    from xiaobao.imports.api import router as imports_router
    from xiaobao.reports.api import router as reports_router

    api.add_router("/", analytics_router)
    api.add_router("/", early_warning_router)
    api.add_router("/", reports_router)
    api.add_router("/", imports_router)
    # Plans before inspections: /inspections/plans must win over /inspections/{inspection_id}.
    from xiaobao.inspections.api_plans import router as inspection_plans_router

    api.add_router("/", inspection_plans_router)
    from xiaobao.inspections.api import router as inspections_router

    api.add_router("/", inspections_router)
    from xiaobao.rectification.api import router as rectification_router

    api.add_router("/", rectification_router)
    from xiaobao.sales_recording.api import router as sales_recording_router

    api.add_router("/", sales_recording_router)
    from xiaobao.checker.api import router as checker_router
    from xiaobao.fees.api import router as fees_router
    from xiaobao.review.api import router as review_router

    api.add_router("/", checker_router)
    api.add_router("/", review_router)
    api.add_router("/", fees_router)
    from xiaobao.exams.api import router as exams_router
    from xiaobao.training.api import router as training_router

    api.add_router("/", training_router)
    api.add_router("/", exams_router)
    from xiaobao.education.api import router as education_router
    from xiaobao.governance.api import router as governance_router
    from xiaobao.policies.api import router as policies_router
    from xiaobao.special_services.api import router as special_services_router
    from xiaobao.surveys.api import router as surveys_router

    api.add_router("/", education_router)
    api.add_router("/", surveys_router)
    api.add_router("/", special_services_router)
    api.add_router("/", governance_router)
    api.add_router("/", policies_router)


_register_routers()
