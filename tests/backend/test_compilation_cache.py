"""The persistent compilation cache: compiled programs land in the Keras directory and a
second process reuses them; KERAS_JAX_CACHE=0 turns it off."""
import pytest  # noqa: E402
pytestmark = pytest.mark.backends('jax', reason="the JAX backend's persistent compilation cache")

import os
import subprocess
import sys

import pytest

SCRIPT = r'''
import time, numpy as np
np.random.seed(0)
import keras
from keras.models import Sequential
from keras.layers import Dense
model = Sequential([Dense(64, activation='relu', input_shape=(20,)), Dense(3)])
model.compile('adam', 'mse')
x = np.ones((16, 20), 'float32'); y = np.zeros((16, 3), 'float32')
start = time.perf_counter()
model.train_on_batch(x, y)
print('FIRST', time.perf_counter() - start)
print('LOSS', model.test_on_batch(x, y))
'''
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _run(home, **env):
    environ = dict(os.environ, KERAS_HOME=str(home), PYTHONPATH=ROOT,
                   JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS='0', **env)
    environ.pop('JAX_COMPILATION_CACHE_DIR', None)
    out = subprocess.run([sys.executable, '-c', SCRIPT], env=environ, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout


def _entries(home):
    cache = os.path.join(str(home), 'jax_cache')
    return sorted(os.listdir(cache)) if os.path.isdir(cache) else []


def test_compiled_programs_persist_in_the_keras_directory(tmp_path):
    first = _run(tmp_path)
    entries = _entries(tmp_path)
    assert entries, 'nothing was written to KERAS_HOME/jax_cache'
    second = _run(tmp_path)
    # the second process found every program it needed: nothing new was written
    assert _entries(tmp_path) == entries
    loss = [l for l in first.splitlines() if l.startswith('LOSS')]
    assert loss == [l for l in second.splitlines() if l.startswith('LOSS')]


@pytest.mark.parametrize('value', ['0', 'off'])
def test_cache_can_be_turned_off(tmp_path, value):
    _run(tmp_path, KERAS_JAX_CACHE=value)
    assert _entries(tmp_path) == []
