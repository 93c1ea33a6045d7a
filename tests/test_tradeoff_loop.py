"""The compiled trade-off keeps numpy's arithmetic and each run's own.

What the trade-off computes is checked in test_offers_answer.py, and the whole model's bits in
test_digests.py; here, what compiling it must not change.
"""

from __future__ import annotations

import itertools
import subprocess
import sys

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from model.tradeoff import tradeoff_positions
from model.tradeoff_loop import _maximum, _minimum, _sign

SPECIAL = [-0.0, 0.0, 1.0, -1.0, 1e-300, float("inf"), -float("inf"), float("nan")]


def bits(x: object) -> bytes:
    return np.asarray(x, dtype=np.float64).tobytes()


def test_maximum_minimum_and_sign_are_numpys_on_ties_zeros_and_nan() -> None:
    for a, b in itertools.product(SPECIAL, SPECIAL):
        many_a, many_b = np.full(33, a), np.full(33, b)  # long enough for numpy's SIMD loops
        assert bits(_maximum(a, b)) == bits(np.maximum(a, b)) == bits(np.maximum(many_a, many_b)[0])
        assert bits(_minimum(a, b)) == bits(np.minimum(a, b)) == bits(np.minimum(many_a, many_b)[0])
    for a in SPECIAL:
        assert bits(_sign(a)) == bits(np.sign(a)) == bits(np.sign(np.full(33, a))[0])


unit = st.floats(0.0, 1.0, allow_subnormal=False)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 12),
    issues=st.integers(1, 8),
    bounded=st.booleans(),
    data=st.data(),
)
def test_each_run_is_computed_as_if_alone(
    n: int, issues: int, bounded: bool, data: st.DataObject
) -> None:
    def draw(shape: tuple[int, ...]) -> np.ndarray:
        return data.draw(arrays(np.float64, shape, elements=unit))

    aspiration = draw((n, 2))
    weights, ideal, offer = draw((n, 2, issues)), draw((n, 2, issues)), draw((n, 2, issues))
    similarity = draw((1, 2, issues))  # shared by all runs, as the model passes it
    weights /= np.maximum(weights.sum(axis=-1, keepdims=True), 1e-12)
    least = np.minimum(draw((n, 2, issues)), np.abs(offer - ideal)) if bounded else None
    together = tradeoff_positions(aspiration, weights, ideal, offer, similarity, least)
    assert together.shape == (n, 2, issues)
    for r in range(n):
        one = slice(r, r + 1)
        alone = tradeoff_positions(
            aspiration[one],
            weights[one],
            ideal[one],
            offer[one],
            similarity,
            None if least is None else least[one],
        )
        assert bits(alone[0]) == bits(together[r])


def test_any_number_of_leading_axes() -> None:
    rng = np.random.default_rng(0)
    ideal, offer, weights = rng.random((3, 3, 4, 2, 5))
    aspiration = rng.random((3, 4, 2))
    four = tradeoff_positions(aspiration, weights, ideal, offer, np.ones(5))
    flat = (x.reshape(12, 2, 5) for x in (weights, ideal, offer))
    three = tradeoff_positions(aspiration.reshape(12, 2), *flat, np.ones(5))
    assert four.shape == (3, 4, 2, 5)
    assert bits(four.reshape(12, 2, 5)) == bits(three)
    two = tradeoff_positions(aspiration[0, 0], weights[0, 0], ideal[0, 0], offer[0, 0], np.ones(5))
    assert two.shape == (2, 5) and bits(two) == bits(four[0, 0])


def test_numba_is_imported_at_the_first_trade_off_not_before() -> None:
    code = (
        "import sys, numpy as np\n"
        "import agents.negotiator, model.tradeoff\n"
        "assert 'numba' not in sys.modules\n"
        "model.tradeoff.tradeoff_positions(np.ones((1, 1)), *[np.ones((1, 1, 2))] * 4)\n"
        "assert 'numba' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
