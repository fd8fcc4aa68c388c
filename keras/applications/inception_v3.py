"""Inception V3, as defined by keras_applications 1.0.6 (Keras 2.2.4).

Default input size 299x299 (not 224x224), inputs scaled to [-1, 1]
(`preprocess_input`, mode 'tf').

# Reference
- [Rethinking the Inception Architecture for Computer Vision](
   http://arxiv.org/abs/1512.00567)
"""
from .. import backend as K
from .. import layers
from ..models import Model
from . import imagenet_utils
from .imagenet_utils import decode_predictions  # noqa: F401 (re-export)
from .imagenet_utils import _obtain_input_shape

WEIGHTS_PATH = ('https://github.com/fchollet/deep-learning-models/'
                'releases/download/v0.5/'
                'inception_v3_weights_tf_dim_ordering_tf_kernels.h5')
WEIGHTS_PATH_NO_TOP = ('https://github.com/fchollet/deep-learning-models/'
                       'releases/download/v0.5/'
                       'inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5')
WEIGHTS_FILE = 'inception_v3_weights_tf_dim_ordering_tf_kernels.h5'
WEIGHTS_FILE_NO_TOP = 'inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5'
WEIGHTS_HASH = '9a0d58056eeedaa3f26cb7ebd46da564'
WEIGHTS_HASH_NO_TOP = 'bcbd6486424b2319ff4ef7d526e38f63'


def conv2d_bn(x, filters, num_row, num_col, padding='same', strides=(1, 1),
              name=None):
    """Conv2D (no bias) -> BatchNormalization(scale=False) -> ReLU.

    # Arguments
        x: input tensor.
        filters: number of convolution filters.
        num_row, num_col: kernel height and width.
        padding: padding mode of the convolution.
        strides: strides of the convolution.
        name: when given, the layers are named `name + '_conv'`,
            `name + '_bn'` and `name` (the activation).

    # Returns
        The output tensor of the activation.
    """
    conv_name = None if name is None else name + '_conv'
    bn_name = None if name is None else name + '_bn'
    bn_axis = 1 if K.image_data_format() == 'channels_first' else 3
    out = layers.Conv2D(filters, (num_row, num_col), strides=strides,
                        padding=padding, use_bias=False, name=conv_name)(x)
    out = layers.BatchNormalization(axis=bn_axis, scale=False, name=bn_name)(out)
    return layers.Activation('relu', name=name)(out)


def _avg_pool_same(x):
    return layers.AveragePooling2D((3, 3), strides=(1, 1), padding='same')(x)


def _block_35(x, pool_filters, name, channel_axis):
    """Inception-A (mixed 0-2): 1x1 / 5x5 / double 3x3 / pool branches."""
    b1 = conv2d_bn(x, 64, 1, 1)
    b5 = conv2d_bn(x, 48, 1, 1)
    b5 = conv2d_bn(b5, 64, 5, 5)
    b3 = conv2d_bn(x, 64, 1, 1)
    b3 = conv2d_bn(b3, 96, 3, 3)
    b3 = conv2d_bn(b3, 96, 3, 3)
    bp = _avg_pool_same(x)
    bp = conv2d_bn(bp, pool_filters, 1, 1)
    return layers.concatenate([b1, b5, b3, bp], axis=channel_axis, name=name)


def _block_17(x, width, name, channel_axis):
    """Inception-B (mixed 4-7): factorised 7x7 branches of `width` filters."""
    b1 = conv2d_bn(x, 192, 1, 1)
    b7 = conv2d_bn(x, width, 1, 1)
    b7 = conv2d_bn(b7, width, 1, 7)
    b7 = conv2d_bn(b7, 192, 7, 1)
    bd = conv2d_bn(x, width, 1, 1)
    bd = conv2d_bn(bd, width, 7, 1)
    bd = conv2d_bn(bd, width, 1, 7)
    bd = conv2d_bn(bd, width, 7, 1)
    bd = conv2d_bn(bd, 192, 1, 7)
    bp = _avg_pool_same(x)
    bp = conv2d_bn(bp, 192, 1, 1)
    return layers.concatenate([b1, b7, bd, bp], axis=channel_axis, name=name)


def _block_8(x, index, channel_axis):
    """Inception-C (mixed 9, 10): expanded 1x3 / 3x1 filter banks."""
    b1 = conv2d_bn(x, 320, 1, 1)
    b3 = conv2d_bn(x, 384, 1, 1)
    b3_a = conv2d_bn(b3, 384, 1, 3)
    b3_b = conv2d_bn(b3, 384, 3, 1)
    b3 = layers.concatenate([b3_a, b3_b], axis=channel_axis,
                            name='mixed9_%d' % index)
    bd = conv2d_bn(x, 448, 1, 1)
    bd = conv2d_bn(bd, 384, 3, 3)
    bd_a = conv2d_bn(bd, 384, 1, 3)
    bd_b = conv2d_bn(bd, 384, 3, 1)
    bd = layers.concatenate([bd_a, bd_b], axis=channel_axis)
    bp = _avg_pool_same(x)
    bp = conv2d_bn(bp, 192, 1, 1)
    return layers.concatenate([b1, b3, bd, bp], axis=channel_axis,
                              name='mixed%d' % (9 + index))


