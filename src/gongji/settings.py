"""Configuration from the environment, read in one place."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from datetime import timedelta

DEFAULT_DATABASE_URL = "sqlite://gongji.sqlite3"
DEVELOPMENT = "development"
LOG_FORMATS = ("json", "text")


class ConfigurationError(ValueError):
    """The environment cannot run the server as it is: the message is one line for an operator."""


class MocksOutsideDevelopment(ConfigurationError):
    """A mock provider is configured but GONGJI_ENV is not `development`."""


@dataclass(frozen=True)
class RateLimits:
    """Throttling, in the `limits` package's notation ("5/minute", "10 per day").

    Each field is read from `GONGJI_LIMIT_<FIELD>`; which operation uses which is
    `gongji.throttle.policy.POLICY`.
    """

    login_per_ip: str = "60/minute"
    agent_login_per_ip: str = "30/minute"
    agent_login_per_username: str = "10/minute"
    agent_lockout: str = "5/15 minutes"  # failed passwords per username, then locked out
    face_verification_per_user: str = "10/day"
    invitation_per_inviter: str = "30/day"
    money_per_member: str = "60/minute"  # each money mutation, per member
    money_per_institution: str = "600/minute"  # createBill, refundPayment, per institution

    @classmethod
    def from_env(cls, env: dict[str, str]) -> RateLimits:
        given = {
            f.name: env[f"GONGJI_LIMIT_{f.name.upper()}"]
            for f in dataclasses.fields(cls)
            if f"GONGJI_LIMIT_{f.name.upper()}" in env
        }
        return cls(**given)


TENCENT_FACEID_ENDPOINT = "faceid.tencentcloudapi.com"


def _pairs(text: str) -> tuple[tuple[str, str], ...]:
    """"A=x,B=y" → (("A", "x"), ("B", "y")); a malformed item is a configuration error."""
    pairs = []
    for item in (i.strip() for i in text.split(",")):
        if not item:
            continue
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise ConfigurationError(f"GONGJI_WECHAT_TEMPLATES: {item!r} is not KIND=template_id")
        pairs.append((name.strip(), value.strip()))
    return tuple(pairs)


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
    development: bool = False  # GONGJI_ENV=development: the only mode that may use mocks
    max_body_bytes: int = 1024 * 1024
    log_format: str = "json"  # one JSON object per line, or "text" for a terminal
    rate_limits: RateLimits = RateLimits()
    redis_url: str = ""  # shared rate-limit counters; empty: in this process's memory
    trusted_proxies: tuple[str, ...] = ()  # peers whose X-Forwarded-For names the client
    wechat_messages: str = "mock"  # subscription messages: "mock" records, "real" sends
    wechat_templates: tuple[tuple[str, str], ...] = ()  # (notice kind, template id)
    wechat_retry_seconds: float = 30.0  # how often a server retries unsent WeChat messages
    subscription_recheck_seconds: float = 30.0  # a subscription's token is checked this often
    notice_queue_size: int = 100  # live notices buffered per subscriber; then dropped
    jobs_every_seconds: float = 0  # >0: each server process runs `gongji run-jobs` passes

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
            development=env.get("GONGJI_ENV", "").strip().lower() == DEVELOPMENT,
            max_body_bytes=int(env.get("GONGJI_MAX_BODY_BYTES", str(cls.max_body_bytes))),
            log_format=env.get("GONGJI_LOG_FORMAT", "json"),
            rate_limits=RateLimits.from_env(env),
            redis_url=env.get("REDIS_URL", ""),
            trusted_proxies=tuple(
                p.strip() for p in env.get("GONGJI_TRUSTED_PROXIES", "").split(",") if p.strip()
            ),
            wechat_messages=env.get("GONGJI_WECHAT_MESSAGES", "mock"),
            wechat_templates=_pairs(env.get("GONGJI_WECHAT_TEMPLATES", "")),
            wechat_retry_seconds=float(env.get("GONGJI_WECHAT_RETRY_SECONDS", "30")),
            subscription_recheck_seconds=float(
                env.get("GONGJI_SUBSCRIPTION_RECHECK_SECONDS", "30")
            ),
            notice_queue_size=int(env.get("GONGJI_NOTICE_QUEUE_SIZE", "100")),
            jobs_every_seconds=float(env.get("GONGJI_JOBS_EVERY_SECONDS") or 0),
        )

    @property
    def mocks(self) -> tuple[str, ...]:
        """Stand-ins configured that must never serve real people. Add new ones here."""
        found = []
        if self.wechat_client == "mock":
            found.append("mock WeChat login (GONGJI_WECHAT_CLIENT=mock)")
        if self.face_provider == "mock":
            found.append("mock face verification (GONGJI_FACE_PROVIDER=mock)")
        return tuple(found)

    @property
    def uses_mocks(self) -> bool:
        return bool(self.mocks)

    def refuse_mocks_outside_development(self) -> None:
        """Called before serving: mocks impersonate people, so only development may run them."""
        if self.uses_mocks and not self.development:
            raise MocksOutsideDevelopment(
                f"refusing to start: {', '.join(self.mocks)} outside development mode;"
                " set GONGJI_ENV=development for a development server"
            )
