"""Bearer secrets and staff passwords: generated here, stored only as hashes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

MEMBER_PREFIX = "gjs_"  # member session
AGENT_PREFIX = "gja_"  # service-hall agent session
API_KEY_PREFIX = "gjk_"  # partner institution API key

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(key).decode()


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, salt_b64, key_b64 = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    key = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt_b64), **_SCRYPT)
    return hmac.compare_digest(key, base64.b64decode(key_b64))