def InceptionV3(include_top=True, weights='imagenet', input_tensor=None,
                input_shape=None, pooling=None, classes=1000, **kwargs):
    """Instantiates the Inception v3 architecture (optionally ImageNet weights).

    # Arguments
        include_top: whether to include the classifier (global average pooling
            and a softmax `Dense` named 'predictions').
        weights: `None` (random initialisation), 'imagenet', or the path to a
            weights file.
        input_tensor: optional Keras tensor to use as the image input.
        input_shape: optional shape tuple, e.g. `(299, 299, 3)`; height and width
            at least 75. Without it the spatial size is left free (Keras 2.2.4
            checks the input shape with `require_flatten=False`).
        pooling: with `include_top=False`: `None` (4-D output), 'avg' or 'max'.
        classes: number of classes (with `include_top=True`).

    # Returns
        A `Model` named 'inception_v3'.

    # Raises
        ValueError: for an invalid `weights`, `classes`, `pooling` or input shape.
    """
    imagenet_utils.check_kwargs(kwargs)
    imagenet_utils.validate_arguments(weights, include_top, classes, pooling)
    input_shape = _obtain_input_shape(input_shape, default_size=299, min_size=75,
                                      data_format=K.image_data_format(),
                                      require_flatten=False, weights=weights)
    img_input = imagenet_utils.image_input(input_tensor, input_shape)
    channel_axis = 1 if K.image_data_format() == 'channels_first' else 3

    # stem
    x = conv2d_bn(img_input, 32, 3, 3, strides=(2, 2), padding='valid')
    x = conv2d_bn(x, 32, 3, 3, padding='valid')
    x = conv2d_bn(x, 64, 3, 3)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = conv2d_bn(x, 80, 1, 1, padding='valid')
    x = conv2d_bn(x, 192, 3, 3, padding='valid')
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)

    # mixed 0, 1, 2: 35 x 35 x 256 / 288
    x = _block_35(x, 32, 'mixed0', channel_axis)
    x = _block_35(x, 64, 'mixed1', channel_axis)
    x = _block_35(x, 64, 'mixed2', channel_axis)

    # mixed 3 (grid reduction): 17 x 17 x 768
    b3 = conv2d_bn(x, 384, 3, 3, strides=(2, 2), padding='valid')
    bd = conv2d_bn(x, 64, 1, 1)
    bd = conv2d_bn(bd, 96, 3, 3)
    bd = conv2d_bn(bd, 96, 3, 3, strides=(2, 2), padding='valid')
    bp = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = layers.concatenate([b3, bd, bp], axis=channel_axis, name='mixed3')

    # mixed 4-7: 17 x 17 x 768
    x = _block_17(x, 128, 'mixed4', channel_axis)
    x = _block_17(x, 160, 'mixed5', channel_axis)
    x = _block_17(x, 160, 'mixed6', channel_axis)
    x = _block_17(x, 192, 'mixed7', channel_axis)

    # mixed 8 (grid reduction): 8 x 8 x 1280
    b3 = conv2d_bn(x, 192, 1, 1)
    b3 = conv2d_bn(b3, 320, 3, 3, strides=(2, 2), padding='valid')
    b7 = conv2d_bn(x, 192, 1, 1)
    b7 = conv2d_bn(b7, 192, 1, 7)
    b7 = conv2d_bn(b7, 192, 7, 1)
    b7 = conv2d_bn(b7, 192, 3, 3, strides=(2, 2), padding='valid')
    bp = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = layers.concatenate([b3, b7, bp], axis=channel_axis, name='mixed8')

    # mixed 9, 10: 8 x 8 x 2048
    x = _block_8(x, 0, channel_axis)
    x = _block_8(x, 1, channel_axis)

    x = imagenet_utils.top_or_pooling(x, include_top, pooling,
                                      imagenet_utils.classifier_top(classes, 'predictions'))

    model = Model(imagenet_utils.model_inputs(input_tensor, img_input), x,
                  name='inception_v3')
    return imagenet_utils.load_top_or_notop_weights(
        model, weights, include_top, (WEIGHTS_FILE, WEIGHTS_PATH, WEIGHTS_HASH),
        (WEIGHTS_FILE_NO_TOP, WEIGHTS_PATH_NO_TOP, WEIGHTS_HASH_NO_TOP))


preprocess_input = imagenet_utils.mode_preprocessor(
    'tf', """Scales RGB values in [0, 255] to [-1, 1] (mode 'tf').""")
