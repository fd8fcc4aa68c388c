"""The persistent compilation cache: compiled programs land in the Keras directory and a
second process reuses them; KERAS_JAX_CACHE=0 turns it off."""
import pytest  # noqa: E402
pytestmark = pytest.mark.backends('jax', reason="the JAX backend's persistent compilation cache")

import os

import pytest
from python_process import run_python

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


def _run(home, **env):
    env = dict(env, KERAS_HOME=str(home), JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS='0')
    return run_python(SCRIPT, env=env, unset=('JAX_COMPILATION_CACHE_DIR',)).stdout


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


def test_entries_a_stopped_process_left_are_dropped_so_writes_go_on(tmp_path):
    # a process killed while JAX wrote an entry leaves an empty program file, or one
    # without its access-time file: JAX's eviction then failed every later write
    cache = tmp_path / 'jax_cache'
    cache.mkdir()
    (cache / 'jit_run-0123-cache').write_bytes(b'')
    (cache / 'jit_run-0123-atime').write_bytes((1).to_bytes(8, 'little'))
    (cache / 'jit_run-4567-cache').write_bytes(b'program')
    kept = cache / 'jit_run-89ab-cache'
    kept.write_bytes(b'program')
    (cache / 'jit_run-89ab-atime').write_bytes((2).to_bytes(8, 'little'))
    _run(tmp_path)
    entries = _entries(tmp_path)
    assert not any(e.startswith(('jit_run-0123', 'jit_run-4567')) for e in entries)
    assert kept.read_bytes() == b'program'
    written = [e for e in entries if e.endswith('-cache') and not e.startswith('jit_run-89ab')]
    assert written, 'no program was written to the cache'
    assert all(e[:-len('-cache')] + '-atime' in entries for e in written)
