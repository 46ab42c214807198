"""Face verification 人脸核身, WeChat 2.0 flow.

server getVerifyId(out_seq_no, cert_info, openid) → verify_id (valid 1 h)
client wx.requestFacialVerify({verifyId})
server queryVerifyInfo(verify_id, out_seq_no, cert_hash, openid) → pass iff
    errcode == 0 and verify_ret == 10000
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Protocol

import httpx

VERIFY_PASSED = 10000
BASE = "https://api.weixin.qq.com/cityservice/face/identify"


@dataclass(frozen=True)
class CertInfo:
    name: str
    id_number: str

    def as_wechat(self) -> dict[str, str]:
        return {"cert_type": "IDENTITY_CARD", "cert_name": self.name, "cert_no": self.id_number}

    def cert_hash(self) -> str:
        # Hash of the certificate fields as WeChat's queryVerifyInfo expects; confirm the exact
        # canonical form against the official sample before enabling the real provider.
        canonical = "&".join(f"{k}={v}" for k, v in self.as_wechat().items())
        return hashlib.sha256(canonical.encode()).hexdigest()


class FaceProvider(Protocol):
    async def get_verify_id(self, out_seq_no: str, cert: CertInfo, openid: str) -> str: ...

    async def passed(
        self, verify_id: str, out_seq_no: str, cert: CertInfo, openid: str
    ) -> bool: ...


@dataclass
class MockFaceProvider:
    """In-memory stand-in. `complete(verify_id, passed)` plays the user at the camera.

    With auto_pass, a verification nobody completed counts as passed (GraphiQL demos);
    tests switch it off and complete each verification themselves.
    """

    auto_pass: bool = True
    _issued: dict[str, tuple[str, str]] = field(default_factory=dict)  # verify_id → openid, cert
    _results: dict[str, bool] = field(default_factory=dict)

    async def get_verify_id(self, out_seq_no: str, cert: CertInfo, openid: str) -> str:
        verify_id = f"mockverify-{secrets.token_hex(12)}"
        self._issued[verify_id] = (openid, cert.cert_hash())
        return verify_id

    def complete(self, verify_id: str, passed: bool) -> bool:
        if verify_id not in self._issued:
            return False
        self._results[verify_id] = passed
        return True

    async def passed(self, verify_id: str, out_seq_no: str, cert: CertInfo, openid: str) -> bool:
        if self._issued.get(verify_id) != (openid, cert.cert_hash()):
            return False
        return self._results.get(verify_id, self.auto_pass)


class RealFaceProvider:
    """The WeChat endpoints. `access_token` is fetched by the caller's token source."""

    def __init__(self, client: httpx.AsyncClient, access_token: str) -> None:
        self._client = client
        self._token = access_token

    async def get_verify_id(self, out_seq_no: str, cert: CertInfo, openid: str) -> str:
        body = await self._post(
            "getverifyid",
            {"out_seq_no": out_seq_no, "cert_info": cert.as_wechat(), "openid": openid},
        )
        return str(body["verify_id"])

    async def passed(self, verify_id: str, out_seq_no: str, cert: CertInfo, openid: str) -> bool:
        body = await self._post(
            "queryverifyinfo",
            {
                "verify_id": verify_id,
                "out_seq_no": out_seq_no,
                "cert_hash": cert.cert_hash(),
                "openid": openid,
            },
        )
        return body.get("errcode") == 0 and body.get("verify_ret") == VERIFY_PASSED

    async def _post(self, endpoint: str, payload: dict[str, object]) -> dict[str, object]:
        response = await self._client.post(
            f"{BASE}/{endpoint}", params={"access_token": self._token}, json=payload, timeout=5.0
        )
        response.raise_for_status()
        body: dict[str, object] = response.json()
        return body
