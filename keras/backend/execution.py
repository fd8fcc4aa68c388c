"""Compiled execution helpers for the engine: jit, grad, multi-step scans, keys, devices."""
import numpy as np
import jax
import jax.numpy as jnp
from jax import lax

value_and_grad = jax.value_and_grad
jit = jax.jit


def new_key(seed=None):
    """A raw threefry key, equal to `jax.random.PRNGKey(seed)`, made on the host (a NumPy
    uint32 pair): handing it to a compiled step costs no device dispatch of its own."""
    if seed is None:
        seed = np.random.randint(2 ** 31 - 1)
    seed = int(seed) & 0xFFFFFFFFFFFFFFFF
    return np.array([seed >> 32, seed & 0xFFFFFFFF], dtype=np.uint32)


class KeyStream(object):
    """Independent raw keys, one per call, drawn on the host from a NumPy generator that
    is seeded from NumPy's global one (so `np.random.seed` makes runs reproducible)."""

    def __init__(self):
        seed = np.random.randint(2 ** 31 - 1)
        if jax.process_count() > 1:
            # replicated inputs of a multi-process step must agree on every process
            from .distribution import broadcast_from_process_0
            seed = int(broadcast_from_process_0(np.int64(seed)))
        self._rng = np.random.RandomState(seed)

    def next(self):
        return self._rng.randint(0, 2 ** 32, size=2, dtype=np.uint32)


def split_key(key):
    return jax.random.split(key)


def to_device(x):
    if x is None:
        return None
    return jnp.asarray(x)


def stack_logs(values):
    return jnp.stack([jnp.asarray(v, dtype='float32').reshape(()) for v in values]) \
        if values else jnp.zeros((0,), 'float32')


def gather_rows(data, ix):
    """Rows `ix` of every array in a (nested) list."""
    return jax.tree_util.tree_map(lambda a: jnp.take(a, ix, axis=0), data)


def scan_steps(step, state, data, idx, valid=None):
    """Run `step(state, batch) -> (state, out)` over rows idx[i] of `data`.

    `valid[i]` False skips step i (state unchanged, output zeros).
    """
    if valid is None:
        def body(carry, ix):
            return step(carry, gather_rows(data, ix))
        return lax.scan(body, state, idx)

    def body(carry, inp):
        ix, ok = inp
        batch = gather_rows(data, ix)

        def run(c):
            return step(c, batch)

        def skip(c):
            out_shape = jax.eval_shape(step, c, batch)[1]
            return c, jax.tree_util.tree_map(lambda s: jnp.zeros(s.shape, s.dtype), out_shape)
        return lax.cond(ok, run, skip, carry)
    return lax.scan(body, state, (idx, valid))


def to_numpy(x):
    """Host value of a (possibly multi-process) array: this process's rows."""
    if isinstance(x, jax.Array) and not x.is_fully_addressable:
        from .distribution import local_rows
        return local_rows(x)
    return np.asarray(x)


def grad(fn, argnums=0):
    return jax.grad(fn, argnums=argnums)
