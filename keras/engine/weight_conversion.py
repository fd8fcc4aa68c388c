"""Weights written by other Keras versions and backends, converted on load: Keras 1 layer
layouts, CuDNN and plain recurrent kernels into each other, Theano's flipped convolution
kernels (`preprocess_weights_for_loading`)."""
import numpy as np

from .. import backend as K
from .network import Network


# ----------------------------------------------------------------------------- conversions
def _shape(variable):
    return tuple(int(d) for d in K.int_shape(variable))


def _need_convert_kernel(original_backend):
    """Whether convolution kernels must be flipped (saved with Theano's convolution)."""
    if original_backend is None:
        return False
    uses_correlation = {'tensorflow': True, 'theano': False, 'cntk': True, 'jax': True}
    if original_backend not in uses_correlation:
        return False
    return uses_correlation[original_backend] != uses_correlation.get(K.backend(), True)


def _flip_kernel(kernel):
    """Rotate the spatial axes of a conv kernel by 180 degrees (Theano <-> TensorFlow)."""
    kernel = np.asarray(kernel)
    spatial = kernel.ndim - 2
    index = tuple([slice(None, None, -1)] * spatial + [slice(None), slice(None)])
    return np.copy(kernel[index])


def _split_gates(kernel, n_gates):
    return np.split(np.asarray(kernel), n_gates, axis=-1)


def _kernel_to_cudnn(block):
    # CuDNN keeps each gate's input kernel transposed and read back in row-major order.
    return block.T.reshape(block.shape)


def _kernel_from_cudnn(block):
    return block.T.reshape(block.shape, order='F')


def _convert_rnn_weights(layer, weights):
    """Convert a weight list saved by CuDNNLSTM/LSTM or CuDNNGRU/GRU(reset_after=True) into
    the layout of `layer` (Keras 2.2.4 rules; anything else is returned unchanged).

    Raises ValueError for GRU(reset_after=False) <-> CuDNNGRU or an unknown bias shape.
    """
    weights = [np.asarray(w) for w in weights]
    target = layer.__class__.__name__
    if target in ('LSTM', 'CuDNNLSTM') and len(weights) == 3:
        units = weights[1].shape[0]
        bias_shape = tuple(weights[2].shape)
        if bias_shape == (2 * units * 4,):
            source = 'CuDNNLSTM'
        elif bias_shape == (units * 4,):
            source = 'LSTM'
        else:
            raise ValueError('Layer %s: invalid LSTM bias shape %s for %d units (expected (%d,) '
                             'or (%d,))' % (layer.name, bias_shape, units, 4 * units, 8 * units))
        if source != target:
            from_cudnn = source == 'CuDNNLSTM'
            conv = _kernel_from_cudnn if from_cudnn else _kernel_to_cudnn
            kernel = np.concatenate([conv(b) for b in _split_gates(weights[0], 4)], axis=-1)
            recurrent = np.concatenate([b.T for b in _split_gates(weights[1], 4)], axis=-1)
            if from_cudnn:
                halves = np.split(weights[2], 2)
                bias = halves[0] + halves[1]
            else:
                bias = np.concatenate([0.5 * weights[2], 0.5 * weights[2]])
            weights = [kernel, recurrent, bias]
    if target in ('GRU', 'CuDNNGRU') and len(weights) == 3:
        units = weights[1].shape[0]
        bias_shape = tuple(weights[2].shape)
        if bias_shape == (2 * units * 3,):
            source = 'CuDNNGRU'
        elif bias_shape == (2, units * 3):
            source = 'GRU(reset_after=True)'
        elif bias_shape == (units * 3,):
            source = 'GRU(reset_after=False)'
        else:
            raise ValueError('Layer %s: invalid GRU bias shape %s for %d units'
                             % (layer.name, bias_shape, units))
        if target == 'CuDNNGRU':
            target_kind = 'CuDNNGRU'
        elif getattr(layer, 'reset_after', False):
            target_kind = 'GRU(reset_after=True)'
        else:
            target_kind = 'GRU(reset_after=False)'
        if source != target_kind:
            if 'GRU(reset_after=False)' in (source, target_kind):
                raise ValueError('Layer %s: weights of a %s are not compatible with a %s'
                                 % (layer.name, source, target_kind))
            from_cudnn = source == 'CuDNNGRU'
            conv = _kernel_from_cudnn if from_cudnn else _kernel_to_cudnn
            kernel = np.concatenate([conv(b) for b in _split_gates(weights[0], 3)], axis=-1)
            recurrent = np.concatenate([b.T for b in _split_gates(weights[1], 3)], axis=-1)
            bias = np.asarray(weights[2]).reshape((2, -1) if from_cudnn else (-1,))
            weights = [kernel, recurrent, bias]
    return weights


