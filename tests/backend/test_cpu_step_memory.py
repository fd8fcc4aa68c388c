"""Compiled CPU programs reuse their scratch memory from one call to the next
(`keras.backend.jax.execution.reuse_cpu_step_memory`): the JAX backend runs CPU calls on
the calling thread and tells glibc to keep large blocks on its heap, so a program's
temporaries are not mapped and faulted in afresh at every call."""
import json
import sys

import pytest
from python_process import ROOT, run_python

pytestmark = pytest.mark.backends('jax', reason="the JAX backend's CPU client settings")

# A fresh process: import keras (which applies the settings before JAX starts), then call a
# program whose 128 MB temporary block is far over what a glibc thread arena can hold, and
# count the page faults of the calls after the first.
_PROBE = r'''
import json, resource
import numpy as np
import keras
import jax, jax.numpy as jnp

def f(x):
    # the flipped x * 2 + 1 (128 MB) is the matrix product's operand: a temporary block
    return (jnp.flip(x * 2. + 1., axis=0) @ jnp.ones((8192, 1), 'float32')).sum()

x = jnp.asarray(np.ones((4096, 8192), 'float32'))
fn = jax.jit(f)
temp = fn.lower(x).compile().memory_analysis().temp_size_in_bytes
for _ in range(8):      # the heap settles (the first blocks may land where they cannot stay)
    fn(x).block_until_ready()
faults = []
for _ in range(24):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    fn(x).block_until_ready()
    faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
from keras.backend.jax import execution as X
print(json.dumps({'temp': temp, 'faults': faults, 'pages': temp // resource.getpagesize(),
                  'async': jax.config.values['jax_cpu_enable_async_dispatch'],
                  'synchronous': X.synchronous_dispatch()}))
'''


def _probe(script=_PROBE, **env):
    env = dict({'KERAS_BACKEND': 'jax', 'JAX_PLATFORMS': 'cpu'}, **env)
    out = run_python(script, env=env, unset=('JAX_CPU_ENABLE_ASYNC_DISPATCH',), cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _huge_pages_always():
    """Whether the kernel backs every large mapping with transparent huge pages: then a
    block mapped afresh faults a few times, not once a page, and the defaults' fault counts
    say nothing."""
    try:
        with open('/sys/kernel/mm/transparent_hugepage/enabled') as f:
            return '[always]' in f.read()
    except OSError:
        return False


def _glibc_linux():
    from keras.backend.jax import execution as X
    return X._glibc() is not None


@pytest.mark.skipif(not sys.platform.startswith('linux'),
                    reason='the settings are made for glibc on Linux only')
def test_a_programs_temporaries_are_not_faulted_in_again_at_every_call():
    assert _glibc_linux()
    kept = _probe()
    assert kept['temp'] >= 100 * 2 ** 20            # the block the probe is about
    assert kept['async'] is False and kept['synchronous'] is True
    # every page of the block would fault again; kept on the heap, next to none do in most
    # calls. A small allocation may take a piece of the free block, and a call then grows
    # the heap by a new one until the heap has room for both: here it settled within the
    # first 6 calls (later growths at most one in 30 calls), CI's floor job once saw 12
    # calls grow it, then none; two thirds of the 24 counted calls must fault next to nothing
    quiet = [f for f in kept['faults'] if f < kept['pages'] // 10]
    assert len(quiet) >= 16, kept
    # the opt-out leaves JAX's defaults: the block is mapped afresh at every call
    default = _probe(KERAS_REUSE_CPU_MEMORY='0')
    assert default['async'] is True and default['synchronous'] is False
    if not _huge_pages_always():
        assert min(default['faults']) > kept['pages'] // 2, default


def test_the_users_own_setting_and_other_platforms_are_left_alone():
    from keras.backend.jax import execution as X
    for environ in ({'KERAS_REUSE_CPU_MEMORY': '0'}, {'KERAS_REUSE_CPU_MEMORY': 'off'},
                    {'JAX_CPU_ENABLE_ASYNC_DISPATCH': '1'}, {'JAX_PLATFORMS': 'cuda'},
                    {'JAX_PLATFORMS': 'tpu,cpu'}):
        assert X.reuse_cpu_step_memory(environ) == (), environ


def test_a_client_already_started_is_left_alone():
    import jax
    from keras.backend.jax import execution as X
    jax.numpy.zeros(1).block_until_ready()             # this process's client runs
    before = jax.config.values['jax_cpu_enable_async_dispatch']
    assert X.reuse_cpu_step_memory({}) == ()
    assert jax.config.values['jax_cpu_enable_async_dispatch'] == before


def test_the_user_settings_of_a_subprocess_win():
    """JAX_CPU_ENABLE_ASYNC_DISPATCH set by the user keeps JAX's asynchronous calls."""
    out = _probe(JAX_CPU_ENABLE_ASYNC_DISPATCH='true')
    assert out['async'] is True and out['synchronous'] is False


# predict's dispatches follow the copy of its input to the device: they too must run on the
# calling thread (a call queued behind a pending copy, and every call behind it, would run on
# a worker thread and map its temporaries afresh)
_PREDICT_PROBE = r'''
import json, resource
import numpy as np
import keras
from keras import backend as K
from keras.layers import Dense, Input, Lambda
from keras.models import Model

inp = Input((512,))
# the batch tiled and reversed (8192 x 4096 floats, 128 MB, from a 16 MB batch) is the
# matrix product's operand; the input's own copy to the device (32 MB a call) may be made
# on a worker thread and faulted in afresh
out = Dense(1)(Lambda(lambda t: K.reverse(K.tile(t, (1, 8)), 1) * 2.)(inp))
model = Model(inp, out)
x = np.ones((16384, 512), 'float32')
for _ in range(6):      # the heap settles
    model.predict(x, batch_size=8192)
faults = []
for _ in range(12):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    model.predict(x, batch_size=8192)
    faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
print(json.dumps({'faults': faults, 'pages': 8192 * 4096 * 4 // resource.getpagesize()}))
'''


@pytest.mark.skipif(not sys.platform.startswith('linux'),
                    reason='the settings are made for glibc on Linux only')
def test_predict_calls_keep_their_temporaries_too():
    out = _probe(_PREDICT_PROBE)
    # two batches a call: mapped afresh, each would fault in a whole batch's block or more;
    # kept, most calls fault far less once the heap has settled (see above)
    assert sum(f < out['pages'] // 2 for f in out['faults']) >= 8, out
    if not _huge_pages_always():
        default = _probe(_PREDICT_PROBE, KERAS_REUSE_CPU_MEMORY='0')
        assert min(default['faults']) > out['pages'], default
