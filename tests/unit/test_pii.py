"""Sealing personal data: AES-GCM with the column as associated data, key ids, blind index."""

from __future__ import annotations

import base64
from dataclasses import replace

import pytest

from gongji import pii
from gongji.settings import ConfigurationError, Settings

KEY0 = base64.b64encode(b"0" * 32).decode()
KEY1 = base64.b64encode(b"1" * 32).decode()
INDEX = base64.b64encode(b"i" * 32).decode()
NUMBER = "11010519491231002X"


def ring(keys: str) -> pii.Keyring:
    return pii.Keyring.parse(keys, INDEX)


def test_a_sealed_value_opens_and_says_its_key() -> None:
    keys = ring(f"k0:{KEY0}")
    sealed = keys.seal(NUMBER, pii.ID_NUMBER)
    assert sealed.startswith("v1.k0.")
    assert NUMBER not in sealed
    assert keys.open(sealed, pii.ID_NUMBER) == NUMBER


def test_the_same_value_seals_differently_each_time() -> None:
    keys = ring(f"k0:{KEY0}")
    assert keys.seal(NUMBER, pii.ID_NUMBER) != keys.seal(NUMBER, pii.ID_NUMBER)


def test_a_value_copied_into_another_column_does_not_open() -> None:
    keys = ring(f"k0:{KEY0}")
    phone = keys.seal("13893100001", pii.PHONE)
    with pytest.raises(pii.UnreadableValue, match="failed authentication"):
        keys.open(phone, pii.ID_NUMBER)


@pytest.mark.parametrize("position", [8, 20, -3])
def test_a_tampered_value_fails_authentication_instead_of_opening_wrong(position: int) -> None:
    keys = ring(f"k0:{KEY0}")
    sealed = keys.seal(NUMBER, pii.ID_NUMBER)
    prefix, payload = sealed[:6], bytearray(base64.b64decode(sealed[6:]))
    payload[position] ^= 0x01
    tampered = prefix + base64.b64encode(bytes(payload)).decode()
    with pytest.raises(pii.UnreadableValue, match=r"member\.id_number: .*failed authentication"):
        keys.open(tampered, pii.ID_NUMBER)


def test_garbage_is_not_a_sealed_value() -> None:
    keys = ring(f"k0:{KEY0}")
    for garbage in (NUMBER, "v1.k0.", "v1.k0.not base64!"):
        with pytest.raises(pii.UnreadableValue):
            keys.open(garbage, pii.ID_NUMBER)


def test_after_rotation_old_values_still_open_and_new_ones_use_the_new_key() -> None:
    old = ring(f"k0:{KEY0}")
    sealed_before = old.seal(NUMBER, pii.ID_NUMBER)
    rotated = ring(f"k1:{KEY1},k0:{KEY0}")
    assert rotated.open(sealed_before, pii.ID_NUMBER) == NUMBER
    assert pii.key_id(rotated.seal(NUMBER, pii.ID_NUMBER)) == "k1"
    assert rotated.blind_index(NUMBER, pii.ID_NUMBER) == old.blind_index(NUMBER, pii.ID_NUMBER)


def test_a_value_under_a_retired_key_names_the_missing_key() -> None:
    sealed = ring(f"k0:{KEY0}").seal(NUMBER, pii.ID_NUMBER)
    with pytest.raises(pii.UnreadableValue, match="'k0', not in GONGJI_PII_KEYS"):
        ring(f"k1:{KEY1}").open(sealed, pii.ID_NUMBER)


def test_the_blind_index_is_keyed_and_per_column() -> None:
    keys = ring(f"k0:{KEY0}")
    other = pii.Keyring.parse(f"k0:{KEY0}", base64.b64encode(b"j" * 32).decode())
    index = keys.blind_index(NUMBER, pii.ID_NUMBER)
    assert index == keys.blind_index(NUMBER, pii.ID_NUMBER)
    assert index != other.blind_index(NUMBER, pii.ID_NUMBER)
    assert index != keys.blind_index(NUMBER, pii.PHONE)


@pytest.mark.parametrize(
    ("keys", "index", "complaint"),
    [
        ("k0", INDEX, "GONGJI_PII_KEYS: each entry"),
        ("k.0:" + KEY0, INDEX, "GONGJI_PII_KEYS: each entry"),
        ("k0:" + base64.b64encode(b"short").decode(), INDEX, "must be 32 bytes"),
        (f"k0:{KEY0},k0:{KEY1}", INDEX, "listed once"),
        (f"k0:{KEY0}", "%%%", "GONGJI_PII_INDEX_KEY: not valid base64"),
        (f"k0:{KEY0}", base64.b64encode(b"short").decode(), "at least 32 bytes"),
    ],
)
def test_bad_keys_are_refused_in_one_line(keys: str, index: str, complaint: str) -> None:
    with pytest.raises(ConfigurationError, match=complaint) as refused:
        pii.Keyring.parse(keys, index)
    assert "\n" not in str(refused.value)


def test_without_keys_only_development_mode_gets_the_fixed_key() -> None:
    assert pii.Keyring.from_settings(Settings(development=True)).current == "dev"
    with pytest.raises(ConfigurationError):  # mocks are the defaults: not a reason by themselves
        pii.Keyring.from_settings(Settings())
    production = Settings(wechat_client="real", face_provider="tencent")
    with pytest.raises(ConfigurationError, match="GONGJI_PII_KEYS and GONGJI_PII_INDEX_KEY"):
        pii.Keyring.from_settings(production)
    with pytest.raises(ConfigurationError):  # half a configuration is a mistake, mocks or not
        pii.Keyring.from_settings(Settings(pii_keys=f"k0:{KEY0}"))
    configured = replace(production, pii_keys=f"k0:{KEY0}", pii_index_key=INDEX)
    assert pii.Keyring.from_settings(configured).current == "k0"


def test_keys_never_show_in_a_repr() -> None:
    settings = Settings(pii_keys=f"k0:{KEY0}", pii_index_key=INDEX, tencent_secret_key="s3cret")
    assert KEY0 not in repr(settings) and INDEX not in repr(settings)
    assert "s3cret" not in repr(settings)
    assert repr(b"0" * 32) not in repr(ring(f"k0:{KEY0}"))
