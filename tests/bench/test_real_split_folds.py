"""The two folds of the real-gold split (bench/real_split.yaml): fold 2 swaps the halves."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bench.goldsets import FOLDS, SPLIT_FILE, GoldDoc, real_gold_docs

SPLIT = yaml.safe_load(SPLIT_FILE.read_text(encoding="utf-8"))


def _doc(publisher: str, fold: int) -> GoldDoc:
    return GoldDoc(f"relatorio-{publisher}-algo-2025", Path("x.pdf"), {}, True, fold=fold)


@pytest.mark.parametrize("publisher", SPLIT["develop"] + SPLIT["held_out"])
def test_fold_two_puts_every_publisher_in_the_other_half(publisher: str) -> None:
    halves = {fold: _doc(publisher, fold).half for fold in FOLDS}
    assert halves[1] != halves[2]
    assert halves[1] == ("develop" if publisher in SPLIT["develop"] else "held-out")


@pytest.mark.parametrize("fold", FOLDS)
def test_a_publisher_listed_nowhere_is_held_out_in_both_folds(fold: int) -> None:
    assert _doc("xx-novo", fold).half == "held-out"


def test_an_unknown_fold_is_refused() -> None:
    with pytest.raises(ValueError, match="fold"):
        real_gold_docs(3)
