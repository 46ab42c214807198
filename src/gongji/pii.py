"""Personal data at rest 个人信息加密存储: ID numbers and phone numbers, sealed.

A sealed value is the text `v1.<kid>.<base64(nonce ‖ ciphertext ‖ tag)>`: AES-256-GCM with a
96-bit random nonce, the column (`member.id_number`) as associated data so a value cannot be
copied into another column, and the key id so keys can rotate: the first key of
GONGJI_PII_KEYS seals, every key listed opens, and `gongji rotate-keys` re-seals old values.

Exact lookups use a blind index, HMAC-SHA256 under a separate key (GONGJI_PII_INDEX_KEY): the
ciphertext is random per write, so no query may ever filter on it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from gongji.settings import ConfigurationError, Settings

FORMAT = "v1"
ID_NUMBER = "member.id_number"
PHONE = "member.phone"
_NONCE_BYTES = 12
_KID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
# Development only (mock providers on): a fixed, public key so `make run` needs no set-up.
_DEVELOPMENT_KEYS = "dev:" + base64.b64encode(b"gongji development key, public!!").decode()
_DEVELOPMENT_INDEX_KEY = base64.b64encode(b"gongji development index key, public").decode()


class UnreadableValue(Exception):
    """A sealed value that cannot be opened: tampered with, or sealed under an unknown key."""


@dataclass(frozen=True)
class Keyring:
    """The keys of this process. `current` seals; every key in `keys` opens."""

    current: str
    keys: dict[str, bytes] = field(repr=False)
    index_key: bytes = field(repr=False)

    @classmethod
    def parse(cls, keys: str, index_key: str) -> Keyring:
        """`kid1:base64,kid0:base64` (32-byte keys) and a base64 index key of 32+ bytes."""
        parsed: dict[str, bytes] = {}
        for entry in keys.split(","):
            kid, colon, encoded = entry.strip().partition(":")
            if not colon or not _KID.match(kid):
                raise ConfigurationError(
                    "GONGJI_PII_KEYS: each entry is <kid>:<base64 key>, kid of 1-16 letters, "
                    "digits, - or _"
                )
            key = _base64(encoded, "GONGJI_PII_KEYS")
            if len(key) != 32 or kid in parsed:
                raise ConfigurationError(
                    f"GONGJI_PII_KEYS: key {kid!r} must be 32 bytes, listed once"
                )
            parsed[kid] = key
        index = _base64(index_key, "GONGJI_PII_INDEX_KEY")
        if len(index) < 32:
            raise ConfigurationError("GONGJI_PII_INDEX_KEY: at least 32 bytes (base64)")
        return cls(current=next(iter(parsed)), keys=parsed, index_key=index)

    @classmethod
    def from_settings(cls, settings: Settings) -> Keyring:
        """The configured keys; the fixed, public development keys only in development mode
        (GONGJI_ENV=development) with mock providers: never merely because keys are missing."""
        if settings.pii_keys and settings.pii_index_key:
            return cls.parse(settings.pii_keys, settings.pii_index_key)
        if settings.pii_keys or settings.pii_index_key or not settings.development:
            raise ConfigurationError(
                "GONGJI_PII_KEYS and GONGJI_PII_INDEX_KEY are required to store ID numbers and "
                "phone numbers (see README, Configuration), or GONGJI_ENV=development for the "
                "public development key; refusing to start"
            )
        return cls.parse(_DEVELOPMENT_KEYS, _DEVELOPMENT_INDEX_KEY)

    def seal(self, plain: str, column: str) -> str:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = AESGCM(self.keys[self.current]).encrypt(nonce, plain.encode(), column.encode())
        return f"{FORMAT}.{self.current}.{base64.b64encode(nonce + sealed).decode()}"

    def open(self, sealed: str, column: str) -> str:
        kid = key_id(sealed)
        key = self.keys.get(kid)
        if key is None:
            raise UnreadableValue(f"{column}: sealed under key {kid!r}, not in GONGJI_PII_KEYS")
        try:
            raw = base64.b64decode(sealed.split(".", 2)[2], validate=True)
            plain = AESGCM(key).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], column.encode())
        except (binascii.Error, InvalidTag, ValueError):
            raise UnreadableValue(
                f"{column}: the sealed value failed authentication (altered, or not this column's)"
            ) from None
        return plain.decode()

    def blind_index(self, plain: str, column: str) -> str:
        message = f"{column}\x00{plain}".encode()
        return hmac.new(self.index_key, message, hashlib.sha256).hexdigest()


def key_id(sealed: str) -> str:
    """The key a value was sealed under (`v1.<kid>.…`)."""
    version, kid, rest = [*sealed.split(".", 2), "", ""][:3]
    if version != FORMAT or not kid or not rest:
        raise UnreadableValue("not a sealed value (expected v1.<kid>.<base64>)")
    return kid


def _base64(text: str, variable: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except binascii.Error:
        raise ConfigurationError(f"{variable}: not valid base64") from None


_keyring: Keyring | None = None


def use(keyring: Keyring) -> None:
    """Install this process's keys (start-up, the CLI, tests)."""
    global _keyring
    _keyring = keyring


def keyring() -> Keyring:
    """The installed keys, or those the environment gives if none were installed yet."""
    global _keyring
    if _keyring is None:
        _keyring = Keyring.from_settings(Settings.from_env())
    return _keyring


def seal(plain: str, column: str) -> str:
    return keyring().seal(plain, column)


def reveal(sealed: str, column: str) -> str:
    return keyring().open(sealed, column)


def blind_index(plain: str, column: str) -> str:
    return keyring().blind_index(plain, column)
