"""Compiled execution helpers for the engine: jit, grad, multi-step scans, keys, devices."""
import numpy as np
import jax
import jax.numpy as jnp
from jax import lax

value_and_grad = jax.value_and_grad
jit = jax.jit


def new_key(seed=None):
    if seed is None:
        seed = np.random.randint(2 ** 31 - 1)
    return jax.random.PRNGKey(int(seed))


def split_key(key):
    return jax.random.split(key)


def to_device(x):
    if x is None:
        return None
    return jnp.asarray(x)


def where(cond, x, y):
    return jnp.where(cond, x, y)


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


def platform():
    return jax.devices()[0].platform


def block(x):
    return jax.block_until_ready(x)


def to_numpy(x):
    return np.asarray(x)


def grad(fn, argnums=0):
    return jax.grad(fn, argnums=argnums)
