"""NASNet-A models for Keras (keras_applications 1.0.6 / Keras 2.2.4 architecture).

NASNet ("Neural Architecture Search Network") models are built from two kinds of
cells found by architecture search: *normal* cells, which keep the spatial size,
and *reduction* cells, which halve it. A model `NASNet (N @ P)` stacks
`N` normal cells between the reductions, and `P` is the number of filters of the
penultimate layer.

| model | input | params | ImageNet top-1 |
|---|---|---|---|
| NASNetMobile, NASNet-A (4 @ 1056) | 224 x 224 | 5.3 M | 74.0 % |
| NASNetLarge, NASNet-A (6 @ 4032) | 331 x 331 | 88.9 M | 82.7 % |

# Reference

- [Learning Transferable Architectures for Scalable Image Recognition](
  https://arxiv.org/abs/1707.07012) (CVPR 2018)

Notes on Keras 2.2.4 behaviour kept here:

* NASNet only exists in the `channels_last` data format. With a configured
  `channels_first` format a warning is issued, the model is built (and its
  weights loaded) with `channels_last`, and the configured format is restored.
* The input shape is checked with `require_flatten=include_top`: with
  `include_top=False` and no `input_shape` the spatial size is left free. The
  network then differs from the fixed-size one: the "adjust" blocks, which
  match the previous cell's output to the current cell, compare the widths of
  the two tensors, cannot see that a reduction happened when both are `None`,
  and use a 1x1 projection (or nothing) instead of the factorised reduction.
  That graph (Keras 2.2.4's) has 6 fewer weighted layers, so it cannot load the
  official weights, and it fails on real inputs because it adds tensors of
  different spatial sizes (keras-team/keras#10109, fixed in keras_applications
  1.0.7 by always fixing the default size). It is reproduced with a warning;
  pass a static `input_shape` (e.g. `(224, 224, 3)`) to get a usable model.
"""
import os
import warnings

from .. import backend as K
from .. import layers
from ..models import Model
from . import imagenet_utils
from ..utils.generic_utils import check_int
from .imagenet_utils import decode_predictions  # noqa: F401 (re-export)

BASE_WEIGHTS_PATH = ('https://github.com/titu1994/Keras-NASNet/'
                     'releases/download/v1.2/')
NASNET_MOBILE_WEIGHT_PATH = BASE_WEIGHTS_PATH + 'NASNet-mobile.h5'
NASNET_MOBILE_WEIGHT_PATH_NO_TOP = BASE_WEIGHTS_PATH + 'NASNet-mobile-no-top.h5'
NASNET_LARGE_WEIGHT_PATH = BASE_WEIGHTS_PATH + 'NASNet-large.h5'
NASNET_LARGE_WEIGHT_PATH_NO_TOP = BASE_WEIGHTS_PATH + 'NASNet-large-no-top.h5'

# (default_size, include_top) -> (file name in the Keras cache, URL, md5)
_IMAGENET_WEIGHTS = {
    (224, True): ('nasnet_mobile.h5', NASNET_MOBILE_WEIGHT_PATH,
                  '020fb642bf7360b370c678b08e0adf61'),
    (224, False): ('nasnet_mobile_no_top.h5', NASNET_MOBILE_WEIGHT_PATH_NO_TOP,
                   '1ed92395b5b598bdda52abe5c0dbfd63'),
    (331, True): ('nasnet_large.h5', NASNET_LARGE_WEIGHT_PATH,
                  '11577c9a518f0070763c2b964a382f17'),
    (331, False): ('nasnet_large_no_top.h5', NASNET_LARGE_WEIGHT_PATH_NO_TOP,
                   'd81d89dc07e6e56530c4e77faddd61b5'),
}

_BN_MOMENTUM = 0.9997
_BN_EPSILON = 1e-3
_CHANNEL_AXIS = -1  # NASNet is always built channels_last


preprocess_input = imagenet_utils.mode_preprocessor(
    'tf', """Preprocesses a batch of RGB images for NASNet (mode 'tf': scales pixel
    values from [0, 255] to [-1, 1]).""", fixed=False)


# ---------------------------------------------------------------------------
# building blocks
# ---------------------------------------------------------------------------
def _batch_norm(name):
    return layers.BatchNormalization(axis=_CHANNEL_AXIS, momentum=_BN_MOMENTUM,
                                     epsilon=_BN_EPSILON, name=name)


def _conv1x1(filters, name, strides=(1, 1)):
    return layers.Conv2D(filters, (1, 1), strides=strides, padding='same',
                         use_bias=False, kernel_initializer='he_normal', name=name)


