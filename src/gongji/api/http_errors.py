"""Refusals outside GraphQL execution, in GraphQL's error shape so clients read them alike."""

from __future__ import annotations

from starlette.responses import JSONResponse

from gongji.errors import DomainError


def http_error(status: int, code: str, message: str) -> JSONResponse:
    """`{"errors": [{"message": …, "extensions": {"code": …}}]}` with an HTTP status."""
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status
    )


def http_domain_error(status: int, error: DomainError, language: str) -> JSONResponse:
    return http_error(status, error.code.value, error.message(language))
