"""MobileNetV2 (Sandler et al., 2018), as in Keras 2.2.4 (keras_applications 1.0.6).

`MobileNetV2(input_shape=None, alpha=1.0, include_top=True, weights='imagenet',
input_tensor=None, pooling=None, classes=1000)` builds the network;
`preprocess_input` computes Keras 2.2.4's `x / 128 - 1`; `decode_predictions`
is the ImageNet decoder.

Keras 2.2.4 specifics kept here:
* `depth_multiplier` is still accepted as a keyword (it does not change the
  network; it must be 1 with ImageNet weights);
* the network is always built `channels_last` (with a warning when the
  configured format is `channels_first`, restored afterwards; `input_shape`
  is then read as channels-last too);
* ImageNet weights exist for `alpha` in {0.35, 0.50, 0.75, 1.0, 1.3, 1.4} and
  square inputs of 96, 128, 160, 192 or 224 pixels; any other (or undefined)
  size loads the 224 weights with a warning. The official files are
  `mobilenet_v2_weights_tf_dim_ordering_tf_kernels_<alpha>_<rows>[_no_top].h5`
  with `<alpha>` written by `str()` (`1.0`, `0.35`, `0.5`, ...).
"""
import warnings

import numpy as np

from .. import backend as K
from .. import layers
from ..models import Model
from . import imagenet_utils
from .imagenet_utils import decode_predictions  # noqa: F401
from .imagenet_utils import _obtain_input_shape
from .mobilenet import _check_positive, _forced_channels_last, _spatial

BASE_WEIGHT_PATH = ('https://github.com/JonathanCMitchell/mobilenet_v2_keras/'
                    'releases/download/v1.1/')

_IMAGENET_ALPHAS = (0.35, 0.50, 0.75, 1.0, 1.3, 1.4)
_IMAGENET_ROWS = (96, 128, 160, 192, 224)


def preprocess_input(x, **kwargs):
    """Keras 2.2.4 MobileNetV2 preprocessing: `x / 128 - 1`, as float32.

    As in Keras 2.2.4, a floating-point NumPy array is also modified in place;
    the returned value is a float32 array. Integer arrays are converted first.
    Symbolic/backend tensors give a new tensor.

    # Arguments
        x: array or tensor of RGB images, values in [0, 255].

    # Returns
        A float32 array of the shape of `x`, values in [-1, 1).
    """
    imagenet_utils.check_kwargs(kwargs, 'preprocess_input',
                                ('backend', 'layers', 'models', 'utils', 'data_format'))
    if isinstance(x, (list, tuple)) or np.isscalar(x):
        x = np.asarray(x)
    if isinstance(x, np.ndarray):
        if not issubclass(x.dtype.type, np.floating):
            x = x.astype(K.floatx())
        x /= 128.
        x -= 1.
        return x.astype(np.float32)
    if not K.dtype(x).startswith('float'):
        x = K.cast(x, K.floatx())
    return x / 128. - 1.


def weights_file_name(alpha, rows, include_top):
    """Canonical file name of the official ImageNet weights."""
    name = 'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_%s_%s' % (
        str(float(alpha)), rows)
    return name + ('.h5' if include_top else '_no_top.h5')


def _make_divisible(v, divisor, min_value=None):
    """Round `v` to a multiple of `divisor` (not below `min_value`, nor by > 10%)."""
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


def _bn(name):
    return layers.BatchNormalization(epsilon=1e-3, momentum=0.999, name=name)


