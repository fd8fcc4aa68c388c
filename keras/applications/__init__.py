"""Keras Applications: ImageNet architectures with their official weights.

Submodules are imported on first use (`keras.applications.VGG16` or
`from keras.applications import ResNet50`), so importing `keras` stays cheap.
"""
import importlib

_MODELS = {
    'VGG16': 'vgg16',
    'VGG19': 'vgg19',
    'ResNet50': 'resnet50',
    'InceptionV3': 'inception_v3',
    'InceptionResNetV2': 'inception_resnet_v2',
    'Xception': 'xception',
    'MobileNet': 'mobilenet',
    'MobileNetV2': 'mobilenet_v2',
    'DenseNet121': 'densenet',
    'DenseNet169': 'densenet',
    'DenseNet201': 'densenet',
    'NASNetMobile': 'nasnet',
    'NASNetLarge': 'nasnet',
}

_SUBMODULES = ('imagenet_utils', 'vgg16', 'vgg19', 'resnet50', 'inception_v3',
               'inception_resnet_v2', 'xception', 'mobilenet', 'mobilenet_v2',
               'densenet', 'nasnet', 'mobilenetv2')

# Keras's own modules, as Keras 2.2.4's package imported them (for `keras_applications`)
_KERAS_MODULES = ('backend', 'layers', 'models', 'utils')

# Keras 2.2.4's package had no `__all__`: `from keras.applications import *` also gave the
# model submodules its imports bound (`xception.preprocess_input`) and Keras's modules
__all__ = sorted(_MODELS) + sorted(set(_MODELS.values())) + ['imagenet_utils'] + \
    list(_KERAS_MODULES) + ['keras_modules_injection']


def __getattr__(name):
    if name in _MODELS:
        module = importlib.import_module('.' + _MODELS[name], __name__)
        value = getattr(module, name)
    elif name in _SUBMODULES:
        value = importlib.import_module('.' + name, __name__)
    elif name in _KERAS_MODULES:
        value = importlib.import_module('keras.' + name)
    else:
        raise AttributeError('module %r has no attribute %r' % (__name__, name))
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_MODELS) | set(_SUBMODULES) | set(_KERAS_MODULES))


def keras_modules_injection(base_fun):
    """Decorator passing this Keras's modules to a function written for the
    `keras_applications` package (Keras 2.2.4 wrapped that package's models with it).

    # Arguments
        base_fun: a function that takes `backend`, `layers`, `models` and `utils` keyword
            arguments (e.g. `keras_applications.resnet50.ResNet50`).

    # Returns
        The wrapped function: it passes those four modules unless the call gives them.
    """
    import functools

    @functools.wraps(base_fun)
    def wrapper(*args, **kwargs):
        from .. import backend, layers, models, utils
        for name, module in (('backend', backend), ('layers', layers), ('models', models),
                             ('utils', utils)):
            kwargs.setdefault(name, module)
        return base_fun(*args, **kwargs)
    return wrapper
