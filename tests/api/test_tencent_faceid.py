"""Face verification through Tencent Cloud FaceID, against a local fake of its HTTP API."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from gongji.api.context import Services
from gongji.app import build_services, create_app
from gongji.clock import FixedClock
from gongji.identity.tencent import TencentFaceProvider
from gongji.identity.wechat import MockCodeToSession
from gongji.regions.policy import PolicyBook
from gongji.settings import ConfigurationError, Settings
from gongji.throttle.service import Throttle
from tests.conftest import Api, person

pytestmark = pytest.mark.usefixtures("demo_data")

START = """mutation($n:String!,$i:String!){startFaceVerification(name:$n,idNumber:$i){
  verifyId errors{code}}}"""
VERIFY = "mutation($v:String!){verifyIdentity(verifyId:$v){me{name} errors{code field}}}"
CREATE = """mutation($name:String!){createFamilyGroup(input:{name:$name,acceptCommitment:true,
  commitmentVersion:"2024.1"}){group{id} errors{code}}}"""
INVITE = """mutation($g:ID!,$n:String!,$i:String!){inviteFamilyMember(input:{groupId:$g,name:$n,
  idNumber:$i,relationship:CHILD}){invitation{id} errors{code}}}"""
ACCEPT = """mutation($id:ID!,$v:String){acceptInvitation(invitationId:$id,verifyId:$v){
  group{id} errors{code}}}"""


@dataclass
class FakeFaceID:
    """Tencent's FaceID API as the SDK sees it: one POST per action, named in X-TC-Action."""

    port: int = 0
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    started: dict[str, dict[str, Any]] = field(default_factory=dict)  # BizToken → DetectAuth
    err_code: int = 0  # what GetDetectInfoEnhanced reports for a finished verification
    broken: bool = False  # answer every action with a Tencent error

    def answer(self, action: str, body: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((action, body))
        if self.broken:
            return {"Error": {"Code": "InternalError", "Message": "boom"}, "RequestId": "r-err"}
        if action == "DetectAuth":
            token = f"biz-{len(self.started) + 1}"
            self.started[token] = body
            return {"BizToken": token, "Url": "https://x", "RequestId": "r1"}
        started = self.started[body["BizToken"]]
        return {
            "Text": {
                "ErrCode": self.err_code,
                "ErrMsg": "成功" if self.err_code == 0 else "比对不通过",
                "IdCard": started["IdCard"],
                "Name": started["Name"],
            },
            "RequestId": "r2",
        }

    def actions(self) -> list[str]:
        return [action for action, _ in self.calls]


@pytest.fixture
def fake() -> Iterator[FakeFaceID]:
    state = FakeFaceID()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            answer = state.answer(self.headers["X-TC-Action"], body)
            payload = json.dumps({"Response": answer}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
    thread.join()


def tencent_settings(endpoint: str) -> Settings:
    return Settings(
        development=True,  # the WeChat login is still the mock one here
        face_provider="tencent",
        tencent_secret_id="AKIDtest",
        tencent_secret_key="test-secret",
        tencent_faceid_rule_id="1",
        tencent_faceid_endpoint=endpoint,
    )


async def _client(settings: Settings, clock: FixedClock) -> AsyncIterator[Api]:
    services = Services(
        settings=settings,
        policies=PolicyBook.load(),
        wechat=MockCodeToSession(),
        face=TencentFaceProvider.from_settings(settings),
        clock=clock,
        throttle=Throttle.from_settings(settings),
    )
    app = create_app(settings, services=services, manage_database=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gongji.test") as http:
        yield Api(http, services.face)


@pytest.fixture
async def tencent(fake: FakeFaceID, clock: FixedClock) -> AsyncIterator[Api]:
    async for api in _client(tencent_settings(f"http://127.0.0.1:{fake.port}"), clock):
        yield api


async def start(api: Api, token: str, name: str, id_number: str) -> dict[str, Any]:
    data = await api.data(START, {"n": name, "i": id_number}, token=token)
    result: dict[str, Any] = data["startFaceVerification"]
    return result


async def test_a_passed_verification_links_the_member(tencent: Api, fake: FakeFaceID) -> None:
    token = await tencent.login("demo-zhaomin")
    zhao = person("赵敏")
    started = await start(tencent, token, zhao.name, zhao.id_number)
    assert started["errors"] == []
    assert started["verifyId"] == "biz-1"  # the BizToken the mini-program's FaceID plugin takes
    linked = await tencent.data(VERIFY, {"v": started["verifyId"]}, token=token)
    assert linked["verifyIdentity"] == {"me": {"name": "赵敏"}, "errors": []}
    assert fake.actions() == ["DetectAuth", "GetDetectInfoEnhanced"]
    assert fake.calls[1][1]["BizToken"] == "biz-1"
    assert fake.calls[1][1]["RuleId"] == "1"


async def test_the_name_and_id_number_sent_are_the_members_own(
    tencent: Api, fake: FakeFaceID
) -> None:
    token = await tencent.login("demo-zhangxiaoyu")
    xiaoyu = person("张晓雨")
    typed = f"  {xiaoyu.id_number.lower()} "  # what a user might type
    assert (await start(tencent, token, f" {xiaoyu.name} ", typed))["errors"] == []
    action, sent = fake.calls[0]
    assert action == "DetectAuth"
    assert (sent["IdCard"], sent["Name"], sent["RuleId"]) == (xiaoyu.id_number, "张晓雨", "1")


async def test_a_failed_face_scan_is_refused(tencent: Api, fake: FakeFaceID) -> None:
    fake.err_code = 1001  # Tencent: the face does not match the ID photo
    token = await tencent.login("demo-zhaomin")
    zhao = person("赵敏")
    verify_id = (await start(tencent, token, zhao.name, zhao.id_number))["verifyId"]
    refused = await tencent.data(VERIFY, {"v": verify_id}, token=token)
    assert refused["verifyIdentity"] == {
        "me": None,
        "errors": [{"code": "FACE_VERIFICATION_FAILED", "field": "verifyId"}],
    }
    assert (await tencent.data("{ me { name } }", token=token))["me"] is None


async def test_a_verification_older_than_its_lifetime_expires(
    tencent: Api, fake: FakeFaceID, clock: FixedClock
) -> None:
    token = await tencent.login("demo-zhaomin")
    zhao = person("赵敏")
    verify_id = (await start(tencent, token, zhao.name, zhao.id_number))["verifyId"]
    clock.advance(timedelta(hours=1, seconds=1))
    late = await tencent.data(VERIFY, {"v": verify_id}, token=token)
    assert late["verifyIdentity"]["errors"][0]["code"] == "FACE_VERIFICATION_EXPIRED"
    assert fake.actions() == ["DetectAuth"]  # an expired one is not even asked about


async def test_a_used_verification_cannot_be_replayed(tencent: Api) -> None:
    xiaoyu = person("张晓雨")
    groups = []
    for parent in ("demo-zhangwei", "demo-lina"):
        token = await tencent.login(parent)
        group = (await tencent.data(CREATE, {"name": "家"}, token=token))["createFamilyGroup"]
        variables = {"g": group["group"]["id"], "n": xiaoyu.name, "i": xiaoyu.id_number}
        invited = await tencent.data(INVITE, variables, token=token)
        groups.append(invited["inviteFamilyMember"]["invitation"]["id"])
    teen = await tencent.login("demo-zhangxiaoyu")
    verify_id = (await start(tencent, teen, xiaoyu.name, xiaoyu.id_number))["verifyId"]
    first = await tencent.data(ACCEPT, {"id": groups[0], "v": verify_id}, token=teen)
    assert first["acceptInvitation"]["errors"] == []
    replay = await tencent.data(ACCEPT, {"id": groups[1], "v": verify_id}, token=teen)
    assert replay["acceptInvitation"]["errors"] == [{"code": "FACE_VERIFICATION_USED"}]


async def test_an_erroring_provider_is_a_typed_error(tencent: Api, fake: FakeFaceID) -> None:
    fake.broken = True
    token = await tencent.login("demo-zhaomin")
    zhao = person("赵敏")
    body = await tencent(START, {"n": zhao.name, "i": zhao.id_number}, token=token)
    assert "errors" not in body
    assert body["data"]["startFaceVerification"] == {
        "verifyId": None,
        "errors": [{"code": "FACE_PROVIDER_UNAVAILABLE"}],
    }


async def test_an_unreachable_provider_is_a_typed_error(
    tencent: Api, fake: FakeFaceID, clock: FixedClock
) -> None:
    token = await tencent.login("demo-zhaomin")
    zhao = person("赵敏")
    verify_id = (await start(tencent, token, zhao.name, zhao.id_number))["verifyId"]
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    async for down in _client(tencent_settings(f"http://127.0.0.1:{closed}"), clock):
        body = await down(VERIFY, {"v": verify_id}, token=token)
        assert body["data"]["verifyIdentity"] == {
            "me": None,
            "errors": [{"code": "FACE_PROVIDER_UNAVAILABLE", "field": None}],
        }
    linked = await tencent.data(VERIFY, {"v": verify_id}, token=token)  # it can be retried
    assert linked["verifyIdentity"]["errors"] == []


def test_tencent_without_its_credentials_refuses_to_start() -> None:
    with pytest.raises(ConfigurationError, match="TENCENTCLOUD_SECRET_KEY") as refused:
        build_services(
            Settings(development=True, face_provider="tencent", tencent_secret_id="AKIDtest")
        )
    assert "\n" not in str(refused.value)
    with pytest.raises(ConfigurationError, match="cert_hash"):
        build_services(Settings(development=True, face_provider="wechat"))
