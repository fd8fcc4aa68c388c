"""The JAX backend's oneDNN convolutions: built once, used where installed, and XLA's
convolutions wherever they are not (turned off, a failed build, other dtypes)."""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from keras import backend as K

from test_backend_conv_ops import (conv_path, np_conv, np_conv_grads,  # noqa: F401
                                    onednn_installed, rand)

pytestmark = pytest.mark.backends('jax', reason="oneDNN custom calls of the JAX backend")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
needs_onednn = pytest.mark.skipif(not onednn_installed(),
                                  reason='the onednn-cpu-gomp package is not installed here')


def run_python(code, **env):
    """Runs `code` in a fresh interpreter with `env` added; returns its stdout and stderr."""
    full = dict(os.environ, PYTHONPATH=ROOT, KERAS_BACKEND='jax', **env)
    done = subprocess.run([sys.executable, '-c', textwrap.dedent(code)], env=full,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout, done.stderr


# checks a conv2d and its gradients against the NumPy loops and prints onednn.status()
CHECK = '''
    import warnings
    warnings.simplefilter('always')
    import numpy as np, jax
    from keras import backend as K
    from keras.backend.jax import onednn
    from tests.backend.test_backend_conv_ops import np_conv, np_conv_grads, rand
    x, k = rand((2, 7, 6, 3)), rand((3, 3, 3, 4), 1)
    g = rand((2, 4, 3, 4), 2)
    y, vjp = jax.vjp(lambda a, b: K.conv2d(a, b, strides=(2, 2), padding='same'), x, k)
    ref_dx, ref_dk = np_conv_grads(x, k, g, (2, 2), 'same', (1, 1))
    np.testing.assert_allclose(y, np_conv(x, k, (2, 2), 'same', (1, 1)), rtol=1e-5, atol=1e-5)
    for got, ref in zip(vjp(g), (ref_dx, ref_dk)):
        np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-5)
    print('STATUS', onednn.status())
'''


def _hlo_of_train_step(dtype='float32'):
    import jax
    x, k = rand((2, 8, 8, 3)).astype(dtype), rand((3, 3, 3, 4), 1).astype(dtype)
    grad = jax.grad(lambda a, b: K.sum(K.conv2d(a, b, padding='same') ** 2), (0, 1))
    return jax.jit(grad).lower(x, k).as_text()


@needs_onednn
def test_float32_convolutions_run_on_onednn():
    """Where oneDNN is installed, a float32 convolution's three passes on the CPU are its
    custom calls, and no XLA convolution is left in the train step."""
    from keras.backend.jax import onednn
    in_use, library = onednn.status()
    assert in_use and os.path.isfile(library), library
    hlo = _hlo_of_train_step()
    assert hlo.count(onednn.TARGET) == 3, hlo
    assert 'convolution' not in hlo.replace(onednn.TARGET, '')


@pytest.mark.parametrize('dtype', ['float16', 'bfloat16'])
def test_other_dtypes_keep_xla_convolutions(dtype):
    import jax.numpy as jnp
    from keras.backend.jax import onednn
    hlo = _hlo_of_train_step(jnp.dtype(dtype))
    assert onednn.TARGET not in hlo
    assert 'convolution' in hlo


def test_turned_off_by_the_environment():
    out, _ = run_python(CHECK, KERAS_ONEDNN='0')
    assert "STATUS (False, 'turned off by KERAS_ONEDNN=0')" in out, out


@needs_onednn
def test_built_once_into_the_build_directory(tmp_path):
    """The first process compiles the handlers into KERAS_NATIVE_DIR (one whole file, no
    temporary left); the next one loads that file without compiling again."""
    out, _ = run_python(CHECK, KERAS_NATIVE_DIR=str(tmp_path))
    built = os.listdir(str(tmp_path))
    assert len(built) == 1 and built[0].startswith('keras_onednn_') and built[0].endswith('.so')
    path = os.path.join(str(tmp_path), built[0])
    assert "STATUS (True, '%s')" % path in out, out
    stamp = os.stat(path).st_mtime_ns
    out, _ = run_python(CHECK, KERAS_NATIVE_DIR=str(tmp_path), CXX='/bin/false')
    assert "STATUS (True, '%s')" % path in out, out
    assert os.listdir(str(tmp_path)) == built and os.stat(path).st_mtime_ns == stamp


@needs_onednn
def test_a_failed_build_warns_once_and_keeps_xla(tmp_path):
    """A compiler that fails leaves XLA's convolutions in use (the same results), says why
    in one warning, and leaves no file behind."""
    out, err = run_python(CHECK, KERAS_NATIVE_DIR=str(tmp_path), CXX='/bin/false')
    assert "STATUS (False, 'compiling" in out, out
    assert err.count('XLA convolutions instead of oneDNN: compiling') == 1, err
    assert os.listdir(str(tmp_path)) == []


def test_vmapped_convolution(conv_path):
    """A convolution mapped over a leading axis (each call a custom call on oneDNN) gives
    the convolutions of each slice."""
    import jax
    xs, k = rand((3, 2, 6, 5, 2)), rand((3, 3, 2, 4), 1)
    out = jax.vmap(lambda a: K.conv2d(a, k, padding='same'))(xs)
    for i in range(3):
        np.testing.assert_allclose(out[i], np_conv(xs[i], k, (1, 1), 'same', (1, 1)),
                                   rtol=1e-5, atol=1e-5)
    g = rand(out.shape, 2)
    dk = jax.grad(lambda b: K.sum(jax.vmap(lambda a: K.conv2d(a, b, padding='same'))(xs) * g))(k)
    ref = sum(np_conv_grads(xs[i], k, g[i], (1, 1), 'same', (1, 1))[1] for i in range(3))
    np.testing.assert_allclose(dk, ref, rtol=1e-5, atol=1e-5)
