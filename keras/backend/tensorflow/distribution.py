"""Devices on TensorFlow: the same interface as the JAX backend's `distribution` for one
process. `multi_gpu_model` places replicas explicitly; a mesh over several processes is not
available on this backend."""
import numpy as np
import tensorflow as tf


def devices():
    """The devices computations may be placed on: the GPUs, else the CPUs (logical ones, so
    `tf.config.set_logical_device_configuration` virtual CPUs count)."""
    gpus = tf.config.list_logical_devices('GPU')
    return gpus if gpus else tf.config.list_logical_devices('CPU')


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
    raise NotImplementedError('multi_gpu_model on the TensorFlow backend: not yet available')
