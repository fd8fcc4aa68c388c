"""The JAX backend's LSTM recurrence (`K._lstm_recurrence`, a hand-written gradient) must
give the values and gradients of the same recurrence differentiated by JAX through
`K.rnn`, and LSTM layers must take it exactly where it computes what their cell does."""
import pytest  # noqa: E402
pytestmark = pytest.mark.backends('jax', reason="the JAX backend's own LSTM recurrence")

import numpy as np
import jax
import jax.numpy as jnp

from keras import backend as K
from keras.layers import LSTM, Input, Masking, recurrent
from keras.models import Model

UNITS = 5


def _gate(kind):
    return {'hard_sigmoid': K.hard_sigmoid, 'sigmoid': K.sigmoid}[kind]


def _reference(z, h0, c0, kernel, mask, kind, go_backwards, steps=None):
    """The same recurrence as a step function under `K.rnn` (JAX's own gradient)."""
    gate = _gate(kind)

    def step(z_t, states):
        h, c = states
        if mask is None:
            product = jnp.dot(h, kernel)
        elif isinstance(mask, list):        # a mask per gate, each with its own columns
            product = jnp.concatenate([jnp.dot(h * m, kernel[:, g * UNITS:(g + 1) * UNITS])
                                       for g, m in enumerate(mask)], axis=-1)
        else:
            product = jnp.dot(h * mask, kernel)
        z_i, z_f, z_c, z_o = jnp.split(z_t + product, 4, axis=-1)
        c = gate(z_f) * c + gate(z_i) * jnp.tanh(z_c)
        h = gate(z_o) * jnp.tanh(c)
        return h, [h, c]
    return K.rnn(step, z, [h0, c0], go_backwards=go_backwards, mask=steps)


def _inputs(seed, batch=4, steps=7):
    rng = np.random.RandomState(seed)
    z = rng.randn(batch, steps, 4 * UNITS).astype('float32') * 2   # gates saturate too
    h0 = rng.randn(batch, UNITS).astype('float32') * 0.5
    c0 = rng.randn(batch, UNITS).astype('float32') * 0.5
    kernel = rng.randn(UNITS, 4 * UNITS).astype('float32') * 0.6
    mask = [(rng.rand(batch, UNITS) < 0.7).astype('float32') / 0.7 for _ in range(4)]
    weights = [rng.randn(batch, steps, UNITS), rng.randn(batch, UNITS),
               rng.randn(batch, UNITS), rng.randn(batch, UNITS)]
    # sequences masked at the start, in the middle, at the end, and not at all
    seq = np.ones((batch, steps), bool)
    seq[0, :2] = seq[1, 3:5] = seq[2, -2:] = False
    return z, h0, c0, kernel, mask, [w.astype('float32') for w in weights], seq


def _loss(fn, weights):
    def loss(z, h0, c0, kernel):
        last, outputs, (h, c) = fn(z, h0, c0, kernel)
        return sum(jnp.sum(a * w) for a, w in zip((outputs, last, h, c), weights))
    return loss


@pytest.mark.parametrize('kind', ['hard_sigmoid', 'sigmoid'])
@pytest.mark.parametrize('go_backwards', [False, True])
@pytest.mark.parametrize('masks', ['none', 'one', 'per gate'])
@pytest.mark.parametrize('sequence_mask', [False, True])
def test_values_and_gradients_match_the_differentiated_loop(kind, go_backwards, masks,
                                                            sequence_mask):
    z, h0, c0, kernel, mask, weights, seq = _inputs(seed=3)
    mask = {'none': None, 'one': mask[0], 'per gate': mask}[masks]
    seq = seq if sequence_mask else None

    def fused(*args):
        return K._lstm_recurrence(*args, recurrent_mask=mask, recurrent_activation=kind,
                                  go_backwards=go_backwards, mask=seq)

    def reference(*args):
        return _reference(*args, mask=mask, kind=kind, go_backwards=go_backwards, steps=seq)

    args = (z, h0, c0, kernel)
    for got, want in zip(jax.tree_util.tree_leaves(jax.jit(fused)(*args)),
                         jax.tree_util.tree_leaves(reference(*args))):
        np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-5, atol=1e-6)
    grads = jax.jit(jax.grad(_loss(fused, weights), argnums=(0, 1, 2, 3)))(*args)
    ref_grads = jax.grad(_loss(reference, weights), argnums=(0, 1, 2, 3))(*args)
    for name, got, want in zip(('z', 'h0', 'c0', 'kernel'), grads, ref_grads):
        assert np.abs(np.asarray(want)).max() > 1e-3, name      # a gradient that is there
        np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=2e-5, atol=2e-6,
                                   err_msg=name)


def test_unknown_recurrent_activation_and_bad_mask_are_refused():
    z, h0, c0, kernel, _, _, seq = _inputs(seed=0)
    with pytest.raises(ValueError, match="recurrent_activation.*'relu'"):
        K._lstm_recurrence(z, h0, c0, kernel, None, 'relu')
    with pytest.raises(ValueError, match=r"`mask` must have shape \(batch, time\)"):
        K._lstm_recurrence(z, h0, c0, kernel, None, 'sigmoid', mask=seq[:, :3])


