"""Data-parallel training over two processes (hosts) on JAX's distributed runtime.

The test starts two worker processes, each with two virtual CPU devices, joined through
`keras.backend.distribution.initialize` (gloo collectives). Each trains a `multi_gpu_model`
replica on its own half of every batch; the result must equal single-process training on
the whole batches.
"""
import pytest  # noqa: E402
pytestmark = pytest.mark.backends('jax', reason="several processes on JAX's distributed runtime")

import os
import socket
import subprocess
import sys

import numpy as np

_WORKER = os.environ.get('KERAS_TEST_MULTI_HOST_WORKER')
LOCAL_BATCH = 4


def _global_data():
    rng = np.random.RandomState(7)
    return rng.rand(32, 3).astype('float32'), rng.rand(32, 2).astype('float32')


def _local_rows(a, process):
    """Process p holds rows [8k + 4p, 8k + 4p + 4) of global batch k (batch 8)."""
    return a.reshape(-1, 2, LOCAL_BATCH, a.shape[-1])[:, process].reshape(-1, a.shape[-1])


def _worker(process, port, out_dir):
    from keras.backend import distribution
    distribution.initialize('localhost:%d' % port, num_processes=2, process_id=process)
    from keras import optimizers
    from keras.layers import Dense
    from keras.models import Sequential
    from keras.utils import multi_gpu_model
    np.random.seed(100 + process)          # different on purpose: weights come from process 0
    model = Sequential([Dense(4, activation='tanh', input_shape=(3,)), Dense(2)])
    parallel = multi_gpu_model(model, gpus=4)
    parallel.compile(optimizers.SGD(lr=0.1), 'mse', metrics=['mae'])
    w0 = model.get_weights()
    x, y = (_local_rows(a, process) for a in _global_data())
    history = parallel.fit(x, y, batch_size=LOCAL_BATCH, epochs=2, shuffle=False, verbose=0)
    evaluation = parallel.evaluate(x, y, batch_size=LOCAL_BATCH, verbose=0)
    prediction = parallel.predict(x, batch_size=LOCAL_BATCH)
    arrays = {'w0_%d' % i: w for i, w in enumerate(w0)}
    arrays.update({'w_%d' % i: w for i, w in enumerate(model.get_weights())})
    np.savez(os.path.join(out_dir, 'process_%d.npz' % process), loss=history.history['loss'],
             evaluation=np.asarray(evaluation), prediction=prediction,
             devices=np.array([distribution.process_count(),
                               parallel._input_sharding.num_devices]), **arrays)


def _free_port():
    with socket.socket() as s:
        s.bind(('localhost', 0))
        return s.getsockname()[1]


def test_two_processes_train_like_one(tmp_path):
    port = _free_port()
    env = dict(os.environ)
    env['XLA_FLAGS'] = (env.get('XLA_FLAGS', '') +
                        ' --xla_force_host_platform_device_count=2').strip()
    env['JAX_PLATFORMS'] = 'cpu'
    procs = []
    for process in range(2):
        env_p = dict(env, KERAS_TEST_MULTI_HOST_WORKER='%d,%d,%s' % (process, port, tmp_path))
        procs.append(subprocess.Popen([sys.executable, os.path.abspath(__file__)], env=env_p,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                      universal_newlines=True))
    outputs = [p.communicate(timeout=300)[0] for p in procs]
    for p, out in zip(procs, outputs):
        assert p.returncode == 0, out[-5000:]
    results = [np.load(str(tmp_path / ('process_%d.npz' % i))) for i in range(2)]
    for r in results:
        assert list(r['devices']) == [2, 4]   # 2 processes, one mesh of 4 devices

    from keras import optimizers
    from keras.layers import Dense
    from keras.models import Sequential
    n_weights = 4
    w0 = [results[0]['w0_%d' % i] for i in range(n_weights)]
    for i in range(n_weights):   # process 1 started from process 0's weights
        np.testing.assert_array_equal(results[1]['w0_%d' % i], w0[i])
    reference = Sequential([Dense(4, activation='tanh', input_shape=(3,)), Dense(2)])
    reference.set_weights(w0)
    reference.compile(optimizers.SGD(lr=0.1), 'mse', metrics=['mae'])
    x, y = _global_data()
    history = reference.fit(x, y, batch_size=2 * LOCAL_BATCH, epochs=2, shuffle=False,
                            verbose=0)
    evaluation = reference.evaluate(x, y, batch_size=2 * LOCAL_BATCH, verbose=0)
    for process, r in enumerate(results):
        np.testing.assert_allclose(r['loss'], history.history['loss'], rtol=1e-5)
        np.testing.assert_allclose(r['evaluation'], evaluation, rtol=1e-5)
        for i, w in enumerate(reference.get_weights()):
            np.testing.assert_allclose(r['w_%d' % i], w, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(r['prediction'], reference.predict(_local_rows(x, process)),
                                   rtol=1e-5, atol=1e-6)


if __name__ == '__main__' and _WORKER:
    _process, _port, _out = _WORKER.split(',', 2)
    _worker(int(_process), int(_port), _out)
