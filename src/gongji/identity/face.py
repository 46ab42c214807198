"""Face verification 人脸核身, WeChat 2.0 flow.

server getVerifyId(out_seq_no, cert_info, openid) → verify_id (valid 1 h)
client wx.requestFacialVerify({verifyId})
server queryVerifyInfo(verify_id, out_seq_no, cert_hash, openid) → pass iff
    errcode == 0 and verify_ret == 10000

Only the mock provider exists for now: the real one needs WeChat's exact cert_hash
construction, which the public documentation does not give.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class CertInfo:
    name: str
    id_number: str

    def as_wechat(self) -> dict[str, str]:
        return {"cert_type": "IDENTITY_CARD", "cert_name": self.name, "cert_no": self.id_number}

    def fingerprint(self) -> str:
        """Ties a verification to the person it was started for (mock bookkeeping)."""
        canonical = "&".join(f"{k}={v}" for k, v in self.as_wechat().items())
        return hashlib.sha256(canonical.encode()).hexdigest()


class FaceProvider(Protocol):
    async def get_verify_id(self, out_seq_no: str, cert: CertInfo, openid: str) -> str: ...

    async def passed(
        self, verify_id: str, out_seq_no: str, cert: CertInfo, openid: str
    ) -> bool: ...


@dataclass
class MockFaceProvider:
    """In-memory stand-in. `complete(verify_id, passed, openid=…)` plays the user at the camera.

    With auto_pass, a verification nobody completed counts as passed (GraphiQL demos);
    tests switch it off and complete each verification themselves.
    """

    auto_pass: bool = True
    _issued: dict[str, tuple[str, str]] = field(default_factory=dict)  # verify_id → openid, cert
    _results: dict[str, bool] = field(default_factory=dict)

    async def get_verify_id(self, out_seq_no: str, cert: CertInfo, openid: str) -> str:
        verify_id = f"mockverify-{secrets.token_hex(12)}"
        self._issued[verify_id] = (openid, cert.fingerprint())
        return verify_id

    def complete(self, verify_id: str, passed: bool, *, openid: str) -> bool:
        """Only the WeChat user a verification was started for stands at its camera."""
        issued = self._issued.get(verify_id)
        if issued is None or issued[0] != openid:
            return False
        self._results[verify_id] = passed
        return True

    async def passed(self, verify_id: str, out_seq_no: str, cert: CertInfo, openid: str) -> bool:
        if self._issued.get(verify_id) != (openid, cert.fingerprint()):
            return False
        return self._results.get(verify_id, self.auto_pass)
