"""Health for load balancers and orchestrators: cheap, unauthenticated, never throttled.

/healthz: the process answers. /readyz: it can serve — the database answers, every
migration shipped with this build is applied, and each configured shared store answers.
"""

from __future__ import annotations

import pkgutil
from collections.abc import Awaitable, Callable, Sequence

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from tortoise import Tortoise

from gongji import migrations

Check = Callable[[], Awaitable[str | None]]  # None: fine; else what is wrong, in one line


def shipped_migrations() -> set[str]:
    return {m.name for m in pkgutil.iter_modules(migrations.__path__) if m.name[:4].isdigit()}


async def database_check() -> str | None:
    connection = Tortoise.get_connection("default")
    try:
        _, rows = await connection.execute_query(
            "SELECT name FROM tortoise_migrations WHERE app = 'gongji'"
        )
    except Exception as error:  # any failure here means "not ready", whatever the driver
        return f"database: {type(error).__name__}"
    missing = shipped_migrations() - {row["name"] for row in rows}
    return f"migrations not applied: {', '.join(sorted(missing))}" if missing else None


async def healthz(_request: Request) -> Response:
    return PlainTextResponse("ok")


def readyz(checks: Sequence[Check]) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(_request: Request) -> Response:
        problems = [problem for check in checks if (problem := await check()) is not None]
        body = {"ready": not problems, "problems": problems}
        return JSONResponse(body, status_code=503 if problems else 200)

    return endpoint
