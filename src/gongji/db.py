"""Tortoise configuration and migrations. `TORTOISE_ORM` serves the `tortoise` CLI."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.context import TortoiseContext
from tortoise.exceptions import DBConnectionError, IntegrityError
from tortoise.migrations.api.migrate import migrate as migrate_api

from gongji.settings import Settings

APP = "gongji"
MODEL_MODULES = [
    "gongji.members.models",
    "gongji.institutions.models",
    "gongji.identity.models",
    "gongji.families.models",
    "gongji.audit.models",
    "gongji.ledger.models",
    "gongji.idempotency.models",
    "gongji.wallets.models",
    "gongji.payments.models",
    "gongji.records.models",
    "gongji.notices.models",
    "gongji.credits.models",
    "gongji.lifecycle.models",
    "gongji.hall.models",
    "gongji.insurance.models",
]


# Statements outside a unit of work are retried too (gongji.transactions.RetriedStatements).
RETRYING_ENGINES = {
    "tortoise.backends.asyncpg": "gongji.engines.retrying_asyncpg",
    "tortoise.backends.mysql": "gongji.engines.retrying_mysql",
}


def connection_config(database_url: str) -> dict[str, Any]:
    """Tortoise's reading of the URL, on gongji's retrying engine where there is one."""
    config = expand_db_url(database_url)
    config["engine"] = RETRYING_ENGINES.get(config["engine"], config["engine"])
    return config


def tortoise_config(database_url: str) -> dict[str, Any]:
    return {
        "connections": {"default": connection_config(database_url)},
        "apps": {
            APP: {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "gongji.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


TORTOISE_ORM = tortoise_config(Settings.from_env().database_url)


async def migrate(
    database_url: str,
    *,
    target: str | None = None,
    progress: Callable[[str, str, str], object] | None = None,
) -> bool:
    """Apply every migration not yet applied (what `gongji migrate` runs), or up to `target`.

    Creates the database first if the server has none of that name. Returns whether it did.
    `progress(event, app, name)` hears "apply_start" and "apply_done" for each migration.
    """
    sqlite = database_url.startswith("sqlite")
    config = tortoise_config(_foreign_keys_off(database_url) if sqlite else database_url)
    created = False
    async with TortoiseContext() as ctx:
        try:
            await ctx.init(config=config)
            await ctx.connections.get("default").execute_query("SELECT 1")
        except DBConnectionError:
            if sqlite:
                raise
            await ctx.close_connections()
            await ctx.init(config=config, _create_db=True)
            created = True
        await migrate_api(config=config, target=target, progress=progress)
        if sqlite:
            broken = await ctx.connections.get("default").execute_query_dict(
                "PRAGMA foreign_key_check"
            )
            if broken:
                raise IntegrityError(f"the migrations left {len(broken)} broken reference(s)")
    return created


def _foreign_keys_off(database_url: str) -> str:
    """SQLite rebuilds a table to drop or alter a column; with foreign keys on, dropping the old
    table fails on every RESTRICT reference to it, and the pragma is a no-op inside the
    migration's transaction. So migrations run on a connection opened with foreign keys off
    (as Django does on SQLite), and every reference is checked afterwards."""
    return f"{database_url}{'&' if '?' in database_url else '?'}foreign_keys=OFF"


async def connect(database_url: str) -> None:
    """Open the ORM for this process (CLI commands and the server's lifespan)."""
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)


async def disconnect() -> None:
    await Tortoise.close_connections()


def pool_use() -> tuple[int, int]:
    """(open, idle) connections of this process's pool; (0, 0) where there is none (SQLite)."""
    if not Tortoise.is_inited():
        return 0, 0
    pool = getattr(Tortoise.get_connection("default"), "_pool", None)
    if pool is None:
        return 0, 0
    if hasattr(pool, "get_size"):  # asyncpg
        return int(pool.get_size()), int(pool.get_idle_size())
    return int(getattr(pool, "size", 0)), int(getattr(pool, "freesize", 0))  # asyncmy
