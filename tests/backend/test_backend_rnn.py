"""K.rnn, K.map_fn, K.foldl, K.foldr against NumPy loops."""
import numpy as np
import pytest

from keras import backend as K
from keras.backend import execution as X

RTOL, ATOL = 1e-5, 1e-6


def rand(shape, seed=0):
    return np.random.RandomState(seed).uniform(-1, 1, size=shape).astype('float32')


B, T, D, U = 3, 5, 4, 2
W, Uw = rand((D, U), 1), rand((U, U), 2)


def step(x, states):
    h = K.tanh(K.dot(x, W) + K.dot(states[0], Uw))
    return h, [h]


def np_rnn(x, h0, mask=None, go_backwards=False, unroll=False):
    """Keras 2.2.4 semantics (TensorFlow backend): masked steps keep the state; their
    output is the state before the step (the symbolic loop), or the previous output, zeros
    before the first unmasked step (the unrolled loop)."""
    order = range(T - 1, -1, -1) if go_backwards else range(T)
    h = h0.astype(np.float64)
    prev_out = np.zeros_like(h)
    outs = []
    for t in order:
        new = np.tanh(x[:, t] @ W + h @ Uw)
        if mask is not None:
            m = mask[:, t][:, None]
            out = np.where(m, new, prev_out if unroll else h)
            h = np.where(m, new, h)
        else:
            out = h = new
        prev_out = out
        outs.append(out)
    return outs[-1], np.stack(outs, 1), h


