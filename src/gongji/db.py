"""Tortoise configuration and migrations. `TORTOISE_ORM` serves the `tortoise` CLI."""

from __future__ import annotations

from typing import Any

from tortoise import Tortoise
from tortoise.context import TortoiseContext
from tortoise.exceptions import DBConnectionError
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
]


def tortoise_config(database_url: str) -> dict[str, Any]:
    return {
        "connections": {"default": database_url},
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


async def migrate(database_url: str) -> bool:
    """Apply every migration not yet applied (what `gongji migrate` runs).

    Creates the database first if the server has none of that name. Returns whether it did.
    """
    config = tortoise_config(database_url)
    created = False
    async with TortoiseContext() as ctx:
        try:
            await ctx.init(config=config)
            await ctx.connections.get("default").execute_query("SELECT 1")
        except DBConnectionError:
            if database_url.startswith("sqlite"):
                raise
            await ctx.close_connections()
            await ctx.init(config=config, _create_db=True)
            created = True
        await migrate_api(config=config)
    return created


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
