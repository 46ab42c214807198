"""Load benchmark: usageRecords and pay over HTTP, GraphQL against the raw path, same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gongji_bench .venv/bin/python -m bench.load

Needs `wrk` (Debian package) and a database filled by bench.generate. Starts each server in
turn (uvicorn, one worker, no access log), drives it with wrk, samples the server's peak RSS
(VmHWM), and prints medians over --runs. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import asyncpg

from gongji.settings import RateLimits

ROOT = Path(__file__).resolve().parent.parent
RECORDS_QUERY = (
    "query($f:UsageRecordFilter,$n:Int){usageRecords(filter:$f,first:$n){"
    "pageInfo{hasNextPage endCursor} edges{cursor node{id occurredAt kind visitType familyPaid "
    "cash total institution{name region{name}} patient{id name idNumber age} "
    "authorizer{id name idNumber age}}}}}"
)
PAY_QUERY = (
    "mutation($b:ID!,$a:ID!,$k:String!){pay(billId:$b,authorizationId:$a,idempotencyKey:$k)"
    "{replayed payment{acctMulaidPay psnCashPay} errors{code}}}"
)
FILTERS: list[dict[str, Any]] = [
    {},
    {"year": 2025},
    {"year": 2024, "visitType": "OUTPATIENT"},
    {"role": "AS_AUTHORIZER", "kind": "PAYMENT"},
    {"role": "AS_AUTHORIZER", "insuredRegion": "PROVINCE"},
]


@dataclass
class Server:
    name: str
    command: list[str]
    port: int
    process: subprocess.Popen[bytes] | None = None
    peak_rss_kb: list[int] = field(default_factory=list)

    def start(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [*self.command, "--port", str(self.port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(1200):  # 2 minutes: workers import the app slowly on a busy machine
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=1)
            except urllib.error.HTTPError:
                return
            except OSError:
                time.sleep(0.1)
                continue
            return
        self.stop()
        raise SystemExit(f"{self.name} did not start")

    def pids(self) -> list[int]:
        """The server and its workers (uvicorn --workers N starts N children)."""
        assert self.process is not None
        found, pending = [], [self.process.pid]
        while pending:
            pid = pending.pop()
            found.append(pid)
            for task in Path(f"/proc/{pid}/task").glob("*/children"):
                pending += [int(child) for child in task.read_text().split()]
        return found

    def rss_kb(self) -> int:
        """The largest peak RSS among the server's processes."""
        peaks = [0]
        for pid in self.pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]))
        return max(peaks)

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server's processes so far (from /proc)."""
        total = 0
        for pid in self.pids():
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(stat[11]) + int(stat[12])
        return total / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)


def graphql(port: int, query: str, variables: dict[str, Any], token: str = "") -> Any:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query, "variables": variables}).encode(),
        headers={
            "Content-Type": "application/json",
            **({"Authorization": f"Bearer {token}"} if token else {}),
        },
    )
    return json.load(urllib.request.urlopen(request))["data"]


def login(port: int, code: str) -> str:
    return str(
        graphql(port, "mutation($c:String!){login(code:$c){token}}", {"c": code})["login"]["token"]
    )


async def open_bills(url: str) -> list[tuple[int, str, str]]:
    """(payer number, bill id, authorization id) for every open bench bill."""
    connection = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        rows = await connection.fetch(
            """select w.openid, b.id as bill, a.id as auth from bill b
               join wechat_user w on w.member_id = b.patient_id
               join "authorization" a on a.relative_id = b.patient_id and a.status = 'active'
               where b.status = 'open' and w.openid like 'mock-openid-payer-%'"""
        )
    finally:
        await connection.close()
    return [(int(r["openid"].rsplit("-", 1)[1]), str(r["bill"]), str(r["auth"])) for r in rows]


