"""Which operation is throttled, per whom, by which limit: the policy as data.

A limit is named by its field in `gongji.settings.RateLimits`, so every figure is set in one
place (the environment) and every rule is read here.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from gongji.errors import ErrorCode


class Operation(enum.Enum):
    """A throttled GraphQL field, by its name in the schema."""

    LOGIN = "login"
    AGENT_LOGIN = "agentLogin"
    START_FACE_VERIFICATION = "startFaceVerification"
    INVITE_FAMILY_MEMBER = "inviteFamilyMember"
    TRANSFER_TO_WALLET = "transferToWallet"
    AUTHORIZE_FAMILY_MEMBER = "authorizeFamilyMember"
    CHANGE_AUTHORIZATION = "changeAuthorization"
    REVOKE_AUTHORIZATION = "revokeAuthorization"
    PAY = "pay"
    PAY_RESIDENT_PREMIUM = "payResidentPremium"
    CREATE_BILL = "createBill"
    REFUND_PAYMENT = "refundPayment"
    CREATE_PAYMENT_CODE = "createPaymentCode"
    SETTLE_WITH_PAYMENT_CODE = "settleWithPaymentCode"
    REFUND_BILL = "refundBill"
    ISSUE_API_KEY = "issueApiKey"
    REVOKE_API_KEY = "revokeApiKey"
    SEND_FAMILY_TRANSFER = "sendFamilyTransfer"
    ACCEPT_FAMILY_TRANSFER = "acceptFamilyTransfer"
    DECLINE_FAMILY_TRANSFER = "declineFamilyTransfer"


class Subject(enum.Enum):
    """Whose calls are counted together."""

    CLIENT_IP = "ip"
    USERNAME = "username"  # the agentLogin argument, whether or not such an agent exists
    CALLER = "caller"  # the signed-in member, institution or agent


@dataclass(frozen=True)
class Rule:
    limit: str  # a field of RateLimits
    subject: Subject
    failure: ErrorCode | None = None  # count only calls refused with this code, not every call


_MEMBER_MONEY = (Rule("money_per_member", Subject.CALLER),)
_INSTITUTION_MONEY = (Rule("money_per_institution", Subject.CALLER),)

POLICY: dict[Operation, tuple[Rule, ...]] = {
    Operation.LOGIN: (Rule("login_per_ip", Subject.CLIENT_IP),),
    Operation.AGENT_LOGIN: (
        # Checked first and counted only on a wrong password: while it is full, even the
        # right password is refused, and a success does not empty it.
        Rule("agent_lockout", Subject.USERNAME, failure=ErrorCode.AGENT_CREDENTIALS_INVALID),
        Rule("agent_login_per_username", Subject.USERNAME),
        Rule("agent_login_per_ip", Subject.CLIENT_IP),
    ),
    Operation.START_FACE_VERIFICATION: (Rule("face_verification_per_user", Subject.CALLER),),
    Operation.INVITE_FAMILY_MEMBER: (Rule("invitation_per_inviter", Subject.CALLER),),
    Operation.TRANSFER_TO_WALLET: _MEMBER_MONEY,
    Operation.AUTHORIZE_FAMILY_MEMBER: _MEMBER_MONEY,
    Operation.CHANGE_AUTHORIZATION: _MEMBER_MONEY,
    Operation.REVOKE_AUTHORIZATION: _MEMBER_MONEY,
    Operation.PAY: _MEMBER_MONEY,
    Operation.PAY_RESIDENT_PREMIUM: _MEMBER_MONEY,
    Operation.CREATE_BILL: _INSTITUTION_MONEY,
    Operation.REFUND_PAYMENT: _INSTITUTION_MONEY,
    Operation.CREATE_PAYMENT_CODE: _MEMBER_MONEY,
    Operation.SETTLE_WITH_PAYMENT_CODE: _INSTITUTION_MONEY,
    Operation.REFUND_BILL: _INSTITUTION_MONEY,
    Operation.ISSUE_API_KEY: _INSTITUTION_MONEY,
    Operation.REVOKE_API_KEY: _INSTITUTION_MONEY,
    Operation.SEND_FAMILY_TRANSFER: _MEMBER_MONEY,
    Operation.ACCEPT_FAMILY_TRANSFER: _MEMBER_MONEY,
    Operation.DECLINE_FAMILY_TRANSFER: _MEMBER_MONEY,
}
