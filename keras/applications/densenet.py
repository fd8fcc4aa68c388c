"""DenseNet-121, DenseNet-169 and DenseNet-201 (Keras 2.2 / keras_applications 1.0.6).

# Reference paper

- [Densely Connected Convolutional Networks](https://arxiv.org/abs/1608.06993)
  (CVPR 2017)

The layer names, layer order and configurations are those of keras_applications
1.0.6, so the official weight files
(`densenet<depth>_weights_tf_dim_ordering_tf_kernels[_notop].h5`) load both by
topological order and by name. Inputs are preprocessed in `torch` mode.
"""
from .. import backend as K
from .. import layers
from ..models import Model
from . import imagenet_utils
from .imagenet_utils import decode_predictions  # noqa: F401  (re-export)
from .imagenet_utils import _obtain_input_shape

BASE_WEIGTHS_PATH = ('https://github.com/keras-team/keras-applications/'
                     'releases/download/densenet/')
DENSENET121_WEIGHT_PATH = (BASE_WEIGTHS_PATH +
                           'densenet121_weights_tf_dim_ordering_tf_kernels.h5')
DENSENET121_WEIGHT_PATH_NO_TOP = (BASE_WEIGTHS_PATH +
                                  'densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5')
DENSENET169_WEIGHT_PATH = (BASE_WEIGTHS_PATH +
                           'densenet169_weights_tf_dim_ordering_tf_kernels.h5')
DENSENET169_WEIGHT_PATH_NO_TOP = (BASE_WEIGTHS_PATH +
                                  'densenet169_weights_tf_dim_ordering_tf_kernels_notop.h5')
DENSENET201_WEIGHT_PATH = (BASE_WEIGTHS_PATH +
                           'densenet201_weights_tf_dim_ordering_tf_kernels.h5')
DENSENET201_WEIGHT_PATH_NO_TOP = (BASE_WEIGTHS_PATH +
                                  'densenet201_weights_tf_dim_ordering_tf_kernels_notop.h5')

# blocks per dense stage -> (model name, {include_top: (url, md5)})
_VARIANTS = {
    (6, 12, 24, 16): ('densenet121', {
        True: (DENSENET121_WEIGHT_PATH, '9d60b8095a5708f2dcce2bca79d332c7'),
        False: (DENSENET121_WEIGHT_PATH_NO_TOP, '30ee3e1110167f948a6b9946edeeb738'),
    }),
    (6, 12, 32, 32): ('densenet169', {
        True: (DENSENET169_WEIGHT_PATH, 'd699b8f76981ab1b30698df4c175e90b'),
        False: (DENSENET169_WEIGHT_PATH_NO_TOP, 'b8c4d4c20dd625c148057b9ff1c1176b'),
    }),
    (6, 12, 48, 32): ('densenet201', {
        True: (DENSENET201_WEIGHT_PATH, '1ceb130c1ea1b78c3bf6114dbdfd8807'),
        False: (DENSENET201_WEIGHT_PATH_NO_TOP, 'c13680b51ded0fb44dff2d8f86ac8bb1'),
    }),
}

_BN_EPSILON = 1.001e-5
_GROWTH_RATE = 32


def _bn_axis():
    return 3 if K.image_data_format() == 'channels_last' else 1


def _bn_relu(x, prefix):
    """BatchNormalization `<prefix>_bn` followed by the ReLU `<prefix>_relu`."""
    x = layers.BatchNormalization(axis=_bn_axis(), epsilon=_BN_EPSILON,
                                  name=prefix + '_bn')(x)
    return layers.Activation('relu', name=prefix + '_relu')(x)


def dense_block(x, blocks, name):
    """A dense block: `blocks` conv blocks `<name>_block1`, `<name>_block2`, ...

    # Arguments
        x: input tensor.
        blocks: integer, the number of building blocks.
        name: string, block label.

    # Returns
        Output tensor for the block.
    """
    for i in range(blocks):
        x = conv_block(x, _GROWTH_RATE, name='%s_block%d' % (name, i + 1))
    return x


def transition_block(x, reduction, name):
    """A transition block: BN-ReLU, 1x1 conv (channels * `reduction`), 2x2 average pool.

    # Arguments
        x: input tensor.
        reduction: float, compression rate at transition layers.
        name: string, block label.

    # Returns
        Output tensor for the block.
    """
    axis = _bn_axis()
    x = _bn_relu(x, name)
    filters = int(K.int_shape(x)[axis] * reduction)
    x = layers.Conv2D(filters, 1, use_bias=False, name=name + '_conv')(x)
    return layers.AveragePooling2D(2, strides=2, name=name + '_pool')(x)