def _inverted_res_block(inputs, expansion, stride, alpha, filters, block_id):
    """Expand (1x1) -> depthwise 3x3 -> linear projection (1x1) [+ residual]."""
    in_channels = K.int_shape(inputs)[-1]
    pointwise_filters = _make_divisible(int(filters * alpha), 8)
    x = inputs
    if block_id:
        prefix = 'block_%d_' % block_id
        x = layers.Conv2D(expansion * in_channels, kernel_size=1, padding='same',
                          use_bias=False, activation=None, name=prefix + 'expand')(x)
        x = _bn(prefix + 'expand_BN')(x)
        x = layers.ReLU(6., name=prefix + 'expand_relu')(x)
    else:
        prefix = 'expanded_conv_'

    if stride == 2:
        x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, 3), name=prefix + 'pad')(x)
    x = layers.DepthwiseConv2D(kernel_size=3, strides=stride, activation=None,
                               use_bias=False,
                               padding='same' if stride == 1 else 'valid',
                               name=prefix + 'depthwise')(x)
    x = _bn(prefix + 'depthwise_BN')(x)
    x = layers.ReLU(6., name=prefix + 'depthwise_relu')(x)

    x = layers.Conv2D(pointwise_filters, kernel_size=1, padding='same', use_bias=False,
                      activation=None, name=prefix + 'project')(x)
    x = _bn(prefix + 'project_BN')(x)

    if in_channels == pointwise_filters and stride == 1:
        return layers.Add(name=prefix + 'add')([inputs, x])
    return x


# (filters, stride, expansion) of blocks 0..16
_BLOCKS = ((16, 1, 1),
           (24, 2, 6), (24, 1, 6),
           (32, 2, 6), (32, 1, 6), (32, 1, 6),
           (64, 2, 6), (64, 1, 6), (64, 1, 6), (64, 1, 6),
           (96, 1, 6), (96, 1, 6), (96, 1, 6),
           (160, 2, 6), (160, 1, 6), (160, 1, 6),
           (320, 1, 6))


def _default_size(input_shape, input_tensor, data_format):
    """Keras 2.2.4: a square 96..224 input keeps its size, anything else gives 224."""
    if input_shape is not None:
        try:
            shape = tuple(input_shape)
        except TypeError:
            raise ValueError('MobileNetV2: `input_shape` must be a tuple of three '
                             'integers, got %r.' % (input_shape,)) from None
        if len(shape) != 3:
            return 224
        rows, cols = _spatial(shape, data_format)
    elif input_tensor is not None and K.is_keras_tensor(input_tensor):
        shape = K.int_shape(input_tensor)
        if len(shape) != 4:
            return 224
        rows, cols = _spatial(shape[1:], data_format)
    else:
        return 224
    if rows == cols and rows in _IMAGENET_ROWS:
        return rows
    return 224


def MobileNetV2(input_shape=None, alpha=1.0, include_top=True, weights='imagenet',
                input_tensor=None, pooling=None, classes=1000, **kwargs):
    """Instantiate the MobileNetV2 architecture (Keras 2.2.4 definition).

    # Arguments
        input_shape: optional shape tuple (e.g. `(224, 224, 3)`), at least 32x32.
        alpha: width multiplier; with ImageNet weights one of 0.35, 0.50, 0.75,
            1.0, 1.3, 1.4.
        include_top: whether to include the classifier.
        weights: `None`, 'imagenet' or the path of a weights file.
        input_tensor: optional Keras tensor to use as the image input.
        pooling: `None`, 'avg' or 'max' (with `include_top=False`).
        classes: number of classes (1000 with ImageNet weights and a top).
        depth_multiplier: (keyword only, Keras 2.2.4 compatibility) must be 1
            with ImageNet weights; it does not change the network.

    # Returns
        A `Model` named `mobilenetv2_<alpha:.2f>_<rows>`.

    # Raises
        ValueError: invalid `weights`, `classes`, `pooling`, `alpha`,
            `depth_multiplier`, `input_tensor` or input shape.
    """
    depth_multiplier = kwargs.pop('depth_multiplier', 1)
    imagenet_utils.check_kwargs(kwargs, 'MobileNetV2')
    imagenet_utils.validate_arguments(weights, include_top, classes, pooling)
    _check_positive('MobileNetV2', 'alpha', alpha)
    _check_positive('MobileNetV2', 'depth_multiplier', depth_multiplier, integral=True)
    with _forced_channels_last():
        return _build(input_shape, alpha, depth_multiplier, include_top, weights,
                      input_tensor, pooling, classes)


