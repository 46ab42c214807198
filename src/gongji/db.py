"""Tortoise configuration and migrations. `TORTOISE_ORM` serves the `tortoise` CLI."""

from __future__ import annotations

from typing import Any

from tortoise import Tortoise
from tortoise.context import TortoiseContext
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


async def migrate(database_url: str) -> None:
    """Apply every migration not yet applied (what `gongji migrate` runs)."""
    config = tortoise_config(database_url)
    async with TortoiseContext() as ctx:
        await ctx.init(config=config, _create_db=False)
        await migrate_api(config=config)


async def connect(database_url: str) -> None:
    """Open the ORM for this process (CLI commands and the server's lifespan)."""
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)


async def disconnect() -> None:
    await Tortoise.close_connections()
