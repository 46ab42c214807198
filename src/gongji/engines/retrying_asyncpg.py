"""Tortoise's asyncpg engine, retrying each statement run outside a transaction.

(The module's name must contain "asyncpg": Tortoise's migrations pick their SQL dialect by it.)
"""

from __future__ import annotations

from tortoise.backends.asyncpg.client import AsyncpgDBClient

from gongji.transactions import RetriedStatements


class RetryingAsyncpgClient(RetriedStatements, AsyncpgDBClient):
    pass


client_class = RetryingAsyncpgClient
