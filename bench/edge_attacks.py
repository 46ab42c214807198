"""Attacks on the open endpoint, over HTTP, against a gongji you started (127.0.0.1 only).

    GONGJI_ENV=development .venv/bin/gongji serve --port 8191 &
    .venv/bin/python -m bench.edge_attacks --url http://127.0.0.1:8191
    # agentLogin timing needs the agent limits lifted, else it times refusals:
    export GONGJI_LIMIT_AGENT_LOGIN_PER_USERNAME=1000/minute
    export GONGJI_LIMIT_AGENT_LOGIN_PER_IP=1000/minute GONGJI_LIMIT_AGENT_LOCKOUT=1000/minute
    GONGJI_ENV=development .venv/bin/gongji serve --port 8192 &
    .venv/bin/python -m bench.edge_attacks --url http://127.0.0.1:8192 --timing-only

Prints one line per attack: what was sent and what came back. Bounded: a few hundred
requests in all. Uses the demo data (`gongji demo`), so run it against a demo database.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import statistics
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

LOGIN = "mutation($c:String!){ login(code:$c){ token errors { code retryAfterSeconds } } }"
AGENT = (
    "mutation($u:String!,$p:String!){ agentLogin(username:$u, password:$p)"
    "{ token errors { code retryAfterSeconds } } }"
)


class Target:
    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    def raw(
        self, body: bytes, headers: dict[str, str] | None = None, path: str = "/graphql"
    ) -> tuple[int, Any]:
        request = urllib.request.Request(
            self.url + path,
            data=body,
            headers={"content-type": "application/json", **(headers or {})},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as error:
            text = error.read()
            try:
                return error.code, json.loads(text)
            except ValueError:
                return error.code, text[:200]

    def gql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        forwarded: str | None = None,
    ) -> tuple[int, Any]:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        if forwarded:
            headers["x-forwarded-for"] = forwarded
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        return self.raw(body, headers)


def codes(answer: Any) -> list[str]:
    """Every code in an answer: payload errors and top-level extensions."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if "code" in value and isinstance(value["code"], str):
                found.append(value["code"])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(answer)
    return found


def show(name: str, sent: str, status: int, answer: Any) -> None:
    print(f"{name:<28} {sent:<46} -> {status} {sorted(set(codes(answer)))}")


