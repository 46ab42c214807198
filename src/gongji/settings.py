"""Configuration from the environment, read in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta

DEFAULT_DATABASE_URL = "sqlite://gongji.sqlite3"
TENCENT_FACEID_ENDPOINT = "faceid.tencentcloudapi.com"


class ConfigurationError(ValueError):
    """The environment cannot run the server as it is: the message is one line for an operator."""


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    wechat_client: str = "mock"  # "mock" or "real" (jscode2session over HTTPS)
    wechat_app_id: str = ""
    wechat_app_secret: str = ""
    face_provider: str = "mock"  # "mock" or "tencent" (Tencent Cloud FaceID)
    face_mock_auto_pass: bool = True  # mock only: a verification nobody completed passes
    tencent_secret_id: str = ""
    tencent_secret_key: str = field(default="", repr=False)
    tencent_faceid_region: str = "ap-guangzhou"
    tencent_faceid_rule_id: str = ""
    tencent_faceid_endpoint: str = TENCENT_FACEID_ENDPOINT
    # "kid1:base64,kid0:base64": the first seals, every one opens
    pii_keys: str = field(default="", repr=False)
    pii_index_key: str = field(default="", repr=False)  # base64: the blind index's HMAC key
    session_ttl: timedelta = timedelta(days=7)
    policy_file: str | None = None  # override the packaged region policy file
    max_query_depth: int = 10
    max_aliases: int = 15
    max_tokens: int = 2000

    @property
    def uses_mocks(self) -> bool:
        """Development stand-ins are on: fixed development keys are allowed only then."""
        return self.wechat_client == "mock" or self.face_provider == "mock"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ) if env is None else env
        return cls(
            database_url=env.get("DATABASE_URL", DEFAULT_DATABASE_URL),
            wechat_client=env.get("GONGJI_WECHAT_CLIENT", "mock"),
            wechat_app_id=env.get("WECHAT_APP_ID", ""),
            wechat_app_secret=env.get("WECHAT_APP_SECRET", ""),
            face_provider=env.get("GONGJI_FACE_PROVIDER", "mock"),
            face_mock_auto_pass=env.get("GONGJI_FACE_MOCK_AUTO_PASS", "1") == "1",
            tencent_secret_id=env.get("TENCENTCLOUD_SECRET_ID", ""),
            tencent_secret_key=env.get("TENCENTCLOUD_SECRET_KEY", ""),
            tencent_faceid_region=env.get("GONGJI_TENCENT_FACEID_REGION") or "ap-guangzhou",
            tencent_faceid_rule_id=env.get("GONGJI_TENCENT_FACEID_RULE_ID", ""),
            tencent_faceid_endpoint=env.get("GONGJI_TENCENT_FACEID_ENDPOINT")
            or TENCENT_FACEID_ENDPOINT,
            pii_keys=env.get("GONGJI_PII_KEYS", ""),
            pii_index_key=env.get("GONGJI_PII_INDEX_KEY", ""),
            session_ttl=timedelta(hours=int(env.get("GONGJI_SESSION_TTL_HOURS", "168"))),
            policy_file=env.get("GONGJI_POLICY_FILE") or None,
        )
