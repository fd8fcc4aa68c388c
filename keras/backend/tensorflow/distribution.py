"""Devices on TensorFlow: the same interface as the JAX backend's `distribution` for one
process. `multi_gpu_model` places replicas explicitly; a mesh over several processes is not
available on this backend."""
import numpy as np
import tensorflow as tf


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


def batch_sharding(device_ids):
    raise NotImplementedError(
        'multi_gpu_model(gpus=%d): the TensorFlow backend cannot split batches over devices '
        'yet; run it on the JAX backend (KERAS_BACKEND=jax), whose compiled steps shard every '
        'batch over the devices, or train the template model on one device'
        % len(list(device_ids)))
