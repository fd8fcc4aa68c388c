"""What TensorFlow's `tf.keras` is when this package is the installed `keras`.

TensorFlow 2.16 and later resolve `tf.keras` (and `tf.losses`, `tf.metrics`,
`tf.optimizers`, `tf.initializers`, `tf.compat.v1.keras`, TensorFlow 1's
`tf.compat.v1.layers`) through the installed `keras`: for a Keras whose version is not 3.x,
through its modules `keras.api._v2.keras` and `keras.api._v1.keras`. In Keras 2.2.4's days
`tf.keras` was TensorFlow's own copy of Keras, beside the standalone one, and libraries of
that time use both (shap calls `tf.keras.backend.learning_phase()` on a standalone Keras
model). Here those modules are:

* `tf_keras` (TensorFlow's Keras 2, `pip install tf_keras`), when it is installed: a
  separate Keras, as `tf.keras` was then;
* otherwise, on the TensorFlow backend, this Keras itself (`tf.keras.Model` is
  `keras.Model`);
* otherwise (the JAX backend), an ImportError that says what to install.
"""
import importlib
import sys


def route(name, version):
    """Makes the module `name` (`keras.api._v2.keras` or `keras.api._v1.keras`) the Keras
    that `tf.keras` should be (see the module's docstring).

    # Arguments
        name: the module's name, as being imported.
        version: `'v2'` or `'v1'`, TensorFlow's API version asking.

    # Raises
        ImportError: neither `tf_keras` is installed nor the backend is TensorFlow.
    """
    prefix = 'tf_keras.api._%s.keras' % version
    try:
        target = importlib.import_module(prefix)
    except ImportError:
        from .. import backend as K
        if K.backend() != 'tensorflow':
            raise ImportError(
                'tf.keras: TensorFlow reaches Keras through the installed `keras`, which is '
                'Keras 2.2.4 on the %s backend. For TensorFlow\'s own Keras install tf_keras '
                '(pip install tf_keras) and it is used; or set KERAS_BACKEND=tensorflow to '
                'make tf.keras this Keras.' % K.backend())
        target = sys.modules['keras']
        prefix = 'keras'
    # the target's submodules loaded so far under this name too, so that importing
    # `<name>.losses` finds them instead of loading their files a second time
    for module_name, module in list(sys.modules.items()):
        if module_name.startswith(prefix + '.') and \
                not module_name.startswith('keras.api') and module is not None:
            sys.modules.setdefault(name + module_name[len(prefix):], module)
    sys.modules[name] = target
