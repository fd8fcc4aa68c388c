"""The optimizers' native update pass on the CPU (`K._optimizer_update`, a custom call of the
JAX backend's native handlers): the same numbers as the optimizers' own `K` operations
compiled by XLA, for every built-in rule, and those operations wherever it does not apply."""
import numpy as np
import pytest

import keras
from keras import backend as K
from keras import optimizers as O

from test_backend_conv_ops import onednn_installed

pytestmark = [pytest.mark.backends('jax', reason="a custom call of the JAX backend"),
              pytest.mark.skipif(not onednn_installed(),
                                 reason='the native handlers need the onednn-cpu-gomp package')]

RULES = {
    'sgd': lambda: O.SGD(0.01, momentum=0.9),
    'nesterov': lambda: O.SGD(0.01, momentum=0.9, nesterov=True, decay=0.01),
    'rmsprop': lambda: O.RMSprop(),
    'adagrad': lambda: O.Adagrad(),
    'adadelta': lambda: O.Adadelta(),
    'adam': lambda: O.Adam(decay=0.01),
    'amsgrad': lambda: O.Adam(amsgrad=True),
    'adamax': lambda: O.Adamax(),
    'nadam': lambda: O.Nadam(),
}
# one weight under a block of the handler (32K entries), one of several blocks, a bias
SHAPES = [(37, 5), (300, 230), (5,)]


def _steps(make_optimizer, grads, native, monkeypatch):
    """The parameter and optimizer values after a compiled `stateless_apply` per gradient
    list in `grads`, and how many native update calls the compiled program makes."""
    import jax
    rng = np.random.RandomState(0)
    params = [K.variable(rng.randn(*s).astype('float32')) for s in SHAPES]
    opt = make_optimizer()
    opt.build(params)
    if not native:
        monkeypatch.setattr(K, '_optimizer_update', None)
    step = jax.jit(lambda ov, pv, g: opt.stateless_apply(ov, pv, g, params))
    ov, pv = [v.value for v in opt.variables()], [p.value for p in params]
    text = step.lower(ov, pv, grads[0]).as_text()
    for g in grads:
        pv, ov = step(ov, pv, g)
    monkeypatch.undo()
    return [np.asarray(v) for v in pv + ov], text.count('@keras_optimizer_update')


def _gradients(steps, seed=1):
    # magnitudes from 1e-6 to 1e3, a different one per weight and step
    rng = np.random.RandomState(seed)
    return [[(rng.randn(*s) * 10. ** rng.uniform(-6, 3)).astype('float32') for s in SHAPES]
            for _ in range(steps)]


@pytest.mark.parametrize('rule', sorted(RULES))
def test_native_updates_compute_the_optimizers_own_operations(rule, monkeypatch):
    """20 steps of each rule natively and with its `K` operations: the same float32 values
    up to the rounding of a term (where XLA and the compiler fuse a multiply-add
    differently; a weight's entries that cancel to near 0 then differ by a rounding of the
    weight's scale), and the step's program makes one native call for all its weights
    where it is used, none elsewhere."""
    grads = _gradients(20)
    native, calls = _steps(RULES[rule], grads, True, monkeypatch)
    ops, no_calls = _steps(RULES[rule], grads, False, monkeypatch)
    assert (calls, no_calls) == (1, 0)
    for got, ref in zip(native, ops):
        np.testing.assert_allclose(got, ref, rtol=1e-6, atol=1e-6 * np.abs(ref).max())


@pytest.mark.parametrize('rule', ['adadelta', 'amsgrad', 'adamax', 'rmsprop'])
def test_overflowing_and_nan_gradients_match(rule, monkeypatch):
    """Gradients whose squares overflow float32 (Adadelta's guarded delta accumulator) and
    NaN gradients (propagated through the maxima of AMSGrad and Adamax as XLA's maximum
    does) give the same values, infinities and NaNs natively."""
    grads = _gradients(3)
    for g in grads[1]:
        g.flat[::7] = 3e20
        g.flat[3::11] = np.nan
    native, _ = _steps(RULES[rule], grads, True, monkeypatch)
    ops, _ = _steps(RULES[rule], grads, False, monkeypatch)
    for got, ref in zip(native, ops):
        np.testing.assert_array_equal(np.isnan(got), np.isnan(ref))
        finite = np.abs(ref[np.isfinite(ref)])
        np.testing.assert_allclose(got, ref, rtol=1e-6,
                                   atol=1e-6 * finite.max() if finite.size else 0)
    if rule == 'adadelta':
        # the delta accumulators stay finite where g ** 2 overflowed
        assert all(np.isfinite(d[~np.isnan(d)]).all() for d in native[-len(SHAPES):])


