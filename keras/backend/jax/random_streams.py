"""Random streams for the random ops inside compiled steps.

A train step holds one key per batch. Each random op of the step (a dropout, a noise
layer, `K.random_uniform`, ...) gets a stream of its own: the key data is the pair of the
step's key and the op's stream number `s`, and its bits are Threefry-2x32 (20 rounds;
Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011) of the counters
`(s, i)` for its entries `i = 0, 1, ...` under the step's key. Distinct streams count over
distinct counters, so no key is derived for an op: JAX's way, one `split` of the step's key
per op, hashes the key each time.

The hash is written here as array arithmetic, unrolled. JAX's own CPU lowering of Threefry
runs the rounds in a loop, which XLA compiles into a while loop of several kernels for every
split and every draw (about 18 kernels per dropout, of the 83 of a two-dropout MLP's train
step); unrolled, a draw fuses into the op that uses it, which compiles once and hashes
without storing the counters in between.

Stream 0 is JAX's own key: for the key data `(k1, k2, 0)` the bits, the `split` and the
`fold_in` are those of `jax.random` with the key `(k1, k2)` (`jax_threefry_partitionable`,
the default since JAX 0.5). A stream `s > 0` derives keys (`split`, `fold_in`) from the
counters `(2**31 + s, j)`, away from its own draws; a single draw is limited to 2**32
entries, and stream numbers to 2**31.
"""
import math

import numpy as np
import jax
import jax.numpy as jnp
from jax import lax
import jax.extend.random as jex_random

# the rotation constants of Threefry-2x32, by groups of four rounds, and its key parity
_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))
_PARITY = np.uint32(0x1BD11BDA)
_DERIVED = np.uint32(2 ** 31)
_U32 = np.uint32


def threefry2x32(k1, k2, c1, c2):
    """Threefry-2x32 (20 rounds) of the counters `(c1, c2)` (uint32 arrays of one shape) under
    the key `(k1, k2)` (uint32 scalars): the two uint32 output words."""
    keys = (k1, k2, k1 ^ k2 ^ _PARITY)
    x1, x2 = c1 + keys[0], c2 + keys[1]
    for block in range(5):
        for r in _ROTATIONS[block % 2]:
            x1 = x1 + x2
            x2 = ((x2 << _U32(r)) | (x2 >> _U32(32 - r))) ^ x1
        x1 = x1 + keys[(block + 1) % 3]
        x2 = x2 + keys[(block + 2) % 3] + _U32(block + 1)
    return x1, x2


def _size(shape):
    n = math.prod(shape)
    if isinstance(n, int) and n >= 2 ** 32:
        raise ValueError('random draw of shape %r: at most 2**32 - 1 entries are drawn at '
                         'once, got %d' % (tuple(shape), n))
    return n


def _hash_counters(key, word, shape):
    """Threefry of the counters `(word, i)`, `i` over the flattened `shape`, under the
    key words `key[0], key[1]`: two flat uint32 arrays."""
    n = _size(shape)
    return threefry2x32(key[0], key[1], jnp.full((n,), word, _U32), lax.iota(_U32, n))


def _derivation_word(stream):
    # JAX's own split and fold_in count from 0 under the key; streams > 0 count apart
    return jnp.where(stream == 0, _U32(0), stream | _DERIVED)


def _seed(seed):
    seed = jnp.asarray(seed)
    high = jnp.zeros((), _U32)
    if seed.dtype.itemsize == 8:
        high = lax.shift_right_logical(seed, jnp.asarray(32, seed.dtype)).astype(_U32)
        seed = seed & jnp.asarray(0xFFFFFFFF, seed.dtype)
    return jnp.stack([high, seed.astype(_U32), jnp.zeros((), _U32)])


def _random_bits(key, bit_width, shape):
    b1, b2 = _hash_counters(key, key[2], shape)
    if bit_width == 64:
        bits = (b1.astype(np.uint64) << np.uint64(32)) | b2.astype(np.uint64)
    else:
        bits = (b1 ^ b2).astype({8: np.uint8, 16: np.uint16, 32: _U32}[bit_width])
    return bits.reshape(shape)


def _split(key, shape):
    b1, b2 = _hash_counters(key, _derivation_word(key[2]), shape)
    return jnp.stack([b1, b2, jnp.zeros_like(b1)], axis=-1).reshape(tuple(shape) + (3,))


def _fold_in(key, data):
    b1, b2 = threefry2x32(key[0], key[1], _derivation_word(key[2]), jnp.asarray(data, _U32))
    return jnp.stack([b1, b2, jnp.zeros((), _U32)])


STREAMS = jex_random.define_prng_impl(
    key_shape=(3,), seed=_seed, split=_split, random_bits=_random_bits, fold_in=_fold_in,
    name='keras_threefry_streams', tag='kts')


def stream_key(key, stream):
    """The key of stream `stream` (a Python int; 0: the key itself) of `key`: a raw uint32
    pair (a step's key) or a key of this module (an enclosing op's key, from which a nested
    scope draws: its streams are folded in)."""
    if jax.dtypes.issubdtype(getattr(key, 'dtype', _U32), jax.dtypes.prng_key):
        return jax.random.fold_in(key, stream)
    data = jnp.concatenate([jnp.asarray(key, _U32).reshape(2), jnp.full((1,), stream, _U32)])
    return jax.random.wrap_key_data(data, impl=STREAMS)
