"""Inception-ResNet v2, as defined by keras_applications 1.0.6 (Keras 2.2.4).

Default input size 299x299, inputs scaled to [-1, 1] (`preprocess_input`,
mode 'tf').

# Reference
- [Inception-v4, Inception-ResNet and the Impact of Residual Connections on
   Learning](https://arxiv.org/abs/1602.07261)
"""
from .. import backend as K
from .. import layers
from ..models import Model
from . import imagenet_utils
from .imagenet_utils import decode_predictions  # noqa: F401 (re-export)
from .imagenet_utils import _obtain_input_shape

BASE_WEIGHT_URL = ('https://github.com/fchollet/deep-learning-models/'
                   'releases/download/v0.7/')
WEIGHTS_FILE = 'inception_resnet_v2_weights_tf_dim_ordering_tf_kernels.h5'
WEIGHTS_FILE_NO_TOP = 'inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5'
WEIGHTS_HASH = 'e693bd0210a403b3192acc6073ad2e96'
WEIGHTS_HASH_NO_TOP = 'd19885ff4a710c122648d3b5c3b684e4'


def _channel_axis():
    return 1 if K.image_data_format() == 'channels_first' else 3


def conv2d_bn(x, filters, kernel_size, strides=1, padding='same',
              activation='relu', use_bias=False, name=None):
    """Conv2D, then (without bias) BatchNormalization(scale=False), then activation.

    # Arguments
        x: input tensor.
        filters: number of convolution filters.
        kernel_size: kernel size of the convolution.
        strides: strides of the convolution.
        padding: padding mode of the convolution.
        activation: activation name, or `None` for none.
        use_bias: whether the convolution has a bias; with a bias there is no
            BatchNormalization.
        name: when given, the convolution is named `name`, the normalisation
            `name + '_bn'` and the activation `name + '_ac'`.

    # Returns
        The output tensor.
    """
    out = layers.Conv2D(filters, kernel_size, strides=strides, padding=padding,
                        use_bias=use_bias, name=name)(x)
    if not use_bias:
        out = layers.BatchNormalization(
            axis=_channel_axis(), scale=False,
            name=None if name is None else name + '_bn')(out)
    if activation is not None:
        out = layers.Activation(
            activation, name=None if name is None else name + '_ac')(out)
    return out


def inception_resnet_block(x, scale, block_type, block_idx, activation='relu'):
    """An Inception-ResNet block: `x + scale * conv(concat(branches(x)))`.

    # Arguments
        x: input tensor.
        scale: scaling factor of the residual branch.
        block_type: 'block35' (Inception-ResNet-A), 'block17' (-B) or
            'block8' (-C).
        block_idx: index of the block, used in the layer names
            (`'<block_type>_<block_idx>'`, `..._mixed`, `..._conv`, `..._ac`).
        activation: activation after the addition, or `None`.

    # Returns
        The output tensor of the block.

    # Raises
        ValueError: for an unknown `block_type`.
    """
    if block_type == 'block35':
        b0 = conv2d_bn(x, 32, 1)
        b1 = conv2d_bn(x, 32, 1)
        b1 = conv2d_bn(b1, 32, 3)
        b2 = conv2d_bn(x, 32, 1)
        b2 = conv2d_bn(b2, 48, 3)
        b2 = conv2d_bn(b2, 64, 3)
        branches = [b0, b1, b2]
    elif block_type == 'block17':
        b0 = conv2d_bn(x, 192, 1)
        b1 = conv2d_bn(x, 128, 1)
        b1 = conv2d_bn(b1, 160, [1, 7])
        b1 = conv2d_bn(b1, 192, [7, 1])
        branches = [b0, b1]
    elif block_type == 'block8':
        b0 = conv2d_bn(x, 192, 1)
        b1 = conv2d_bn(x, 192, 1)
        b1 = conv2d_bn(b1, 224, [1, 3])
        b1 = conv2d_bn(b1, 256, [3, 1])
        branches = [b0, b1]
    else:
        raise ValueError('Unknown Inception-ResNet block type. Expects "block35", '
                         '"block17" or "block8", but got: %s' % (block_type,))

    block_name = '%s_%s' % (block_type, block_idx)
    channel_axis = _channel_axis()
    mixed = layers.Concatenate(axis=channel_axis, name=block_name + '_mixed')(branches)
    up = conv2d_bn(mixed, K.int_shape(x)[channel_axis], 1, activation=None,
                   use_bias=True, name=block_name + '_conv')
    # a lambda (serialised as bytecode, function_type 'lambda', like Keras 2.2.4):
    # shortcut + scale * residual branch
    x = layers.Lambda(lambda inputs, scale: inputs[0] + inputs[1] * scale,
                      output_shape=K.int_shape(x)[1:],
                      arguments={'scale': scale}, name=block_name)([x, up])
    if activation is not None:
        x = layers.Activation(activation, name=block_name + '_ac')(x)
    return x


