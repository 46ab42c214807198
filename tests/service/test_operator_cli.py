"""Operator tasks: institutions, API keys and agents, from the service and from the command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gongji.errors import DomainError, ErrorCode
from gongji.identity import service as identity
from gongji.institutions import service
from tests.conftest import CREATE_BILL, START, Api, bill_input

pytestmark = pytest.mark.usefixtures("demo_data")


async def test_an_issued_key_bills_and_a_revoked_one_does_not(api: Api) -> None:
    hospital = await service.register(code="H41010500777", name="郑州测试医院", now=START)
    assert (hospital.kind.value, hospital.region) == ("hospital", "410105")
    _row, key = await service.issue_api_key(code="h41010500777", label="his", now=START)
    assert key.startswith("gjk_")
    made = await api.data(CREATE_BILL, bill_input("OP-1", ("药品", "DRUG", "10.00")), token=key)
    assert made["createBill"]["errors"] == []
    assert await service.revoke_api_keys(code="H41010500777", now=START) == 1
    body = await api(CREATE_BILL, bill_input("OP-2", ("药品", "DRUG", "10.00")), token=key)
    assert body["errors"][0]["extensions"]["code"] == "TOKEN_INVALID"


async def test_bad_codes_and_weak_passwords_are_refused() -> None:
    with pytest.raises(DomainError) as bad_code:
        await service.register(code="X123", name="x", now=START)
    assert bad_code.value.field == "institutionCode"
    with pytest.raises(DomainError) as weak:
        await identity.add_agent(
            username="a", name="b", office_region="620100", password="short", now=START
        )
    assert weak.value.code is ErrorCode.INVALID_INPUT


async def test_a_new_agent_can_log_in(api: Api) -> None:
    await identity.add_agent(
        username="lanzhou-01",
        name="王经办",
        office_region="620100",
        password="a-long-password",
        now=START,
    )
    data = await api.data(
        'mutation{agentLogin(username:"lanzhou-01",password:"a-long-password"){token errors{code}}}'
    )
    assert data["agentLogin"]["token"].startswith("gja_")


def test_the_commands_as_an_operator_runs_them(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite://{tmp_path / 'op.sqlite3'}"}

    def gongji(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "gongji.cli", *args],
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert gongji("migrate").returncode == 0
    added = gongji("add-institution", "P62010200099", "兰州测试药房")
    assert "pharmacy, region 620102" in added.stdout
    issued = gongji("issue-api-key", "P62010200099", "--label", "pos")
    assert issued.returncode == 0 and issued.stdout.startswith("gjk_")
    assert "only its hash is kept" in issued.stderr
    rotated = gongji("issue-api-key", "P62010200099", "--label", "pos-2027", "--expires-days", "30")
    assert rotated.returncode == 0
    listed = gongji("list-api-keys", "P62010200099").stdout.splitlines()
    assert len(listed) == 3 and listed[0].startswith("id\tprefix\tlabel\tstatus")
    newest, oldest = (line.split("\t") for line in listed[1:])
    assert (newest[2], newest[3], newest[6] != "-") == ("pos-2027", "active", True)
    assert (oldest[2], oldest[3], oldest[6]) == ("pos", "active", "-")
    assert issued.stdout.strip() not in "\n".join(listed)  # never the secret
    revoked = gongji("revoke-api-key", oldest[0])
    assert revoked.returncode == 0 and "other keys still work" in revoked.stdout
    after = gongji("list-api-keys", "P62010200099").stdout
    assert "\tpos\trevoked\t" in after and "\tpos-2027\tactive\t" in after
    assert gongji("revoke-api-key", "not-an-id").returncode == 1
    missing = gongji("issue-api-key", "P99999999999", "--label", "x")
    assert missing.returncode == 1 and "NOT_FOUND" in missing.stderr
    unlabelled = gongji("issue-api-key", "P62010200099")
    assert unlabelled.returncode == 2 and "--label" in unlabelled.stderr
    agent = gongji("add-agent", "hall-1", "李经办", "620100", stdin="correct horse battery\n")
    assert agent.returncode == 0 and "hall-1" in agent.stdout
    assert "scope city" in agent.stdout
    wider = gongji(
        "add-agent",
        "hall-2",
        "张经办",
        "620100",
        "--scope",
        "province",
        stdin="correct horse battery\n",
    )
    assert wider.returncode == 0 and "scope province" in wider.stdout
    wrong = gongji("add-agent", "hall-3", "x", "620100", "--scope", "planet", stdin="x" * 12 + "\n")
    assert wrong.returncode == 2