def _convert_keras1_weights(layer, weights):
    """Keras 1 weight layouts -> Keras 2 (as Keras 2.2.4 converts them)."""
    name = layer.__class__.__name__
    data_format = getattr(layer, 'data_format', 'channels_last')
    if name == 'Conv1D' and weights:
        shape = weights[0].shape
        if len(shape) == 4:
            # Keras 1 stored (filter_length, 1, input_dim, filters) or, older,
            # (filters, input_dim, filter_length, 1).
            if shape[:2] != (layer.kernel_size[0], 1) or shape[3] != layer.filters:
                weights[0] = np.transpose(weights[0], (2, 3, 1, 0))
            weights[0] = weights[0][:, 0, :, :]
    elif name == 'Conv2D' and weights and data_format == 'channels_first':
        weights[0] = np.transpose(weights[0], (2, 3, 1, 0))
    elif name == 'Conv2DTranspose' and weights:
        if data_format == 'channels_last':
            weights[0] = np.transpose(weights[0], (0, 1, 3, 2))
        else:
            weights[0] = np.transpose(weights[0], (2, 3, 0, 1))
    elif name == 'Conv3D' and weights and data_format == 'channels_first':
        weights[0] = np.transpose(weights[0], (2, 3, 4, 1, 0))
    elif name == 'GRU' and len(weights) == 9:
        # Keras 1: per gate (z, r, h) W, U, b.
        weights = [np.concatenate([weights[i], weights[i + 3], weights[i + 6]], axis=-1)
                   for i in range(3)]
    elif name in ('LSTM', 'ConvLSTM2D') and len(weights) == 12:
        # Keras 1 gate order i, c, f, o -> Keras 2 i, f, c, o.
        weights = [np.concatenate([weights[i], weights[i + 6], weights[i + 3], weights[i + 9]],
                                  axis=-1) for i in range(3)]
        if name == 'ConvLSTM2D' and data_format == 'channels_first':
            weights[0] = np.transpose(weights[0], (2, 3, 1, 0))
            weights[1] = np.transpose(weights[1], (2, 3, 1, 0))
    return weights


def preprocess_weights_for_loading(layer, weights, original_keras_version=None,
                                   original_backend=None, reshape=False):
    """Convert saved weights to the layout `layer` expects.

    Handles nested models / Bidirectional / TimeDistributed (per sub-layer), Keras 1
    layouts, Theano conv kernels, and CuDNNLSTM/CuDNNGRU <-> LSTM/GRU(reset_after=True).
    """
    weights = [np.asarray(w) for w in weights]
    name = layer.__class__.__name__
    kwargs = dict(original_keras_version=original_keras_version,
                  original_backend=original_backend, reshape=reshape)
    if name == 'Bidirectional' and hasattr(layer, 'forward_layer'):
        half = len(weights) // 2
        return (preprocess_weights_for_loading(layer.forward_layer, weights[:half], **kwargs) +
                preprocess_weights_for_loading(layer.backward_layer, weights[half:], **kwargs))
    if name == 'TimeDistributed' and hasattr(layer, 'layer'):
        return preprocess_weights_for_loading(layer.layer, weights, **kwargs)
    if isinstance(layer, Network):
        converted = []
        rest = list(weights)
        for part in ('trainable', 'non_trainable'):
            for sub in layer.layers:
                if part == 'trainable':
                    n = len(sub.trainable_weights)
                else:
                    n = len(sub.non_trainable_weights)
                if n and rest:
                    converted.extend(preprocess_weights_for_loading(sub, rest[:n], **kwargs))
                    rest = rest[n:]
        return converted + rest

    if original_keras_version == '1':
        weights = _convert_keras1_weights(layer, weights)

    conv_layers = ('Conv1D', 'Conv2D', 'Conv3D', 'Conv2DTranspose', 'ConvLSTM2D')
    if name in conv_layers and weights and getattr(layer, 'weights', None):
        target_shape = _shape(layer.weights[0])
        if _need_convert_kernel(original_backend):
            weights[0] = _flip_kernel(weights[0])
            if name == 'ConvLSTM2D' and len(weights) > 1:
                weights[1] = _flip_kernel(weights[1])
        if weights[0].shape != target_shape and not reshape and weights[0].ndim == 4:
            transposed = np.transpose(weights[0], (3, 2, 0, 1))
            if transposed.shape == target_shape:
                weights[0] = transposed
                if name == 'ConvLSTM2D' and len(weights) > 1:
                    weights[1] = np.transpose(weights[1], (3, 2, 0, 1))

    return _convert_rnn_weights(layer, weights)
