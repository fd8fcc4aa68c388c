"""Random keys made on the host, shared by the backends: a raw key is a NumPy uint32 pair
(JAX's threefry key layout; the TensorFlow backend hands it to its stateless random ops as
their seed), so passing one to a compiled step costs no device dispatch of its own."""
import numpy as np


def new_key(seed=None):
    """A raw key from `seed` (equal to `jax.random.PRNGKey(seed)`); without a seed, one
    drawn from NumPy's global generator, so `np.random.seed` makes runs reproducible."""
    if seed is None:
        seed = np.random.randint(2 ** 31 - 1)
    seed = int(seed) & 0xFFFFFFFFFFFFFFFF
    return np.array([seed >> 32, seed & 0xFFFFFFFF], dtype=np.uint32)


class KeyStream(object):
    """Independent raw keys, one per call, drawn on the host from a NumPy generator seeded
    with `seed` (default: a draw from NumPy's global generator)."""

    def __init__(self, seed=None):
        self._rng = np.random.RandomState(np.random.randint(2 ** 31 - 1) if seed is None
                                          else seed)

    def next(self, n=None):
        """One raw key, or with `n` an (n, 2) array of n keys (one per batch of a dispatch:
        the keys a batch sees do not depend on how batches are grouped into dispatches)."""
        shape = (2,) if n is None else (n, 2)
        return self._rng.randint(0, 2 ** 32, size=shape, dtype=np.uint32)
