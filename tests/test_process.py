from __future__ import annotations

import gc

import pytest

from ticketbridge import process

pytestmark = pytest.mark.store_independent


def test_tune_gc_raises_the_first_threshold_and_freezes_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = gc.get_threshold()
    freezes: list[int] = []
    monkeypatch.setattr(process, "_frozen", False)
    monkeypatch.setattr(process.gc, "freeze", lambda: freezes.append(1))
    try:
        process.tune_gc(12_345)
        process.tune_gc(12_345)
        assert gc.get_threshold() == (12_345, before[1], before[2])
        assert freezes == [1]
        process.tune_gc(0)  # 0: left as it is
        assert gc.get_threshold()[0] == 12_345
    finally:
        gc.set_threshold(*before)
