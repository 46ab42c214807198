import pytest

from gongji.ledger.rules import UnbalancedTransaction, check_balanced


@pytest.mark.parametrize("amounts", [[100, -100], [50, 50, -100], [-1, 1]])
def test_balanced_transactions_pass_r22(amounts: list[int]) -> None:
    check_balanced(amounts)


@pytest.mark.parametrize("amounts", [[100, -99], [100], [0, 0], [100, -100, 0], []])
def test_unbalanced_or_empty_entries_are_bugs_r22(amounts: list[int]) -> None:
    with pytest.raises(UnbalancedTransaction):
        check_balanced(amounts)
