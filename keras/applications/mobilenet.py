"""MobileNet v1 (Howard et al., 2017), as in Keras 2.2.4 (keras_applications 1.0.6).

`MobileNet(input_shape=None, alpha=1.0, depth_multiplier=1, dropout=1e-3,
include_top=True, weights='imagenet', input_tensor=None, pooling=None,
classes=1000)` builds the network; `preprocess_input` scales pixels to [-1, 1]
(mode 'tf'); `decode_predictions` is the ImageNet decoder.

Keras 2.2.4 specifics kept here:
* with `include_top=True` the classifier is `GlobalAveragePooling2D ->
  Reshape((1, 1, C), name='reshape_1') -> Dropout -> Conv2D(classes, 1x1,
  name='conv_preds') -> Activation('softmax', name='act_softmax') ->
  Reshape((classes,), name='reshape_2')` (softmax before the final reshape);
* the network is always built `channels_last` (with a warning when the
  configured format is `channels_first`, which is restored afterwards);
  unlike Keras 2.2.4, `input_shape` is then also read as channels-last (2.2.4
  resolved it in the configured format, which gave an unusable graph);
* ImageNet weights exist for `alpha` in {0.25, 0.50, 0.75, 1.0}, square inputs
  of 128, 160, 192 or 224 pixels and `depth_multiplier=1`; the official files
  are `mobilenet_<a>_<rows>_tf.h5` / `mobilenet_<a>_<rows>_tf_no_top.h5` with
  `<a>` one of `2_5`, `5_0`, `7_5`, `1_0`.
"""
import numbers
import warnings

from .. import backend as K
from .. import layers
from ..models import Model
from . import imagenet_utils
from .imagenet_utils import decode_predictions  # noqa: F401
from .imagenet_utils import _obtain_input_shape

BASE_WEIGHT_PATH = ('https://github.com/fchollet/deep-learning-models/'
                    'releases/download/v0.6/')

_IMAGENET_ALPHAS = (0.25, 0.50, 0.75, 1.0)
_IMAGENET_ROWS = (128, 160, 192, 224)
_ALPHA_TEXT = {0.25: '2_5', 0.50: '5_0', 0.75: '7_5', 1.0: '1_0'}


def _forced_channels_last():
    """Build under 'channels_last' (Keras 2.2.4's MobileNets), restoring the format."""
    return imagenet_utils.channels_last_only('The MobileNet family of models',
                                             'inputs (and `input_shape`)')


preprocess_input = imagenet_utils.mode_preprocessor(
    'tf', """Scale RGB pixel values from [0, 255] to [-1, 1] (`x / 127.5 - 1`).""")


def weights_file_name(alpha, rows, include_top):
    """Canonical file name of the official ImageNet weights."""
    alpha_text = _ALPHA_TEXT[float(alpha)]
    if include_top:
        return 'mobilenet_%s_%d_tf.h5' % (alpha_text, rows)
    return 'mobilenet_%s_%d_tf_no_top.h5' % (alpha_text, rows)


def _check_positive(model, name, value, integral=False):
    """`value` must be a positive number (with `integral`, a positive integer)."""
    kind = numbers.Integral if integral else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind) or value <= 0:
        raise ValueError('%s: `%s` must be a positive %s, got %r.'
                         % (model, name, 'integer' if integral else 'number', value))


def _spatial(shape, data_format):
    """(rows, cols) of a 3-entry shape without the batch dimension."""
    if data_format == 'channels_first':
        return shape[1], shape[2]
    return shape[0], shape[1]


def _conv_block(inputs, filters, alpha, kernel=(3, 3), strides=(1, 1)):
    """Stem: asymmetric zero padding, strided 3x3 conv, BN, ReLU6."""
    channel_axis = 1 if K.image_data_format() == 'channels_first' else -1
    filters = int(filters * alpha)
    x = layers.ZeroPadding2D(padding=((0, 1), (0, 1)), name='conv1_pad')(inputs)
    x = layers.Conv2D(filters, kernel, padding='valid', use_bias=False,
                      strides=strides, name='conv1')(x)
    x = layers.BatchNormalization(axis=channel_axis, name='conv1_bn')(x)
    return layers.ReLU(6., name='conv1_relu')(x)


def _depthwise_conv_block(inputs, pointwise_conv_filters, alpha, depth_multiplier=1,
                          strides=(1, 1), block_id=1):
    """Depthwise 3x3 conv + BN + ReLU6, then pointwise 1x1 conv + BN + ReLU6."""
    channel_axis = 1 if K.image_data_format() == 'channels_first' else -1
    pointwise_conv_filters = int(pointwise_conv_filters * alpha)
    stride_one = tuple(strides) == (1, 1)
    x = inputs
    if not stride_one:
        x = layers.ZeroPadding2D(((0, 1), (0, 1)), name='conv_pad_%d' % block_id)(x)
    x = layers.DepthwiseConv2D((3, 3), padding='same' if stride_one else 'valid',
                               depth_multiplier=depth_multiplier, strides=strides,
                               use_bias=False, name='conv_dw_%d' % block_id)(x)
    x = layers.BatchNormalization(axis=channel_axis, name='conv_dw_%d_bn' % block_id)(x)
    x = layers.ReLU(6., name='conv_dw_%d_relu' % block_id)(x)
    x = layers.Conv2D(pointwise_conv_filters, (1, 1), padding='same', use_bias=False,
                      strides=(1, 1), name='conv_pw_%d' % block_id)(x)
    x = layers.BatchNormalization(axis=channel_axis, name='conv_pw_%d_bn' % block_id)(x)
    return layers.ReLU(6., name='conv_pw_%d_relu' % block_id)(x)


