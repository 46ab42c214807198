"""Top-level errors: every one has extensions.code, a localized message, and no echo of input."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from gongji.clock import FixedClock
from tests.conftest import Api, person

ME = "{ me { name } }"


async def test_a_parse_error_is_coded_and_localized(api: Api) -> None:
    zh = (await api("{ me { name }", language="zh"))["errors"][0]
    en = (await api("{ me { name }", language="en"))["errors"][0]
    assert zh["extensions"]["code"] == en["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    assert "语法错误" in zh["message"]
    assert zh["extensions"]["detail"] == en["extensions"]["detail"]
    assert "Syntax Error" in en["message"]


async def test_a_validation_error_is_coded_and_keeps_graphql_core_detail(api: Api) -> None:
    error = (await api("{ me { salary } }", language="zh-CN"))["errors"][0]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "校验" in error["message"]
    assert "salary" in error["extensions"]["detail"]


async def test_depth_and_token_limits_are_too_complex(api: Api) -> None:
    deep = "{ me " + "{ insuredRegion " * 11 + "{ name }" + " }" * 11 + " }"
    codes = {e["extensions"]["code"] for e in (await api(deep))["errors"]}
    assert "QUERY_TOO_COMPLEX" in codes
    many = "{ " + " ".join(f"a{i}: __typename" for i in range(3000)) + " }"
    body = await api(many, language="en")
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert "tokens" in body["errors"][0]["extensions"]["detail"]


async def test_variable_of_the_wrong_type_is_a_validation_error(api: Api) -> None:
    body = await api(
        'query($y: Int) { regionPolicy(regionCode: "620100") { __typename } }', {"y": "x"}
    )
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_an_expired_token_is_token_invalid(
    api: Api, demo_data: None, clock: FixedClock
) -> None:
    data = await api.data("mutation { login(code: \"demo-zhangwei\") { token expiresAt } }")
    token, expires_at = data["login"]["token"], data["login"]["expiresAt"]
    assert expires_at == (clock.now() + timedelta(hours=168)).isoformat()
    assert (await api.data(ME, token=token))["me"]["name"] == "张伟"
    clock.advance(timedelta(hours=169))
    body = await api(ME, token=token, language="en")
    assert body["errors"][0]["extensions"]["code"] == "TOKEN_INVALID"
    assert "log in again" in body["errors"][0]["message"]


async def test_a_query_refusal_is_top_level_with_code_field_and_rule(api: Api) -> None:
    body = await api(
        "query($r: String!) { regionPolicy(regionCode: $r) { __typename } }",
        {"r": "620100\u202e"},
        language="en",
    )
    assert body["errors"][0]["extensions"] == {
        "code": "INVALID_INPUT",
        "field": "regionCode",
        "rule": None,
    }
    assert body["errors"][0]["message"] == "Invalid input: character U+202E is not allowed"


async def test_refusals_in_queries_never_log_the_document(
    api: Api, demo_data: None, caplog: pytest.LogCaptureFixture
) -> None:
    wang = person("王秀英")
    caplog.set_level(logging.INFO)
    login = await api.data(
        'mutation { agentLogin(username: "demo-agent", password: "gongji-demo") { token } }'
    )
    body = await api(
        f'{{ auditUsageRecords(idNumber: "{wang.id_number}", reason: "x") {{ totalCount }} }}',
        token=login["agentLogin"]["token"],
    )
    assert body["errors"][0]["extensions"]["code"] == "AGENT_REASON_TOO_SHORT"
    assert wang.id_number not in caplog.text


async def test_the_rules_a_refusal_cites_are_public(api: Api) -> None:
    rules = (await api.data("{ rules { id title text } }"))["rules"]
    assert [r["id"] for r in rules] == [f"R{n}" for n in range(1, 31)]
    assert "in-laws" in next(r for r in rules if r["id"] == "R3")["text"]
