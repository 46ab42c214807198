"""GraphQL view of insured people: always masked."""

from __future__ import annotations

import datetime

import strawberry

from gongji.api.context import Info
from gongji.api.enums import InsuranceStatus, InsuranceType
from gongji.api.scalars import Money
from gongji.clock import china_date
from gongji.members.models import Member
from gongji.members.rules import age_on, can_share_own_account, mask_id_number, mask_phone


@strawberry.type(description="A GB/T 2260 administrative region.")
class Region:
    code: str = strawberry.field(description="Six digits: province PP0000, city PPCC00.")
    name: str = strawberry.field(description="Its Chinese name, e.g. 兰州市.")

    @classmethod
    def of(cls, code: str, info: Info) -> Region:
        return cls(code=code, name=info.context.services.policies.region_name(code))


@strawberry.type(description="An insured person 参保人, as others in the family see them.")
class Person:
    id: strawberry.ID = strawberry.field(
        description="The person's id: pass it as relativeId or memberId."
    )
    name: str = strawberry.field(description="Full name.")
    id_number: str = strawberry.field(description="Masked: region and last four characters.")
    age: int = strawberry.field(description="Whole years today, from the ID number (R4).")
    insurance_type: InsuranceType = strawberry.field(
        description="Employee or resident insurance (R1, R2)."
    )
    insured_region: Region = strawberry.field(description="参保地: where they are insured.")
    status: InsuranceStatus = strawberry.field(
        description="参保状态: only NORMAL takes part (R2)."
    )

    @classmethod
    def of(cls, member: Member, info: Info) -> Person:
        return cls(
            id=strawberry.ID(str(member.id)),
            name=member.name,
            id_number=mask_id_number(member.id_number),
            age=age_on(member.id_number, china_date(info.context.now())),
            insurance_type=member.insurance_type,
            insured_region=Region.of(member.insured_region, info),
            status=member.status,
        )


@strawberry.type(
    description="门诊统筹余额 (R28): what is left of the member's outpatient pooled-fund "
    "allowance, as the insured region's registry last supplied it."
)
class OutpatientPoolBalance:
    supplied: bool = strawberry.field(
        description="False: the registry did not supply it (not 0: unknown); "
        "`balance` and `asOf` are then null."
    )
    balance: Money | None = strawberry.field(description="The balance; null when not supplied.")
    as_of: datetime.datetime | None = strawberry.field(
        description="When gongji imported it from the registry; null when not supplied."
    )

    @classmethod
    def of(cls, member: Member) -> OutpatientPoolBalance:
        fen = member.outpatient_pool_balance
        if fen is None:
            return cls(supplied=False, balance=None, as_of=None)
        return cls(supplied=True, balance=Money(fen), as_of=member.outpatient_pool_as_of)


@strawberry.type(description="The verified caller's own record.")
class Me(Person):
    phone: str = strawberry.field(description="Masked: 138****5678.")
    can_authorize: bool = strawberry.field(
        description="Employee-insured in normal status: has a personal account to share (R1)."
    )
    outpatient_pool: OutpatientPoolBalance = strawberry.field(
        description="门诊统筹余额 (R28), or `supplied: false` when the registry gave none."
    )

    @classmethod
    def of(cls, member: Member, info: Info) -> Me:
        person = Person.of(member, info)
        return cls(
            **vars(person),
            phone=mask_phone(member.phone) if member.phone else "",
            can_authorize=can_share_own_account(member.insurance_type, member.status),
            outpatient_pool=OutpatientPoolBalance.of(member),
        )
