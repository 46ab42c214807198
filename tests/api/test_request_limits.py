"""Limits at the door, over HTTP: too large is a 413, malformed is a 400, nothing is a 500."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.conftest import Api

MB = 1024 * 1024
OK_QUERY = b'{"query":"{ commitmentLetter { version } }"}'
JSON = {"content-type": "application/json"}


def bad_request(response: httpx.Response) -> str:
    assert response.status_code == 400, response.text
    body: dict[str, Any] = response.json()
    [error] = body["errors"]
    assert error["extensions"] == {"code": "BAD_REQUEST"}
    message: str = error["message"]
    return message


class Chunks:
    """A chunked upload without Content-Length that records how much the server took."""

    def __init__(self, count: int, size: int = 64 * 1024) -> None:
        self.count, self.size, self.sent = count, size, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.count):
            self.sent += 1
            yield b" " * self.size


@pytest.mark.parametrize("path", ["/graphql", "/export/usage-records.csv"])
async def test_a_body_over_the_limit_is_refused_before_it_is_read(api: Api, path: str) -> None:
    method = "POST" if path == "/graphql" else "GET"
    response = await api.http.request(method, path, content=b" " * (MB + 1), headers=JSON)
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"] == {"code": "REQUEST_TOO_LARGE"}
    assert "1048576" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("path", ["/graphql", "/export/usage-records.csv"])
async def test_a_chunked_body_is_counted_as_it_arrives(api: Api, path: str) -> None:
    upload = Chunks(count=100)  # 6.4 MB in 64 KB chunks, no Content-Length
    method = "POST" if path == "/graphql" else "GET"
    response = await api.http.request(method, path, content=upload, headers=JSON)
    assert response.status_code == 413
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert upload.sent <= 17  # stopped just past 1 MB, not after 6.4 MB


async def test_a_declared_length_over_the_limit_is_refused_without_reading(api: Api) -> None:
    upload = Chunks(count=3)
    response = await api.http.post(
        "/graphql", content=upload, headers={**JSON, "content-length": str(50 * MB)}
    )
    assert response.status_code == 413
    assert upload.sent <= 1


async def test_a_body_under_the_limit_is_served(api: Api) -> None:
    padded = OK_QUERY[:-1] + b',"extensions":{"pad":"' + b"x" * (MB - 200) + b'"}}'
    response = await api.http.post("/graphql", content=padded, headers=JSON)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["commitmentLetter"]["version"]


@pytest.mark.parametrize(
    "body",
    [
        b"null",
        b'"x"',
        b"5",
        b"true",
        b"",
        b'[{"query":"{ commitmentLetter { version } }"}]',  # batching is off
        b'{"query":"{ commitmentLetter { version } }"',  # invalid JSON
        b'{"query":"\xff\xfe"}',  # invalid UTF-8
        b"[" * 5000 + b"]" * 5000,
        b'{"query":"{ me { name } }","variables":{"a":' + b"[" * 5000 + b"]" * 5000 + b"}}",
        b'{"query":5}',
        b"{}",
        b'{"query":"{ me { name } }","variables":[1]}',
        b'{"query":"{ me { name } }","operationName":5}',
        b'{"query":"{ me { name } }","extensions":"x"}',
    ],
)
async def test_a_malformed_graphql_body_is_a_400_in_graphql_shape(api: Api, body: bytes) -> None:
    response = await api.http.post("/graphql", content=body, headers=JSON)
    assert bad_request(response).startswith("输入无效")


async def test_the_message_follows_accept_language(api: Api) -> None:
    response = await api.http.post(
        "/graphql", content=b"[" * 5000 + b"]" * 5000, headers={**JSON, "accept-language": "en"}
    )
    assert bad_request(response) == "Invalid input: the request body nests deeper than 32 levels"


async def test_a_body_that_is_not_json_is_refused(api: Api) -> None:
    response = await api.http.post(
        "/graphql", content=b"query { me { name } }", headers={"content-type": "text/plain"}
    )
    bad_request(response)


@pytest.mark.parametrize(
    "params",
    [
        {"query": "{ me { name } }", "variables": "{"},
        {"query": "{ me { name } }", "variables": "[1]"},
        {"query": "{ me { name } }", "variables": "5"},
        {"query": "{ me { name } }", "variables": "[" * 5000 + "]" * 5000},
        {"query": "{ me { name } }", "extensions": "x"},
        {"query": ""},
        {"variables": "{}"},
    ],
)
async def test_a_malformed_graphql_get_is_a_400(api: Api, params: dict[str, str]) -> None:
    response = await api.http.get("/graphql", params=params, headers={"accept": "application/json"})
    bad_request(response)


async def test_a_good_get_and_graphiql_still_work(api: Api) -> None:
    response = await api.http.get(
        "/graphql", params={"query": "{ commitmentLetter { version } }", "variables": "null"}
    )
    assert response.status_code == 200
    assert response.json()["data"]["commitmentLetter"]["version"]
    page = await api.http.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()


async def test_a_mutation_over_get_is_refused_in_graphql_shape(api: Api) -> None:
    response = await api.http.get(
        "/graphql", params={"query": 'mutation { login(code: "demo-zhangwei") { token } }'}
    )
    assert response.status_code >= 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


@pytest.mark.parametrize(
    "query",
    ["year=²", "year=99999999999999999999", "relativeId=x", "visitType=NOPE", "insuredRegion=1"],
)
@pytest.mark.usefixtures("demo_data")
async def test_the_export_refuses_bad_parameters_with_a_400(api: Api, query: str) -> None:
    token = await api.login("demo-zhangwei")
    response = await api.http.get(
        f"/export/usage-records.csv?{query}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 400, response.text
    assert response.json()["errors"]
