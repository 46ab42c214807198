"""Log lines a security team accepts: one JSON object per line, no ID or phone numbers.

`gongji serve` installs this on the root logger (uvicorn's own loggers included); `create_app`
installs it only when nothing else configured logging. Every line written during a request
carries its request id. ID and phone numbers that slip into a message or a traceback (an
exception's text may quote a value) are masked on the way out.
"""

from __future__ import annotations

import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

import orjson

from gongji.api import request_log

_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})(?:\d{11}[\dXx]|\d{9})(?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<![0-9A-Za-z])(?:\+?86)?1[3-9]\d{9}(?![0-9A-Za-z])")
# The access line is ours; uvicorn's would repeat it with the query string (a GET's document).
# tortoise logs SQL with its parameters at DEBUG; httpx logs URLs (jscode2session's secret).
_QUIET = {"uvicorn.access": logging.WARNING, "tortoise": logging.WARNING, "httpx": logging.WARNING}


def redact(text: str) -> str:
    return _PHONE.sub("[phone]", _ID_NUMBER.sub(r"\1[id-number]", text))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        current = request_log.current()
        if current is not None:
            line["request_id"] = current.request_id
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["traceback"] = self.formatException(record.exc_info)
        return redact(orjson.dumps(line, default=str).decode())


class TextFormatter(logging.Formatter):
    """The same fields for a terminal: `time level logger message key=value …`."""

    def format(self, record: logging.LogRecord) -> str:
        current = request_log.current()
        fields = {"request_id": current.request_id} if current else {}
        fields.update(getattr(record, "fields", {}))
        parts = [
            datetime.fromtimestamp(record.created).strftime("%H:%M:%S"),
            record.levelname,
            record.name,
            record.getMessage(),
            *(f"{key}={value}" for key, value in fields.items() if value is not None),
        ]
        text = " ".join(parts)
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return redact(text)


class _Handler(logging.StreamHandler[TextIO]):
    """Ours, so configuring twice replaces it instead of doubling every line."""


FORMATTERS: dict[str, type[logging.Formatter]] = {"json": JsonFormatter, "text": TextFormatter}


def configure(log_format: str = "json", stream: TextIO | None = None) -> logging.Handler:
    """One handler on the root logger at INFO; uvicorn's loggers hand their lines to it."""
    if log_format not in FORMATTERS:
        raise ValueError(f"GONGJI_LOG_FORMAT must be one of {', '.join(FORMATTERS)}")
    handler = _Handler(stream or sys.stderr)
    handler.setFormatter(FORMATTERS[log_format]())
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _Handler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    for name, level in _QUIET.items():
        logging.getLogger(name).setLevel(level)
    return handler


def configure_unless_configured(log_format: str) -> None:
    if not logging.getLogger().handlers:
        configure(log_format)
