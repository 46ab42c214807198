"""Login, identity verification, staff login and who-may-see-what, over HTTP."""

from __future__ import annotations

import pytest

from gongji.demo import AGENT_PASSWORD, AGENT_USERNAME, demo_api_key
from tests.conftest import Api, person

pytestmark = pytest.mark.usefixtures("demo_data")

ME = "{ me { name idNumber phone age canAuthorize insuredRegion { code name } } }"
VERIFY = "mutation($v:String!){verifyIdentity(verifyId:$v){me{name} errors{code field rule}}}"


async def test_demo_code_logs_in_and_me_is_masked(api: Api) -> None:
    token = await api.login("demo-zhangwei")
    me = (await api.data(ME, token=token))["me"]
    zhang = person("张伟")
    assert me["name"] == "张伟"
    assert me["idNumber"] == zhang.id_number[:6] + "********" + zhang.id_number[-4:]
    assert me["phone"] == "138****0001"
    assert me["canAuthorize"] is True
    assert me["insuredRegion"] == {"code": "620100", "name": "兰州市"}


async def test_invalid_login_code_is_a_typed_error(api: Api) -> None:
    data = await api.data('mutation{login(code:"nonsense"){token errors{code field}}}')
    assert data["login"] == {
        "token": None,
        "errors": [{"code": "LOGIN_CODE_INVALID", "field": "code"}],
    }


async def test_no_token_and_a_bad_token_are_told_apart(api: Api) -> None:
    body = await api(ME)
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    body = await api(ME, token="gjs_forged")
    assert body["errors"][0]["extensions"]["code"] == "TOKEN_INVALID"


async def test_face_verification_links_a_new_user_to_the_member(api: Api) -> None:
    token = await api.login("demo-zhaomin")
    assert (await api.data(ME, token=token))["me"] is None
    zhao = person("赵敏")
    verify_id = await api.face_verify(token, zhao.name, zhao.id_number, passed=True)
    data = await api.data(VERIFY, {"v": verify_id}, token=token)
    assert data["verifyIdentity"] == {"me": {"name": "赵敏"}, "errors": []}
    assert (await api.data(ME, token=token))["me"]["name"] == "赵敏"


async def test_failed_face_verification_does_not_link(api: Api) -> None:
    token = await api.login("demo-zhaomin")
    zhao = person("赵敏")
    verify_id = await api.face_verify(token, zhao.name, zhao.id_number, passed=False)
    data = await api.data(VERIFY, {"v": verify_id}, token=token)
    assert data["verifyIdentity"]["errors"] == [
        {"code": "FACE_VERIFICATION_FAILED", "field": "verifyId", "rule": "R4"}
    ]
    assert (await api.data(ME, token=token))["me"] is None


async def test_a_verification_is_used_once_and_expires(api: Api, clock) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    token = await api.login("demo-zhaomin")
    zhao = person("赵敏")
    verify_id = await api.face_verify(token, zhao.name, zhao.id_number, passed=True)
    other = await api.login("mock-stranger")
    stolen = await api.data(VERIFY, {"v": verify_id}, token=other)
    assert stolen["verifyIdentity"]["errors"][0]["code"] == "NOT_FOUND"
    clock.advance(timedelta(hours=1, seconds=1))
    late = await api.data(VERIFY, {"v": verify_id}, token=token)
    assert late["verifyIdentity"]["errors"][0]["code"] == "FACE_VERIFICATION_EXPIRED"


async def test_name_must_match_the_id_number(api: Api) -> None:
    token = await api.login("demo-zhaomin")
    data = await api.data(
        "mutation($n:String!,$i:String!){startFaceVerification(name:$n,idNumber:$i)"
        "{verifyId errors{code field}}}",
        {"n": "赵某", "i": person("赵敏").id_number},
        token=token,
    )
    assert data["startFaceVerification"] == {
        "verifyId": None,
        "errors": [{"code": "MEMBER_NOT_FOUND", "field": "idNumber"}],
    }


async def test_a_member_already_linked_elsewhere_cannot_be_linked_again(api: Api) -> None:
    token = await api.login("mock-impostor")
    zhang = person("张伟")
    verify_id = await api.face_verify(token, zhang.name, zhang.id_number, passed=True)
    data = await api.data(VERIFY, {"v": verify_id}, token=token)
    assert data["verifyIdentity"]["errors"][0]["code"] == "IDENTITY_ALREADY_LINKED"


async def test_agent_login_and_wrong_password(api: Api) -> None:
    query = (
        "mutation($u:String!,$p:String!){agentLogin(username:$u,password:$p){token errors{code}}}"
    )
    ok = await api.data(query, {"u": AGENT_USERNAME, "p": AGENT_PASSWORD})
    assert ok["agentLogin"]["token"].startswith("gja_")
    bad = await api.data(query, {"u": AGENT_USERNAME, "p": "guess"})
    assert bad["agentLogin"] == {"token": None, "errors": [{"code": "AGENT_CREDENTIALS_INVALID"}]}


async def test_institution_key_is_not_a_member(api: Api) -> None:
    key = demo_api_key("H62010200001")
    assert (await api.data(ME, token=key))["me"] is None
    data = await api.data(
        'mutation{createFamilyGroup(input:{name:"x",acceptCommitment:true,commitmentVersion:"2024.1"})'
        "{group{id} errors{code}}}",
        token=key,
    )
    assert data["createFamilyGroup"]["errors"] == [{"code": "FORBIDDEN"}]


async def test_errors_speak_english_when_asked(api: Api) -> None:
    data = await api.data(
        'mutation{login(code:"nonsense"){errors{message}}}', language="en-US,en;q=0.9"
    )
    assert data["login"]["errors"][0]["message"].startswith("The login code is invalid")
    data = await api.data('mutation{login(code:"nonsense"){errors{message}}}')
    assert data["login"]["errors"][0]["message"].startswith("登录凭证无效")


async def test_query_limits_reject_deep_and_aliased_documents(api: Api) -> None:
    token = await api.login("demo-zhangwei")
    aliases = " ".join(f"a{i}: me {{ name }}" for i in range(20))
    body = await api(f"{{ {aliases} }}", token=token, language="en")
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert "aliases" in body["errors"][0]["extensions"]["detail"].lower()
    deep = "{ myFamilyGroups { members { person { insuredRegion { name } } } } }"
    assert "errors" not in await api(deep, token=token)


async def test_bugs_are_masked(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    from gongji.families import service

    async def broken(_member_id: object) -> list[object]:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(service, "groups_of", broken)
    token = await api.login("demo-zhangwei")
    body = await api("{ myFamilyGroups { id } }", token=token, language="en")
    assert body["errors"][0]["message"] == "Unexpected error."
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "secret" not in str(body)


async def test_graphiql_is_served_to_browsers(api: Api) -> None:
    response = await api.http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_logout_ends_the_session(api: Api) -> None:
    token = await api.login("demo-zhangwei")
    assert (await api.data("mutation { logout { errors { code } } }", token=token)) == {
        "logout": {"errors": []}
    }
    body = await api(ME, token=token)
    assert body["errors"][0]["extensions"]["code"] == "TOKEN_INVALID"