def _build(input_shape, alpha, depth_multiplier, include_top, weights, input_tensor,
           pooling, classes):
    data_format = K.image_data_format()  # always 'channels_last' here
    if input_tensor is not None:
        try:
            is_keras_tensor = K.is_keras_tensor(input_tensor)
        except ValueError:
            raise ValueError('MobileNetV2: `input_tensor` must be a tensor, got %r.'
                             % (input_tensor,)) from None
        if input_shape is not None:
            if not is_keras_tensor:
                raise ValueError('MobileNetV2: `input_tensor` specified with '
                                 '`input_shape` must be a Keras tensor, got %r.'
                                 % (input_tensor,))
            tensor_shape = K.int_shape(input_tensor)
            given = tuple(input_shape)
            if len(tensor_shape) != 4 or len(given) != 3 or \
                    _spatial(tensor_shape[1:], data_format)[1] != \
                    _spatial(given, data_format)[1]:
                raise ValueError('MobileNetV2: `input_shape` %s and `input_tensor` of '
                                 'shape %s do not meet the same shape requirements.'
                                 % (given, tensor_shape))
    default_size = _default_size(input_shape, input_tensor, data_format)
    input_shape = _obtain_input_shape(input_shape, default_size=default_size, min_size=32,
                                      data_format=data_format,
                                      require_flatten=include_top, weights=weights)
    rows, cols = _spatial(input_shape, data_format)

    if weights == 'imagenet':
        if depth_multiplier != 1:
            raise ValueError('MobileNetV2: if imagenet weights are being loaded, '
                             '`depth_multiplier` must be 1; got %r.' % (depth_multiplier,))
        if alpha not in _IMAGENET_ALPHAS:
            raise ValueError('MobileNetV2: if imagenet weights are being loaded, `alpha` '
                             'can be one of `0.35`, `0.50`, `0.75`, `1.0`, `1.3` or '
                             '`1.4` only; got %r.' % (alpha,))
        if rows != cols or rows not in _IMAGENET_ROWS:
            rows = 224
            warnings.warn('`input_shape` is undefined or non-square, or `rows` is not '
                          'in [96, 128, 160, 192, 224]. Weights for input shape '
                          '(224, 224) will be loaded as the default.')

    img_input = imagenet_utils.image_input(input_tensor, input_shape)

    first_block_filters = _make_divisible(32 * alpha, 8)
    x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(img_input, 3),
                             name='Conv1_pad')(img_input)
    x = layers.Conv2D(first_block_filters, kernel_size=3, strides=(2, 2),
                      padding='valid', use_bias=False, name='Conv1')(x)
    x = _bn('bn_Conv1')(x)
    x = layers.ReLU(6., name='Conv1_relu')(x)

    for block_id, (filters, stride, expansion) in enumerate(_BLOCKS):
        x = _inverted_res_block(x, filters=filters, alpha=alpha, stride=stride,
                                expansion=expansion, block_id=block_id)

    last_block_filters = _make_divisible(1280 * alpha, 8) if alpha > 1.0 else 1280
    x = layers.Conv2D(last_block_filters, kernel_size=1, use_bias=False,
                      name='Conv_1')(x)
    x = _bn('Conv_1_bn')(x)
    x = layers.ReLU(6., name='out_relu')(x)

    x = imagenet_utils.top_or_pooling(
        x, include_top, pooling, imagenet_utils.classifier_top(classes, 'Logits', None))
    inputs = imagenet_utils.model_inputs(input_tensor, img_input)
    model = Model(inputs, x, name='mobilenetv2_%0.2f_%s' % (alpha, rows))
    return imagenet_utils.load_imagenet_or_file_weights(
        model, weights, lambda: _imagenet_file(weights_file_name(alpha, rows, include_top)))


def _imagenet_file(fname):
    return fname, BASE_WEIGHT_PATH + fname, None
