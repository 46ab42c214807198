"""The domain's rules R1–R30, as partners read them: `UserError.rule` and the docs cite these.

The same table is in the README; a test keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    text: str


RULES: tuple[Rule, ...] = (
    Rule(
        "R1",
        "Only employees authorize",
        "Only an employee-insured member (职工医保) has a personal account, so only they "
        "can authorize; the account must be usable and hold a balance.",
    ),
    Rule(
        "R2",
        "Relatives are insured and normal",
        "The relative must be in basic medical insurance (employee or resident) with "
        "normal status, anywhere in mainland China.",
    ),
    Rule(
        "R3",
        "Which relatives",
        "Relationship scope is region policy: spouse, parents, children; near relatives"
        " (siblings, grandparents, grandchildren) where allowed. Never in-laws.",
    ),
    Rule(
        "R4",
        "Age and consent",
        "Age comes from the ID number. From the region's consent age (16) a relative "
        "accepts with face verification; younger relatives join directly.",
    ),
    Rule(
        "R5",
        "Binding caps",
        "How many relatives may be bound at once and in a lifetime is region policy.",
    ),
    Rule(
        "R6",
        "Commitment letter",
        "The creator reads and accepts the commitment letter (版本 and time kept), picks "
        "the relationship and invites with name and ID number.",
    ),
    Rule(
        "R7",
        "Invitations",
        "An invitation is pending until accepted, declined, revoked by the inviter, or "
        "expired.",
    ),
    Rule(
        "R8",
        "Members see each other",
        "After joining, every member of the group sees the others and may bind and "
        "authorize amounts.",
    ),
    Rule(
        "R9",
        "Unbinding any time",
        "Unbinding (解绑) is possible at any time, online or at a service hall; both "
        "sides may end it.",
    ),
    Rule(
        "R10",
        "Wallet and transfers",
        "Personal-account money moves into the wallet by transfer, within region "
        "limits: transfers a day, amount each, no transfers at night.",
    ),
    Rule(
        "R11",
        "Quota",
        "An authorization names a quota the relative may spend; the authorizer may "
        "change or revoke it; unspent quota is reserved and returns on revocation.",
    ),
    Rule(
        "R12",
        "Balances shared",
        "Funds shared are the account's balance, including balances carried over from "
        "before the reform.",
    ),
    Rule(
        "R13",
        "Where money may be spent",
        "Same city, same province or nationwide, by the authorizer's insured region's "
        "policy, against the institution's region.",
    ),
    Rule(
        "R14",
        "What is payable",
        "The relative's personal share of in-policy costs after the pooled fund has "
        "paid, at designated hospitals and pharmacies (inpatient where allowed).",
    ),
    Rule(
        "R15",
        "What is not payable",
        "Full self-pay items, public health, fitness, wellness, cosmetic care, weight "
        "loss, bodybuilding and check-ups; the list is region policy.",
    ),
    Rule(
        "R16",
        "Premiums and insurance",
        "A relative's resident-insurance premium may be paid, and commercial medical "
        "insurance bought, where the region allows.",
    ),
    Rule(
        "R17",
        "The patient's own identity",
        "The patient always uses their own insurance; using another's card is fraud. A "
        "relative may buy drugs for the patient, recording both.",
    ),
    Rule(
        "R18",
        "Reimbursement unchanged",
        "Sharing never changes the reimbursement ratio: family money covers only what "
        "the patient's own insurance leaves.",
    ),
    Rule(
        "R19",
        "Usage records",
        "Usage records are queried by insured region, visit type and year, and show "
        "shared-quota use.",
    ),
    Rule(
        "R20",
        "Moves and death",
        "When insurance moves to another city or ends, or on death, the sharing "
        "relations end.",
    ),
    Rule(
        "R21",
        "Fraud",
        "Fraudulent extraction through family sharing is prohibited: detected, held and"
        " audited.",
    ),
    Rule(
        "R22",
        "No money created or lost",
        "Every movement is a balanced ledger entry; a retried request moves money at "
        "most once.",
    ),
    Rule(
        "R23",
        "Reminder to pay with family money",
        "After binding, the relative is reminded to choose 家庭共济 at the counter.",
    ),
    Rule(
        "R24",
        "Holder's own face first",
        "Adding a family member on the national flow starts with the account holder's "
        "own face verification.",
    ),
    Rule(
        "R25",
        "Notice per binding",
        "Each binding has its own notice read and agreed, and the commitment signed, "
        "before it is active.",
    ),
    Rule(
        "R26",
        "Authorization history",
        "Both sides can look back at an authorization's history.",
    ),
    Rule(
        "R27",
        "Institution look-up",
        "A hospital's settlement desk looks up a patient's family-money use for a "
        "period, given the patient's identity.",
    ),
    Rule(
        "R28",
        "Outpatient pooled balance",
        "The outpatient pooled-fund balance can be queried.",
    ),
    Rule(
        "R29",
        "Premium to the relative's city",
        "A premium paid for a relative goes to the relative's city.",
    ),
    Rule(
        "R30",
        "Credits come from the region",
        "Personal accounts are credited only from the region's files; nothing else "
        "creates personal-account money.",
    ),
)
