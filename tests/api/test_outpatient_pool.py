"""门诊统筹余额 (R28): the member reads what the registry supplied, or that it supplied none."""

from __future__ import annotations

import pytest

from gongji.members import imports, registry
from gongji.regions.policy import PolicyBook
from tests.conftest import START, Api, person

pytestmark = pytest.mark.usefixtures("demo_data")
POOL = "{ me { outpatientPool { supplied balance asOf } } }"


async def test_not_supplied_then_supplied(api: Api) -> None:
    token = await api.login("demo-zhangwei")
    before = await api.data(POOL, token=token)
    assert before["me"]["outpatientPool"] == {"supplied": False, "balance": None, "asOf": None}
    rows, errors = registry.parse(
        "name,id_number,insurance_type,insured_region,status,phone,outpatient_pool_balance\n"
        f"张伟,{person('张伟').id_number},employee,620100,normal,13893100001,860.00\n",
        PolicyBook.load(),
    )
    assert errors == []
    await imports.import_rows(rows, now=START)
    after = await api.data(POOL, token=token)
    assert after["me"]["outpatientPool"] == {
        "supplied": True,
        "balance": "860.00",
        "asOf": "2026-03-10T02:00:00+00:00",
    }
