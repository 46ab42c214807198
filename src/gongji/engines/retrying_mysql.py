"""Tortoise's MySQL engine, retrying each statement run outside a transaction.

(The module's name must contain "mysql": Tortoise's migrations pick their SQL dialect by it.)
"""

from __future__ import annotations

from tortoise.backends.mysql.client import MySQLClient

from gongji.transactions import RetriedStatements


class RetryingMySQLClient(RetriedStatements, MySQLClient):
    pass


client_class = RetryingMySQLClient
