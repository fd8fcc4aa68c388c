"""ResNet50 model for Keras (keras_applications 1.0.6 / Keras 2.2.4 architecture).

# Reference

- [Deep Residual Learning for Image Recognition](https://arxiv.org/abs/1512.03385)

`identity_block` and `conv_block` are the bottleneck residual blocks of the
original Keras model (layer names `res<stage><block>_branch2a`, ...,
`bn<stage><block>_branch1`); they are public so that smaller ResNet-like
networks can be assembled from them.
"""
import warnings

from .. import backend as K
from .. import layers
from ..models import Model
from . import imagenet_utils
from .imagenet_utils import decode_predictions  # noqa: F401 (re-export)

WEIGHTS_PATH = ('https://github.com/fchollet/deep-learning-models/'
                'releases/download/v0.2/'
                'resnet50_weights_tf_dim_ordering_tf_kernels.h5')
WEIGHTS_PATH_NO_TOP = ('https://github.com/fchollet/deep-learning-models/'
                       'releases/download/v0.2/'
                       'resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5')
WEIGHTS_FILE = 'resnet50_weights_tf_dim_ordering_tf_kernels.h5'
WEIGHTS_FILE_NO_TOP = 'resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5'
WEIGHTS_HASH = 'a7b3fe01876f51b976af0dea6bc144eb'
WEIGHTS_HASH_NO_TOP = 'a268eb855778b3df3c7506639542a6af'


preprocess_input = imagenet_utils.mode_preprocessor(
    'caffe', """Preprocesses a batch of RGB images for ResNet50 (mode 'caffe': RGB->BGR
    and zero-centring with the ImageNet mean, no scaling).""", fixed=False)


def _bn_axis():
    return 3 if K.image_data_format() == 'channels_last' else 1


def _bottleneck(input_tensor, kernel_size, filters, stage, block, strides,
                projection):
    filters1, filters2, filters3 = filters
    bn_axis = _bn_axis()
    conv_name = 'res%s%s_branch' % (stage, block)
    bn_name = 'bn%s%s_branch' % (stage, block)
    first_conv_kwargs = {'strides': strides} if projection else {}

    x = layers.Conv2D(filters1, (1, 1), kernel_initializer='he_normal',
                      name=conv_name + '2a', **first_conv_kwargs)(input_tensor)
    x = layers.BatchNormalization(axis=bn_axis, name=bn_name + '2a')(x)
    x = layers.Activation('relu')(x)

    x = layers.Conv2D(filters2, kernel_size, padding='same',
                      kernel_initializer='he_normal', name=conv_name + '2b')(x)
    x = layers.BatchNormalization(axis=bn_axis, name=bn_name + '2b')(x)
    x = layers.Activation('relu')(x)

    x = layers.Conv2D(filters3, (1, 1), kernel_initializer='he_normal',
                      name=conv_name + '2c')(x)
    x = layers.BatchNormalization(axis=bn_axis, name=bn_name + '2c')(x)

    if projection:
        shortcut = layers.Conv2D(filters3, (1, 1), strides=strides,
                                 kernel_initializer='he_normal',
                                 name=conv_name + '1')(input_tensor)
        shortcut = layers.BatchNormalization(axis=bn_axis, name=bn_name + '1')(shortcut)
    else:
        shortcut = input_tensor

    x = layers.add([x, shortcut])
    return layers.Activation('relu')(x)


def identity_block(input_tensor, kernel_size, filters, stage, block):
    """The residual block whose shortcut is the identity.

    # Arguments
        input_tensor: input tensor (its channel count must equal `filters[2]`).
        kernel_size: kernel size of the middle convolution of the main path.
        filters: the three filter counts of the main path's convolutions.
        stage: integer stage label, used in the layer names.
        block: block label ('a', 'b', ...), used in the layer names.

    # Returns
        Output tensor of the block.
    """
    return _bottleneck(input_tensor, kernel_size, filters, stage, block,
                       strides=(1, 1), projection=False)


