"""Random ops inside compiled steps (dropout, the noise layers, `K.random_*`) draw from
streams of the step's key (`keras.backend.jax.random_streams`): op number s of a step draws
Threefry-2x32 of the counters (s, 0), (s, 1), ... under the step's key, with the hash
unrolled so that XLA fuses it into the op instead of compiling JAX's CPU loop of kernels."""
import pytest  # noqa: E402
pytestmark = pytest.mark.backends('jax', reason="the JAX backend's own random streams")

import numpy as np
import jax
import jax.extend.random as jex_random
import jax.numpy as jnp

from keras import backend as K
from keras.backend.jax import random_streams as RS
from keras.backend.jax.state import StatelessScope

SHAPES = [(7,), (6, 5), (4, 3, 5), (3, 4, 2, 5), (2, 3, 1, 2, 3)]


def _reference_bits(key, stream, n):
    """32-bit draws of stream `stream` of the raw key `key` with JAX's own Threefry:
    the xor of the two words of the counters (stream, i)."""
    counts = np.concatenate([np.full(n, stream, np.uint32), np.arange(n, dtype=np.uint32)])
    words = np.asarray(jex_random.threefry_2x32(jnp.asarray(key, jnp.uint32), counts))
    return words[:n] ^ words[n:]


def _unit_floats(bits):
    """Floats in [0, 1) from 32-bit draws: the top 23 bits as the mantissa of [1, 2), minus 1
    (how `jax.random.uniform` maps bits to floats)."""
    return ((bits >> np.uint32(9)) | np.uint32(0x3F800000)).view(np.float32) - np.float32(1)


# Keras op on a shape, and its values from the op's 32-bit draws (None: checked below
# against `jax.random` with the op's stream key instead)
OPS = {
    'dropout': (lambda s: K.dropout(K.ones(s), 0.3),
                lambda b: np.where(_unit_floats(b) < 0.7, np.float32(1) / np.float32(0.7), 0.)),
    'random_uniform': (lambda s: K.random_uniform(s, -2., 3.),
                       lambda b: np.maximum(-2., _unit_floats(b) * np.float32(5.) - 2.)),
    'random_binomial': (lambda s: K.random_binomial(s, 0.4),
                        lambda b: np.where(_unit_floats(b) < 0.4, 1., 0.)),
    'random_normal': (lambda s: K.random_normal(s, 1., 2.),
                      lambda k, s: 1. + 2. * jax.random.normal(k, s)),
    'truncated_normal': (lambda s: K.truncated_normal(s, 0., 3.),
                         lambda k, s: 3. * jax.random.truncated_normal(k, -2., 2., s)),
}
FROM_BITS = ('dropout', 'random_uniform', 'random_binomial')


def _in_step(fn, raw_key):
    def run(key):
        with StatelessScope(rng=key):
            return fn()
    return jax.jit(run)(jnp.asarray(raw_key, jnp.uint32))


@pytest.mark.parametrize('key, counts, want', [
    # Random123's known answers for Threefry-2x32 with 20 rounds
    ((0, 0), (0, 0), (0x6B200159, 0x99BA4EFE)),
    ((0xFFFFFFFF, 0xFFFFFFFF), (0xFFFFFFFF, 0xFFFFFFFF), (0x1CB996FC, 0xBB002BE7)),
    ((0x13198A2E, 0x03707344), (0x243F6A88, 0x85A308D3), (0xC4923A9C, 0x483DF7A0)),
])
def test_threefry_known_answers(key, counts, want):
    u = lambda v: jnp.asarray(v, jnp.uint32)  # noqa: E731
    got = RS.threefry2x32(u(key[0]), u(key[1]), u([counts[0]]), u([counts[1]]))
    assert [int(w[0]) for w in got] == list(want)


def test_threefry_equals_jax_threefry_on_random_inputs():
    rng = np.random.RandomState(0)
    key = rng.randint(0, 2 ** 32, 2, dtype=np.uint32)
    c1, c2 = rng.randint(0, 2 ** 32, (2, 1000), dtype=np.uint32)
    got = jax.jit(RS.threefry2x32)(key[0], key[1], c1, c2)
    want = np.asarray(jex_random.threefry_2x32(key, np.concatenate([c1, c2])))
    np.testing.assert_array_equal(np.asarray(got[0]), want[:1000])
    np.testing.assert_array_equal(np.asarray(got[1]), want[1000:])


@pytest.mark.parametrize('shape', SHAPES + [(3, 0)], ids=lambda s: 'x'.join(map(str, s)))
def test_stream_zero_is_jax_own_key(shape):
    raw = np.array([17, 2 ** 31 + 5], np.uint32)
    ours, theirs = RS.stream_key(raw, 0), jax.random.wrap_key_data(raw)
    np.testing.assert_array_equal(jax.random.bits(ours, shape), jax.random.bits(theirs, shape))
    np.testing.assert_array_equal(jax.random.normal(ours, shape),
                                  jax.random.normal(theirs, shape))
    for derive in (lambda k: jax.random.split(k, 3), lambda k: jax.random.fold_in(k, 9)):
        np.testing.assert_array_equal(jax.random.key_data(derive(ours))[..., :2],
                                      jax.random.key_data(derive(theirs)))


