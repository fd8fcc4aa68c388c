"""Utilities shared by the ImageNet applications.

* `preprocess_input(x, data_format=None, mode='caffe')` for NumPy arrays and
  symbolic/backend tensors (modes `caffe`, `tf`, `torch` as in Keras 2.2).
* `decode_predictions(preds, top=5)` with the ImageNet class index shipped in
  `keras/data/imagenet_class_index.json` (no download).
* The argument checks, graph pieces and weight loading every application
  function uses: `check_kwargs`, `_obtain_input_shape`, `validate_arguments`,
  `channels_last_only`, `image_input`, `classifier_top`, `top_or_pooling`,
  `model_inputs`, `correct_pad`, `load_application_weights`,
  `load_top_or_notop_weights`; and `mode_preprocessor`, which makes a model's
  `preprocess_input`.
"""
import contextlib
import json
import os
import warnings

import numpy as np

from .. import backend as K

CLASS_INDEX = None
CLASS_INDEX_PATH = ('https://s3.amazonaws.com/deep-learning-models/'
                    'image-models/imagenet_class_index.json')

_CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)
_TORCH_MEAN_RGB = (0.485, 0.456, 0.406)
_TORCH_STD_RGB = (0.229, 0.224, 0.225)
_MODES = ('caffe', 'tf', 'torch')

# Keras 2.2.4 passes its own backend/layers/models/utils modules through.
_SUBMODULE_KWARGS = ('backend', 'layers', 'models', 'utils')


def check_kwargs(kwargs, fn_name=None, allowed=_SUBMODULE_KWARGS):
    """Raise a TypeError for a keyword argument other than the `allowed` ones.

    The message is `'<fn_name>() got an unexpected keyword argument ...'`, or
    without `fn_name` Keras 2.2.4's `'Invalid keyword argument: ...'`.
    """
    for key in kwargs:
        if key not in allowed:
            if fn_name is None:
                raise TypeError('Invalid keyword argument: %s' % (key,))
            raise TypeError('%s() got an unexpected keyword argument %r'
                            % (fn_name, key))


def _channel_axis(ndim, data_format):
    if data_format == 'channels_first':
        # (C, H, W) or (N, C, H, W)
        return 0 if ndim == 3 else 1
    return ndim - 1


def _check_preprocess_args(ndim, data_format, mode):
    if mode not in _MODES:
        raise ValueError('preprocess_input: `mode` must be one of %s, got %r.'
                         % (', '.join(repr(m) for m in _MODES), mode))
    if data_format not in ('channels_first', 'channels_last'):
        raise ValueError("preprocess_input: `data_format` must be 'channels_first' or "
                         "'channels_last', got %r." % (data_format,))
    if ndim is not None and ndim < 3:
        raise ValueError('preprocess_input: `x` must be an image (3-D) or a batch of '
                         'images (4-D or more), got a %d-D input.' % ndim)


def _broadcast_shape(ndim, axis):
    shape = [1] * ndim
    shape[axis] = 3
    return shape


def _preprocess_numpy_input(x, data_format, mode):
    """Keras 2.2 semantics: float arrays are modified in place and returned."""
    if not issubclass(x.dtype.type, np.floating):
        x = x.astype(K.floatx(), copy=False)
    if mode == 'tf':
        x /= 127.5
        x -= 1.
        return x
    axis = _channel_axis(x.ndim, data_format)
    if x.shape[axis] != 3:
        raise ValueError('preprocess_input: mode %r needs 3 colour channels on axis %d '
                         '(data_format=%r), got shape %s.'
                         % (mode, axis, data_format, x.shape))
    bshape = _broadcast_shape(x.ndim, axis)
    if mode == 'torch':
        x /= 255.
        x -= np.reshape(np.asarray(_TORCH_MEAN_RGB, x.dtype), bshape)
        x /= np.reshape(np.asarray(_TORCH_STD_RGB, x.dtype), bshape)
        return x
    # caffe: RGB -> BGR, then zero-centre each channel (no scaling)
    index = [slice(None)] * x.ndim
    index[axis] = slice(None, None, -1)
    # (as Keras 2.2.4: the result is a channel-reversed view of a float input, whose own
    # buffer is therefore zero-centred in place, in RGB order)
    x = x[tuple(index)]
    x -= np.reshape(np.asarray(_CAFFE_MEAN_BGR, x.dtype), bshape)
    return x