def conv_block(x, growth_rate, name):
    """A building block of a dense block (BN-ReLU-1x1 conv-BN-ReLU-3x3 conv, concat).

    # Arguments
        x: input tensor.
        growth_rate: number of channels the block adds.
        name: string, block label.

    # Returns
        Output tensor for the block (`x` concatenated with the new features).
    """
    axis = _bn_axis()
    y = _bn_relu(x, name + '_0')
    y = layers.Conv2D(4 * growth_rate, 1, use_bias=False, name=name + '_1_conv')(y)
    y = _bn_relu(y, name + '_1')
    y = layers.Conv2D(growth_rate, 3, padding='same', use_bias=False,
                      name=name + '_2_conv')(y)
    return layers.Concatenate(axis=axis, name=name + '_concat')([x, y])


def DenseNet(blocks, include_top=True, weights='imagenet', input_tensor=None,
             input_shape=None, pooling=None, classes=1000, **kwargs):
    """Instantiates the DenseNet architecture.

    Optionally loads weights pre-trained on ImageNet (only for the block lists of
    DenseNet-121/169/201). The data format convention is the configured
    `image_data_format`.

    # Arguments
        blocks: numbers of building blocks for the four dense blocks.
        include_top: whether to include the fully-connected layer at the top of
            the network.
        weights: one of `None` (random initialization), 'imagenet' (pre-training
            on ImageNet), or the path to the weights file to be loaded.
        input_tensor: optional Keras tensor (i.e. output of `layers.Input()`) to
            use as image input for the model.
        input_shape: optional shape tuple, only to be specified if `include_top`
            is False (otherwise the input shape has to be `(224, 224, 3)` with
            `channels_last` data format or `(3, 224, 224)` with
            `channels_first`). It should have exactly 3 input channels, and
            width and height should be no smaller than 32.
        pooling: optional pooling mode for feature extraction when
            `include_top` is `False`: `None` (4D output of the last block),
            'avg' (global average pooling) or 'max' (global max pooling).
        classes: optional number of classes to classify images into, only to be
            specified if `include_top` is True and no `weights` are given.

    # Returns
        A Keras model instance.

    # Raises
        ValueError: in case of invalid argument for `weights`, `blocks`,
            `pooling`, `classes`, or an invalid input shape.
    """
    imagenet_utils.check_kwargs(kwargs, 'DenseNet')
    try:
        blocks = [int(b) for b in blocks]
    except (TypeError, ValueError):
        raise ValueError('`blocks` must be a list of four non-negative integers, '
                         'got %r.' % (blocks,)) from None
    if len(blocks) != 4 or any(b < 0 for b in blocks):
        raise ValueError('`blocks` must be a list of four non-negative integers, '
                         'got %r.' % (blocks,))
    imagenet_utils.validate_arguments(weights, include_top, classes, pooling)
    variant = _VARIANTS.get(tuple(blocks))
    if weights == 'imagenet' and variant is None:
        raise ValueError('ImageNet weights exist only for DenseNet-121 ([6, 12, 24, 16]), '
                         '-169 ([6, 12, 32, 32]) and -201 ([6, 12, 48, 32]); got '
                         '`blocks=%r` with `weights="imagenet"`.' % (blocks,))

    input_shape = _obtain_input_shape(input_shape, default_size=224, min_size=32,
                                      data_format=K.image_data_format(),
                                      require_flatten=include_top, weights=weights)
    img_input = imagenet_utils.image_input(input_tensor, input_shape)
    axis = _bn_axis()

    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)))(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=False, name='conv1/conv')(x)
    x = layers.BatchNormalization(axis=axis, epsilon=_BN_EPSILON, name='conv1/bn')(x)
    x = layers.Activation('relu', name='conv1/relu')(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)))(x)
    x = layers.MaxPooling2D(3, strides=2, name='pool1')(x)

    for stage, n in enumerate(blocks, start=2):
        x = dense_block(x, n, name='conv%d' % stage)
        if stage < 5:
            x = transition_block(x, 0.5, name='pool%d' % stage)

    x = layers.BatchNormalization(axis=axis, epsilon=_BN_EPSILON, name='bn')(x)
    x = layers.Activation('relu', name='relu')(x)

    x = imagenet_utils.top_or_pooling(x, include_top, pooling,
                                      imagenet_utils.classifier_top(classes, 'fc1000'),
                                      avg_name='avg_pool', max_name='max_pool')
    inputs = imagenet_utils.model_inputs(input_tensor, img_input)
    model = Model(inputs, x, name=variant[0] if variant else 'densenet')
    return imagenet_utils.load_imagenet_or_file_weights(
        model, weights, lambda: _imagenet_file(variant, include_top))


