"""The README walkthrough replays: its own documents, run twice with `demo --reset` between."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gongji import demo
from gongji.errors import DomainError, ErrorCode
from gongji.institutions.models import Institution, InstitutionKind
from gongji.payments.models import Payment
from gongji.regions.policy import PolicyBook
from tests.conftest import ON_MYSQL, ROOT, START, Api

pytestmark = pytest.mark.usefixtures("reconciled")

HOSPITAL = "gjk_demo_H41010500002"


def walkthrough_documents() -> list[str]:
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("### Try a family payment")[1].split("\n### ")[0]
    return re.findall(r"```graphql\n(.*?)```", section, re.S)


# Who runs each README document, and what it gives the later ones.
STEPS: list[tuple[str, dict[str, Any]]] = [
    ("demo-zhangwei", {"<王秀英's id>": lambda d: mother_id(d)}),
    ("demo-zhangwei", {}),
    (HOSPITAL, {"<bill id>": lambda d: d["createBill"]["bill"]["id"]}),
    ("demo-wangxiuying", {"<authorization id>": lambda d: first_received(d)}),
    ("demo-wangxiuying", {"<payment id>": lambda d: d["pay"]["payment"]["id"]}),
    ("demo-wangxiuying", {}),
    ("demo-zhangwei", {}),
    ("demo-zhangwei", {}),
    (HOSPITAL, {}),
]


def first_received(data: dict[str, Any]) -> str:
    found: str = data["authorizationsReceived"]["edges"][0]["node"]["id"]
    return found


def mother_id(data: dict[str, Any]) -> str:
    members = [m["person"] for g in data["myFamilyGroups"] for m in g["members"]]
    found: str = next(p["id"] for p in members if p["name"] == "王秀英")
    return found


async def replay(api: Api) -> list[Any]:
    documents = walkthrough_documents()
    assert len(documents) == len(STEPS), "README walkthrough and STEPS differ"
    tokens = {who: await api.login(who) for who, _ in STEPS if who.startswith("demo-")}
    found: dict[str, str] = {}
    results = []
    for document, (who, gives) in zip(documents, STEPS, strict=True):
        for placeholder, value in found.items():
            document = document.replace(placeholder, value)
        assert "<" not in document, f"nothing gives {document}"
        data = await api.data(document, token=tokens.get(who, who))
        found |= {placeholder: take(data) for placeholder, take in gives.items()}
        results.append(without_ids(data))
    return results


def without_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: "<id>" if k == "id" else without_ids(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_ids(v) for v in value]
    return value


@pytest.mark.skipif(
    ON_MYSQL,
    reason="hangs on MariaDB since the WeChat outbox landed (the reset's one transaction and the "
    "background sender; open, see the closing note of session 3)",
)
async def test_the_walkthrough_gives_what_the_readme_says_twice(
    api: Api, policies: PolicyBook
) -> None:
    first = await replay(api)
    assert first[1]["authorizeFamilyMember"]["errors"] == []
    assert first[4]["pay"]["payment"]["acctMulaidPay"] == "60.00"
    assert first[4]["pay"]["payment"]["psnCashPay"] == "80.00"
    assert first[6]["myWallet"] == {"available": "2500.00", "reserved": "440.00"}
    assert first[7]["usageRecords"]["totalCount"] == 1
    assert first[8]["refundBill"]["errors"] == []
    assert first[8]["refundBill"]["payment"]["refunded"] == "20.00"

    await demo.reset(START, policies)
    assert await replay(api) == first


async def test_reset_refuses_a_database_with_more_than_the_demo(
    api: Api, policies: PolicyBook
) -> None:
    await replay(api)
    await Institution.create(
        code="H62010200999", name="兰州真实医院", kind=InstitutionKind.HOSPITAL, region="620102"
    )
    with pytest.raises(DomainError) as refused:
        await demo.reset(START, policies)
    assert refused.value.code is ErrorCode.DEMO_RESET_REFUSED
    assert "institutions: 1" in refused.value.message("en")
    assert await Payment.all().count() == 1  # nothing was deleted
    await Institution.filter(code="H62010200999").delete()


def test_the_command_resets_only_a_demo_database(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite://{tmp_path / 'demo.sqlite3'}"}
    steps = [["migrate"], ["demo"], ["demo", "--reset"], ["add-institution", "H62010200999", "x"]]
    script = (
        "import sys; from gongji.cli import main\n"
        f"for step in {steps!r}: assert main(step) == 0\n"
        "sys.exit(main(['demo', '--reset']))"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert "demo data reset: 10 people, 8 institutions" in run.stdout, run.stderr
    assert run.returncode == 1
    assert "refused: DEMO_RESET_REFUSED" in run.stderr and "institutions: 1" in run.stderr
