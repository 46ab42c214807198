"""A payment's reads, in two statements (issue #13): the locked rows, then the rest.

1. `lock`: the bill and the authorization rows, locked for the transaction, in one SELECT.
   The authorization comes back whole (an `Authorization`), for every rule that reads it.
2. `facts`: what the rules need besides — the patient, the authorizer, the institution's
   region, whether both still belong to the family group, the two ledger accounts the
   payment moves money between, and the bill's lines — in one SELECT, not locked (they are
   only read; the conditional debit in the write batch guards the quota account).

The writes go in one `gongji.sql.Writes` batch, built in `service._settle`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from tortoise.models import Model

from gongji import sql
from gongji.ledger.models import Account, AccountKind
from gongji.members.rules import InsuranceStatus, InsuranceType
from gongji.payments.models import Bill, BillItem, Payment
from gongji.payments.rules import BillFigures, LineItem
from gongji.wallets.models import Authorization


def _columns(model: type[Model], alias: str, prefix: str) -> str:
    return ", ".join(
        f'{alias}."{column}" AS "{prefix}{column}"'
        for column in model._meta.fields_db_projection.values()
    )


@dataclass(frozen=True)
class Locked:
    """The bill and the authorization, locked; the authorization's references as ids."""

    bill: Bill
    authorization: Authorization
    authorizer_id: uuid.UUID
    relative_id: uuid.UUID
    group_id: uuid.UUID


def _uuid(value: object) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


async def lock(bill_id: uuid.UUID, authorization_id: uuid.UUID) -> Locked | None:
    """Both rows, locked; None if either is missing (the caller says which, slowly)."""
    conn = sql.connection()
    rows = await sql.fetch(
        f"SELECT {_columns(Bill, 'b', 'b_')}, {_columns(Authorization, 'a', 'a_')}"
        ' FROM "bill" b CROSS JOIN "authorization" a WHERE b."id" = ? AND a."id" = ?'
        + sql.for_update(conn.capabilities.dialect),
        [str(bill_id), str(authorization_id)],
    )
    if not rows:
        return None
    row = rows[0]
    bill = Bill._init_from_db(**{k[2:]: v for k, v in row.items() if k.startswith("b_")})
    authorization = Authorization._init_from_db(
        **{k[2:]: v for k, v in row.items() if k.startswith("a_")}
    )
    return Locked(
        bill,
        authorization,
        authorizer_id=_uuid(row["a_authorizer_id"]),
        relative_id=_uuid(row["a_relative_id"]),
        group_id=_uuid(row["a_group_id"]),
    )


@dataclass(frozen=True)
class AccountRef:
    """A ledger account a payment moves money in or out of (see ledger.service.post)."""

    id: int | uuid.UUID
    allow_negative: bool


@dataclass(frozen=True)
class Names:
    """Who paid, whose money, and where: what a notice names (never line items)."""

    patient: str
    authorizer: str
    institution: str


@dataclass(frozen=True)
class Facts:
    patient_status: InsuranceStatus
    patient_region: str
    authorizer_type: InsuranceType
    authorizer_status: InsuranceStatus
    authorizer_region: str
    institution_region: str
    names: Names  # for the notices
    both_in_family: bool
    quota_account: AccountRef | None  # None: not created yet
    institution_account: AccountRef | None
    items: tuple[LineItem, ...]

    def figures(self, bill: Bill) -> BillFigures:
        return BillFigures(
            visit_type=bill.visit_type,
            items=self.items,
            medfee_sumamt=bill.medfee_sumamt,
            hifp_pay=bill.hifp_pay,
            fulamt_ownpay_amt=bill.fulamt_ownpay_amt,
        )


def _account(row: dict[str, object], prefix: str) -> AccountRef | None:
    ident = row[f"{prefix}_id"]
    if ident is None:
        return None
    pk = Account._meta.pk
    return AccountRef(pk.to_python_value(ident), bool(row[f"{prefix}_negative"]))


