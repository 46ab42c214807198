"""Descriptions of arguments that mean the same wherever they appear, by name.

Applied when the schema is built to every root field's argument that has none of its own, so
an argument added later under a known name is documented too. An argument with a meaning of
its own is described where it is declared, and that wins.
"""

from __future__ import annotations

from strawberry.types.base import get_object_definition
from strawberry.utils.str_converters import to_camel_case

from gongji.api.pagination import AFTER_DESCRIPTION, FIRST_DESCRIPTION

ARGUMENTS: dict[str, str] = {
    "first": FIRST_DESCRIPTION,
    "after": AFTER_DESCRIPTION,
    "input": "The fields of this operation; a refusal names the field without `input.`.",
    "filter": "Narrows the list; omit it for everything the caller may see.",
    "idempotencyKey": "8–80 letters, digits, `_ . : -`, unique per caller: a retry with the "
    "same key and input returns the first result with `replayed: true` and moves nothing (R22).",
    "amount": 'In yuan, a decimal string like "100.00"; must be above zero.',
    "quota": 'The most the relative may spend, in yuan, like "500.00" (R11).',
    "reason": "Why, in a few words (up to 255 characters); kept on record.",
    "idNumber": "The member's 18-character resident ID number (GB 11643).",
    "groupId": "The family group's id.",
    "memberId": "The member's id (Person.id).",
    "relativeId": "The relative's id (Person.id), a member of your family group.",
    "invitationId": "The invitation's id.",
    "authorizationId": "The authorization's id.",
    "verifyId": "From `startFaceVerification`, after wx.requestFacialVerify; needed from the "
    "consent age (R4).",
    "billId": "The bill's id.",
    "paymentId": "The payment's id.",
    "id": "The id.",
    "regionCode": "A GB/T 2260 region code: province PP0000 or city PPCC00.",
    "on": "The date the policy applies on (default: today in China).",
    "year": "The insurance year, e.g. 2026.",
    "recipientId": "The relative's id (Person.id), a member of your family group.",
    "transferId": "The transfer's id (FamilyTransfer.id).",
    "holdId": "The hold's id (AuthorizationHold.id).",
    "monthlyCap": 'At most this much a month, in yuan like "200.00"; resets on the 1st, China '
    "time. Omit for no monthly cap (on change: omit to keep, null to remove).",
    "validUntil": "The last day the relative may use it (China time); the next day it ends by "
    "itself and the unspent quota returns. Omit for no end (on change: omit to keep, null to "
    "remove).",
    "status": "Only those in this state; omit for all.",
}


def describe(*roots: type) -> None:
    """Fill in missing argument descriptions of the roots' fields from ARGUMENTS."""
    for root in roots:
        for field in get_object_definition(root, strict=True).fields:
            for argument in field.arguments:
                name = argument.graphql_name or to_camel_case(argument.python_name)
                if argument.description is None:
                    argument.description = ARGUMENTS.get(name)
