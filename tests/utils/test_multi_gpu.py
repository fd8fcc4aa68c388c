"""multi_gpu_model on 4 virtual CPU devices, on either backend.

The device count is fixed before the framework starts (jax reads XLA_FLAGS once, at import;
TensorFlow's logical devices are configured before its runtime starts), so the
data-parallel checks run in a subprocess with 4 CPU devices; the tests marked `inner` only
run there. JAX splits every batch over a device mesh inside its compiled steps; TensorFlow
builds one replica per device, as Keras 2.2 does.
"""
import os
import subprocess
import sys

import numpy as np
import pytest

from keras import backend as K
from keras import layers
from keras.backend import distribution
from keras.models import Model
from keras.utils.multi_gpu_utils import multi_gpu_model

_INNER = os.environ.get('KERAS_TEST_MULTI_GPU_INNER') == '1'
inner = pytest.mark.skipif(not _INNER, reason='runs in the 4-device subprocess')
_INNER_TESTS = {'jax': 5, 'tensorflow': 4}

# Starts pytest in a process whose TensorFlow has 4 logical CPU devices.
_TF_LAUNCHER = (
    'import sys, tensorflow as tf\n'
    'cpu = tf.config.list_physical_devices("CPU")[0]\n'
    'tf.config.set_logical_device_configuration(\n'
    '    cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(4)])\n'
    'import pytest\n'
    'sys.exit(pytest.main(sys.argv[1:]))\n')


def test_multi_gpu_on_four_virtual_devices():
    if _INNER:
        pytest.skip('already inside the subprocess')
    env = dict(os.environ)
    env['KERAS_TEST_MULTI_GPU_INNER'] = '1'
    args = ['-q', '-p', 'no:cacheprovider', os.path.abspath(__file__), '-k', 'inner']
    if K.backend() == 'jax':
        env['XLA_FLAGS'] = (env.get('XLA_FLAGS', '') +
                            ' --xla_force_host_platform_device_count=4').strip()
        env['JAX_PLATFORMS'] = 'cpu'
        command = [sys.executable, '-m', 'pytest'] + args
    else:
        env['CUDA_VISIBLE_DEVICES'] = ''
        command = [sys.executable, '-c', _TF_LAUNCHER] + args
    proc = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-6000:]
    assert '%d passed' % _INNER_TESTS[K.backend()] in proc.stdout, proc.stdout[-3000:]


def _mlp():
    x = layers.Input(shape=(5,), name='features')
    h = layers.Dense(8, activation='tanh', name='hidden')(x)
    out = layers.Dense(3, activation='softmax', name='probs')(h)
    return Model(x, out)


