"""R20: a registry update that moves or ends someone's insurance ends their authorizations."""

from __future__ import annotations

import pytest

from gongji.ledger.service import reconcile
from gongji.members import imports, registry
from gongji.members.models import Member, id_number_is
from gongji.regions.policy import PolicyBook
from gongji.wallets import service as wallets
from gongji.wallets.models import Authorization, AuthorizationStatus
from tests.conftest import START, person

pytestmark = pytest.mark.usefixtures("demo_data")
HEADER = "name,id_number,insurance_type,insured_region,status,phone\n"


async def authorize_mother() -> Authorization:
    zhang = await Member.get(**id_number_is(person("张伟").id_number))
    mother = await Member.get(**id_number_is(person("王秀英").id_number))
    return await wallets.authorize(
        authorizer_id=zhang.id,
        relative_id=mother.id,
        quota=50_000,
        policies=PolicyBook.load(),
        now=START,
    )


async def import_line(line: str) -> None:
    rows, errors = registry.parse(HEADER + line + "\n", PolicyBook.load())
    assert errors == []
    await imports.import_rows(rows, now=START)


@pytest.mark.parametrize(
    ("line", "wallet"),
    [
        (f"王秀英,{person('王秀英').id_number},resident,650100,normal,", 300_000),  # moved
        (f"张伟,{person('张伟').id_number},employee,620100,deceased,", 0),  # died: the estate
    ],
)
async def test_authorizations_end_and_quota_returns(line: str, wallet: int) -> None:
    authorization = await authorize_mother()
    assert (await wallets.balances(authorization.authorizer_id)).reserved == 50_000  # type: ignore[attr-defined]
    await import_line(line)
    ended = await Authorization.get(id=authorization.id)
    assert (ended.status, ended.ended_by) == (AuthorizationStatus.ENDED, "registry")
    money = await wallets.balances(ended.authorizer_id)  # type: ignore[attr-defined]
    assert (money.reserved, money.wallet) == (0, wallet)
    assert (await reconcile()).clean


async def test_a_move_within_the_city_keeps_them() -> None:
    authorization = await authorize_mother()
    await import_line(f"王秀英,{person('王秀英').id_number},resident,410105,normal,13703710003")
    assert (await Authorization.get(id=authorization.id)).status is AuthorizationStatus.ACTIVE
