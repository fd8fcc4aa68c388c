"""Backend selection as Keras 2.2: KERAS_BACKEND, else keras.json's "backend", else jax;
`K.backend()` names it and the TensorFlow backend announces itself on stderr."""
import importlib.util
import json
import os
import sys

import pytest

from keras.backend import config
from python_process import run_python

HAVE_TF = importlib.util.find_spec('tensorflow') is not None


def _run(code, **env):
    return run_python(code, env=env, unset=('KERAS_BACKEND',), check=False)


def test_environment_variable_names_must_be_known(monkeypatch):
    monkeypatch.setenv('KERAS_BACKEND', 'theano')
    with pytest.raises(ValueError, match=r"KERAS_BACKEND='theano'.*'jax', 'tensorflow'"):
        config._select_backend()


def test_config_file_choice(monkeypatch):
    assert config._config_file_backend(None, 'k.json') == 'jax'
    assert config._config_file_backend('jax', 'k.json') == 'jax'
    with pytest.warns(UserWarning, match="names the backend 'cntk'"):
        assert config._config_file_backend('cntk', 'k.json') == config._BACKEND
    # a Keras 2 keras.json says "tensorflow": used when TensorFlow is there, else jax + warning
    monkeypatch.setattr(importlib.util, 'find_spec', lambda name: None)
    with pytest.warns(UserWarning, match='TensorFlow is not installed; using the JAX backend'):
        assert config._config_file_backend('tensorflow', 'k.json') == 'jax'


@pytest.mark.skipif(not HAVE_TF, reason='TensorFlow is not installed')
def test_tensorflow_selected_by_environment_and_by_keras_json(tmp_path):
    code = 'from keras import backend as K; print(K.backend(), K.execution.__name__)'
    run = _run(code, KERAS_BACKEND='tensorflow')
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == ['tensorflow', 'keras.backend.tensorflow.execution']
    # as in Keras 2.2.4, the TensorFlow backend module is an attribute of keras.backend
    run = _run('from keras import backend as K; print(K.tensorflow_backend.tf.__name__, '
               'K.tensorflow_backend._get_available_gpus())', KERAS_BACKEND='tensorflow')
    assert run.returncode == 0 and run.stdout.split() == ['tensorflow', '[]'], run.stderr[-2000:]
    assert 'Using TensorFlow backend.\n' in run.stderr
    home = tmp_path / 'khome'
    home.mkdir()
    (home / 'keras.json').write_text(json.dumps({'backend': 'tensorflow'}))
    run = _run(code, KERAS_HOME=str(home))
    assert run.stdout.split()[0] == 'tensorflow', run.stderr[-2000:]
    run = _run(code, KERAS_HOME=str(home), KERAS_BACKEND='jax')   # the variable wins
    assert run.stdout.split() == ['jax', 'keras.backend.jax.execution']
    assert 'Using TensorFlow backend.' not in run.stderr


@pytest.mark.skipif(not HAVE_TF, reason='TensorFlow is not installed')
def test_tf_keras_is_tensorflows_keras_or_this_one(tmp_path):
    # TensorFlow 2.16+ resolves tf.keras, tf.losses, ... through the installed `keras`
    # (`keras.api._v2.keras` for a Keras 2): it failed with "No module named 'keras.api'"
    # (shap's `tf.keras.backend.learning_phase()` on a standalone Keras model)
    code = ('import keras, tensorflow as tf\n'
            'print(tf.keras.Model is keras.Model, tf.losses.mean_squared_error is '
            'keras.losses.mean_squared_error, tf.compat.v1.keras.layers.Dense is '
            'keras.layers.Dense, tf.keras.backend.learning_phase())\n'
            'import keras.api._v2.keras.layers as layers\n'
            'print(layers is keras.layers)\n')
    run = _run(code, KERAS_BACKEND='tensorflow')
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == ['True', 'True', 'True', '0', 'True']
    # on JAX there is no Keras on TensorFlow: an error that says what to do
    run = _run('import keras, tensorflow as tf; tf.keras.Model', KERAS_BACKEND='jax')
    assert run.returncode != 0 and 'install tf_keras' in run.stderr
    # TensorFlow's own Keras 2 (tf_keras), when installed, is tf.keras (on either backend)
    package = tmp_path / 'tf_keras' / 'api' / '_v2' / 'keras'
    package.mkdir(parents=True)
    for folder in (tmp_path / 'tf_keras', tmp_path / 'tf_keras' / 'api',
                   tmp_path / 'tf_keras' / 'api' / '_v2'):
        (folder / '__init__.py').write_text('')
    (package / '__init__.py').write_text('from . import losses\nNAME = "tf_keras"\n')
    (package / 'losses.py').write_text('def mean_squared_error(y_true, y_pred):\n'
                                       '    return "tf_keras mse"\n')
    run = _run('import keras, tensorflow as tf\n'
               'print(tf.keras.NAME, tf.losses.mean_squared_error(0, 0) == "tf_keras mse")',
               KERAS_BACKEND='jax', PYTHONPATH=os.pathsep.join([str(tmp_path)] + sys.path))
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == ['tf_keras', 'True']


@pytest.mark.skipif(not HAVE_TF, reason='TensorFlow is not installed')
def test_importing_the_other_backends_modules_changes_nothing():
    # code (and test suites) may import a module of the JAX backend while TensorFlow is the
    # backend in use: the Keras tensors' operators stay the TensorFlow backend's
    code = ('import sys, numpy as np, keras\n'
            'import keras.backend.jax.random_streams\n'
            'from keras.layers import Input\n'
            'from keras.models import Model\n'
            'x = Input((3,)); m = Model(x, x + x * 2.)\n'
            'print("keras.backend.jax.ops" in sys.modules, m.predict(np.ones((1, 3)))[0, 0])\n')
    run = _run(code, KERAS_BACKEND='tensorflow')
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == ['False', '3.0']