def _spy(monkeypatch):
    calls = []
    real = K._lstm_recurrence

    def spy(*args, **kwargs):
        calls.append(args[5])
        return real(*args, **kwargs)
    monkeypatch.setattr(K, '_lstm_recurrence', spy)
    return calls


@pytest.mark.parametrize('kwargs,masked,fused', [
    ({}, False, ['hard_sigmoid']),
    ({'recurrent_activation': 'sigmoid', 'go_backwards': True}, False, ['sigmoid']),
    ({'implementation': 2, 'recurrent_dropout': 0.3}, False, ['hard_sigmoid']),
    ({'implementation': 1, 'recurrent_dropout': 0.3}, False, ['hard_sigmoid']),
    ({'implementation': 1, 'dropout': 0.3}, False, ['hard_sigmoid']),
    ({'activation': 'relu'}, False, []),
    ({'recurrent_activation': 'tanh'}, False, []),
    ({'recurrent_activation': lambda x: K.sigmoid(x)}, False, []),
    ({'unroll': True}, False, []),
    ({}, True, ['hard_sigmoid']),                                  # masked sequences
    ({'implementation': 1, 'recurrent_dropout': 0.3, 'go_backwards': True}, True,
     ['hard_sigmoid']),
])
def test_layers_take_the_recurrence_where_it_applies(monkeypatch, kwargs, masked, fused):
    calls = _spy(monkeypatch)
    inp = Input((6, 3))
    x = Masking(0.)(inp) if masked else inp
    model = Model(inp, LSTM(UNITS, return_sequences=True, **kwargs)(x))
    model.predict(np.random.RandomState(0).rand(2, 6, 3).astype('float32'))
    assert sorted(set(calls)) == fused


def test_overridden_recurrent_step_is_not_replaced(monkeypatch):
    calls = _spy(monkeypatch)

    class Doubled(recurrent.LSTMCell):
        def _recurrent(self, z, states):
            h, new_states = super(Doubled, self)._recurrent(z, states)
            return 2 * h, new_states
    inp = Input((6, 3))
    model = Model(inp, recurrent.RNN(Doubled(UNITS))(inp))
    model.predict(np.zeros((2, 6, 3), 'float32'))
    assert calls == []


def test_initial_states_from_other_layers_get_their_gradient():
    """An encoder-decoder: the decoder's initial states are the encoder's final states, so
    the encoder trains only through the recurrence's state gradients (dh0, dc0)."""
    rng = np.random.RandomState(2)
    x_enc = rng.rand(8, 5, 3).astype('float32')
    x_dec = rng.rand(8, 4, 2).astype('float32')
    y = rng.rand(8, 4, UNITS).astype('float32')
    enc_in, dec_in = Input((5, 3)), Input((4, 2))
    _, h, c = LSTM(UNITS, return_state=True, recurrent_activation='sigmoid')(enc_in)
    out = LSTM(UNITS, return_sequences=True)(dec_in, initial_state=[h, c])
    model = Model([enc_in, dec_in], out)
    model.compile('sgd', 'mse')
    before = model.get_weights()
    model.train_on_batch([x_enc, x_dec], y)
    # the encoder's weights (the first three) moved
    for b, a in zip(before[:3], model.get_weights()[:3]):
        assert np.abs(a - b).max() > 1e-7


@pytest.mark.parametrize('go_backwards', [False, True])
def test_direct_call_on_a_keras_tensor_records_the_recurrence(go_backwards):
    """`layer.call(keras_tensor)` (Keras 2 code reaching into a wrapper's sublayer) records
    the backend ops as graph nodes, the recurrence among them; `K.function` of that graph
    computes what the layer computes."""
    inp = Input((6, 3))
    layer = LSTM(UNITS, return_sequences=True, go_backwards=go_backwards)
    model = Model(inp, layer(inp))
    direct = K.function([inp], [layer.call(inp)])
    x = np.random.RandomState(6).rand(2, 6, 3).astype('float32')
    np.testing.assert_allclose(direct([x])[0], model.predict(x), rtol=1e-6, atol=1e-7)


def test_second_order_gradients_match_the_differentiated_loop():
    """A gradient of a gradient (a gradient penalty) differentiates the written VJP: it must
    equal JAX's second derivative of the loop."""
    z, h0, c0, kernel, mask, weights, seq = _inputs(seed=8)

    def penalty(fn):
        def inner(kernel):
            return _loss(fn, weights)(z, h0, c0, kernel)
        return jax.grad(lambda k: jnp.sum(jax.grad(inner)(k) ** 2))(kernel)

    got = penalty(lambda *args: K._lstm_recurrence(*args, recurrent_mask=mask[0],
                                                   recurrent_activation='sigmoid', mask=seq))
    want = penalty(lambda *args: _reference(*args, mask=mask[0], kind='sigmoid',
                                            go_backwards=False, steps=seq))
    assert np.abs(np.asarray(want)).max() > 1e-3
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-4, atol=1e-5)