@pytest.mark.parametrize('go_backwards', [False, True])
@pytest.mark.parametrize('unroll', [False, True])
def test_rnn_no_mask(go_backwards, unroll):
    x, h0 = rand((B, T, D)), rand((B, U), 3)
    last, outs, states = K.rnn(step, x, [h0], go_backwards=go_backwards, unroll=unroll)
    r_last, r_outs, r_h = np_rnn(x, h0, go_backwards=go_backwards)
    assert outs.shape == (B, T, U) and isinstance(states, list) and len(states) == 1
    np.testing.assert_allclose(last, r_last, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(outs, r_outs, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(states[0], r_h, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize('go_backwards', [False, True])
@pytest.mark.parametrize('unroll', [False, True])
def test_rnn_mask(go_backwards, unroll):
    x, h0 = rand((B, T, D)), rand((B, U), 3)
    mask = np.array([[1, 1, 1, 1, 1],
                     [0, 0, 1, 1, 1],    # pre-padding
                     [1, 1, 0, 1, 0]], bool)
    last, outs, states = K.rnn(step, x, [h0], mask=mask, go_backwards=go_backwards,
                               unroll=unroll)
    r_last, r_outs, r_h = np_rnn(x, h0, mask=mask, go_backwards=go_backwards, unroll=unroll)
    np.testing.assert_allclose(outs, r_outs, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(last, r_last, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(states[0], r_h, rtol=RTOL, atol=ATOL)
    if not go_backwards:
        # before the first unmasked step: the initial state (zeros when unrolled); then
        # repeats of the previous output, which is the state here
        expected = np.zeros((2, U)) if unroll else np.stack([h0[1]] * 2)
        np.testing.assert_allclose(np.asarray(outs)[1, :2], expected, rtol=RTOL, atol=ATOL)
        np.testing.assert_array_equal(np.asarray(outs)[2, 2], np.asarray(outs)[2, 1])


def test_rnn_mask_as_float_and_3d():
    x, h0 = rand((B, T, D)), rand((B, U), 3)
    mask = np.array([[1, 0, 1, 1, 1]] * B, 'float32')
    ref = K.rnn(step, x, [h0], mask=mask.astype(bool))[1]
    np.testing.assert_allclose(K.rnn(step, x, [h0], mask=mask)[1], ref, rtol=1e-6)
    np.testing.assert_allclose(K.rnn(step, x, [h0], mask=mask[..., None])[1], ref, rtol=1e-6)


def test_rnn_two_states_and_constants():
    x = rand((B, T, D))
    c_const = rand((B, U), 7)
    h0, c0 = np.zeros((B, U), 'float32'), rand((B, U), 4)

    def lstm_like(inp, states):
        h, c, k = states
        c_new = c * 0.5 + K.tanh(K.dot(inp, W)) + k
        h_new = K.tanh(c_new) + K.dot(h, Uw)
        return h_new, [h_new, c_new]

    last, outs, (h, c) = K.rnn(lstm_like, x, [h0, c0], constants=[c_const])
    hr, cr = h0.astype(np.float64), c0.astype(np.float64)
    for t in range(T):
        cr = cr * .5 + np.tanh(x[:, t] @ W) + c_const
        hr = np.tanh(cr) + hr @ Uw
    np.testing.assert_allclose(h, hr, rtol=RTOL, atol=1e-5)
    np.testing.assert_allclose(c, cr, rtol=RTOL, atol=1e-5)
    np.testing.assert_allclose(last, hr, rtol=RTOL, atol=1e-5)


@pytest.mark.parametrize('unroll', [False, True])
def test_rnn_output_differs_from_state_with_mask(unroll):
    # the output at masked steps is the first state before the step in Keras 2.2.4's
    # symbolic loop (`tf.where(mask_t, output, states[0])`), the previous output in its
    # unrolled loop; a state of another shape than the output gives the previous output
    x = rand((1, 3, 1))
    mask = np.array([[1, 0, 1]], bool)

    def acc(inp, states):
        s = states[0] + inp
        return s * 10., [s]

    _, outs, (s,) = K.rnn(acc, x, [np.zeros((1, 1), 'float32')], mask=mask, unroll=unroll)
    outs = np.asarray(outs)[0, :, 0]
    masked = x[0, 0, 0] * (10 if unroll else 1)
    np.testing.assert_allclose(outs, [x[0, 0, 0] * 10, masked,
                                      (x[0, 0, 0] + x[0, 2, 0]) * 10], rtol=1e-5)
    np.testing.assert_allclose(s, [[x[0, 0, 0] + x[0, 2, 0]]], rtol=1e-5)

    def wide(inp, states):
        s = states[0] + inp
        return K.concatenate([s, s * 10.]), [s]

    _, outs, _ = K.rnn(wide, x, [np.zeros((1, 1), 'float32')], mask=mask, unroll=unroll)
    np.testing.assert_allclose(np.asarray(outs)[0, 1], np.asarray(outs)[0, 0], rtol=1e-6)


def test_rnn_under_jit_with_variables_in_scope():
    from keras.backend import execution as X
    kernel = K.variable(W)

    def vstep(inp, states):
        h = K.tanh(K.dot(inp, kernel) + K.dot(states[0], Uw))
        return h, [h]

    x, h0 = rand((B, T, D)), rand((B, U), 3)
    ref = np_rnn(x, h0)[1]

    @X.jit
    def run(kval, xv):
        with K.StatelessScope({kernel: kval}):
            return K.rnn(vstep, xv, [h0])[1]

    np.testing.assert_allclose(run(kernel.value, x), ref, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(run(kernel.value * 0, x), np_rnn(x * 0, h0)[1],
                               rtol=RTOL, atol=ATOL)
    g = X.grad(lambda xv: K.sum(K.rnn(step, xv, [h0])[0]))(x)
    assert np.asarray(g).shape == x.shape and np.all(np.isfinite(np.asarray(g)))


def test_rnn_errors():
    with pytest.raises(ValueError, match=r'at least 3D.*\(3, 5\)'):
        K.rnn(step, rand((3, 5)), [rand((3, 2))])
    with pytest.raises(ValueError, match=r'mask.*\(3, 5\).*\(3, 4\)'):
        K.rnn(step, rand((B, T, D)), [rand((B, U))], mask=np.ones((3, 4), bool))
    with pytest.raises(TypeError, match=r'step_function.*callable.*3'):
        K.rnn(3, rand((B, T, D)), [rand((B, U))])
    with pytest.raises(ValueError, match=r'returned 2 states, expected 1'):
        K.rnn(lambda x, s: (s[0], [s[0], s[0]]), rand((B, T, D)), [rand((B, U))])


# ------------------------------------------------------------ map_fn / folds
def test_map_fn():
    x = rand((4, 3))
    out = K.map_fn(lambda r: K.sum(r * r), x)
    np.testing.assert_allclose(out, (x * x).sum(1), rtol=RTOL)
    out = K.map_fn(lambda r: r * 2, x, dtype='float32')
    np.testing.assert_allclose(out, x * 2, rtol=RTOL)
    pair = K.map_fn(lambda ab: ab[0] * ab[1], (x, x + 1))
    np.testing.assert_allclose(pair, x * (x + 1), rtol=RTOL)
    with pytest.raises(TypeError, match=r'fn.*callable'):
        K.map_fn('square', x)


def test_foldl_foldr():
    x = np.array([1., 2., 3., 4.], 'float32')
    # non-commutative step shows the direction
    np.testing.assert_allclose(K.foldl(lambda a, e: a * 2 + e, x), ((1 * 2 + 2) * 2 + 3) * 2 + 4)
    np.testing.assert_allclose(K.foldr(lambda a, e: a * 2 + e, x), ((4 * 2 + 3) * 2 + 2) * 2 + 1)
    np.testing.assert_allclose(K.foldl(lambda a, e: a - e, x, initializer=10.), 0.)
    np.testing.assert_allclose(K.foldr(lambda a, e: a * 10 + e, x, initializer=0.), 4321.)
    m = rand((3, 2))
    np.testing.assert_allclose(K.foldl(lambda a, e: a + e, m, initializer=np.zeros(2)),
                               m.sum(0), rtol=RTOL, atol=ATOL)
    with pytest.raises(ValueError, match=r'foldl.*elems'):
        K.foldl(lambda a, e: a, np.float32(3.))


def test_split_columns_values_and_gradient():
    # the recurrent cells cut their gates out with one split: the parts are the column
    # blocks, and the gradient flows back to each block
    value = rand((3, 6), 5)
    x = K.placeholder((3, 6))
    parts = K._split_columns(x, 3)
    assert len(parts) == 3
    loss = K.sum(parts[0]) + 2. * K.sum(parts[1] * parts[1]) + 3. * K.sum(parts[2])
    outputs = K.function([x], list(parts) + K.gradients(loss, [x]))([value])
    for i, part in enumerate(outputs[:3]):
        np.testing.assert_array_equal(part, value[:, 2 * i:2 * i + 2])
    grad = outputs[3]
    expected = np.concatenate([np.ones((3, 2)), 4. * value[:, 2:4], 3. * np.ones((3, 2))], 1)
    np.testing.assert_allclose(grad, expected, rtol=RTOL, atol=ATOL)