async def facts(locked: Locked, quota_owner: str, institution_owner: str) -> Facts:
    """Everything else the payment rules read, in one SELECT (one row per bill line)."""
    bill = locked.bill
    rows = await sql.fetch(
        'SELECT p."status" AS patient_status, p."insured_region" AS patient_region,'
        ' z."insurance_type" AS authorizer_type, z."status" AS authorizer_status,'
        ' z."insured_region" AS authorizer_region, i."region" AS institution_region,'
        ' p."name" AS patient_name, z."name" AS authorizer_name, i."name" AS institution_name,'
        ' (SELECT COUNT(*) FROM "membership" m JOIN "family_group" g ON g."id" = m."group_id"'
        '   WHERE m."group_id" = ? AND m."member_id" IN (?, ?) AND m."active" = ?'
        '   AND g."active" = ?) AS family,'
        ' q."id" AS quota_id, q."allow_negative" AS quota_negative,'
        ' s."id" AS institution_id, s."allow_negative" AS institution_negative,'
        ' l."name" AS item_name, l."category" AS item_category, l."amount" AS item_amount'
        ' FROM "member" p'
        ' JOIN "member" z ON z."id" = ?'
        ' JOIN "institution" i ON i."id" = ?'
        ' LEFT JOIN "ledger_account" q ON q."kind" = ? AND q."owner" = ?'
        ' LEFT JOIN "ledger_account" s ON s."kind" = ? AND s."owner" = ?'
        ' LEFT JOIN "bill_item" l ON l."bill_id" = ?'
        ' WHERE p."id" = ? ORDER BY l."position"',
        [
            str(locked.group_id),
            str(locked.authorizer_id),
            str(locked.relative_id),
            True,
            True,
            str(locked.authorizer_id),
            str(bill.institution_id),
            AccountKind.QUOTA.value,
            quota_owner,
            AccountKind.INSTITUTION.value,
            institution_owner,
            str(bill.id),
            str(bill.patient_id),
        ],
    )
    first = rows[0]
    category = BillItem._meta.fields_map["category"]
    return Facts(
        patient_status=InsuranceStatus(first["patient_status"]),
        patient_region=first["patient_region"],
        authorizer_type=InsuranceType(first["authorizer_type"]),
        authorizer_status=InsuranceStatus(first["authorizer_status"]),
        authorizer_region=first["authorizer_region"],
        institution_region=first["institution_region"],
        names=Names(first["patient_name"], first["authorizer_name"], first["institution_name"]),
        both_in_family=int(first["family"]) == 2,
        quota_account=_account(first, "quota"),
        institution_account=_account(first, "institution"),
        items=tuple(
            LineItem(r["item_name"], category.to_python_value(r["item_category"]), r["item_amount"])
            for r in rows
            if r["item_name"] is not None
        ),
    )


# --- a refund: the payment and its authorization locked, then the rest ---------------------


@dataclass(frozen=True)
class LockedPayment:
    payment: Payment
    authorization: Authorization
    authorizer_id: uuid.UUID


async def lock_payment(payment_id: uuid.UUID) -> LockedPayment | None:
    """The payment and its authorization, locked, in one SELECT; None if no such payment."""
    conn = sql.connection()
    rows = await sql.fetch(
        f"SELECT {_columns(Payment, 'p', 'p_')}, {_columns(Authorization, 'a', 'a_')}"
        ' FROM "payment" p JOIN "authorization" a ON a."id" = p."authorization_id"'
        ' WHERE p."id" = ?' + sql.for_update(conn.capabilities.dialect),
        [str(payment_id)],
    )
    if not rows:
        return None
    row = rows[0]
    return LockedPayment(
        Payment._init_from_db(**{k[2:]: v for k, v in row.items() if k.startswith("p_")}),
        Authorization._init_from_db(**{k[2:]: v for k, v in row.items() if k.startswith("a_")}),
        authorizer_id=_uuid(row["a_authorizer_id"]),
    )


@dataclass(frozen=True)
class RefundFacts:
    bill: Bill
    names: Names  # for the notice
    patient_region: str
    authorizer_region: str
    institution_account: AccountRef | None
    target_account: AccountRef | None  # the quota's, or the authorizer's wallet's


async def refund_facts(
    payment: Payment, institution_owner: str, target: tuple[AccountKind, str]
) -> RefundFacts:
    """The bill, both members' regions and the two accounts, in one SELECT."""
    rows = await sql.fetch(
        f"SELECT {_columns(Bill, 'b', 'b_')},"
        ' p."insured_region" AS patient_region, z."insured_region" AS authorizer_region,'
        ' p."name" AS patient_name, z."name" AS authorizer_name, i."name" AS institution_name,'
        ' s."id" AS institution_id, s."allow_negative" AS institution_negative,'
        ' t."id" AS target_id, t."allow_negative" AS target_negative'
        ' FROM "bill" b JOIN "member" p ON p."id" = ? JOIN "member" z ON z."id" = ?'
        ' JOIN "institution" i ON i."id" = b."institution_id"'
        ' LEFT JOIN "ledger_account" s ON s."kind" = ? AND s."owner" = ?'
        ' LEFT JOIN "ledger_account" t ON t."kind" = ? AND t."owner" = ?'
        ' WHERE b."id" = ?',
        [
            str(payment.patient_id),
            str(payment.authorizer_id),
            AccountKind.INSTITUTION.value,
            institution_owner,
            target[0].value,
            target[1],
            str(payment.bill_id),
        ],
    )
    row = rows[0]
    return RefundFacts(
        bill=Bill._init_from_db(**{k[2:]: v for k, v in row.items() if k.startswith("b_")}),
        names=Names(row["patient_name"], row["authorizer_name"], row["institution_name"]),
        patient_region=row["patient_region"],
        authorizer_region=row["authorizer_region"],
        institution_account=_account(row, "institution"),
        target_account=_account(row, "target"),
    )
