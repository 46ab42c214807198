"""GraphiQL served by gongji itself: it works on a network with no internet access."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import strawberry
from graphql import build_schema, parse, validate
from playwright.async_api import Route, async_playwright
from playwright.async_api import TimeoutError as PlaywrightTimeout

from gongji.api.graphiql_page import WALKTHROUGH
from tests.conftest import ROOT, Api

STRAWBERRY_PAGE = Path(strawberry.__file__).parent / "static" / "graphiql.html"
# (address, integrity) of every script and stylesheet tag
ASSET_TAG = re.compile(
    r'<(?:script src|link rel="stylesheet" href)="([^"]+)"(?: integrity="([^"]+)")?'
)


async def graphiql_page(api: Api) -> str:
    response = await api.http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def sri(body: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(body).digest()).decode()


async def test_every_asset_comes_from_gongji_with_its_integrity_hash(api: Api) -> None:
    html = await graphiql_page(api)
    tags = ASSET_TAG.findall(html)
    assert len(tags) == 9 and len(re.findall(r"<script|<link", html)) == 11  # + tabs, icon
    for url, integrity in tags:
        assert url.startswith("/graphiql/"), url
        asset = await api.http.get(url)
        assert asset.status_code == 200, url
        assert integrity == sri(asset.content), url
        if url.endswith(".css"):  # nothing pulls in a web font or stylesheet from elsewhere
            assert not re.search(r"@import|url\((?!data:)", asset.text), url
    assert re.search(r'(?:src|href)="(?!/graphiql/|data:)', html) is None


async def test_the_files_are_the_ones_strawberrys_page_pins(api: Api) -> None:
    pinned = re.findall(r'integrity="(sha384-[^"]+)"', STRAWBERRY_PAGE.read_text("utf-8"))
    ours = re.findall(r'integrity="(sha384-[^"]+)"', await graphiql_page(api))
    assert len(pinned) == 7 and set(pinned) <= set(ours)


async def test_the_page_allows_no_outside_source(api: Api) -> None:
    response = await api.http.get("/graphql", headers={"Accept": "text/html"})
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    assert "http" not in policy


async def test_assets_are_cached_for_good_and_served_compressed(api: Api) -> None:
    url = "/graphiql/graphiql-3.8.3.min.js"
    first = await api.http.get(url, headers={"Accept-Encoding": "gzip"})
    assert first.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert first.headers["content-encoding"] == "gzip"
    assert first.headers["content-type"] == "text/javascript; charset=utf-8"
    again = await api.http.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert (await api.http.get("/graphiql/..%2Fgraphiql_page.py")).status_code == 404
    assert (await api.http.get("/graphiql/react.js")).status_code == 404


def test_the_walkthrough_tabs_are_valid_against_the_contract() -> None:
    schema = build_schema((ROOT / "schema.graphql").read_text("utf-8"))
    for tab in WALKTHROUGH:
        assert validate(schema, parse(tab.query)) == [], tab.query
        for extra in (tab.variables, tab.headers):
            assert extra is None or isinstance(json.loads(extra), dict)
    names = [re.search(r"^(?:query|mutation) (\w+)", t.query, re.M)[1] for t in WALKTHROUGH]
    assert names == ["Login", "Me", "Wallet", "CreateBill", "Pay", "Records"]


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[str]:
    """`gongji migrate`, `gongji demo`, `gongji serve` on a fresh SQLite file and a free port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite://{tmp_path / 'graphiql.sqlite3'}",
        "GONGJI_ENV": "development",
    }
    # `gongji migrate` then `gongji demo`, in one interpreter to start faster
    prepare = "from gongji.cli import main; raise SystemExit(main(['migrate']) or main(['demo']))"
    subprocess.run([sys.executable, "-c", prepare], env=env, check=True, timeout=60)
    server = subprocess.Popen(
        [sys.executable, "-m", "gongji.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("gongji serve did not start", pytrace=False)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def chromium() -> str:
    """Debian's chromium; Playwright's own download cannot work on isolated machines."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: apt-get install -y chromium fonts-noto-cjk", pytrace=False
        )
    return str(CHROMIUM)


async def test_graphiql_runs_in_a_browser_without_internet(live_server: str, chromium: str) -> None:
    async with httpx.AsyncClient(base_url=live_server) as http:
        login = await http.post(
            "/graphql", json={"query": 'mutation { login(code: "demo-zhangwei") { token } }'}
        )
    token = login.json()["data"]["login"]["token"]

    outside: list[str] = []

    async def local_only(route: Route) -> None:
        url = route.request.url
        if url.startswith("data:") or urlsplit(url).hostname in ("127.0.0.1", "localhost"):
            await route.continue_()
        else:
            outside.append(url)
            await route.abort()

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        try:
            page = await browser.new_page()
            await page.route("**/*", local_only)
            await page.goto(f"{live_server}/graphql", wait_until="networkidle")  # + schema
            query_editor = page.locator(".graphiql-query-editor .CodeMirror")
            await query_editor.wait_for(timeout=10_000)
            assert "Loading" not in await page.inner_text("#graphiql")
            assert await page.locator(".graphiql-tab").count() == len(WALKTHROUGH)

            # a new tab: the Login tab's operation name would go with the query for a moment
            await page.get_by_role("button", name="Add tab").click()
            for _ in range(100):  # until GraphiQL has put the new tab's (empty) query in
                if await query_editor.evaluate("(e) => e.CodeMirror.getValue()") == "":
                    break
                await asyncio.sleep(0.05)
            await query_editor.evaluate("(e) => e.CodeMirror.setValue('{ me { name } }')")
            headers = json.dumps({"Authorization": f"Bearer {token}"})
            headers_editor = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror"
            await page.locator(headers_editor).evaluate(
                "(e, headers) => e.CodeMirror.setValue(headers)", headers
            )
            await page.click(".graphiql-execute-button")
            result = page.locator(".graphiql-response")
            try:
                await result.get_by_text("张伟").wait_for(timeout=10_000)
            except PlaywrightTimeout:
                pytest.fail(f"no 张伟 in the result pane: {await result.inner_text()}")
        finally:
            await browser.close()
    assert outside == []