def wrk(
    port: int, path: str, lines: list[str], marker: str, args: argparse.Namespace, seconds: int
) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(lines) + "\n")
    env = {
        **os.environ,
        "WRK_PATH": path,
        "WRK_OK_MARKER": marker,
        "WRK_REQUESTS": handle.name,
        "WRK_THREADS": str(args.threads),
    }
    out = subprocess.run(
        [
            "wrk",
            f"-t{args.threads}",
            f"-c{args.connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(ROOT / "bench" / "wrk.lua"),
            f"http://127.0.0.1:{port}{path}",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(handle.name)
    result: dict[str, Any] = json.loads(
        next(line for line in out.splitlines() if line.startswith("RESULT "))[7:]
    )
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


PGBENCH_SCRIPT = """\\set n random(1, :accounts)
BEGIN;
UPDATE ledger_account SET balance = balance - 1
  WHERE id = (SELECT id FROM bench_debit_account WHERE n = :n) AND balance >= 1;
UPDATE ledger_account SET balance = balance + 1
  WHERE id = (SELECT id FROM bench_debit_account WHERE n = :n);
END;
"""


def pgbench(url: str, args: argparse.Namespace) -> float:
    """What PostgreSQL alone does here: transactions per second of a conditional debit of a
    ledger_account row (and the credit that puts the unit back, so the ledger stays
    reconciled), by pgbench with wrk's connections and threads, on the same table."""
    setup = (
        "DROP TABLE IF EXISTS bench_debit_account;"
        " CREATE UNLOGGED TABLE bench_debit_account AS SELECT row_number() OVER (ORDER BY id)"
        " AS n, id FROM ledger_account WHERE balance >= 1000 AND NOT allow_negative;"
        " CREATE UNIQUE INDEX ON bench_debit_account (n);"
        " SELECT count(*) FROM bench_debit_account"
    )
    psql = ["psql", url, "-qtAX", "-v", "ON_ERROR_STOP=1"]
    accounts = subprocess.run(
        [*psql, "-c", setup], capture_output=True, text=True, check=True
    ).stdout.split()[-1]
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as handle:
        handle.write(PGBENCH_SCRIPT)
    try:
        out = subprocess.run(
            [
                "pgbench",
                "-n",
                f"-c{args.connections}",
                f"-j{args.threads}",
                f"-T{args.pay_seconds}",
                "-D",
                f"accounts={accounts}",
                "-f",
                handle.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(handle.name)
        subprocess.run([*psql, "-c", "DROP TABLE IF EXISTS bench_debit_account"], check=True)
    line = next(x for x in out.splitlines() if x.startswith("tps = "))
    return float(line.split()[2])


def profile(server: Server, out: Path | None, seconds: int) -> subprocess.Popen[bytes] | None:
    """py-spy (the dev extra) samples the server while wrk drives it; folded stacks, appended."""
    if out is None:
        return None
    assert server.process is not None
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "py-spy"),
            "record",
            "--pid",
            str(server.process.pid),
            "--duration",
            str(seconds),
            "--rate",
            "250",
            "--subprocesses",  # uvicorn's workers
            "--format",
            "raw",
            "--output",
            str(out),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--pay-seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument(
        "--profile",
        type=Path,
        help="sample the GraphQL server with py-spy during usageRecords (folded stacks here)",
    )
    parser.add_argument(
        "--profile-pay", type=Path, help="the same, during pay (folded stacks here)"
    )
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers per server")
    parser.add_argument(
        "--no-pgbench", action="store_true", help="skip pgbench's conditional-debit rate"
    )
    parser.add_argument("--graphql-port", type=int, default=8101)
    parser.add_argument("--raw-port", type=int, default=8102)
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL"), help="default: $DATABASE_URL"
    )
    args = parser.parse_args()
    if not args.database_url:
        raise SystemExit("set DATABASE_URL or pass --database-url")
    url = args.database_url
    # The servers run the development mock providers (WeChat login, face verification).
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "GONGJI_ENV": "development",
        "GONGJI_FACE_MOCK_AUTO_PASS": "1",
        # the load comes from one address and few users: rate limits would refuse most of it
        **{f"GONGJI_LIMIT_{f.name.upper()}": "1000000/minute" for f in fields(RateLimits)},
    }
    uvicorn = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "--no-access-log",
        "--log-level",
        "warning",
        "--workers",
        str(args.workers),
    ]
    servers = {
        "graphql": Server("graphql", [*uvicorn, "gongji.app:create_app"], args.graphql_port),
        "raw": Server("raw", [*uvicorn, "bench.raw_app:create"], args.raw_port),
    }
    servers["graphql"].start(env)
    port = args.graphql_port
    tokens = [login(port, f"demo-bench-{n}") for n in range(args.users)]
    payer_tokens: dict[int, str] = {}
    bills = asyncio.run(open_bills(url))
    random.Random(7).shuffle(bills)
    for payer, _, _ in bills:
        if payer not in payer_tokens:
            payer_tokens[payer] = login(port, f"demo-payer-{payer}")
    servers["graphql"].stop()
    rng = random.Random(11)

    def records_body(raw: bool, n: int) -> str:
        f = dict(rng.choice(FILTERS))
        if f.get("insuredRegion") == "PROVINCE":
            f["insuredRegion"] = "620000" if n % 2 else "650000"
        variables = {"f": f, "n": 20}
        if raw:
            return json.dumps({"filter": f, "first": 20})
        return json.dumps({"query": RECORDS_QUERY, "variables": variables})

    per_run = len(bills) // (2 * args.runs)
    debits: list[float] = []
    results: dict[str, list[dict[str, Any]]] = {}
    for run in range(args.runs):
        for name in ("graphql", "raw"):
            server = servers[name]
            server.start(env)
            raw = name == "raw"
            lines = [f"{tokens[n % args.users]}\t{records_body(raw, n)}" for n in range(4000)]
            path = "/raw/usage-records" if raw else "/graphql"
            wrk(server.port, path, lines[:200], '"pageInfo"', args, 2)  # warm-up
            cpu = server.cpu_seconds()
            spy = profile(server, args.profile, args.seconds - 1) if not raw else None
            result = wrk(server.port, path, lines, '"pageInfo"', args, args.seconds)
            if spy:
                spy.wait()
            result["cpu_ms"] = (server.cpu_seconds() - cpu) * 1000 / max(1, result["requests"])
            results.setdefault(f"usageRecords/{name}", []).append(result)
            offset = (run * 2 + (1 if raw else 0)) * per_run
            chunk = bills[offset : offset + per_run]
            pay_lines = []
            for payer, bill, auth in chunk:
                variables = {"b": bill, "a": auth, "k": f"bench-{bill}"}
                body = (
                    json.dumps(
                        {"billId": bill, "authorizationId": auth, "idempotencyKey": variables["k"]}
                    )
                    if raw
                    else json.dumps({"query": PAY_QUERY, "variables": variables})
                )
                pay_lines.append(f"{payer_tokens[payer]}\t{body}")
            cpu = server.cpu_seconds()
            spy = profile(server, args.profile_pay, args.pay_seconds - 1) if not raw else None
            result = wrk(
                server.port,
                "/raw/pay" if raw else "/graphql",
                pay_lines,
                '"errors":[]',
                args,
                args.pay_seconds,
            )
            if spy:
                spy.wait()
            result["cpu_ms"] = (server.cpu_seconds() - cpu) * 1000 / max(1, result["requests"])
            results.setdefault(f"pay/{name}", []).append(result)
            server.peak_rss_kb.append(server.rss_kb())
            server.stop()
        if not args.no_pgbench:
            debits.append(pgbench(url, args))
    print(
        f"{'scenario':24} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'ok %':>6}"
        f" {'cpu ms/req':>10}"
    )
    summary: dict[str, Any] = {}
    for key, runs in results.items():
        med = {
            k: statistics.median(r[k] for r in runs)
            for k in ("rps", "p50_us", "p95_us", "p99_us", "cpu_ms")
        }
        ok = sum(r["ok"] for r in runs) / max(1, sum(r["ok"] + r["bad"] for r in runs)) * 100
        summary[key] = {**med, "ok_percent": ok, "runs": runs}
        print(
            f"{key:24} {med['rps']:8.0f} {med['p50_us'] / 1000:8.1f} {med['p95_us'] / 1000:8.1f} "
            f"{med['p99_us'] / 1000:8.1f} {ok:6.1f} {med['cpu_ms']:10.2f}"
        )
    for scenario in ("usageRecords", "pay"):
        ratio = summary[f"{scenario}/graphql"]["rps"] / summary[f"{scenario}/raw"]["rps"]
        summary[f"{scenario}/ratio"] = ratio
        # Server CPU per request does not depend on what else the machine is running:
        # raw/GraphQL is the throughput ratio one dedicated core would give.
        cpu_graphql = summary[f"{scenario}/graphql"]["cpu_ms"]
        cpu_ratio = summary[f"{scenario}/raw"]["cpu_ms"] / cpu_graphql if cpu_graphql else 0.0
        summary[f"{scenario}/cpu_ratio"] = cpu_ratio
        print(
            f"{scenario}: GraphQL/raw throughput = {ratio:.2f};"
            f" by server CPU per request = {cpu_ratio:.2f}"
        )
    if debits:
        tps = statistics.median(debits)
        share = summary["pay/graphql"]["rps"] / tps
        summary["pgbench/tps"] = tps
        summary["pay/pgbench_fraction"] = share
        print(
            f"pgbench conditional debit on ledger_account: {tps:.0f} tps;"
            f" pay (GraphQL, {args.workers} worker(s)) is {share:.1%} of it"
        )
    for server in servers.values():
        peak = max(server.peak_rss_kb) / 1024
        summary[f"rss/{server.name}"] = peak
        print(f"peak RSS {server.name}: {peak:.0f} MB")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