def test_seeding_a_stream_key_gives_jax_key_of_that_seed():
    key = jax.random.key(2 ** 32 + 5 if jax.config.jax_enable_x64 else 5, impl=RS.STREAMS)
    raw = jax.random.key_data(jax.random.PRNGKey(2 ** 32 + 5 if jax.config.jax_enable_x64
                                                 else 5))
    np.testing.assert_array_equal(jax.random.key_data(key), list(np.asarray(raw)) + [0])
    np.testing.assert_array_equal(jax.random.bits(key, (9,)),
                                  jax.random.bits(jax.random.wrap_key_data(raw), (9,)))


@pytest.mark.parametrize('name', sorted(OPS))
@pytest.mark.parametrize('shape', SHAPES, ids=lambda s: 'x'.join(map(str, s)))
def test_ops_in_a_step_draw_their_own_stream(name, shape):
    """The third random op of a step draws stream 3: its values follow from the bits of
    counters (3, i) under the step's key."""
    op, reference = OPS[name]
    raw = np.array([123, 456], np.uint32)

    def three_ops():
        K.random_uniform((2,))
        K.dropout(K.ones((3,)), 0.5)
        return op(shape)
    got = np.asarray(_in_step(three_ops, raw))
    assert got.shape == shape
    n = int(np.prod(shape))
    if name in FROM_BITS:
        want = reference(_reference_bits(raw, 3, n)).reshape(shape)
    else:
        want = reference(RS.stream_key(raw, 3), shape)
        # the stream key draws the reference bits
        np.testing.assert_array_equal(jax.random.bits(RS.stream_key(raw, 3), (n,)),
                                      _reference_bits(raw, 3, n))
    np.testing.assert_allclose(got, np.asarray(want, 'float32'), rtol=1e-6, atol=1e-6)


def test_streams_and_step_keys_give_different_draws():
    def two_draws():
        return K.random_uniform((1000,)), K.random_uniform((1000,))
    a1, a2 = _in_step(two_draws, [1, 2])
    b1, _ = _in_step(two_draws, [1, 3])
    c1, _ = _in_step(two_draws, [1, 2])
    assert not np.array_equal(a1, a2)
    assert not np.array_equal(a1, b1)
    np.testing.assert_array_equal(a1, c1)
    for draws in (a1, a2, b1):  # uniform on [0, 1): mean 1/2, variance 1/12
        assert abs(float(np.mean(draws)) - 0.5) < 4 * (1 / 12. / 1000) ** 0.5


def test_keys_derived_from_a_stream_count_apart_from_its_draws():
    raw = np.array([5, 6], np.uint32)
    key = RS.stream_key(raw, 4)
    split = np.asarray(jax.random.key_data(jax.random.split(key, 2)))
    counts = np.array([2 ** 31 + 4, 2 ** 31 + 4, 0, 1], np.uint32)
    want = np.asarray(jex_random.threefry_2x32(raw, counts))
    np.testing.assert_array_equal(split[:, 0], want[:2])
    np.testing.assert_array_equal(split[:, 1], want[2:])
    np.testing.assert_array_equal(split[:, 2], [0, 0])
    folded = np.asarray(jax.random.key_data(jax.random.fold_in(key, 1)))
    np.testing.assert_array_equal(folded, split[1])


def test_seeded_op_in_a_step_folds_the_seed_into_its_stream():
    raw = np.array([8, 9], np.uint32)
    got = np.asarray(_in_step(lambda: K.random_normal((50,), seed=77), raw))
    want = jax.random.normal(jax.random.fold_in(RS.stream_key(raw, 1), 77), (50,))
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


def test_nested_scope_folds_its_streams_into_the_outer_op_key():
    raw = np.array([3, 4], np.uint32)

    def nested():
        K.random_uniform((2,))                      # outer stream 1
        with StatelessScope():                      # takes outer stream 2
            return K.random_uniform((20,))          # its own stream 1
    got = np.asarray(_in_step(nested, raw))
    inner = jax.random.fold_in(RS.stream_key(raw, 2), 1)
    np.testing.assert_array_equal(got, jax.random.uniform(inner, (20,)))


def test_draw_of_more_than_2_to_the_32_entries_is_refused():
    key = RS.stream_key(np.array([1, 2], np.uint32), 1)
    with pytest.raises(ValueError, match=r'shape \(65536, 65537\).*at most 2\*\*32'):
        jax.jit(lambda k: jax.random.uniform(k, (65536, 65537))).lower(key)


def test_compiled_dropout_has_no_hashing_loop_and_fuses_into_few_kernels():
    """JAX's CPU Threefry is a loop of kernels per split and per draw (18 kernels for one
    dropout); the streams need no split, and the unrolled hash fuses into the dropout."""
    def run(key, x):
        with StatelessScope(rng=key):
            return K.dropout(x, 0.5), K.dropout(x * 2., 0.2)
    compiled = jax.jit(run).lower(jnp.zeros(2, jnp.uint32), jnp.ones((16, 6, 6, 8))).compile()
    assert ' while(' not in compiled.as_text().split('\nENTRY')[1]
    kernels = _entry_kernels(compiled)
    assert len(kernels) <= 4, kernels