def _data(n=16, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.randn(n, 5).astype('float32')
    y = np.eye(3, dtype='float32')[rng.randint(0, 3, n)]
    return x, y


def test_gpus_validation_messages():
    model = _mlp()
    with pytest.raises(ValueError, match=r'`gpus >= 2`. Received: `gpus=1`'):
        multi_gpu_model(model, gpus=1)
    with pytest.raises(ValueError, match=r'`len\(gpus\) >= 2`'):
        multi_gpu_model(model, gpus=[0])
    with pytest.raises(TypeError, match='gpus'):
        multi_gpu_model(model, gpus='2')
    n = len(distribution.devices())
    with pytest.raises(ValueError) as info:
        multi_gpu_model(model, gpus=n + 1)
    msg = str(info.value)
    assert 'To call `multi_gpu_model` with `gpus=%d`' % (n + 1) in msg
    assert 'this machine only has: %s' % (distribution.devices(),) in msg
    with pytest.raises(ValueError, match='only has'):
        multi_gpu_model(model, gpus=[0, n])


@inner
def test_inner_structure_and_predict():
    assert len(distribution.devices()) == 4
    model = _mlp()
    parallel = multi_gpu_model(model, gpus=4)
    assert parallel.input_names == ['features'] and parallel.output_names == ['probs']
    assert model in parallel.layers
    # Shared weights: the same variables, not copies.
    assert [id(w) for w in parallel.weights] == [id(w) for w in model.weights]
    x, _ = _data(20)
    expected = model.predict(x, batch_size=8)
    np.testing.assert_allclose(parallel.predict(x, batch_size=8), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(parallel.predict_on_batch(x[:8]), expected[:8],
                               rtol=1e-5, atol=1e-6)
    # batches smaller than the device count, and of one sample
    np.testing.assert_allclose(parallel.predict(x[:3]), expected[:3], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(parallel.predict(x[:1]), expected[:1], rtol=1e-5, atol=1e-6)
    # gpus as a list of device indices.
    two = multi_gpu_model(model, gpus=[1, 3])
    np.testing.assert_allclose(two.predict(x[:6]), expected[:6], rtol=1e-5, atol=1e-6)


@inner
@pytest.mark.backends('jax', reason='JAX shards the batch over a device mesh')
def test_inner_device_indices_select_the_mesh():
    two = multi_gpu_model(_mlp(), gpus=[1, 3])
    assert two._input_sharding.device_indices == [1, 3]


def _recording_mlp(seen):
    """The MLP with a pass-through layer that records the device its ops are placed on."""
    def record(t):
        if not K.is_symbolic(t):
            seen.append(t.device)
        return t
    x = layers.Input(shape=(5,), name='features')
    h = layers.Dense(8, activation='tanh', name='hidden')(x)
    h = layers.Lambda(record, name='record')(h)
    out = layers.Dense(3, activation='softmax', name='probs')(h)
    return Model(x, out)


@inner
@pytest.mark.backends('tensorflow', reason='TensorFlow places one replica per device')
def test_inner_replicas_run_on_their_devices():
    import tensorflow as tf   # the user's own device scope, as in Keras 2.2's example
    seen = []
    with tf.device('/cpu:0'):   # the template built on the CPU
        model = _recording_mlp(seen)
    parallel = multi_gpu_model(model, gpus=[1, 3])
    # Keras 2.2's layout: an input slice per device, the template, one merge per output
    assert [type(l).__name__ for l in parallel.layers] == \
        ['InputLayer', 'Lambda', 'Lambda', 'Model', 'Concatenate']
    x, y = _data(8)
    del seen[:]
    parallel.predict(x, batch_size=8)
    # the template's layers ran in each replica's scope, not the CPU scope it was built in
    assert sorted(d.split('/')[-1] for d in set(seen)) == ['device:CPU:1', 'device:CPU:3']
    del seen[:]
    model.predict(x)
    assert [d.split('/')[-1] for d in set(seen)] == ['device:CPU:0']
    # training steps place the replicas too
    parallel.compile('sgd', 'categorical_crossentropy')
    del seen[:]
    parallel.train_on_batch(x, y)
    assert sorted(d.split('/')[-1] for d in set(seen)) == ['device:CPU:1', 'device:CPU:3']

    # cpu_relocation: replicas of a copy of the template (its own weights, same values);
    # cpu_merge=False: the outputs are gathered on the first device
    relocated = multi_gpu_model(model, gpus=[2, 1], cpu_relocation=True, cpu_merge=False)
    assert not any(w is v for w in relocated.weights for v in model.weights)
    np.testing.assert_allclose(relocated.predict(x), model.predict(x), rtol=1e-5, atol=1e-6)
    merge_node = relocated.layers[-1]._inbound_nodes[0]
    assert merge_node.device.endswith('device:CPU:2')
    assert parallel.layers[-1]._inbound_nodes[0].device.endswith('device:CPU:0')


@inner
@pytest.mark.backends('jax', reason='JAX shards the batch over a device mesh')
def test_inner_inputs_are_sharded(monkeypatch):
    placed, constrained = [], []
    orig_place = distribution.BatchSharding.place_batch
    orig_constrain = distribution.BatchSharding.constrain_batch

    def place(self, a):
        out = orig_place(self, a)
        placed.append(out)
        return out

    def constrain(self, tree):
        import jax  # test-side introspection of the traced batch
        leaves = jax.tree_util.tree_leaves(tree)
        constrained.append([tuple(l.shape) for l in leaves])
        return orig_constrain(self, tree)
    monkeypatch.setattr(distribution.BatchSharding, 'place_batch', place)
    monkeypatch.setattr(distribution.BatchSharding, 'constrain_batch', constrain)

    model = _mlp()
    parallel = multi_gpu_model(model, gpus=4)
    parallel.compile('sgd', 'categorical_crossentropy')
    x, y = _data(8)
    parallel.train_on_batch(x, y, sample_weight=np.linspace(0.5, 1.5, 8))
    assert len(placed) == 3  # x, y, sample weights (weights of one would not be data)
    for arr in placed:
        assert distribution.shard_count(arr) == 4
        assert [s[0] for s in distribution.shard_shapes(arr)] == [2, 2, 2, 2]
    assert distribution.shard_shapes(placed[0]) == [(2, 5)] * 4
    # The compiled step constrained the (8-row) batch to the 4-way batch sharding.
    assert constrained and constrained[0] == [(8, 5), (8, 3), (8,)]

    # The single-device model places nothing on the mesh.
    placed.clear()
    model.predict(x)
    assert placed == []


@inner
def test_inner_train_step_matches_single_device():
    x, y = _data(16, seed=1)
    reference = _mlp()
    reference.compile('sgd', 'categorical_crossentropy', metrics=['accuracy'])
    w0 = reference.get_weights()
    ref_logs = reference.train_on_batch(x, y)
    ref_w = reference.get_weights()

    model = _mlp()
    model.set_weights(w0)
    parallel = multi_gpu_model(model, gpus=4)
    parallel.compile('sgd', 'categorical_crossentropy', metrics=['accuracy'])
    logs = parallel.train_on_batch(x, y)
    np.testing.assert_allclose(logs, ref_logs, rtol=1e-5, atol=1e-6)
    # The parallel step updated the shared (template) weights like the single-device step.
    for a, b in zip(model.get_weights(), ref_w):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(parallel.predict(x), reference.predict(x), rtol=1e-5, atol=1e-6)


@inner
def test_inner_fit_and_evaluate_match_single_device():
    x, y = _data(32, seed=2)
    reference = _mlp()
    reference.compile('adam', 'categorical_crossentropy')
    w0 = reference.get_weights()
    reference.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)

    model = _mlp()
    model.set_weights(w0)
    parallel = multi_gpu_model(model, gpus=4)
    parallel.compile('adam', 'categorical_crossentropy')
    hist = parallel.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    assert len(hist.history['loss']) == 2
    for a, b in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(parallel.evaluate(x, y, batch_size=8, verbose=0),
                               reference.evaluate(x, y, batch_size=8, verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_available_device_names_as_keras_224_lists_them():
    from keras.utils.multi_gpu_utils import _get_available_devices
    names = _get_available_devices()
    assert names[0] == '/cpu:0'
    assert set(distribution.devices()) <= set(names)
    assert len(set(names)) == len(names)