def _imagenet_file(variant, include_top):
    """(file name, URL, md5) of the official weights of a DenseNet variant."""
    origin, file_hash = variant[1][bool(include_top)]
    return origin.rsplit('/', 1)[-1], origin, file_hash


def DenseNet121(include_top=True, weights='imagenet', input_tensor=None,
                input_shape=None, pooling=None, classes=1000, **kwargs):
    """Instantiates the DenseNet-121 architecture, optionally with ImageNet weights.

    # Arguments
        include_top: whether to include the fully-connected layers at the top of the network.
        weights: `None` (random initialisation), `'imagenet'` (pre-training on ImageNet, read
            from the Keras cache or downloaded) or the path of a weights file to load.
        input_tensor: optional Keras tensor (the output of `Input()`) to use as the image input
            of the model.
        input_shape: optional shape tuple, only when `include_top` is False (otherwise the
            model's default input shape, e.g. `(224, 224, 3)`); 3 channels.
        pooling: `None`, `'avg'` or `'max'`: global pooling applied to the last convolutional
            output when `include_top` is False (`None`: the 4D output is returned).
        classes: number of classes to classify images into, only when `include_top` is True and
            no ImageNet weights are loaded.

    # Returns
        A Keras `Model`.
    """
    return DenseNet([6, 12, 24, 16], include_top, weights, input_tensor,
                    input_shape, pooling, classes, **kwargs)


def DenseNet169(include_top=True, weights='imagenet', input_tensor=None,
                input_shape=None, pooling=None, classes=1000, **kwargs):
    """Instantiates the DenseNet-169 architecture, optionally with ImageNet weights.

    # Arguments
        include_top: whether to include the fully-connected layers at the top of the network.
        weights: `None` (random initialisation), `'imagenet'` (pre-training on ImageNet, read
            from the Keras cache or downloaded) or the path of a weights file to load.
        input_tensor: optional Keras tensor (the output of `Input()`) to use as the image input
            of the model.
        input_shape: optional shape tuple, only when `include_top` is False (otherwise the
            model's default input shape, e.g. `(224, 224, 3)`); 3 channels.
        pooling: `None`, `'avg'` or `'max'`: global pooling applied to the last convolutional
            output when `include_top` is False (`None`: the 4D output is returned).
        classes: number of classes to classify images into, only when `include_top` is True and
            no ImageNet weights are loaded.

    # Returns
        A Keras `Model`.
    """
    return DenseNet([6, 12, 32, 32], include_top, weights, input_tensor,
                    input_shape, pooling, classes, **kwargs)


def DenseNet201(include_top=True, weights='imagenet', input_tensor=None,
                input_shape=None, pooling=None, classes=1000, **kwargs):
    """Instantiates the DenseNet-201 architecture, optionally with ImageNet weights.

    # Arguments
        include_top: whether to include the fully-connected layers at the top of the network.
        weights: `None` (random initialisation), `'imagenet'` (pre-training on ImageNet, read
            from the Keras cache or downloaded) or the path of a weights file to load.
        input_tensor: optional Keras tensor (the output of `Input()`) to use as the image input
            of the model.
        input_shape: optional shape tuple, only when `include_top` is False (otherwise the
            model's default input shape, e.g. `(224, 224, 3)`); 3 channels.
        pooling: `None`, `'avg'` or `'max'`: global pooling applied to the last convolutional
            output when `include_top` is False (`None`: the 4D output is returned).
        classes: number of classes to classify images into, only when `include_top` is True and
            no ImageNet weights are loaded.

    # Returns
        A Keras `Model`.
    """
    return DenseNet([6, 12, 48, 32], include_top, weights, input_tensor,
                    input_shape, pooling, classes, **kwargs)


def preprocess_input(x, data_format=None, **kwargs):
    """Preprocesses a tensor or NumPy array encoding a batch of images.

    Mode 'torch': scale to [0, 1], then normalise each RGB channel with the
    ImageNet mean `[0.485, 0.456, 0.406]` and std `[0.229, 0.224, 0.225]`.

    # Arguments
        x: a 3D or 4D array or tensor of RGB values within [0, 255].
        data_format: data format of the image tensor (default: the configured
            one).

    # Returns
        Preprocessed array (a float NumPy array is modified in place).
    """
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode='torch',
                                           **kwargs)