# (pointwise filters, strides) of blocks 1..13
_BLOCKS = ((64, (1, 1)),
           (128, (2, 2)), (128, (1, 1)),
           (256, (2, 2)), (256, (1, 1)),
           (512, (2, 2)), (512, (1, 1)), (512, (1, 1)), (512, (1, 1)), (512, (1, 1)),
           (512, (1, 1)),
           (1024, (2, 2)), (1024, (1, 1)))


def MobileNet(input_shape=None, alpha=1.0, depth_multiplier=1, dropout=1e-3,
              include_top=True, weights='imagenet', input_tensor=None, pooling=None,
              classes=1000, **kwargs):
    """Instantiate the MobileNet architecture (Keras 2.2.4 definition).

    # Arguments
        input_shape: optional shape tuple (e.g. `(224, 224, 3)`); at least 32x32,
            3 channels with ImageNet weights; must be the default with
            `include_top=True` and ImageNet weights (except that 128, 160, 192
            and 224 square inputs select the matching weights).
        alpha: width multiplier (filters per layer scaled by `alpha`); with
            ImageNet weights one of 0.25, 0.50, 0.75, 1.0.
        depth_multiplier: depth multiplier of the depthwise convolutions (1 with
            ImageNet weights).
        dropout: dropout rate before the classifier.
        include_top: whether to include the classifier.
        weights: `None`, 'imagenet' or the path of a weights file.
        input_tensor: optional Keras tensor to use as the image input.
        pooling: `None`, 'avg' or 'max' (with `include_top=False`).
        classes: number of classes (1000 with ImageNet weights and a top).

    # Returns
        A `Model` named `mobilenet_<alpha:.2f>_<rows>`.

    # Raises
        ValueError: invalid `weights`, `classes`, `pooling`, `alpha`,
            `depth_multiplier` or input shape.
    """
    imagenet_utils.check_kwargs(kwargs, 'MobileNet')
    imagenet_utils.validate_arguments(weights, include_top, classes, pooling)
    _check_positive('MobileNet', 'alpha', alpha)
    _check_positive('MobileNet', 'depth_multiplier', depth_multiplier, integral=True)
    if (isinstance(dropout, bool) or not isinstance(dropout, numbers.Real) or
            not 0 <= dropout <= 1):
        raise ValueError('MobileNet: `dropout` must be a rate in [0, 1], got %r.'
                         % (dropout,))
    with _forced_channels_last():
        return _build(input_shape, alpha, depth_multiplier, dropout, include_top, weights,
                      input_tensor, pooling, classes)


def _build(input_shape, alpha, depth_multiplier, dropout, include_top, weights,
           input_tensor, pooling, classes):
    data_format = K.image_data_format()  # always 'channels_last' here
    # default size: a square 128/160/192/224 input keeps its size, else 224
    default_size = 224
    if input_shape is not None:
        try:
            shape = tuple(input_shape)
        except TypeError:
            raise ValueError('MobileNet: `input_shape` must be a tuple of three '
                             'integers, got %r.' % (input_shape,)) from None
        if len(shape) == 3:
            rows, cols = _spatial(shape, data_format)
            if rows == cols and rows in _IMAGENET_ROWS:
                default_size = rows
    input_shape = _obtain_input_shape(input_shape, default_size=default_size, min_size=32,
                                      data_format=data_format,
                                      require_flatten=include_top, weights=weights)
    rows, cols = _spatial(input_shape, data_format)

    if weights == 'imagenet':
        if depth_multiplier != 1:
            raise ValueError('MobileNet: if imagenet weights are being loaded, '
                             '`depth_multiplier` must be 1; got %r.' % (depth_multiplier,))
        if alpha not in _IMAGENET_ALPHAS:
            raise ValueError('MobileNet: if imagenet weights are being loaded, `alpha` '
                             'can be one of `0.25`, `0.50`, `0.75` or `1.0` only; '
                             'got %r.' % (alpha,))
        if rows != cols or rows not in _IMAGENET_ROWS:
            if rows is None:
                rows = 224
                warnings.warn('MobileNet shape is undefined. Weights for input shape '
                              '(224, 224) will be loaded.')
            else:
                raise ValueError('MobileNet: if imagenet weights are being loaded, the '
                                 'input (`rows`) must have a static square shape (one '
                                 'of (128, 128), (160, 160), (192, 192), or (224, 224)). '
                                 'Input shape provided = %s' % (input_shape,))

    img_input = imagenet_utils.image_input(input_tensor, input_shape)

    x = _conv_block(img_input, 32, alpha, strides=(2, 2))
    for block_id, (filters, strides) in enumerate(_BLOCKS, start=1):
        x = _depthwise_conv_block(x, filters, alpha, depth_multiplier,
                                  strides=strides, block_id=block_id)

    def top(x):
        x = layers.GlobalAveragePooling2D()(x)
        x = layers.Reshape((1, 1, int(1024 * alpha)), name='reshape_1')(x)
        x = layers.Dropout(dropout, name='dropout')(x)
        x = layers.Conv2D(classes, (1, 1), padding='same', name='conv_preds')(x)
        x = layers.Activation('softmax', name='act_softmax')(x)
        return layers.Reshape((classes,), name='reshape_2')(x)

    x = imagenet_utils.top_or_pooling(x, include_top, pooling, top)
    inputs = imagenet_utils.model_inputs(input_tensor, img_input)
    model = Model(inputs, x, name='mobilenet_%0.2f_%s' % (alpha, rows))
    return imagenet_utils.load_imagenet_or_file_weights(
        model, weights, lambda: _imagenet_file(weights_file_name(alpha, rows, include_top)))


def _imagenet_file(fname):
    return fname, BASE_WEIGHT_PATH + fname, None