def _entry_kernels(compiled):
    """The fusion lines (the kernels) of a compiled function's entry computation."""
    entry = compiled.as_text().split('\nENTRY')[1]
    return [line for line in entry.splitlines() if ' fusion(' in line]


def _kernels_hashing(compiled):
    """The output shapes of the kernels of a compiled function's entry that compute a
    Threefry hash (whose rotations xor the words)."""
    blocks = {}
    for block in compiled.as_text().split('\n\n'):
        blocks[block.lstrip().split(' ', 1)[0].lstrip('%')] = block
    shapes = []
    for line in _entry_kernels(compiled):
        called = line.split('calls=%')[1].split(',')[0].split()[0] if 'calls=%' in line else ''
        if ' xor(' in blocks.get(called, ''):
            shapes.append(line.split(' = ')[1].split('{')[0].split(' ')[0])
    return shapes


@pytest.fixture(params=['xla', 'native'])
def mask_path(request, monkeypatch):
    """Runs a test on each way the JAX backend draws a dropout mask on the CPU: the hash
    compiled by XLA (other devices, no native handlers, KERAS_ONEDNN=0) and the native
    custom call (where the handlers are built: they must be in use)."""
    from keras.backend.jax import onednn
    if request.param == 'xla':
        monkeypatch.setattr(onednn, 'available', lambda: False)
    elif not onednn.available():
        pytest.skip('no native handlers here: %s' % (onednn.status()[1],))
    return request.param


@pytest.mark.parametrize('pool', [False, True], ids=['dense', 'after_max_pooling'])
def test_dropout_mask_is_hashed_once_for_the_forward_and_backward_passes(pool, mask_path):
    """XLA fuses the hash into each kernel that reads the mask unless the mask is written
    once: into the forward pass, the backward pass, and (a 2x2 max pooling's gradient
    reads each pooled entry four times) once per window position. The native custom call
    computes it once, and no kernel hashes."""
    from keras.backend.jax import onednn
    x = jnp.arange(2 * 8 * 8 * 4, dtype=jnp.float32).reshape(2, 8, 8, 4)
    if not pool:
        x = x.reshape(-1, 4)
    n = x.size // 4 if pool else x.size
    w = jnp.linspace(-1., 1., n)
    raw = jnp.array([5, 6], jnp.uint32)

    def loss(x, key):
        with StatelessScope(rng=key):
            h = K.pool2d(x, (2, 2), strides=(2, 2)) if pool else x
            return jnp.sum(K.dropout(h, 0.5).reshape(-1) * w)

    step = jax.jit(jax.value_and_grad(loss))
    if jax.devices()[0].platform == 'cpu':
        compiled = step.lower(x, raw).compile()
        shapes = _kernels_hashing(compiled)
        if mask_path == 'native':
            assert compiled.as_text().count('custom_call_target="%s"' % onednn.KEEP_MASK) == 1
            assert shapes == []
        else:
            # one kernel hashes, writing one number per mask entry (XLA's CPU fusion;
            # other backends fuse by their own cost models)
            assert len(shapes) == 1, shapes
            size = np.prod([int(d) for d in shapes[0].split('[')[1].rstrip(']').split(',')])
            assert size == n
    # the gradient: the kept entries' weights over the keep rate (the draws of stream 1),
    # reaching each window's maximum (its last entry: the input increases)
    keep = _unit_floats(_reference_bits(raw, 1, n)) < 0.5
    want = np.where(keep, np.asarray(w) / np.float32(0.5), 0.).astype('float32')
    pooled = np.asarray(x).reshape(2, 4, 2, 4, 2, 4)[:, :, 1, :, 1] if pool else np.asarray(x)
    value, got = step(x, raw)
    np.testing.assert_allclose(float(value), np.sum(want * pooled.ravel()), rtol=1e-6)
    got = np.asarray(got)
    if pool:
        got = got.reshape(2, 4, 2, 4, 2, 4)
        np.testing.assert_array_equal(got[:, :, 1, :, 1], want.reshape(2, 4, 4, 4))
        assert not got[:, :, 0].any() and not got[:, :, :, :, 0].any()
    else:
        np.testing.assert_array_equal(got.reshape(-1), want)


def test_dropout_noise_shape_broadcasts_one_draw():
    x = np.ones((4, 3, 5), 'float32')
    raw = np.array([0, 3], np.uint32)
    out = np.asarray(_in_step(lambda: K.dropout(K.constant(x), 0.5, noise_shape=(4, 1, 5)), raw))
    # one mask entry per (sample, channel), repeated over the middle axis
    np.testing.assert_array_equal(out, np.repeat(out[:, :1], 3, axis=1))
    want = np.where(_unit_floats(_reference_bits(raw, 1, 20)) < 0.5, 2., 0.).reshape(4, 1, 5)
    np.testing.assert_array_equal(out[:, :1], want)
