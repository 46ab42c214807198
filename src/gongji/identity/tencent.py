"""Face verification 人脸核身 by Tencent Cloud FaceID, with its official SDK.

server DetectAuth(RuleId, IdCard, Name) → BizToken (our verifyId)
client the mini-program's FaceID plugin runs the verification with the BizToken
server GetDetectInfoEnhanced(BizToken, RuleId) → passed iff Text.ErrCode == 0

The SDK blocks on HTTP, so every call runs in a worker thread, off the event loop.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from tencentcloud.common.credential import Credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
    TencentCloudSDKException,
)
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.faceid.v20180301 import faceid_client, models

from gongji.errors import DomainError, ErrorCode
from gongji.identity.face import CertInfo
from gongji.settings import ConfigurationError, Settings

log = logging.getLogger(__name__)
TEXT_ONLY = "0"  # GetDetectInfoEnhanced InfoType: the text result, no photos or video


class TencentFaceProvider:
    """A `FaceProvider` (identity/face.py) backed by Tencent Cloud FaceID."""

    def __init__(
        self,
        *,
        secret_id: str,
        secret_key: str,
        region: str,
        rule_id: str,
        endpoint: str,
        timeout: int = 10,
    ) -> None:
        missing = [
            name
            for name, value in (
                ("TENCENTCLOUD_SECRET_ID", secret_id),
                ("TENCENTCLOUD_SECRET_KEY", secret_key),
                ("GONGJI_TENCENT_FACEID_RULE_ID", rule_id),
            )
            if not value
        ]
        if missing:
            raise ConfigurationError(
                f"GONGJI_FACE_PROVIDER=tencent needs {', '.join(missing)}; refusing to start"
            )
        protocol, _, host = endpoint.rpartition("://")
        http = HttpProfile(endpoint=host, protocol=protocol or "https", reqTimeout=timeout)
        self._client = faceid_client.FaceidClient(
            Credential(secret_id, secret_key), region, ClientProfile(httpProfile=http)
        )
        self._rule_id = rule_id
        # The SDK logs whole requests and responses (names, ID numbers) at DEBUG: never let it.
        logging.getLogger("tencentcloud_sdk_common").setLevel(logging.WARNING)

    @classmethod
    def from_settings(cls, settings: Settings) -> TencentFaceProvider:
        return cls(
            secret_id=settings.tencent_secret_id,
            secret_key=settings.tencent_secret_key,
            region=settings.tencent_faceid_region,
            rule_id=settings.tencent_faceid_rule_id,
            endpoint=settings.tencent_faceid_endpoint,
        )

    async def get_verify_id(self, out_seq_no: str, cert: CertInfo, openid: str) -> str:
        request = models.DetectAuthRequest()
        request.RuleId = self._rule_id
        request.IdCard = cert.id_number
        request.Name = cert.name
        request.Extra = out_seq_no  # echoed back by Tencent: ties its records to ours
        response = await self._call(self._client.DetectAuth, request)
        token = response.BizToken
        if not isinstance(token, str) or not token:
            log.warning("tencent faceid DetectAuth answered without a BizToken")
            raise DomainError(ErrorCode.FACE_PROVIDER_UNAVAILABLE)
        return token

    async def passed(self, verify_id: str, out_seq_no: str, cert: CertInfo, openid: str) -> bool:
        request = models.GetDetectInfoEnhancedRequest()
        request.BizToken = verify_id
        request.RuleId = self._rule_id
        request.InfoType = TEXT_ONLY
        response = await self._call(self._client.GetDetectInfoEnhanced, request)
        text = response.Text
        if text is None or text.ErrCode != 0:
            return False
        # Tencent checked the face against the identity it was given; make sure it was ours.
        verified_id = (text.IdCard or cert.id_number).upper()
        return verified_id == cert.id_number and (text.Name or cert.name) == cert.name

    async def _call(self, action: Any, request: Any) -> Any:
        try:
            return await asyncio.to_thread(action, request)
        except TencentCloudSDKException as error:
            # code and request id only: the message may repeat what was sent
            log.warning(
                "tencent faceid %s failed: %s (request %s)",
                type(request).__name__.removesuffix("Request"),
                error.get_code(),
                error.get_request_id(),
            )
            raise DomainError(ErrorCode.FACE_PROVIDER_UNAVAILABLE) from None
