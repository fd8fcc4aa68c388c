"""Devices on TensorFlow: the same interface as the JAX backend's `distribution` for one
process. `multi_gpu_model` builds one replica ("tower") of the model per device, as Keras 2.2
does: layers called under `tf.device(...)` record that device and run there in every compiled
step (see `current_device`). A mesh over several processes is not available on this backend."""
import numpy as np
import tensorflow as tf
from tensorflow.python.eager import context as _context


def devices():
    """Descriptions of the devices computations may be placed on, e.g. ['/gpu:0', '/gpu:1']:
    the GPUs, else the CPUs (logical ones, so virtual CPUs configured with
    `tf.config.set_logical_device_configuration` count)."""
    gpus = tf.config.list_logical_devices('GPU')
    found = gpus if gpus else tf.config.list_logical_devices('CPU')
    return ['/%s:%d' % (d.device_type.lower(), i) for i, d in enumerate(found)]


def device_count():
    return len(devices())


def process_count():
    return 1


def process_index():
    return 0


def broadcast_from_process_0(value):
    return value


def local_rows(x):
    return np.asarray(x)


def initialize(*args, **kwargs):
    raise RuntimeError('distribution.initialize: several processes are supported on the JAX '
                       'backend only (KERAS_BACKEND=jax)')


def current_device():
    """The device of the `tf.device(...)` scope in effect while a model is being built
    (eagerly), e.g. '/job:localhost/replica:0/task:0/device:GPU:1', or None outside any.
    The engine records it on every layer call (`Node.device`) and runs that call on it."""
    if not tf.executing_eagerly():
        return None     # inside a traced function TensorFlow applies its own scopes
    return _context.context().device_name or None


def device_scope(name):
    """A context that places the operations created in it on device `name`."""
    return tf.device(name)


def batch_sharding(device_ids):
    """None: compiled steps do not split batches on this backend; `multi_gpu_model` builds
    one replica per device instead (the JAX backend returns a mesh sharding)."""
    return None
