"""Mocks that cannot reach production: development mode, mock login codes, the mock camera."""

from __future__ import annotations

from dataclasses import dataclass, replace

import httpx
import pytest

from gongji import cli
from gongji.api.context import Services
from gongji.app import create_app
from gongji.identity.face import CertInfo
from gongji.settings import MocksOutsideDevelopment, Settings
from tests.conftest import Api, person

pytestmark = pytest.mark.usefixtures("demo_data")
ME = "{ me { name } }"


def test_the_app_refuses_mocks_outside_development() -> None:
    with pytest.raises(MocksOutsideDevelopment, match="GONGJI_ENV=development"):
        create_app(Settings(), manage_database=False)
    assert Settings.from_env({"GONGJI_ENV": "development"}).development
    assert not Settings.from_env({}).development
    assert not Settings.from_env({"GONGJI_ENV": "production"}).development


def test_serve_says_why_in_one_line_and_exits_non_zero(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("GONGJI_ENV", raising=False)
    assert cli.main(["serve", "--port", "8122"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "mock WeChat login" in err and "GONGJI_ENV=development" in err
    assert "Traceback" not in err


async def test_a_mock_code_is_a_stranger_and_a_demo_code_the_demo_person(api: Api) -> None:
    stranger = await api.login("mock-zhangwei")
    assert (await api.data(ME, token=stranger))["me"] is None
    zhang = await api.login("demo-zhangwei")
    assert (await api.data(ME, token=zhang))["me"] == {"name": "张伟"}
    assert await api.login("mock-zhangwei") != zhang
    # the same code is the same WeChat user again: no demo person, however it is spelled
    for code in ["mock-openid-zhangwei", "mock-demo-zhangwei"]:
        assert (await api.data(ME, token=await api.login(code)))["me"] is None


START = "mutation($n:String!,$i:String!){startFaceVerification(name:$n,idNumber:$i){verifyId}}"


async def test_the_mock_camera_completes_only_the_starters_verification(api: Api) -> None:
    token = await api.login("demo-zhaomin")
    zhao = person("赵敏")
    data = await api.data(START, {"n": zhao.name, "i": zhao.id_number}, token=token)
    url = f"/mock/wechat/face/{data['startFaceVerification']['verifyId']}"

    anonymous = await api.http.post(url, params={"result": "pass"})
    assert anonymous.status_code == 403
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    other = await api.login("mock-someone")
    hijack = await api.http.post(url, headers={"Authorization": f"Bearer {other}"})
    assert hijack.status_code == 404
    assert hijack.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    unknown = await api.http.post(
        "/mock/wechat/face/mockverify-nope", headers={"Authorization": f"Bearer {token}"}
    )
    assert unknown.status_code == 404
    mine = await api.http.post(url, headers={"Authorization": f"Bearer {token}"})
    assert mine.status_code == 200
    assert mine.json()["passed"] is True


@dataclass
class OtherFaceProvider:
    """Any provider that is not the mock one (a real one does not exist yet)."""

    async def get_verify_id(self, out_seq_no: str, cert: CertInfo, openid: str) -> str:
        return "real-verify-id"

    async def passed(self, verify_id: str, out_seq_no: str, cert: CertInfo, openid: str) -> bool:
        return False


async def test_the_mock_camera_exists_only_with_the_mock_provider(services: Services) -> None:
    app = create_app(
        services.settings,
        services=replace(services, face=OtherFaceProvider()),
        manage_database=False,
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gongji.test") as http:
        response = await http.post("/mock/wechat/face/real-verify-id")
    assert response.status_code == 404