def oversized(t: Target, declared: int) -> tuple[int, Any]:
    """Declare a huge body, send its first megabyte, and read what the server says."""
    parts = urllib.parse.urlsplit(t.url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    connection.putrequest("POST", "/graphql")
    connection.putheader("content-type", "application/json")
    connection.putheader("content-length", str(declared))
    connection.endheaders()
    with contextlib.suppress(OSError):  # it may close before reading: its answer is there
        connection.send(b"x" * (1024 * 1024))
    answer = connection.getresponse()
    return answer.status, json.loads(answer.read() or b"null")


def door(t: Target) -> None:
    started = time.perf_counter()
    status, answer = oversized(t, 100 * 1024 * 1024)
    took = (time.perf_counter() - started) * 1000
    show("request size", f"100 MB declared ({took:.0f} ms to refusal)", status, answer)
    for body, label in [
        (b"null", "JSON null"),
        (b'"x"', 'JSON "x"'),
        (b"5", "JSON 5"),
        (b"\xff\xfe{", "invalid UTF-8"),
        (b"[" * 5000 + b"]" * 5000, "5,000-deep array"),
    ]:
        status, answer = t.raw(body)
        show("malformed body", label, status, answer)


def hygiene(t: Target) -> None:
    token = t.gql(LOGIN, {"c": "demo-zhangwei"})[1]["data"]["login"]["token"]
    group = (
        "mutation($n:String!){ createFamilyGroup(input:{name:$n, acceptCommitment:true,"
        ' commitmentVersion:"2024.1"}){ errors { code field } } }'
    )
    for text, label in [
        ("张家\x00", "NUL in a group name"),
        ("张家\u202e", "bidi override in a group name"),
        ("张\u200b家", "zero-width space in a group name"),
        ("\x1b[31m张家", "ANSI escape in a group name"),
        ("家" * 500, "500-character group name"),
    ]:
        show("input hygiene", label, *t.gql(group, {"n": text}, token=token))
    transfer = (
        'mutation($a:Money!){ transferToWallet(amount:$a, idempotencyKey:"attack-1e9")'
        "{ errors { code field } } }"
    )
    show("money", "amount as JSON number 1e9", *t.gql(transfer, {"a": 1e9}, token=token))
    show("money", 'amount "1e9"', *t.gql(transfer, {"a": "1e9"}, token=token))
    verify = (
        "mutation($n:String!,$i:String!){ startFaceVerification(name:$n, idNumber:$i)"
        "{ errors { code field } } }"
    )
    show(
        "ID number",
        '"²" among the digits',
        *t.gql(verify, {"n": "张伟", "i": "62010219760315011²"}, token=token),
    )
    records = "query($y:Int){ usageRecords(filter:{year:$y}) { totalCount } }"
    show("filter", "year 1800", *t.gql(records, {"y": 1800}, token=token))


def throttling(t: Target) -> None:
    refused_at = None
    client = f"10.9.{int(time.time()) % 250}.7"  # honoured only behind a trusted proxy
    for n in range(1, 71):
        _, answer = t.gql(LOGIN, {"c": "demo-lina"}, forwarded=client)
        if "RATE_LIMITED" in codes(answer):
            refused_at = n
            break
    print(f"{'login per IP':<28} {'70 logins in a row':<46} -> first RATE_LIMITED at #{refused_at}")
    aliased = (
        "mutation{ "
        + " ".join(f'a{i}: login(code:"demo-lina"){{ errors {{ code }} }}' for i in range(5))
        + " }"
    )
    show("aliases count", "5 aliased logins in one request", *t.gql(aliased))
    user = "demo-agent"
    wrong = [t.gql(AGENT, {"u": user, "p": f"wrong-{i}"})[1] for i in range(6)]
    right = t.gql(AGENT, {"u": user, "p": "gongji-demo"})[1]
    print(
        f"{'agent lock-out':<28} {'6 wrong passwords, then the right one':<46} -> "
        f"{[sorted(set(codes(a))) for a in wrong]} then {sorted(set(codes(right)))}"
    )


def agent_timing(t: Target, rounds: int) -> None:
    def median_ms(user: str) -> float:
        times = []
        for i in range(rounds):
            started = time.perf_counter()
            t.gql(AGENT, {"u": user, "p": f"not-it-{i}"})
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times)

    known, unknown = median_ms("demo-agent"), median_ms("no-such-agent")
    print(
        f"{'agent timing':<28} {f'{rounds} wrong passwords each, median':<46} -> "
        f"known {known:.1f} ms, unknown {unknown:.1f} ms"
    )


def mocks(t: Target) -> None:
    token = t.gql(LOGIN, {"c": "mock-zhangwei"})[1]["data"]["login"]["token"]
    status, answer = t.gql("{ me { name } }", token=token)
    print(f"{'mock- code':<28} {'mock-zhangwei then { me { name } }':<46} -> {status} {answer}")
    status, answer = t.raw(b"", path="/mock/wechat/face/anything?result=pass")
    show("mock face endpoint", "POST without a token", status, answer)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:8191")
    parser.add_argument("--timing-rounds", type=int, default=20)
    parser.add_argument("--timing-only", action="store_true", help="only agentLogin timing")
    args = parser.parse_args()
    target = Target(args.url)
    if args.timing_only:
        agent_timing(target, args.timing_rounds)
        return
    door(target)
    hygiene(target)
    mocks(target)
    throttling(target)  # last: it uses up this address's login allowance


if __name__ == "__main__":
    main()