def InceptionResNetV2(include_top=True, weights='imagenet', input_tensor=None,
                      input_shape=None, pooling=None, classes=1000, **kwargs):
    """Instantiates the Inception-ResNet v2 architecture (optionally ImageNet weights).

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
        A `Model` named 'inception_resnet_v2'.

    # Raises
        ValueError: for an invalid `weights`, `classes`, `pooling` or input shape.
    """
    imagenet_utils.check_kwargs(kwargs)
    imagenet_utils.validate_arguments(weights, include_top, classes, pooling)
    input_shape = _obtain_input_shape(input_shape, default_size=299, min_size=75,
                                      data_format=K.image_data_format(),
                                      require_flatten=False, weights=weights)
    img_input = imagenet_utils.image_input(input_tensor, input_shape)

    # stem: 35 x 35 x 192
    x = conv2d_bn(img_input, 32, 3, strides=2, padding='valid')
    x = conv2d_bn(x, 32, 3, padding='valid')
    x = conv2d_bn(x, 64, 3)
    x = layers.MaxPooling2D(3, strides=2)(x)
    x = conv2d_bn(x, 80, 1, padding='valid')
    x = conv2d_bn(x, 192, 3, padding='valid')
    x = layers.MaxPooling2D(3, strides=2)(x)

    # mixed 5b (Inception-A): 35 x 35 x 320
    b0 = conv2d_bn(x, 96, 1)
    b1 = conv2d_bn(x, 48, 1)
    b1 = conv2d_bn(b1, 64, 5)
    b2 = conv2d_bn(x, 64, 1)
    b2 = conv2d_bn(b2, 96, 3)
    b2 = conv2d_bn(b2, 96, 3)
    bp = layers.AveragePooling2D(3, strides=1, padding='same')(x)
    bp = conv2d_bn(bp, 64, 1)
    channel_axis = _channel_axis()
    x = layers.Concatenate(axis=channel_axis, name='mixed_5b')([b0, b1, b2, bp])

    # 10 x block35 (Inception-ResNet-A): 35 x 35 x 320
    for idx in range(1, 11):
        x = inception_resnet_block(x, scale=0.17, block_type='block35', block_idx=idx)

    # mixed 6a (Reduction-A): 17 x 17 x 1088
    b0 = conv2d_bn(x, 384, 3, strides=2, padding='valid')
    b1 = conv2d_bn(x, 256, 1)
    b1 = conv2d_bn(b1, 256, 3)
    b1 = conv2d_bn(b1, 384, 3, strides=2, padding='valid')
    bp = layers.MaxPooling2D(3, strides=2, padding='valid')(x)
    x = layers.Concatenate(axis=channel_axis, name='mixed_6a')([b0, b1, bp])

    # 20 x block17 (Inception-ResNet-B): 17 x 17 x 1088
    for idx in range(1, 21):
        x = inception_resnet_block(x, scale=0.1, block_type='block17', block_idx=idx)

    # mixed 7a (Reduction-B): 8 x 8 x 2080
    b0 = conv2d_bn(x, 256, 1)
    b0 = conv2d_bn(b0, 384, 3, strides=2, padding='valid')
    b1 = conv2d_bn(x, 256, 1)
    b1 = conv2d_bn(b1, 288, 3, strides=2, padding='valid')
    b2 = conv2d_bn(x, 256, 1)
    b2 = conv2d_bn(b2, 288, 3)
    b2 = conv2d_bn(b2, 320, 3, strides=2, padding='valid')
    bp = layers.MaxPooling2D(3, strides=2, padding='valid')(x)
    x = layers.Concatenate(axis=channel_axis, name='mixed_7a')([b0, b1, b2, bp])

    # 10 x block8 (Inception-ResNet-C): 8 x 8 x 2080; the last one is linear
    for idx in range(1, 10):
        x = inception_resnet_block(x, scale=0.2, block_type='block8', block_idx=idx)
    x = inception_resnet_block(x, scale=1., activation=None, block_type='block8',
                               block_idx=10)

    # final convolution: 8 x 8 x 1536
    x = conv2d_bn(x, 1536, 1, name='conv_7b')

    x = imagenet_utils.top_or_pooling(x, include_top, pooling,
                                      imagenet_utils.classifier_top(classes, 'predictions'))

    model = Model(imagenet_utils.model_inputs(input_tensor, img_input), x,
                  name='inception_resnet_v2')
    return imagenet_utils.load_top_or_notop_weights(
        model, weights, include_top,
        (WEIGHTS_FILE, BASE_WEIGHT_URL + WEIGHTS_FILE, WEIGHTS_HASH),
        (WEIGHTS_FILE_NO_TOP, BASE_WEIGHT_URL + WEIGHTS_FILE_NO_TOP, WEIGHTS_HASH_NO_TOP))


preprocess_input = imagenet_utils.mode_preprocessor(
    'tf', """Scales RGB values in [0, 255] to [-1, 1] (mode 'tf').""")