def test_other_dtypes_keep_the_optimizers_operations(monkeypatch):
    """A float16 weight beside float32 ones: the native call updates the float32 weights
    (and only them), the float16 one keeps the `K` operations; every weight gets the step
    it gets without the native pass."""
    import jax
    import jax.numpy as jnp

    def step(native):
        params = [K.variable(np.full((4, 3), 1.5), dtype='float16'),
                  K.variable(np.full((40, 3), 2.), dtype='float32'),
                  K.variable(np.full((3,), -1.), dtype='float32')]
        opt = O.Adam()
        opt.build(params)
        if not native:
            monkeypatch.setattr(K, '_optimizer_update', None)
        run = jax.jit(lambda ov, pv, g: opt.stateless_apply(ov, pv, g, params))
        grads = [jnp.full(p.shape, 0.25 * (i + 1), p.dtype) for i, p in enumerate(params)]
        args = ([v.value for v in opt.variables()], [p.value for p in params], grads)
        text = run.lower(*args).as_text()
        new_p, _ = run(*args)
        monkeypatch.undo()
        return new_p, text
    native, text = step(True)
    ops, _ = step(False)
    call = [line for line in text.splitlines() if '@keras_optimizer_update' in line]
    assert len(call) == 1 and 'f16' not in call[0] and 'tensor<40x3xf32>' in call[0]
    assert [p.dtype for p in native] == [np.float16, np.float32, np.float32]
    for got, ref in zip(native, ops):
        np.testing.assert_allclose(np.asarray(got, 'float32'), np.asarray(ref, 'float32'),
                                   rtol=1e-6)
    assert float(native[0][0, 0]) < 1.5


def test_a_fit_ends_with_the_same_weights_natively(monkeypatch):
    """A model with a constrained kernel trained by `fit` (several dispatches of the
    compiled loop, the constraint applied after the update) ends with the same weights
    either way."""
    def train():
        np.random.seed(0)
        model = keras.models.Sequential([
            keras.layers.Dense(300, activation='relu', input_shape=(120,),
                               kernel_constraint=keras.constraints.max_norm(1.)),
            keras.layers.Dense(3, activation='softmax')])
        model.compile(O.Adam(lr=0.01), 'categorical_crossentropy')
        rng = np.random.RandomState(1)
        x = rng.rand(256, 120).astype('float32')
        y = np.eye(3, dtype='float32')[rng.randint(0, 3, 256)]
        model.fit(x, y, batch_size=32, epochs=3, verbose=0, shuffle=False)
        return model.get_weights()
    native = train()
    monkeypatch.setattr(K, '_optimizer_update', None)
    ops = train()
    for got, ref in zip(native, ops):
        np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-7)
    assert np.linalg.norm(native[0], axis=0).max() <= 1. + 1e-6


def test_a_rule_with_the_wrong_operands_is_refused():
    import jax.numpy as jnp
    from keras.backend.jax import onednn
    x = jnp.ones((3,))
    with pytest.raises(ValueError, match="'adam' takes 2 slots a weight, got 1 for weight 1"):
        onednn.optimizer_update('adam', [(x, x, [x, x]), (x, x, [x])], [1.] * 6)
    with pytest.raises(ValueError, match="'adam' takes 6 scalars, got 5"):
        onednn.optimizer_update('adam', [(x, x, [x, x])], [1.] * 5)
    with pytest.raises(ValueError, match='no weights'):
        onednn.optimizer_update('adam', [], [1.] * 6)
