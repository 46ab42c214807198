"""Every rejection the domain can make: a stable code, the rule behind it, and its words.

The codes are the contract with clients; never rename one. Messages take `{field}`-style
parameters from the error's `params`.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from typing import Any


class ErrorCode(enum.Enum):
    # input at the edge
    INVALID_INPUT = "INVALID_INPUT"
    INVALID_ID_NUMBER = "INVALID_ID_NUMBER"
    INVALID_REGION = "INVALID_REGION"
    INVALID_PHONE = "INVALID_PHONE"
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    # login and identity
    LOGIN_CODE_INVALID = "LOGIN_CODE_INVALID"
    IDENTITY_NOT_VERIFIED = "IDENTITY_NOT_VERIFIED"
    IDENTITY_ALREADY_LINKED = "IDENTITY_ALREADY_LINKED"
    MEMBER_NOT_FOUND = "MEMBER_NOT_FOUND"
    FACE_VERIFICATION_FAILED = "FACE_VERIFICATION_FAILED"
    FACE_VERIFICATION_EXPIRED = "FACE_VERIFICATION_EXPIRED"
    FACE_VERIFICATION_USED = "FACE_VERIFICATION_USED"
    AGENT_CREDENTIALS_INVALID = "AGENT_CREDENTIALS_INVALID"
    AGENT_REASON_REQUIRED = "AGENT_REASON_REQUIRED"
    # eligibility and relationships (R1–R5)
    MEMBER_NOT_ACTIVE = "MEMBER_NOT_ACTIVE"
    INVITEE_NOT_INSURED = "INVITEE_NOT_INSURED"
    INVITEE_NOT_ACTIVE = "INVITEE_NOT_ACTIVE"
    INVITEE_IS_SELF = "INVITEE_IS_SELF"
    RELATIONSHIP_IN_LAW_NOT_ALLOWED = "RELATIONSHIP_IN_LAW_NOT_ALLOWED"
    RELATIONSHIP_NOT_IN_REGION_SCOPE = "RELATIONSHIP_NOT_IN_REGION_SCOPE"
    RELATIONSHIP_AGE_IMPLAUSIBLE = "RELATIONSHIP_AGE_IMPLAUSIBLE"
    BINDING_CAP_REACHED = "BINDING_CAP_REACHED"
    LIFETIME_BINDING_CAP_REACHED = "LIFETIME_BINDING_CAP_REACHED"
    # family groups (R6–R9)
    COMMITMENT_NOT_ACCEPTED = "COMMITMENT_NOT_ACCEPTED"
    COMMITMENT_VERSION_OUTDATED = "COMMITMENT_VERSION_OUTDATED"
    NOT_GROUP_CREATOR = "NOT_GROUP_CREATOR"
    NOT_GROUP_MEMBER = "NOT_GROUP_MEMBER"
    ALREADY_MEMBER = "ALREADY_MEMBER"
    INVITATION_ALREADY_PENDING = "INVITATION_ALREADY_PENDING"
    INVITATION_NOT_PENDING = "INVITATION_NOT_PENDING"
    INVITATION_EXPIRED = "INVITATION_EXPIRED"
    NOT_INVITEE = "NOT_INVITEE"
    FACE_VERIFICATION_REQUIRED = "FACE_VERIFICATION_REQUIRED"
    GROUP_NOT_ACTIVE = "GROUP_NOT_ACTIVE"
    CANNOT_REMOVE_CREATOR = "CANNOT_REMOVE_CREATOR"
    # wallet and authorizations (R1, R10–R12)
    NOT_EMPLOYEE_INSURED = "NOT_EMPLOYEE_INSURED"
    WALLET_NOT_OPEN = "WALLET_NOT_OPEN"
    WALLET_ALREADY_OPEN = "WALLET_ALREADY_OPEN"
    INSUFFICIENT_BALANCE = "INSUFFICIENT_BALANCE"
    PERSONAL_ACCOUNT_INSUFFICIENT = "PERSONAL_ACCOUNT_INSUFFICIENT"
    TRANSFER_OVER_LIMIT = "TRANSFER_OVER_LIMIT"
    TRANSFER_DAILY_LIMIT_REACHED = "TRANSFER_DAILY_LIMIT_REACHED"
    TRANSFER_QUIET_HOURS = "TRANSFER_QUIET_HOURS"
    NOT_IN_SAME_FAMILY = "NOT_IN_SAME_FAMILY"
    RELATIONSHIP_UNKNOWN = "RELATIONSHIP_UNKNOWN"
    CANNOT_AUTHORIZE_SELF = "CANNOT_AUTHORIZE_SELF"
    AUTHORIZATION_ALREADY_ACTIVE = "AUTHORIZATION_ALREADY_ACTIVE"
    AUTHORIZATION_NOT_ACTIVE = "AUTHORIZATION_NOT_ACTIVE"
    NOT_AUTHORIZATION_PARTY = "NOT_AUTHORIZATION_PARTY"
    QUOTA_BELOW_SPENT = "QUOTA_BELOW_SPENT"
    QUOTA_EXHAUSTED = "QUOTA_EXHAUSTED"
    # bills and payment (R13–R18)
    BILL_INVALID = "BILL_INVALID"
    BILL_REFERENCE_REUSED = "BILL_REFERENCE_REUSED"
    NOT_BILL_PATIENT = "NOT_BILL_PATIENT"
    BILL_ALREADY_PAID = "BILL_ALREADY_PAID"
    BILL_NOT_COVERABLE = "BILL_NOT_COVERABLE"
    AUTHORIZATION_NOT_FOR_PATIENT = "AUTHORIZATION_NOT_FOR_PATIENT"
    OUTSIDE_SHARING_SCOPE = "OUTSIDE_SHARING_SCOPE"
    INPATIENT_NOT_ALLOWED = "INPATIENT_NOT_ALLOWED"
    PROXY_PURCHASE_PHARMACY_ONLY = "PROXY_PURCHASE_PHARMACY_ONLY"
    # refunds, premiums, retries (R16, R22)
    REFUND_EXCEEDS_PAYMENT = "REFUND_EXCEEDS_PAYMENT"
    PREMIUM_NOT_ALLOWED = "PREMIUM_NOT_ALLOWED"
    PREMIUM_ALREADY_PAID = "PREMIUM_ALREADY_PAID"
    RELATIVE_NOT_RESIDENT_INSURED = "RELATIVE_NOT_RESIDENT_INSURED"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    # partner: the institution's half of a payment, payment codes, the desk, API keys
    BILL_SELF_PAY_MISMATCH = "BILL_SELF_PAY_MISMATCH"
    PAYMENT_CODE_NOT_FOUND = "PAYMENT_CODE_NOT_FOUND"
    PAYMENT_CODE_EXPIRED = "PAYMENT_CODE_EXPIRED"
    PAYMENT_CODE_USED = "PAYMENT_CODE_USED"
    PAYMENT_CODE_NOT_FOR_PATIENT = "PAYMENT_CODE_NOT_FOR_PATIENT"
    DESK_REASON_REQUIRED = "DESK_REASON_REQUIRED"
    API_KEY_LIMIT_REACHED = "API_KEY_LIMIT_REACHED"
    BILL_NOT_PAID = "BILL_NOT_PAID"
    # throttle: rate limits on the open endpoint, agents' reasons and office scope
    RATE_LIMITED = "RATE_LIMITED"
    AGENT_REASON_TOO_SHORT = "AGENT_REASON_TOO_SHORT"
    AGENT_OUTSIDE_SCOPE = "AGENT_OUTSIDE_SCOPE"
    # graphiql: `gongji demo --reset` never wipes a database that holds more than the demo
    DEMO_RESET_REFUSED = "DEMO_RESET_REFUSED"
    # api: input hygiene, query refusals and top-level request errors (extensions.code)
    INPUT_TOO_LONG = "INPUT_TOO_LONG"
    FILTER_NOT_APPLICABLE = "FILTER_NOT_APPLICABLE"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    TOKEN_INVALID = "TOKEN_INVALID"
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
    # pii: the face-verification provider
    FACE_PROVIDER_UNAVAILABLE = "FACE_PROVIDER_UNAVAILABLE"
    # operator: credits, moves, deaths and inheritance (R20, R30)
    MEMBER_DECEASED = "MEMBER_DECEASED"
    INHERITANCE_NOT_DECEASED = "INHERITANCE_NOT_DECEASED"
    INHERITANCE_SHARES_INVALID = "INHERITANCE_SHARES_INVALID"
    INHERITANCE_ALREADY_RECORDED = "INHERITANCE_ALREADY_RECORDED"
    # service hall acting for a member, binding formalities, premiums routed (#10.4–7)
    HALL_VERIFICATION_REQUIRED = "HALL_VERIFICATION_REQUIRED"
    HALL_VERIFICATION_EXPIRED = "HALL_VERIFICATION_EXPIRED"
    INVITER_FACE_VERIFICATION_REQUIRED = "INVITER_FACE_VERIFICATION_REQUIRED"
    FAMILY_NOTICE_NOT_ACCEPTED = "FAMILY_NOTICE_NOT_ACCEPTED"
    FAMILY_NOTICE_VERSION_OUTDATED = "FAMILY_NOTICE_VERSION_OUTDATED"
    COMMERCIAL_INSURANCE_NOT_ALLOWED = "COMMERCIAL_INSURANCE_NOT_ALLOWED"
    INSURER_NOT_FOUND = "INSURER_NOT_FOUND"
    INSURANCE_ORDER_REUSED = "INSURANCE_ORDER_REUSED"


@dataclass(frozen=True)
class Explanation:
    rule: str | None
    zh: str
    en: str
    when: str | None = None  # for the schema's docs, where the message does not say when


CATALOGUE: dict[ErrorCode, Explanation] = {
    ErrorCode.INVALID_INPUT: Explanation(None, "输入无效：{reason}", "Invalid input: {reason}"),
    ErrorCode.INVALID_ID_NUMBER: Explanation(
        None, "身份证号码无效：{reason}", "Invalid resident ID number: {reason}"
    ),
    ErrorCode.INVALID_REGION: Explanation(
        None, "行政区划代码无效：{reason}", "Invalid region code: {reason}"
    ),
    ErrorCode.INVALID_PHONE: Explanation(
        None, "手机号码无效，应为11位数字", "Invalid phone number: 11 digits expected"
    ),
    ErrorCode.NOT_FOUND: Explanation(None, "未找到该记录", "No such record"),
    ErrorCode.FORBIDDEN: Explanation(None, "无权执行此操作", "You may not do this"),
    ErrorCode.LOGIN_CODE_INVALID: Explanation(
        None,
        "登录凭证无效或已过期，请重新登录",
        "The login code is invalid or expired; log in again",
    ),
    ErrorCode.IDENTITY_NOT_VERIFIED: Explanation(
        None,
        "请先完成实名认证（人脸核身）",
        "Verify your identity (face verification) first",
    ),
    ErrorCode.IDENTITY_ALREADY_LINKED: Explanation(
        None,
        "该微信账号或参保人已完成实名绑定",
        "This WeChat account or insured person is already linked",
    ),
    ErrorCode.MEMBER_NOT_FOUND: Explanation(
        None,
        "姓名与身份证号码不匹配任何参保人",
        "The name and ID number match no insured person",
    ),
    ErrorCode.FACE_VERIFICATION_FAILED: Explanation(
        "R4", "人脸核身未通过", "Face verification did not pass"
    ),
    ErrorCode.FACE_VERIFICATION_EXPIRED: Explanation(
        "R4", "人脸核身已过期，请重新核身", "The face verification expired; verify again"
    ),
    ErrorCode.FACE_VERIFICATION_USED: Explanation(
        "R4", "该人脸核身结果已被使用", "This face verification was already used"
    ),
    ErrorCode.AGENT_CREDENTIALS_INVALID: Explanation(
        None, "经办人员账号或密码错误", "Wrong staff username or password"
    ),
    ErrorCode.AGENT_REASON_REQUIRED: Explanation(
        None, "经办操作必须填写办理原因", "A service-hall action needs a reason"
    ),
    ErrorCode.MEMBER_NOT_ACTIVE: Explanation(
        "R2", "参保状态异常，无法办理共济", "Your insurance status does not allow mutual aid"
    ),
    ErrorCode.INVITEE_NOT_INSURED: Explanation(
        "R2",
        "被邀请人未参加基本医疗保险，或姓名与身份证号码不符",
        "The invitee is not in basic medical insurance, or name and ID number do not match",
    ),
    ErrorCode.INVITEE_NOT_ACTIVE: Explanation(
        "R2",
        "被邀请人参保状态异常（须为正常参保）",
        "The invitee's insurance status is not normal",
    ),
    ErrorCode.INVITEE_IS_SELF: Explanation(None, "不能邀请本人", "You cannot invite yourself"),
    ErrorCode.RELATIONSHIP_IN_LAW_NOT_ALLOWED: Explanation(
        "R3",
        "配偶的父母等姻亲不在家庭共济范围内",
        "In-laws, such as a spouse's parents, are outside family mutual aid",
    ),
    ErrorCode.RELATIONSHIP_NOT_IN_REGION_SCOPE: Explanation(
        "R3",
        "您参保地的政策不允许与{relationship}共济",
        "Your insured region's policy does not allow sharing with a {relationship}",
    ),
    ErrorCode.RELATIONSHIP_AGE_IMPLAUSIBLE: Explanation(
        "R4",
        "所选关系与双方身份证上的出生日期不符",
        "The relationship does not fit the birth dates on the two ID numbers",
    ),
    ErrorCode.BINDING_CAP_REACHED: Explanation(
        "R5",
        "同时绑定的共济人数已达上限（{cap}人）",
        "You have reached the limit of {cap} simultaneous bindings",
    ),
    ErrorCode.LIFETIME_BINDING_CAP_REACHED: Explanation(
        "R5",
        "累计绑定的共济人数已达上限（{cap}人）",
        "You have reached the lifetime limit of {cap} bindings",
    ),
    ErrorCode.COMMITMENT_NOT_ACCEPTED: Explanation(
        "R6", "请阅读并同意《家庭共济承诺书》", "Read and accept the commitment letter first"
    ),
    ErrorCode.COMMITMENT_VERSION_OUTDATED: Explanation(
        "R6",
        "承诺书版本已更新为{current}，请重新阅读",
        "The commitment letter is now version {current}; read it again",
    ),
    ErrorCode.NOT_GROUP_CREATOR: Explanation(
        "R6", "只有家庭创建人可以执行此操作", "Only the family group's creator can do this"
    ),
    ErrorCode.NOT_GROUP_MEMBER: Explanation(
        "R8", "您不是该家庭的成员", "You are not a member of this family group"
    ),
    ErrorCode.ALREADY_MEMBER: Explanation(
        "R8", "此人已是该家庭成员", "This person is already in the family group"
    ),
    ErrorCode.INVITATION_ALREADY_PENDING: Explanation(
        "R7", "已有一份待处理的邀请", "An invitation to this person is already pending"
    ),
    ErrorCode.INVITATION_NOT_PENDING: Explanation(
        "R7", "该邀请已处理（{status}）", "This invitation is no longer pending ({status})"
    ),
    ErrorCode.INVITATION_EXPIRED: Explanation("R7", "该邀请已过期", "This invitation has expired"),
    ErrorCode.NOT_INVITEE: Explanation(
        "R7", "这份邀请不是发给您的", "This invitation is not addressed to you"
    ),
    ErrorCode.FACE_VERIFICATION_REQUIRED: Explanation(
        "R4",
        "年满{age}周岁的被邀请人须通过人脸核身后才能加入",
        "Invitees aged {age} or over must pass face verification to join",
    ),
    ErrorCode.GROUP_NOT_ACTIVE: Explanation(
        "R9", "该家庭已解散", "This family group has been dissolved"
    ),
    ErrorCode.CANNOT_REMOVE_CREATOR: Explanation(
        "R9",
        "不能移除家庭创建人；创建人退出即解散家庭",
        "The creator cannot be removed; the creator leaving dissolves the group",
    ),
    ErrorCode.NOT_EMPLOYEE_INSURED: Explanation(
        "R1",
        "只有正常参保的职工医保参保人才有个人账户，才能共济",
        "Only an employee-insured member in normal status has a personal account to share",
    ),
    ErrorCode.WALLET_NOT_OPEN: Explanation(
        "R10", "请先开通医保钱包", "Open your medical insurance wallet first"
    ),
    ErrorCode.WALLET_ALREADY_OPEN: Explanation(
        "R10", "医保钱包已开通", "Your wallet is already open"
    ),
    ErrorCode.INSUFFICIENT_BALANCE: Explanation(
        "R11", "钱包可用余额不足", "Not enough available balance in the wallet"
    ),
    ErrorCode.PERSONAL_ACCOUNT_INSUFFICIENT: Explanation(
        "R12", "个人账户余额不足", "Not enough balance in the personal account"
    ),
    ErrorCode.TRANSFER_OVER_LIMIT: Explanation(
        "R10", "单笔划转不能超过{max}元", "A single transfer may not exceed {max} yuan"
    ),
    ErrorCode.TRANSFER_DAILY_LIMIT_REACHED: Explanation(
        "R10", "每天最多划转{count}次", "At most {count} transfers a day"
    ),
    ErrorCode.TRANSFER_QUIET_HOURS: Explanation(
        "R10",
        "{start}至次日{end}不能划转",
        "No transfers between {start} and {end}",
    ),
    ErrorCode.NOT_IN_SAME_FAMILY: Explanation(
        "R8",
        "双方须同在一个家庭共济组中",
        "You must both be members of the same family group",
    ),
    ErrorCode.RELATIONSHIP_UNKNOWN: Explanation(
        "R3",
        "无法从家庭关系确定双方为近亲属，请由家庭创建人授权",
        "Your relationship cannot be established from the family group; the creator can authorize",
    ),
    ErrorCode.CANNOT_AUTHORIZE_SELF: Explanation(
        "R11", "不能授权给自己", "You cannot authorize yourself"
    ),
    ErrorCode.AUTHORIZATION_ALREADY_ACTIVE: Explanation(
        "R11",
        "已有一项有效授权，请修改其额度",
        "An authorization for this relative is already active; change its quota instead",
    ),
    ErrorCode.AUTHORIZATION_NOT_ACTIVE: Explanation(
        "R9", "该授权已解除", "This authorization has ended"
    ),
    ErrorCode.NOT_AUTHORIZATION_PARTY: Explanation(
        "R9", "您不是该授权的任何一方", "You are not a party to this authorization"
    ),
    ErrorCode.QUOTA_BELOW_SPENT: Explanation(
        "R11",
        "额度不能低于已使用的{spent}元",
        "The quota cannot go below the {spent} yuan already spent",
    ),
    ErrorCode.QUOTA_EXHAUSTED: Explanation(
        "R11", "共济额度已用完", "The mutual-aid quota is used up"
    ),
    ErrorCode.BILL_INVALID: Explanation(
        "R14", "账单金额不一致：{reason}", "The bill's figures do not add up: {reason}"
    ),
    ErrorCode.BILL_REFERENCE_REUSED: Explanation(
        "R22",
        "该结算单号已用于另一份账单",
        "This settlement reference was already used for a different bill",
    ),
    ErrorCode.NOT_BILL_PATIENT: Explanation(
        "R17",
        "只能由就诊人本人支付；使用他人医保属于冒名就医",
        "Only the patient named on the bill can pay; using another's insurance is fraud",
    ),
    ErrorCode.BILL_ALREADY_PAID: Explanation("R22", "该账单已支付", "This bill is already paid"),
    ErrorCode.BILL_NOT_COVERABLE: Explanation(
        "R15",
        "该账单没有可用共济资金支付的费用（自费、体育健身、养生保健、医学美容、体检等不可支付）",
        "Nothing on this bill may be paid with family money "
        "(self-pay, fitness, wellness, cosmetic, check-ups … are excluded)",
    ),
    ErrorCode.AUTHORIZATION_NOT_FOR_PATIENT: Explanation(
        "R17",
        "该授权不是给就诊人本人的",
        "This authorization was not granted to the patient",
    ),
    ErrorCode.OUTSIDE_SHARING_SCOPE: Explanation(
        "R13",
        "授权人参保地政策只允许在{scope}使用共济资金",
        "The authorizer's region allows family money only {scope}",
    ),
    ErrorCode.INPATIENT_NOT_ALLOWED: Explanation(
        "R14",
        "授权人参保地不允许共济资金支付住院费用",
        "The authorizer's region does not allow family money for inpatient care",
    ),
    ErrorCode.PROXY_PURCHASE_PHARMACY_ONLY: Explanation(
        "R17",
        "代购药仅限定点药店购药",
        "Buying for someone else is allowed only for pharmacy purchases",
    ),
    ErrorCode.REFUND_EXCEEDS_PAYMENT: Explanation(
        "R22",
        "退款金额超过可退的{refundable}元",
        "The refund exceeds the {refundable} yuan that can still be refunded",
    ),
    ErrorCode.PREMIUM_NOT_ALLOWED: Explanation(
        "R16",
        "您参保地政策不允许用个人账户代缴居民医保费",
        "Your region does not allow paying resident premiums from the personal account",
    ),
    ErrorCode.PREMIUM_ALREADY_PAID: Explanation(
        "R16", "该亲属{year}年度的居民医保费已缴纳", "The premium for {year} is already paid"
    ),
    ErrorCode.RELATIVE_NOT_RESIDENT_INSURED: Explanation(
        "R16",
        "代缴只适用于参加城乡居民医保的亲属",
        "Premiums can be paid only for a relative in resident insurance",
    ),
    ErrorCode.IDEMPOTENCY_KEY_REUSED: Explanation(
        "R22",
        "该幂等键已用于另一笔不同的请求",
        "This idempotency key was already used for a different request",
    ),
    # partner: the institution's half of a payment, payment codes, the desk, API keys
    ErrorCode.BILL_SELF_PAY_MISMATCH: Explanation(
        "R15",
        "申报的全自费金额{declared}元与自费（SELF_PAY）明细合计{itemised}元不一致",
        "The declared full self-pay {declared} yuan differs from the SELF_PAY lines, "
        "which add up to {itemised} yuan",
    ),
    ErrorCode.PAYMENT_CODE_NOT_FOUND: Explanation(
        "R17",
        "付款码无效，请患者重新出示",
        "Unknown payment code; ask the patient to show a new one",
    ),
    ErrorCode.PAYMENT_CODE_EXPIRED: Explanation(
        "R17",
        "付款码已过期（有效期{minutes}分钟），请患者刷新",
        "The payment code expired (valid {minutes} minutes); ask the patient to refresh it",
    ),
    ErrorCode.PAYMENT_CODE_USED: Explanation(
        "R22", "付款码已使用，每个付款码只能用一次", "This payment code was already used"
    ),
    ErrorCode.PAYMENT_CODE_NOT_FOR_PATIENT: Explanation(
        "R17",
        "付款码不属于账单上的就诊人；使用他人医保属于冒名就医",
        "The payment code is not the patient's; using another's insurance is fraud",
    ),
    ErrorCode.DESK_REASON_REQUIRED: Explanation(
        "R27",
        "查询原因须写明一句话（至少{min}个字）",
        "Give the reason for the lookup in a sentence (at least {min} characters)",
    ),
    ErrorCode.API_KEY_LIMIT_REACHED: Explanation(
        None,
        "有效的API密钥已达上限（{max}个），请先吊销不用的密钥",
        "You already have {max} active API keys; revoke one you no longer use",
    ),
    ErrorCode.BILL_NOT_PAID: Explanation(
        "R22",
        "该账单未用共济资金支付，没有可退的款项",
        "This bill was not paid with family money: there is nothing to refund",
    ),
    # throttle: rate limits on the open endpoint, agents' reasons and office scope
    ErrorCode.RATE_LIMITED: Explanation(
        None,
        "操作过于频繁，请{seconds}秒后再试",
        "Too many attempts; try again in {seconds} seconds",
    ),
    ErrorCode.AGENT_REASON_TOO_SHORT: Explanation(
        None,
        "办理原因至少{min}个字（不计空格和标点），请写明为何办理",
        "The reason needs at least {min} letters or digits (spaces and punctuation do not "
        "count): say why",
    ),
    ErrorCode.AGENT_OUTSIDE_SCOPE: Explanation(
        None,
        "该参保人不在您的经办范围（{scope}）内",
        "This person is outside your office's scope ({scope})",
    ),
    # graphiql: `gongji demo --reset`
    ErrorCode.DEMO_RESET_REFUSED: Explanation(
        None,
        "数据库中有演示数据以外的数据（{found}），不能重置演示数据",
        "The database holds data that is not the demo's ({found}); the demo was not reset",
    ),
    # api: input hygiene, query refusals and top-level request errors (extensions.code)
    ErrorCode.INPUT_TOO_LONG: Explanation(
        None,
        "最多{max}个字符",
        "At most {max} characters",
        "A text input is longer than its limit; `field` names it.",
    ),
    ErrorCode.FILTER_NOT_APPLICABLE: Explanation(
        "R27",
        "该筛选条件不适用于机构查询",
        "This filter does not apply to an institution's records",
        "An institution filters usage records by role or relative: it sees its own bills only.",
    ),
    ErrorCode.UNAUTHENTICATED: Explanation(
        None,
        "需要登录：请发送 Authorization: Bearer <token>",
        "Authentication required: send Authorization: Bearer <token>",
        "Top-level only: the operation needs a caller and no bearer token was sent.",
    ),
    ErrorCode.TOKEN_INVALID: Explanation(
        None,
        "登录凭证无效或已过期，请重新登录",
        "The bearer token is invalid or expired; log in again",
        "Top-level only: a bearer token was sent but is unknown, revoked, ended or expired.",
    ),
    ErrorCode.GRAPHQL_PARSE_FAILED: Explanation(
        None,
        "GraphQL 文档语法错误（详见 extensions.detail）",
        "The GraphQL document does not parse: {detail}",
        "Top-level only: a syntax error; `extensions.detail` keeps graphql-core's words.",
    ),
    ErrorCode.GRAPHQL_VALIDATION_FAILED: Explanation(
        None,
        "GraphQL 查询未通过校验（详见 extensions.detail）",
        "The GraphQL operation is not valid against the schema: {detail}",
        "Top-level only: an unknown field, a missing argument, or a variable of the wrong type.",
    ),
    ErrorCode.QUERY_TOO_COMPLEX: Explanation(
        None,
        "查询过于复杂（层级、别名或长度超过上限，详见 extensions.detail）",
        "The operation is too complex: {detail}",
        "Top-level only: the depth, alias or token limit was exceeded.",
    ),
    ErrorCode.INTERNAL_SERVER_ERROR: Explanation(
        None,
        "服务器出错了，请稍后再试",
        "Unexpected error.",
        "Top-level only: a bug on our side, logged without your input; retrying may help.",
    ),
    # pii: the face-verification provider
    ErrorCode.FACE_PROVIDER_UNAVAILABLE: Explanation(
        "R4",
        "人脸核身服务暂时不可用，请稍后重试",
        "Face verification is unavailable right now; try again later",
    ),
    # operator: credits, moves, deaths and inheritance
    ErrorCode.MEMBER_DECEASED: Explanation(
        "R20",
        "账户持有人已身故，账户余额由继承人继承，不能再使用",
        "The account holder has died: the balance goes to the heirs and cannot be spent",
    ),
    ErrorCode.INHERITANCE_NOT_DECEASED: Explanation(
        "R20",
        "该参保人未登记身故，不能登记继承",
        "This member is not registered as deceased: no inheritance can be recorded",
    ),
    ErrorCode.INHERITANCE_SHARES_INVALID: Explanation(
        "R20",
        "继承份额无效：{reason}",
        "Invalid inheritance shares: {reason}",
    ),
    ErrorCode.INHERITANCE_ALREADY_RECORDED: Explanation(
        "R20",
        "该参保人的继承已按其他继承人或份额登记",
        "An inheritance with other heirs or shares is already recorded for this member",
    ),
    # service hall acting for a member, binding formalities, premiums routed (#10.4–7)
    ErrorCode.HALL_VERIFICATION_REQUIRED: Explanation(
        "R9",
        "请先为到厅办理人完成人脸核身（由本经办人员发起、核验通过）",
        "Verify the member at the window first: a face verification you started that passed",
        "A service-hall act without a passed in-person verification of that member by this agent.",
    ),
    ErrorCode.HALL_VERIFICATION_EXPIRED: Explanation(
        "R9",
        "到厅人脸核身已超过{minutes}分钟有效期，请重新核验",
        "The in-person verification is older than {minutes} minutes; verify again",
    ),
    ErrorCode.INVITER_FACE_VERIFICATION_REQUIRED: Explanation(
        "R24",
        "本地区添加家庭成员前须先完成本人人脸核身",
        "In this region, pass your own face verification before adding a family member",
    ),
    ErrorCode.FAMILY_NOTICE_NOT_ACCEPTED: Explanation(
        "R25",
        "请阅读并同意《家庭成员添加告知书》",
        "Read and agree to the family-member notice first",
    ),
    ErrorCode.FAMILY_NOTICE_VERSION_OUTDATED: Explanation(
        "R25",
        "《家庭成员添加告知书》已更新为{current}版，请重新阅读",
        "The family-member notice is now version {current}; read it again",
    ),
    ErrorCode.COMMERCIAL_INSURANCE_NOT_ALLOWED: Explanation(
        "R16",
        "您参保地不允许用个人账户购买商业健康保险",
        "Your region does not allow buying commercial health insurance from the account",
    ),
    ErrorCode.INSURER_NOT_FOUND: Explanation(
        "R16", "该保险公司未登记", "No registered insurer has this code"
    ),
    ErrorCode.INSURANCE_ORDER_REUSED: Explanation(
        "R22",
        "该保险公司的缴费单号已用于另一笔缴费",
        "This insurer's order number was used for another premium",
    ),
}


@dataclass
class DomainError(Exception):
    """A rejection the caller can act on. Raised by rules and services, shown in payloads."""

    code: ErrorCode
    field: str | None = None
    params: dict[str, Any] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.code.value)

    @property
    def rule(self) -> str | None:
        return CATALOGUE[self.code].rule

    def message(self, language: str = "zh") -> str:
        explanation = CATALOGUE[self.code]
        english = language == "en"
        template = explanation.en if english else explanation.zh
        params = {
            key: (value[1] if english else value[0]) if isinstance(value, tuple) else value
            for key, value in self.params.items()
        }
        return template.format_map(_Defaulting(params))


class _Defaulting(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def bilingual(zh: str, en: str) -> tuple[str, str]:
    """A message parameter in both languages."""
    return (zh, en)