def conv_block(input_tensor, kernel_size, filters, stage, block, strides=(2, 2)):
    """The residual block whose shortcut is a strided 1x1 convolution
    (`res<stage><block>_branch1`) followed by batch normalisation.

    # Arguments
        input_tensor: input tensor.
        kernel_size: kernel size of the middle convolution of the main path.
        filters: the three filter counts of the main path's convolutions.
        stage: integer stage label, used in the layer names.
        block: block label ('a', 'b', ...), used in the layer names.
        strides: strides of the first main-path convolution and of the shortcut.

    # Returns
        Output tensor of the block.
    """
    return _bottleneck(input_tensor, kernel_size, filters, stage, block,
                       strides=strides, projection=True)


def ResNet50(include_top=True, weights='imagenet', input_tensor=None, input_shape=None,
             pooling=None, classes=1000, **kwargs):
    """Instantiates the ResNet50 architecture, optionally with ImageNet weights.

    # Arguments
        include_top: whether to include the classifier (global average pooling
            `avg_pool` and the `fc1000` softmax layer).
        weights: `None` (random initialisation), `'imagenet'` or the path of a
            weights file to load.
        input_tensor: optional Keras tensor to use as the image input.
        input_shape: optional shape tuple, only when `include_top` is False
            (otherwise `(224, 224, 3)`, or `(3, 224, 224)` with channels_first);
            3 channels, width and height at least 32.
        pooling: `None` (the 4-D output of the last block), `'avg'` or `'max'`
            (global pooling) when `include_top` is False.
        classes: number of classes, only when `include_top` is True and no
            ImageNet weights are loaded.

    # Returns
        A Keras `Model` named `'resnet50'`.

    # Raises
        ValueError: for an invalid `weights`, `classes`, `pooling` or input shape.
    """
    imagenet_utils.check_kwargs(kwargs, 'ResNet50')
    imagenet_utils.validate_arguments(weights, include_top, classes, pooling)
    input_shape = imagenet_utils._obtain_input_shape(
        input_shape, default_size=224, min_size=32,
        data_format=K.image_data_format(), require_flatten=include_top,
        weights=weights)
    img_input = imagenet_utils.image_input(input_tensor, input_shape)
    bn_axis = _bn_axis()

    x = layers.ZeroPadding2D(padding=(3, 3), name='conv1_pad')(img_input)
    x = layers.Conv2D(64, (7, 7), strides=(2, 2), padding='valid',
                      kernel_initializer='he_normal', name='conv1')(x)
    x = layers.BatchNormalization(axis=bn_axis, name='bn_conv1')(x)
    x = layers.Activation('relu')(x)
    x = layers.ZeroPadding2D(padding=(1, 1), name='pool1_pad')(x)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)

    # (stage, filters, number of identity blocks after the conv block)
    stages = ((2, (64, 64, 256), 2), (3, (128, 128, 512), 3),
              (4, (256, 256, 1024), 5), (5, (512, 512, 2048), 2))
    for stage, filters, n_identity in stages:
        x = conv_block(x, 3, list(filters), stage=stage, block='a',
                       strides=(1, 1) if stage == 2 else (2, 2))
        for i in range(n_identity):
            x = identity_block(x, 3, list(filters), stage=stage, block='bcdef'[i])

    x = imagenet_utils.top_or_pooling(x, include_top, pooling,
                                      imagenet_utils.classifier_top(classes, 'fc1000'))
    if not include_top and pooling is None:
        warnings.warn('The output shape of `ResNet50(include_top=False)` '
                      'has been changed since Keras 2.2.0.')

    inputs = imagenet_utils.model_inputs(input_tensor, img_input)
    model = Model(inputs, x, name='resnet50')
    return imagenet_utils.load_top_or_notop_weights(
        model, weights, include_top, (WEIGHTS_FILE, WEIGHTS_PATH, WEIGHTS_HASH),
        (WEIGHTS_FILE_NO_TOP, WEIGHTS_PATH_NO_TOP, WEIGHTS_HASH_NO_TOP))
