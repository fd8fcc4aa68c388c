"""VGG16 model for Keras (keras_applications 1.0.6 / Keras 2.2.4 architecture).

# Reference

- [Very Deep Convolutional Networks for Large-Scale Image Recognition](
    https://arxiv.org/abs/1409.1556)
"""
from .. import backend as K
from .. import layers
from ..models import Model
from . import imagenet_utils
from .imagenet_utils import decode_predictions  # noqa: F401 (re-export)

WEIGHTS_PATH = ('https://github.com/fchollet/deep-learning-models/'
                'releases/download/v0.1/'
                'vgg16_weights_tf_dim_ordering_tf_kernels.h5')
WEIGHTS_PATH_NO_TOP = ('https://github.com/fchollet/deep-learning-models/'
                       'releases/download/v0.1/'
                       'vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5')
WEIGHTS_FILE = 'vgg16_weights_tf_dim_ordering_tf_kernels.h5'
WEIGHTS_FILE_NO_TOP = 'vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5'
WEIGHTS_HASH = '64373286793e3c8b2b4e3219cbf3544b'
WEIGHTS_HASH_NO_TOP = '6d6bbae143d832006294945121d1f1fc'


preprocess_input = imagenet_utils.mode_preprocessor(
    'caffe', """Preprocesses a batch of RGB images for VGG16 (mode 'caffe': RGB->BGR and
    zero-centring with the ImageNet mean, no scaling).""", fixed=False)


def build_vgg(name, convs_per_block, include_top, weights, input_tensor, input_shape,
              pooling, classes, weight_files, kwargs):
    """The VGG16/VGG19 graph: five conv blocks (3x3 'same' ReLU convolutions then
    a 2x2 max pooling), then either the classifier (flatten, fc1, fc2,
    predictions) or the optional global pooling."""
    imagenet_utils.check_kwargs(kwargs, name.upper())
    imagenet_utils.validate_arguments(weights, include_top, classes, pooling)
    input_shape = imagenet_utils._obtain_input_shape(
        input_shape, default_size=224, min_size=32,
        data_format=K.image_data_format(), require_flatten=include_top,
        weights=weights)
    img_input = imagenet_utils.image_input(input_tensor, input_shape)

    x = img_input
    for block, (filters, n_convs) in enumerate(zip((64, 128, 256, 512, 512),
                                                   convs_per_block), start=1):
        for i in range(1, n_convs + 1):
            x = layers.Conv2D(filters, (3, 3), activation='relu', padding='same',
                              name='block%d_conv%d' % (block, i))(x)
        x = layers.MaxPooling2D((2, 2), strides=(2, 2),
                                name='block%d_pool' % block)(x)

    def top(x):
        x = layers.Flatten(name='flatten')(x)
        x = layers.Dense(4096, activation='relu', name='fc1')(x)
        x = layers.Dense(4096, activation='relu', name='fc2')(x)
        return layers.Dense(classes, activation='softmax', name='predictions')(x)

    x = imagenet_utils.top_or_pooling(x, include_top, pooling, top)
    inputs = imagenet_utils.model_inputs(input_tensor, img_input)
    model = Model(inputs, x, name=name)
    return imagenet_utils.load_top_or_notop_weights(model, weights, include_top,
                                                    *weight_files)


def VGG16(include_top=True, weights='imagenet', input_tensor=None, input_shape=None,
          pooling=None, classes=1000, **kwargs):
    """Instantiates the VGG16 architecture, optionally with ImageNet weights.

    # Arguments
        include_top: whether to include the 3 fully-connected layers at the top.
        weights: `None` (random initialisation), `'imagenet'` or the path of a
            weights file to load.
        input_tensor: optional Keras tensor to use as the image input.
        input_shape: optional shape tuple, only when `include_top` is False
            (otherwise `(224, 224, 3)`, or `(3, 224, 224)` with channels_first);
            3 channels, width and height at least 32.
        pooling: `None`, `'avg'` or `'max'`: global pooling applied to the last
            convolutional output when `include_top` is False.
        classes: number of classes, only when `include_top` is True and no
            ImageNet weights are loaded.

    # Returns
        A Keras `Model` named `'vgg16'`.

    # Raises
        ValueError: for an invalid `weights`, `classes`, `pooling` or input shape.
    """
    return build_vgg('vgg16', (2, 2, 3, 3, 3), include_top, weights, input_tensor,
                     input_shape, pooling, classes,
                     ((WEIGHTS_FILE, WEIGHTS_PATH, WEIGHTS_HASH),
                      (WEIGHTS_FILE_NO_TOP, WEIGHTS_PATH_NO_TOP, WEIGHTS_HASH_NO_TOP)),
                     kwargs)
