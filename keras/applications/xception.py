"""Xception V1, as defined by keras_applications 1.0.6 (Keras 2.2.4).

The model only exists in the 'channels_last' data format: with
`image_data_format() == 'channels_first'` Keras 2.2.4 warns, builds the model
in 'channels_last' (inputs must then be channels-last) and restores the
configured format afterwards. Default input size 299x299, inputs scaled to
[-1, 1] (`preprocess_input`, mode 'tf').

# Reference
- [Xception: Deep Learning with Depthwise Separable Convolutions](
   https://arxiv.org/abs/1610.02357)
"""
from .. import backend as K
from .. import layers
from ..models import Model
from . import imagenet_utils
from .imagenet_utils import decode_predictions  # noqa: F401 (re-export)
from .imagenet_utils import _obtain_input_shape

TF_WEIGHTS_PATH = ('https://github.com/fchollet/deep-learning-models/'
                   'releases/download/v0.4/'
                   'xception_weights_tf_dim_ordering_tf_kernels.h5')
TF_WEIGHTS_PATH_NO_TOP = ('https://github.com/fchollet/deep-learning-models/'
                          'releases/download/v0.4/'
                          'xception_weights_tf_dim_ordering_tf_kernels_notop.h5')
WEIGHTS_FILE = 'xception_weights_tf_dim_ordering_tf_kernels.h5'
WEIGHTS_FILE_NO_TOP = 'xception_weights_tf_dim_ordering_tf_kernels_notop.h5'
WEIGHTS_HASH = '0a58e3b7378bc2990ea3b43d5981f1f6'
WEIGHTS_HASH_NO_TOP = 'b0042744bf5b25fce3cb969f33bebb97'


def _sepconv_bn(x, filters, name, relu_first):
    """[ReLU ->] SeparableConv2D 3x3 (no bias) -> BatchNormalization."""
    if relu_first:
        x = layers.Activation('relu', name=name + '_act')(x)
    x = layers.SeparableConv2D(filters, (3, 3), padding='same', use_bias=False,
                               name=name)(x)
    return layers.BatchNormalization(name=name + '_bn')(x)


def _shortcut(x, filters):
    """Strided 1x1 projection of the residual connection (auto-named layers)."""
    r = layers.Conv2D(filters, (1, 1), strides=(2, 2), padding='same',
                      use_bias=False)(x)
    return layers.BatchNormalization()(r)


def _entry_block(x, filters, block, first_relu=True):
    """Entry/exit-flow block: two separable convs, strided max pool, projection."""
    prefix = 'block%d' % block
    residual = _shortcut(x, filters[-1])
    x = _sepconv_bn(x, filters[0], prefix + '_sepconv1', relu_first=first_relu)
    x = _sepconv_bn(x, filters[1], prefix + '_sepconv2', relu_first=True)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding='same',
                            name=prefix + '_pool')(x)
    return layers.add([x, residual])


def Xception(include_top=True, weights='imagenet', input_tensor=None,
             input_shape=None, pooling=None, classes=1000, **kwargs):
    """Instantiates the Xception architecture (optionally ImageNet weights).

    # Arguments
        include_top: whether to include the classifier (global average pooling
            and a softmax `Dense` named 'predictions').
        weights: `None` (random initialisation), 'imagenet', or the path to a
            weights file.
        input_tensor: optional Keras tensor to use as the image input.
        input_shape: optional shape tuple (channels last), e.g. `(299, 299, 3)`;
            height and width at least 71. Without it the spatial size is left
            free (Keras 2.2.4 checks the input shape with `require_flatten=False`).
        pooling: with `include_top=False`: `None` (4-D output), 'avg' or 'max'.
        classes: number of classes (with `include_top=True`).

    # Returns
        A `Model` named 'xception'.

    # Raises
        ValueError: for an invalid `weights`, `classes`, `pooling` or input shape.
    """
    imagenet_utils.check_kwargs(kwargs)
    imagenet_utils.validate_arguments(weights, include_top, classes, pooling)
    with imagenet_utils.channels_last_only('The Xception model'):
        return _build(include_top, weights, input_tensor, input_shape, pooling, classes)


def _build(include_top, weights, input_tensor, input_shape, pooling, classes):
    input_shape = _obtain_input_shape(input_shape, default_size=299, min_size=71,
                                      data_format=K.image_data_format(),
                                      require_flatten=False, weights=weights)
    img_input = imagenet_utils.image_input(input_tensor, input_shape)

    # entry flow
    x = layers.Conv2D(32, (3, 3), strides=(2, 2), use_bias=False,
                      name='block1_conv1')(img_input)
    x = layers.BatchNormalization(name='block1_conv1_bn')(x)
    x = layers.Activation('relu', name='block1_conv1_act')(x)
    x = layers.Conv2D(64, (3, 3), use_bias=False, name='block1_conv2')(x)
    x = layers.BatchNormalization(name='block1_conv2_bn')(x)
    x = layers.Activation('relu', name='block1_conv2_act')(x)

    x = _entry_block(x, (128, 128), 2, first_relu=False)
    x = _entry_block(x, (256, 256), 3)
    x = _entry_block(x, (728, 728), 4)

    # middle flow: 8 identity blocks of three separable convolutions
    for block in range(5, 13):
        residual = x
        prefix = 'block%d' % block
        for k in (1, 2, 3):
            x = _sepconv_bn(x, 728, '%s_sepconv%d' % (prefix, k), relu_first=True)
        x = layers.add([x, residual])

    # exit flow
    x = _entry_block(x, (728, 1024), 13)
    x = layers.SeparableConv2D(1536, (3, 3), padding='same', use_bias=False,
                               name='block14_sepconv1')(x)
    x = layers.BatchNormalization(name='block14_sepconv1_bn')(x)
    x = layers.Activation('relu', name='block14_sepconv1_act')(x)
    x = layers.SeparableConv2D(2048, (3, 3), padding='same', use_bias=False,
                               name='block14_sepconv2')(x)
    x = layers.BatchNormalization(name='block14_sepconv2_bn')(x)
    x = layers.Activation('relu', name='block14_sepconv2_act')(x)

    x = imagenet_utils.top_or_pooling(x, include_top, pooling,
                                      imagenet_utils.classifier_top(classes, 'predictions'))

    model = Model(imagenet_utils.model_inputs(input_tensor, img_input), x,
                  name='xception')
    return imagenet_utils.load_top_or_notop_weights(
        model, weights, include_top, (WEIGHTS_FILE, TF_WEIGHTS_PATH, WEIGHTS_HASH),
        (WEIGHTS_FILE_NO_TOP, TF_WEIGHTS_PATH_NO_TOP, WEIGHTS_HASH_NO_TOP))


preprocess_input = imagenet_utils.mode_preprocessor(
    'tf', """Scales RGB values in [0, 255] to [-1, 1] (mode 'tf').""")