def _preprocess_symbolic_input(x, data_format, mode):
    if not K.dtype(x).startswith('float'):
        x = K.cast(x, K.floatx())
    if mode == 'tf':
        return x / 127.5 - 1.
    ndim = K.ndim(x)
    axis = _channel_axis(ndim, data_format)
    bshape = _broadcast_shape(ndim, axis)
    if mode == 'torch':
        mean = K.constant(np.reshape(_TORCH_MEAN_RGB, bshape), dtype=K.dtype(x))
        std = K.constant(np.reshape(_TORCH_STD_RGB, bshape), dtype=K.dtype(x))
        return (x / 255. - mean) / std
    mean = K.constant(np.reshape(_CAFFE_MEAN_BGR, bshape), dtype=K.dtype(x))
    return K.reverse(x, axis) - mean


def preprocess_input(x, data_format=None, mode='caffe', **kwargs):
    """Preprocess a NumPy array or a tensor encoding a batch of RGB images.

    # Arguments
        x: array or tensor, 3-D (one image) or 4-D (a batch), RGB channels, values
            in [0, 255].
        data_format: 'channels_first' or 'channels_last' (default: the configured
            image data format).
        mode: 'caffe' (RGB->BGR, subtract the ImageNet BGR mean), 'tf' (scale to
            [-1, 1]) or 'torch' (scale to [0, 1], then normalise with the ImageNet
            mean and standard deviation).

    # Returns
        The preprocessed input. As in Keras 2.2, a floating-point NumPy array is
        modified in place (and returned); integer arrays are converted first.
    """
    check_kwargs(kwargs, 'preprocess_input')
    if data_format is None:
        data_format = K.image_data_format()
    if isinstance(x, np.ndarray):
        _check_preprocess_args(x.ndim, data_format, mode)
        return _preprocess_numpy_input(x, data_format, mode)
    if isinstance(x, (list, tuple)) or np.isscalar(x):
        x = np.asarray(x)
        _check_preprocess_args(x.ndim, data_format, mode)
        return _preprocess_numpy_input(x, data_format, mode)
    _check_preprocess_args(K.ndim(x), data_format, mode)
    return _preprocess_symbolic_input(x, data_format, mode)


def mode_preprocessor(mode, doc, fixed=True):
    """A model's `preprocess_input(x, **kwargs)`: `preprocess_input` in `mode`.

    With `fixed` the mode cannot be chosen (passing `mode` is a TypeError);
    otherwise `mode` is only the default.
    """
    if fixed:
        def model_preprocess_input(x, **kwargs):
            return preprocess_input(x, mode=mode, **kwargs)
    else:
        def model_preprocess_input(x, **kwargs):
            kwargs.setdefault('mode', mode)
            return preprocess_input(x, **kwargs)
    model_preprocess_input.__name__ = 'preprocess_input'
    model_preprocess_input.__qualname__ = 'preprocess_input'
    model_preprocess_input.__doc__ = doc + (_FIXED_MODE_ARGS if fixed else _MODE_ARGS)
    return model_preprocess_input


# the sections completing the docstrings of the models' `preprocess_input` (indented as the
# continuation lines of a docstring)
_FIXED_MODE_ARGS = """

    # Arguments
        x: array or tensor, 3-D (one image) or 4-D (a batch), RGB channels, values in
            [0, 255].
        data_format: 'channels_first' or 'channels_last' (default: the configured image
            data format).

    # Returns
        The preprocessed input. As in Keras 2.2, a floating-point NumPy array is modified in
        place (and returned); integer arrays are converted first.
"""
_MODE_ARGS = _FIXED_MODE_ARGS.replace("""

    # Returns""", """
        mode: the preprocessing, as `imagenet_utils.preprocess_input`'s: 'caffe', 'tf' or
            'torch'; the model's own by default.

    # Returns""")


def _class_index():
    global CLASS_INDEX
    if CLASS_INDEX is None:
        path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                            'data', 'imagenet_class_index.json')
        with open(path) as f:
            CLASS_INDEX = json.load(f)
    return CLASS_INDEX


def decode_predictions(preds, top=5, **kwargs):
    """Decode ImageNet predictions into (class id, class name, score) tuples.

    # Arguments
        preds: array of shape (samples, 1000).
        top: how many of the highest-scoring classes to return per sample.

    # Returns
        A list (one entry per sample) of lists of `(wnid, name, score)` tuples,
        highest score first.
    """
    check_kwargs(kwargs, 'decode_predictions')
    preds = np.asarray(preds)
    if preds.ndim != 2 or preds.shape[1] != 1000:
        raise ValueError('`decode_predictions` expects a batch of predictions (i.e. a '
                         '2D array of shape (samples, 1000)). Found array with shape: '
                         + str(preds.shape))
    if not isinstance(top, (int, np.integer)) or top < 1:
        raise ValueError('decode_predictions: `top` must be a positive integer, got %r.'
                         % (top,))
    index = _class_index()
    results = []
    for row in preds:
        best = np.argsort(row, kind='stable')[-top:][::-1]
        results.append([tuple(index[str(i)]) + (row[i],) for i in best])
    return results


