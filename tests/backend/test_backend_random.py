"""Random ops inside compiled steps (dropout, the noise layers, `K.random_*`) draw on the
flattened shape: the same numbers as JAX's draw at the full shape with the same key, and
one flat counter in the compiled program (XLA's CPU compiler spent about a second on each
draw of rank 4 that counted its entries with an n-dimensional index)."""
import pytest  # noqa: E402
pytestmark = pytest.mark.backends('jax', reason="compares with JAX's own jax.random draws")

import re

import numpy as np
import jax

from keras import backend as K
from keras.backend.jax.state import StatelessScope

SHAPES = [(7,), (6, 5), (4, 3, 5), (3, 4, 2, 5), (2, 3, 1, 2, 3)]

# (Keras op on (shape, key-holding scope), JAX's draw at the full shape with the op's key)
OPS = {
    'dropout': (lambda s: K.dropout(K.ones(s), 0.3),
                lambda k, s: np.where(jax.random.bernoulli(k, 0.7, s), 1. / 0.7, 0.)),
    'random_uniform': (lambda s: K.random_uniform(s, -2., 3.),
                       lambda k, s: jax.random.uniform(k, s, minval=-2., maxval=3.)),
    'random_normal': (lambda s: K.random_normal(s, 1., 2.),
                      lambda k, s: 1. + 2. * jax.random.normal(k, s)),
    'truncated_normal': (lambda s: K.truncated_normal(s, 0., 3.),
                         lambda k, s: 3. * jax.random.truncated_normal(k, -2., 2., s)),
    'random_binomial': (lambda s: K.random_binomial(s, 0.4),
                        lambda k, s: np.where(jax.random.uniform(k, s) < 0.4, 1., 0.)),
}


def _in_step(op, shape, seed):
    """`op(shape)` traced inside a compiled function whose scope holds the key `seed`."""
    def run(key):
        with StatelessScope(rng=key):
            return op(shape)
    return jax.jit(run)(jax.random.PRNGKey(seed))


def _key_handed_out(seed):
    # the scope's first random op gets the second half of one split of the scope's key
    return StatelessScope.split_key(jax.random.PRNGKey(seed))[1]


@pytest.mark.parametrize('name', sorted(OPS))
@pytest.mark.parametrize('shape', SHAPES, ids=lambda s: 'x'.join(map(str, s)))
def test_draw_equals_jax_draw_at_full_shape(name, shape):
    op, reference = OPS[name]
    got = np.asarray(_in_step(op, shape, seed=11))
    want = np.asarray(reference(_key_handed_out(11), shape), 'float32')
    assert got.shape == shape
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize('name', sorted(OPS))
def test_compiled_draw_counts_with_one_flat_counter(name):
    op = OPS[name][0]

    def run(key):
        with StatelessScope(rng=key):
            return op((16, 6, 6, 8))
    text = jax.jit(run).lower(jax.random.PRNGKey(0)).as_text()
    iotas = re.findall(r'iota dim = \d+ : tensor<([0-9x]+)x\w+>', text)
    assert iotas, text[:2000]
    assert all('x' not in dims for dims in iotas), iotas


def test_dropout_noise_shape_broadcasts_a_flat_draw():
    x = np.ones((4, 3, 5), 'float32')

    def run(key):
        with StatelessScope(rng=key):
            return K.dropout(K.constant(x), 0.5, noise_shape=(4, 1, 5))
    out = np.asarray(jax.jit(run)(jax.random.PRNGKey(3)))
    # one mask entry per (sample, channel), repeated over the middle axis
    assert set(np.unique(out)) <= {0., 2.}
    np.testing.assert_array_equal(out, np.repeat(out[:, :1], 3, axis=1))
    want = np.where(jax.random.bernoulli(_key_handed_out(3), 0.5, (4, 1, 5)), 2., 0.)
    np.testing.assert_array_equal(out[:, :1], want)
