"""Keras 2.2's `multi_gpu_model` "Example 1" (its README/docstring: the template Xception
built under `tf.device('/cpu:0')`, replicated with `multi_gpu_model(model, gpus=...)`, fit,
the template saved) runs as written, at a reduced size, on two virtual CPU devices under
both backends; the file saved on each backend loads on the other with equal predictions.

The example imports TensorFlow, so it needs TensorFlow installed (the `tensorflow` extra);
each backend runs in its own process, with its device count fixed before it starts."""
import importlib.util
import os

import numpy as np
import pytest
from python_process import run_python

pytestmark = pytest.mark.skipif(importlib.util.find_spec('tensorflow') is None,
                                reason='the example imports tensorflow (not installed)')

EXAMPLE = '''
    import sys
    out_dir, tag, other_file = sys.argv[1], sys.argv[2], sys.argv[3]

    # two virtual CPU devices on TensorFlow (JAX's come from XLA_FLAGS)
    import tensorflow as tf
    tf.config.set_logical_device_configuration(
        tf.config.list_physical_devices('CPU')[0],
        [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()])

    # --- Keras 2.2's Example 1, with smaller sizes ---
    import tensorflow as tf
    from keras.applications import Xception
    from keras.utils import multi_gpu_model
    import numpy as np

    num_samples = 8
    height = 71
    width = 71
    num_classes = 5

    with tf.device('/cpu:0'):
        model = Xception(weights=None,
                         input_shape=(height, width, 3),
                         classes=num_classes)

    parallel_model = multi_gpu_model(model, gpus=2)
    parallel_model.compile(loss='categorical_crossentropy',
                           optimizer='rmsprop')

    np.random.seed(0)
    x = np.random.random((num_samples, height, width, 3))
    y = np.random.random((num_samples, num_classes))

    history = parallel_model.fit(x, y, epochs=1, batch_size=4, verbose=0)

    import os
    from keras import backend as K
    model.save(os.path.join(out_dir, 'my_model_%s.h5' % tag))
    # --- end of the example ---

    import numpy as np
    from keras.models import load_model
    assert K.backend() == tag.rstrip('12'), (K.backend(), tag)
    assert np.isfinite(history.history['loss'][0])
    np.save(os.path.join(out_dir, 'x.npy'), x.astype('float32'))
    np.save(os.path.join(out_dir, 'pred_%s.npy' % tag),
            model.predict(x.astype('float32')))
    np.save(os.path.join(out_dir, 'parallel_pred_%s.npy' % tag),
            parallel_model.predict(x.astype('float32'), batch_size=4))
    if os.path.exists(other_file):   # the other backend's template
        other = load_model(other_file)
        np.save(os.path.join(out_dir, 'loaded_other_%s.npy' % tag),
                other.predict(x.astype('float32')))
'''


def _run(tag, out_dir, other_file):
    flags = (os.environ.get('XLA_FLAGS', '') +
             ' --xla_force_host_platform_device_count=2').strip()
    env = {'KERAS_BACKEND': tag.rstrip('12'), 'CUDA_VISIBLE_DEVICES': '',
           'JAX_PLATFORMS': 'cpu', 'XLA_FLAGS': flags}
    proc = run_python(EXAMPLE, out_dir, tag, other_file, env=env, timeout=900, check=False)
    assert proc.returncode == 0, '%s:\n%s\n%s' % (tag, proc.stdout[-3000:], proc.stderr[-3000:])


def _load(out_dir, name):
    return np.load(os.path.join(out_dir, name + '.npy'))


def test_example_1_on_both_backends_and_files_cross_load(tmp_path):
    out = str(tmp_path)
    _run('jax1', out, os.path.join(out, 'none.h5'))
    _run('tensorflow', out, os.path.join(out, 'my_model_jax1.h5'))
    _run('jax2', out, os.path.join(out, 'my_model_tensorflow.h5'))
    # the replicated model predicts what its template does, on each backend
    for tag in ('jax1', 'tensorflow', 'jax2'):
        np.testing.assert_allclose(_load(out, 'parallel_pred_' + tag), _load(out, 'pred_' + tag),
                                   rtol=1e-4, atol=1e-6)
    # each backend's saved template predicts the same on the other backend
    np.testing.assert_allclose(_load(out, 'loaded_other_tensorflow'), _load(out, 'pred_jax1'),
                               rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(_load(out, 'loaded_other_jax2'), _load(out, 'pred_tensorflow'),
                               rtol=1e-4, atol=1e-6)