# ---------------------------------------------------------------------------
# shared argument handling for the application functions
# ---------------------------------------------------------------------------
def _obtain_input_shape(input_shape, default_size, min_size, data_format,
                        require_flatten, weights=None):
    """Keras 2.2's input-shape resolution and validation for the applications.

    # Returns
        The input shape (3 entries, `None` for free spatial dimensions).
    """
    if input_shape is not None:
        try:
            input_shape = tuple(input_shape)
        except TypeError:
            raise ValueError('`input_shape` must be a tuple of three integers, got %r.'
                             % (input_shape,)) from None
    if weights != 'imagenet' and input_shape and len(input_shape) == 3:
        if data_format == 'channels_first':
            if input_shape[0] not in (1, 3):
                warnings.warn('This model usually expects 1 or 3 input channels. '
                              'However, it was passed an input_shape with %s input '
                              'channels.' % (input_shape[0],))
            default_shape = (input_shape[0], default_size, default_size)
        else:
            if input_shape[-1] not in (1, 3):
                warnings.warn('This model usually expects 1 or 3 input channels. '
                              'However, it was passed an input_shape with %s input '
                              'channels.' % (input_shape[-1],))
            default_shape = (default_size, default_size, input_shape[-1])
    elif data_format == 'channels_first':
        default_shape = (3, default_size, default_size)
    else:
        default_shape = (default_size, default_size, 3)
    if weights == 'imagenet' and require_flatten:
        if input_shape is not None and input_shape != default_shape:
            raise ValueError('When setting `include_top=True` and loading `imagenet` '
                             'weights, `input_shape` should be %s, got %s.'
                             % (default_shape, input_shape))
        return default_shape
    if input_shape:
        if len(input_shape) != 3:
            raise ValueError('`input_shape` must be a tuple of three integers, got %r.'
                             % (input_shape,))
        if data_format == 'channels_first':
            channels, spatial = input_shape[0], input_shape[1:]
        else:
            channels, spatial = input_shape[-1], input_shape[:2]
        if channels != 3 and weights == 'imagenet':
            raise ValueError('The input must have 3 channels; got `input_shape=%s`'
                             % (input_shape,))
        if any(s is not None and s < min_size for s in spatial):
            raise ValueError('Input size must be at least %dx%d; got `input_shape=%s`'
                             % (min_size, min_size, input_shape))
    elif require_flatten:
        input_shape = default_shape
    elif data_format == 'channels_first':
        input_shape = (3, None, None)
    else:
        input_shape = (None, None, 3)
    if require_flatten and None in input_shape:
        raise ValueError('If `include_top` is True, you should specify a static '
                         '`input_shape`. Got `input_shape=%s`' % (input_shape,))
    return input_shape


def validate_arguments(weights, include_top, classes, pooling=None):
    """The checks every application makes on `weights`, `classes` and `pooling`."""
    if not (weights in ('imagenet', None) or
            (isinstance(weights, str) and os.path.exists(weights))):
        raise ValueError('The `weights` argument should be either `None` (random '
                         'initialization), `imagenet` (pre-training on ImageNet), or the '
                         'path to the weights file to be loaded; got %r.' % (weights,))
    if weights == 'imagenet' and include_top and classes != 1000:
        raise ValueError('If using `weights` as `"imagenet"` with `include_top` as true, '
                         '`classes` should be 1000; got classes=%r.' % (classes,))
    if not isinstance(classes, (int, np.integer)) or classes < 1:
        raise ValueError('`classes` must be a positive integer, got %r.' % (classes,))
    if pooling not in (None, 'avg', 'max'):
        raise ValueError("The `pooling` argument should be None, 'avg' or 'max'; got %r."
                         % (pooling,))


_CHANNELS_LAST_WARNING = (
    '%s is only available for the input data format "channels_last" (width, '
    'height, channels). However your settings specify the default data format '
    '"channels_first" (channels, width, height). You should set '
    '`image_data_format="channels_last"` in your Keras config located at '
    '~/.keras/keras.json. The model being returned right now will expect %s to '
    'follow the "channels_last" data format.')


@contextlib.contextmanager
def channels_last_only(model_text, inputs_text='inputs'):
    """Build under 'channels_last' (models that only exist in that format).

    With another configured data format, Keras 2.2.4's warning (naming
    `model_text`, e.g. 'The Xception model', and `inputs_text`) is issued, the
    format is set to 'channels_last' and restored when the block ends.
    """
    old = K.image_data_format()
    if old != 'channels_last':
        warnings.warn(_CHANNELS_LAST_WARNING % (model_text, inputs_text))
        K.set_image_data_format('channels_last')
    try:
        yield
    finally:
        if old != 'channels_last':
            K.set_image_data_format(old)