def _separable_conv_block(ip, filters, kernel_size=(3, 3), strides=(1, 1),
                          block_id=None):
    """Two [ReLU -> SeparableConv2D -> BatchNormalization] stages; the first one
    carries the stride (with explicit 'same'-style padding when it is 2)."""
    x = layers.Activation('relu')(ip)
    if tuple(strides) == (2, 2):
        x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, kernel_size),
                                 name='separable_conv_1_pad_%s' % block_id)(x)
        first_padding = 'valid'
    else:
        first_padding = 'same'
    x = layers.SeparableConv2D(filters, kernel_size, strides=strides,
                               padding=first_padding, use_bias=False,
                               kernel_initializer='he_normal',
                               name='separable_conv_1_%s' % block_id)(x)
    x = _batch_norm('separable_conv_1_bn_%s' % block_id)(x)
    x = layers.Activation('relu')(x)
    x = layers.SeparableConv2D(filters, kernel_size, padding='same', use_bias=False,
                               kernel_initializer='he_normal',
                               name='separable_conv_2_%s' % block_id)(x)
    x = _batch_norm('separable_conv_2_bn_%s' % block_id)(x)
    return x


def _adjust_block(p, ip, filters, block_id=None):
    """Matches the previous cell's output `p` to the current input `ip`.

    When their widths differ (the previous cell was before a reduction), `p` is
    halved by a factorised reduction: two strided 1x1 average poolings (the second
    on `p` shifted by one pixel), each followed by a 1x1 convolution with
    `filters // 2` filters, concatenated and batch-normalised. Otherwise, when the
    channel count differs from `filters`, a ReLU-1x1 conv-BN projection is used.
    Keras 2.2.4 compares the width (axis -2) only, with `None` for a free size.
    """
    if p is None:
        return ip
    p_shape = K.int_shape(p)
    ip_shape = K.int_shape(ip)
    if p_shape[-2] != ip_shape[-2]:
        p = layers.Activation('relu', name='adjust_relu_1_%s' % block_id)(p)
        p1 = layers.AveragePooling2D((1, 1), strides=(2, 2), padding='valid',
                                     name='adjust_avg_pool_1_%s' % block_id)(p)
        p1 = _conv1x1(filters // 2, 'adjust_conv_1_%s' % block_id)(p1)

        p2 = layers.ZeroPadding2D(padding=((0, 1), (0, 1)))(p)
        p2 = layers.Cropping2D(cropping=((1, 0), (1, 0)))(p2)
        p2 = layers.AveragePooling2D((1, 1), strides=(2, 2), padding='valid',
                                     name='adjust_avg_pool_2_%s' % block_id)(p2)
        p2 = _conv1x1(filters // 2, 'adjust_conv_2_%s' % block_id)(p2)

        p = layers.concatenate([p1, p2], axis=_CHANNEL_AXIS)
        p = _batch_norm('adjust_bn_%s' % block_id)(p)
    elif p_shape[_CHANNEL_AXIS] != filters:
        p = layers.Activation('relu')(p)
        p = _conv1x1(filters, 'adjust_conv_projection_%s' % block_id)(p)
        p = _batch_norm('adjust_bn_%s' % block_id)(p)
    return p


def _normal_a_cell(ip, p, filters, block_id=None):
    """NASNet-A normal cell (Fig. 4 of the paper). Returns `(output, ip)`."""
    p = _adjust_block(p, ip, filters, block_id)

    h = layers.Activation('relu')(ip)
    h = _conv1x1(filters, 'normal_conv_1_%s' % block_id)(h)
    h = _batch_norm('normal_bn_1_%s' % block_id)(h)

    x1_1 = _separable_conv_block(h, filters, kernel_size=(5, 5),
                                 block_id='normal_left1_%s' % block_id)
    x1_2 = _separable_conv_block(p, filters, block_id='normal_right1_%s' % block_id)
    x1 = layers.add([x1_1, x1_2], name='normal_add_1_%s' % block_id)

    x2_1 = _separable_conv_block(p, filters, (5, 5),
                                 block_id='normal_left2_%s' % block_id)
    x2_2 = _separable_conv_block(p, filters, (3, 3),
                                 block_id='normal_right2_%s' % block_id)
    x2 = layers.add([x2_1, x2_2], name='normal_add_2_%s' % block_id)

    x3 = layers.AveragePooling2D((3, 3), strides=(1, 1), padding='same',
                                 name='normal_left3_%s' % block_id)(h)
    x3 = layers.add([x3, p], name='normal_add_3_%s' % block_id)

    x4_1 = layers.AveragePooling2D((3, 3), strides=(1, 1), padding='same',
                                   name='normal_left4_%s' % block_id)(p)
    x4_2 = layers.AveragePooling2D((3, 3), strides=(1, 1), padding='same',
                                   name='normal_right4_%s' % block_id)(p)
    x4 = layers.add([x4_1, x4_2], name='normal_add_4_%s' % block_id)

    x5 = _separable_conv_block(h, filters, block_id='normal_left5_%s' % block_id)
    x5 = layers.add([x5, h], name='normal_add_5_%s' % block_id)

    x = layers.concatenate([p, x1, x2, x3, x4, x5], axis=_CHANNEL_AXIS,
                           name='normal_concat_%s' % block_id)
    return x, ip


def _reduction_a_cell(ip, p, filters, block_id=None):
    """NASNet-A reduction cell (Fig. 4 of the paper). Returns `(output, ip)`."""
    p = _adjust_block(p, ip, filters, block_id)

    h = layers.Activation('relu')(ip)
    h = _conv1x1(filters, 'reduction_conv_1_%s' % block_id)(h)
    h = _batch_norm('reduction_bn_1_%s' % block_id)(h)
    h3 = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(h, (3, 3)),
                              name='reduction_pad_1_%s' % block_id)(h)

    x1_1 = _separable_conv_block(h, filters, (5, 5), strides=(2, 2),
                                 block_id='reduction_left1_%s' % block_id)
    x1_2 = _separable_conv_block(p, filters, (7, 7), strides=(2, 2),
                                 block_id='reduction_right1_%s' % block_id)
    x1 = layers.add([x1_1, x1_2], name='reduction_add_1_%s' % block_id)

    x2_1 = layers.MaxPooling2D((3, 3), strides=(2, 2), padding='valid',
                               name='reduction_left2_%s' % block_id)(h3)
    x2_2 = _separable_conv_block(p, filters, (7, 7), strides=(2, 2),
                                 block_id='reduction_right2_%s' % block_id)
    x2 = layers.add([x2_1, x2_2], name='reduction_add_2_%s' % block_id)

    x3_1 = layers.AveragePooling2D((3, 3), strides=(2, 2), padding='valid',
                                   name='reduction_left3_%s' % block_id)(h3)
    x3_2 = _separable_conv_block(p, filters, (5, 5), strides=(2, 2),
                                 block_id='reduction_right3_%s' % block_id)
    x3 = layers.add([x3_1, x3_2], name='reduction_add3_%s' % block_id)

    x4 = layers.AveragePooling2D((3, 3), strides=(1, 1), padding='same',
                                 name='reduction_left4_%s' % block_id)(x1)
    x4 = layers.add([x2, x4])

    x5_1 = _separable_conv_block(x1, filters, (3, 3),
                                 block_id='reduction_left4_%s' % block_id)
    x5_2 = layers.MaxPooling2D((3, 3), strides=(2, 2), padding='valid',
                               name='reduction_right5_%s' % block_id)(h3)
    x5 = layers.add([x5_1, x5_2], name='reduction_add4_%s' % block_id)

    x = layers.concatenate([x2, x3, x4, x5], axis=_CHANNEL_AXIS,
                           name='reduction_concat_%s' % block_id)
    return x, ip


# ---------------------------------------------------------------------------
# models
# ---------------------------------------------------------------------------
def _imagenet_file(default_size, include_top):
    """(file name, URL, md5) of the official weights (see `_weights_file_name`)."""
    fname, origin, file_hash = _IMAGENET_WEIGHTS[(default_size, bool(include_top))]
    return _weights_file_name(fname, origin), origin, file_hash


def _weights_file_name(fname, origin):
    """The Keras 2.2.4 cache name, or the URL's file name when only that one is
    present in the cache (a file downloaded by hand)."""
    models_dir = imagenet_utils.models_dir()
    url_name = origin.rsplit('/', 1)[-1]
    if (not os.path.isfile(os.path.join(models_dir, fname)) and
            os.path.isfile(os.path.join(models_dir, url_name))):
        return url_name
    return fname


def NASNet(input_shape=None, penultimate_filters=4032, num_blocks=6,
           stem_block_filters=96, skip_reduction=True, filter_multiplier=2,
           include_top=True, weights=None, input_tensor=None, pooling=None,
           classes=1000, default_size=None, **kwargs):
    """Instantiates a NASNet-A model (`NASNet (num_blocks @ penultimate_filters)`).

    The model is always built for `channels_last` inputs (see the module notes).

    # Arguments
        input_shape: optional shape tuple `(height, width, 3)`; by default
            `(default_size, default_size, 3)` when `include_top` is True, and a
            free spatial size `(None, None, 3)` otherwise. Height and width must
            be at least 32.
        penultimate_filters: number of filters of the penultimate layer (a
            multiple of 24).
        num_blocks: number of normal cells repeated between the reductions.
        stem_block_filters: filters of the initial 3x3 stem convolution.
        skip_reduction: which "previous" tensor the first normal cell after a
            reduction cell receives: with False, the reduction cell's input (the
            output of the cell just before it); with True (NASNetLarge), the
            output of the cell before that one, skipping the reduction's input.
        filter_multiplier: factor by which the filters grow at each reduction.
        include_top: whether to add the global pooling + softmax classifier.
        weights: `None` (random initialisation), `'imagenet'` (only for the
            NASNetMobile and NASNetLarge configurations, `default_size` 224 or
            331) or the path of a weights file.
        input_tensor: optional Keras tensor to use as the image input.
        pooling: with `include_top=False`: `None` (4D output), `'avg'` or
            `'max'` (global pooling, 2D output).
        classes: number of classes of the classifier (1000 for ImageNet
            weights).
        default_size: the default square input size (331 when None).

    # Returns
        A Keras `Model` named 'NASNet'.

    # Raises
        ValueError: for invalid `weights`, `classes`, `pooling`, input shape,
            `penultimate_filters` (not divisible by 24) or the other sizes.
    """
    imagenet_utils.check_kwargs(kwargs, 'NASNet')
    imagenet_utils.validate_arguments(weights, include_top, classes, pooling)
    if default_size is None:
        default_size = 331
    check_int('default_size', default_size, 32, owner='NASNet')
    check_int('num_blocks', num_blocks, 0, owner='NASNet')
    check_int('stem_block_filters', stem_block_filters, 1, owner='NASNet')
    check_int('filter_multiplier', filter_multiplier, 1, owner='NASNet')
    check_int('penultimate_filters', penultimate_filters, 1, owner='NASNet')
    if penultimate_filters % 24 != 0:
        raise ValueError('For NASNet-A models, the value of `penultimate_filters` '
                         'needs to be divisible by 24. Current value: %d'
                         % penultimate_filters)
    if weights == 'imagenet':
        if default_size not in (224, 331):
            raise ValueError('ImageNet weights can only be loaded with NASNetLarge '
                             '(default_size=331) or NASNetMobile (default_size=224); '
                             'got `default_size=%r`.' % (default_size,))
        if input_shape is not None and None in tuple(input_shape):
            raise ValueError('When specifying the input shape of a NASNet and '
                             'loading `ImageNet` weights, the input_shape argument '
                             'must be static (no None entries). Got: '
                             '`input_shape=%s`.' % (tuple(input_shape),))

    input_shape = imagenet_utils._obtain_input_shape(
        input_shape, default_size=default_size, min_size=32,
        data_format='channels_last', require_flatten=include_top, weights=weights)
    if weights == 'imagenet' and None in input_shape[:2]:
        # Keras 2.2.4 would build the free-size graph here and then fail to load
        # the official file (it has 6 more weighted layers); fail early instead.
        raise ValueError('Loading the `imagenet` weights of NASNet with '
                         '`include_top=False` needs a static `input_shape`, e.g. '
                         '`input_shape=(%d, %d, 3)`: with a free spatial size the '
                         'network has a different structure.'
                         % (default_size, default_size))

    with imagenet_utils.channels_last_only('The NASNet family of models'):
        model = _build(input_shape, penultimate_filters, num_blocks,
                       stem_block_filters, skip_reduction, filter_multiplier,
                       include_top, input_tensor, pooling, classes)
        return imagenet_utils.load_imagenet_or_file_weights(
            model, weights, lambda: _imagenet_file(default_size, include_top))


def _build(input_shape, penultimate_filters, num_blocks, stem_block_filters,
           skip_reduction, filter_multiplier, include_top, input_tensor, pooling,
           classes):
    img_input = imagenet_utils.image_input(input_tensor, input_shape)
    if None in K.int_shape(img_input)[1:3]:
        warnings.warn('NASNet was given a free spatial input size (Keras 2.2.4 builds '
                      'this graph when `include_top=False` and no `input_shape` is '
                      'given). Its adjust blocks cannot detect the spatial reductions, '
                      'so the model does not match the official weights and fails on '
                      'real inputs (the branches added together have different '
                      'sizes). Pass a static `input_shape`, e.g. (224, 224, 3).')
    filters = penultimate_filters // 24

    x = layers.Conv2D(stem_block_filters, (3, 3), strides=(2, 2), padding='valid',
                      use_bias=False, kernel_initializer='he_normal',
                      name='stem_conv1')(img_input)
    x = _batch_norm('stem_bn1')(x)

    p = None
    x, p = _reduction_a_cell(x, p, filters // (filter_multiplier ** 2),
                             block_id='stem_1')
    x, p = _reduction_a_cell(x, p, filters // filter_multiplier, block_id='stem_2')

    for i in range(num_blocks):
        x, p = _normal_a_cell(x, p, filters, block_id='%d' % i)

    x, p0 = _reduction_a_cell(x, p, filters * filter_multiplier,
                              block_id='reduce_%d' % num_blocks)
    if not skip_reduction:
        p = p0

    for i in range(num_blocks):
        x, p = _normal_a_cell(x, p, filters * filter_multiplier,
                              block_id='%d' % (num_blocks + i + 1))

    x, p0 = _reduction_a_cell(x, p, filters * filter_multiplier ** 2,
                              block_id='reduce_%d' % (2 * num_blocks))
    if not skip_reduction:
        p = p0

    for i in range(num_blocks):
        x, p = _normal_a_cell(x, p, filters * filter_multiplier ** 2,
                              block_id='%d' % (2 * num_blocks + i + 1))

    x = layers.Activation('relu')(x)

    top = imagenet_utils.classifier_top(classes, 'predictions', pool_name=None)
    x = imagenet_utils.top_or_pooling(x, include_top, pooling, top)
    inputs = imagenet_utils.model_inputs(input_tensor, img_input)
    return Model(inputs, x, name='NASNet')


def NASNetLarge(input_shape=None, include_top=True, weights='imagenet',
                input_tensor=None, pooling=None, classes=1000, **kwargs):
    """Instantiates NASNet-A (6 @ 4032), the large ImageNet model (331 x 331
    inputs, 88.9 M parameters).

    # Arguments
        input_shape: optional `(height, width, 3)`, only to be given with
            `include_top=False` (otherwise it must be `(331, 331, 3)`); height and
            width at least 32. Without it and with `include_top=False`, the
            spatial size is free (Keras 2.2.4 behaviour; see the module notes).
        include_top: whether to add the classifier.
        weights: `None`, `'imagenet'` or the path of a weights file.
        input_tensor: optional Keras tensor to use as the image input.
        pooling: `None`, `'avg'` or `'max'` (with `include_top=False`).
        classes: number of classes (1000 for ImageNet weights).

    # Returns
        A Keras `Model` named 'NASNet' (channels_last inputs).
    """
    return NASNet(input_shape, penultimate_filters=4032, num_blocks=6,
                  stem_block_filters=96, skip_reduction=True, filter_multiplier=2,
                  include_top=include_top, weights=weights, input_tensor=input_tensor,
                  pooling=pooling, classes=classes, default_size=331, **kwargs)


def NASNetMobile(input_shape=None, include_top=True, weights='imagenet',
                 input_tensor=None, pooling=None, classes=1000, **kwargs):
    """Instantiates NASNet-A (4 @ 1056), the mobile ImageNet model (224 x 224
    inputs, 5.3 M parameters).

    # Arguments
        input_shape: optional `(height, width, 3)`, only to be given with
            `include_top=False` (otherwise it must be `(224, 224, 3)`); height and
            width at least 32. Without it and with `include_top=False`, the
            spatial size is free (Keras 2.2.4 behaviour; see the module notes).
        include_top: whether to add the classifier.
        weights: `None`, `'imagenet'` or the path of a weights file.
        input_tensor: optional Keras tensor to use as the image input.
        pooling: `None`, `'avg'` or `'max'` (with `include_top=False`).
        classes: number of classes (1000 for ImageNet weights).

    # Returns
        A Keras `Model` named 'NASNet' (channels_last inputs).
    """
    return NASNet(input_shape, penultimate_filters=1056, num_blocks=4,
                  stem_block_filters=32, skip_reduction=False, filter_multiplier=2,
                  include_top=include_top, weights=weights, input_tensor=input_tensor,
                  pooling=pooling, classes=classes, default_size=224, **kwargs)
