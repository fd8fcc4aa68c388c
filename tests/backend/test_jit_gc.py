"""The backend's `jit` (the engine's compiled steps) pauses Python's cyclic garbage
collector while it traces, compiles and calls, and restores the collector's state."""
import gc

import numpy as np
import pytest

pytestmark = pytest.mark.backends('jax', reason="the JAX backend's jit")


def _jit():
    from keras.backend.jax import execution as X
    return X


def test_tracing_runs_with_the_collector_paused_and_it_is_restored():
    X = _jit()
    seen = []

    def f(x):
        seen.append(gc.isenabled())
        return x * 2

    fn = X.jit(f)
    assert gc.isenabled()
    np.testing.assert_array_equal(np.asarray(fn(np.arange(3.))), [0., 2., 4.])
    assert seen == [False]              # traced once, collector paused
    assert gc.isenabled()
    fn(np.arange(3.))                   # cached: no new trace
    assert seen == [False] and gc.isenabled()
    traced = fn.trace(np.arange(4.))    # `.trace` (used by the dispatch plan) too
    assert seen == [False, False] and gc.isenabled()
    assert traced.out_info.shape == (4,)


def test_a_collector_the_user_disabled_stays_disabled():
    X = _jit()
    fn = X.jit(lambda x: x + 1)
    gc.disable()
    try:
        fn(np.ones(2))
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_collector_is_restored_when_tracing_raises():
    X = _jit()

    def bad(x):
        raise ValueError('no')

    with pytest.raises(ValueError, match='no'):
        X.jit(bad)(np.ones(2))
    assert gc.isenabled()


def test_static_arguments_and_jit_attributes_pass_through():
    X = _jit()
    fn = X.jit(lambda x, n: x * n, static_argnums=(1,))
    np.testing.assert_array_equal(np.asarray(fn(np.ones(2), 3)), [3., 3.])
    assert fn.lower(np.ones(2), 3).as_text()      # any other attribute of the jit function