def image_input(input_tensor, input_shape):
    """The image input of an application: a new `Input`, or the given tensor."""
    from ..engine.input_layer import Input
    if input_tensor is None:
        return Input(shape=input_shape)
    if not K.is_keras_tensor(input_tensor):
        return Input(tensor=input_tensor, shape=input_shape)
    return input_tensor


def classifier_top(classes, name, pool_name='avg_pool'):
    """The usual classifier head: global average pooling `pool_name`, then a
    softmax `Dense(classes)` named `name`."""
    def top(x):
        from .. import layers
        x = layers.GlobalAveragePooling2D(name=pool_name)(x)
        return layers.Dense(classes, activation='softmax', name=name)(x)
    return top


def top_or_pooling(x, include_top, pooling, top, avg_name=None, max_name=None):
    """The head of an application: `top(x)` with `include_top`, else the
    optional global pooling ('avg' or 'max', named `avg_name`/`max_name`)."""
    from .. import layers
    if include_top:
        return top(x)
    if pooling == 'avg':
        return layers.GlobalAveragePooling2D(name=avg_name)(x)
    if pooling == 'max':
        return layers.GlobalMaxPooling2D(name=max_name)(x)
    return x


def model_inputs(input_tensor, img_input):
    """The model's inputs: the sources of `input_tensor` when one was given."""
    if input_tensor is not None:
        from ..utils.layer_utils import get_source_inputs
        return get_source_inputs(input_tensor)
    return img_input


def correct_pad(inputs, kernel_size):
    """Zero padding (for `ZeroPadding2D`) that makes a strided 'valid' convolution or
    pooling of `inputs` behave like TensorFlow's 'same' padding: more padding after
    than before when the input size is even (assumed when it is unknown)."""
    img_dim = 2 if K.image_data_format() == 'channels_first' else 1
    input_size = K.int_shape(inputs)[img_dim:img_dim + 2]
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size, kernel_size)
    if input_size[0] is None:
        adjust = (1, 1)
    else:
        adjust = (1 - input_size[0] % 2, 1 - input_size[1] % 2)
    correct = (kernel_size[0] // 2, kernel_size[1] // 2)
    return ((correct[0] - adjust[0], correct[0]),
            (correct[1] - adjust[1], correct[1]))


def models_dir():
    """The folder of the cached weight files: `<KERAS_HOME or ~/.keras>/models`."""
    from ..backend.config import keras_home
    return os.path.join(os.path.expanduser(keras_home()), 'models')


def imagenet_weights_path(fname, origin, file_hash=None):
    """Path of an official weight file: the Keras cache, else a download.

    The file is looked up as `<KERAS_HOME or ~/.keras>/models/<fname>`. A file
    found there is used as is; when it is missing, `get_file` downloads it, and
    without network access the error names the file, the URL and where to put it.
    """
    cached = os.path.join(models_dir(), fname)
    if os.path.isfile(cached):
        return cached
    from ..utils.data_utils import get_file, DownloadError
    try:
        return get_file(fname, origin, cache_subdir='models', file_hash=file_hash)
    except OSError as e:
        raise DownloadError('The ImageNet weights file %s could not be downloaded from %s (%s): '
                      'place the official file at %s and call again.'
                      % (fname, origin, getattr(e, 'reason', None) or e, cached)) from None


def load_application_weights(model, weights, fname=None, origin=None, file_hash=None):
    """Load `weights` ('imagenet', a file path, or None) into an application."""
    if weights is None:
        return model
    if weights == 'imagenet':
        path = imagenet_weights_path(fname, origin, file_hash)
    else:
        path = weights
    model.load_weights(path)
    return model


def load_imagenet_or_file_weights(model, weights, imagenet_file):
    """`load_application_weights` for an application whose official file depends
    on its arguments: `imagenet_file()`, only called with `weights='imagenet'`,
    gives its (file name, URL, md5)."""
    if weights == 'imagenet':
        return load_application_weights(model, weights, *imagenet_file())
    return load_application_weights(model, weights)


def load_top_or_notop_weights(model, weights, include_top, top_file, notop_file):
    """`load_application_weights` for an application whose official file depends
    on `include_top`: `top_file` and `notop_file` are (file name, URL, md5)."""
    fname, origin, file_hash = top_file if include_top else notop_file
    return load_application_weights(model, weights, fname, origin, file_hash)
