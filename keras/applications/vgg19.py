"""VGG19 model for Keras (keras_applications 1.0.6 / Keras 2.2.4 architecture).

# Reference

- [Very Deep Convolutional Networks for Large-Scale Image Recognition](
    https://arxiv.org/abs/1409.1556)
"""
from . import imagenet_utils
from .imagenet_utils import decode_predictions  # noqa: F401 (re-export)
from .vgg16 import build_vgg

WEIGHTS_PATH = ('https://github.com/fchollet/deep-learning-models/'
                'releases/download/v0.1/'
                'vgg19_weights_tf_dim_ordering_tf_kernels.h5')
WEIGHTS_PATH_NO_TOP = ('https://github.com/fchollet/deep-learning-models/'
                       'releases/download/v0.1/'
                       'vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5')
WEIGHTS_FILE = 'vgg19_weights_tf_dim_ordering_tf_kernels.h5'
WEIGHTS_FILE_NO_TOP = 'vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5'
WEIGHTS_HASH = 'cbe5617147190e668d6c5d5026f83318'
WEIGHTS_HASH_NO_TOP = '253f8cb515780f3b799900260a226db6'


preprocess_input = imagenet_utils.mode_preprocessor(
    'caffe', """Preprocesses a batch of RGB images for VGG19 (mode 'caffe').""",
    fixed=False)


def VGG19(include_top=True, weights='imagenet', input_tensor=None, input_shape=None,
          pooling=None, classes=1000, **kwargs):
    """Instantiates the VGG19 architecture, optionally with ImageNet weights.

    Same arguments as `VGG16`; blocks 3 to 5 have four convolutions each
    (`block3_conv4`, ...). Returns a Keras `Model` named `'vgg19'`.

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
        A Keras `Model` named `'vgg19'`.

    # Raises
        ValueError: for an invalid `weights`, `classes`, `pooling` or input shape.
    """
    return build_vgg('vgg19', (2, 2, 4, 4, 4), include_top, weights, input_tensor,
                     input_shape, pooling, classes,
                     ((WEIGHTS_FILE, WEIGHTS_PATH, WEIGHTS_HASH),
                      (WEIGHTS_FILE_NO_TOP, WEIGHTS_PATH_NO_TOP, WEIGHTS_HASH_NO_TOP)),
                     kwargs)
