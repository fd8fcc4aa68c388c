"""keras.backend.execution.tune_xla_cpu_flags: XLA's YNNPACK convolution fusion is turned
off for speed unless the user chose otherwise."""
import pytest  # noqa: E402
pytestmark = pytest.mark.backends('jax', reason="XLA CPU flags of the JAX backend")

import jaxlib
import pytest

from keras.backend import execution as X
from python_process import run_python

FLAG = '--xla_cpu_experimental_ynn_fusion_type'


@pytest.fixture(autouse=True)
def recent_jaxlib(monkeypatch):
    # the flag exists from jaxlib 0.10 (the version gate has its own test)
    monkeypatch.setattr(jaxlib, '__version__', '0.10.2')


def test_added_to_existing_flags_once():
    env = {'XLA_FLAGS': '--xla_force_host_platform_device_count=2'}
    added = X.tune_xla_cpu_flags(env)
    assert added == (FLAG + '=-individual_convolution',)
    assert env['XLA_FLAGS'] == ('--xla_force_host_platform_device_count=2 ' + added[0])
    assert X.tune_xla_cpu_flags(env) == ()          # already there: nothing doubled
    assert env['XLA_FLAGS'].count(FLAG) == 1


def test_user_choice_and_opt_out_win():
    env = {'XLA_FLAGS': FLAG + '=individual_convolution'}
    assert X.tune_xla_cpu_flags(env) == ()
    assert env['XLA_FLAGS'] == FLAG + '=individual_convolution'
    env = {'KERAS_XLA_CPU_FLAGS': '0'}
    assert X.tune_xla_cpu_flags(env) == () and 'XLA_FLAGS' not in env


def test_older_jaxlib_gets_no_unknown_flag(monkeypatch):
    monkeypatch.setattr(jaxlib, '__version__', '0.4.30')
    env = {}
    assert X.tune_xla_cpu_flags(env) == () and env == {}


@pytest.mark.skipif(tuple(int(p) for p in jaxlib.__version__.split('.')[:2]) < (0, 10),
                    reason='the flag exists from jaxlib 0.10 on')
def test_import_keras_sets_it_before_jax_starts():
    code = ('import os, keras, jax.numpy as jnp; jnp.ones(2).block_until_ready(); '
            'print(os.environ["XLA_FLAGS"])')
    out = run_python(code, unset=('XLA_FLAGS', 'KERAS_XLA_CPU_FLAGS')).stdout
    assert FLAG + '=-individual_convolution' in out
