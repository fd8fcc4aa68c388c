"""Global backend configuration: floatx, epsilon, image data format, ~/.keras/keras.json."""
import json
import os

_FLOATX = 'float32'
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = 'channels_last'
_BACKEND = 'jax'
_BACKENDS = ('jax', 'tensorflow')

_VALID_FLOATX = ('float16', 'float32', 'float64', 'bfloat16')
_VALID_FORMATS = ('channels_last', 'channels_first')
# what a backend does when floatx changes (the JAX backend's 64-bit switch): `_follow_floatx`
_FLOATX_HOOKS = []


def switched_off(name, environ=None):
    """Whether the environment variable `name` turns a setting off (0, false, no or off,
    in any case); unset, the setting is on."""
    environ = os.environ if environ is None else environ
    return environ.get(name, '1').strip().lower() in ('0', 'false', 'no', 'off')


def keras_home():
    """Directory holding keras.json, datasets and models (KERAS_HOME or ~/.keras)."""
    if 'KERAS_HOME' in os.environ:
        return os.environ['KERAS_HOME']
    base = os.path.expanduser('~')
    if not os.access(base, os.W_OK):
        base = '/tmp'
    return os.path.join(base, '.keras')


def backend():
    """Name of the backend in use: 'jax' or 'tensorflow' (chosen at import from
    `KERAS_BACKEND`, else the `"backend"` entry of `keras.json`, else 'jax').

    # Returns
        The backend's name, a string.
    """
    return _BACKEND


def floatx():
    """The default float type, as a string (`'float32'` unless `~/.keras/keras.json` or
    `set_floatx` says otherwise).

    # Returns
        `'float16'`, `'float32'` or `'float64'`.
    """
    return _FLOATX


def set_floatx(floatx):
    """Sets the default float type.

    # Arguments
        floatx: `'float16'`, `'float32'`, `'float64'` or `'bfloat16'` (on JAX, float64 turns
            on JAX's 64-bit types, `jax_enable_x64`, unless `JAX_ENABLE_X64` says no).

    # Raises
        ValueError: any other value.
    """
    global _FLOATX
    floatx = str(floatx)
    if floatx not in _VALID_FLOATX:
        raise ValueError('set_floatx: unknown floatx type %r; expected one of %s'
                         % (floatx, ', '.join(_VALID_FLOATX)))
    _FLOATX = floatx
    for hook in _FLOATX_HOOKS:
        hook(floatx)


def _follow_floatx(hook):
    """Call `hook(floatx)` now and whenever `set_floatx` changes it."""
    _FLOATX_HOOKS.append(hook)
    hook(_FLOATX)


def _logs_dtype():
    """The dtype of a step's logs (its loss and metric values): float32, as Keras 2.2.4's
    callbacks got them, and float64 for models in float64."""
    return 'float64' if _FLOATX == 'float64' else 'float32'


def epsilon():
    """The fuzz factor used in numeric expressions (default `1e-7`).

    # Returns
        A float.
    """
    return _EPSILON


def set_epsilon(e):
    """Sets the fuzz factor returned by `epsilon()`.

    # Arguments
        e: a float.

    # Raises
        TypeError: if `e` cannot be converted to a float.
    """
    global _EPSILON
    try:
        _EPSILON = float(e)
    except (TypeError, ValueError):
        raise TypeError('set_epsilon: expected a number, got %r' % (e,))


def image_data_format():
    """The default image data format: `'channels_last'` (default) or `'channels_first'`.

    # Returns
        A string.
    """
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format):
    """Sets the default image data format.

    # Arguments
        data_format: `'channels_first'` or `'channels_last'`.

    # Raises
        ValueError: any other value.
    """
    global _IMAGE_DATA_FORMAT
    if data_format not in _VALID_FORMATS:
        raise ValueError('set_image_data_format: unknown data_format %r; expected '
                         "'channels_last' or 'channels_first'" % (data_format,))
    _IMAGE_DATA_FORMAT = str(data_format)


def image_dim_ordering():
    """Keras 1 spelling: 'tf' for channels_last, 'th' for channels_first.

    # Returns
        `'tf'` (channels_last) or `'th'` (channels_first).
    """
    return 'tf' if _IMAGE_DATA_FORMAT == 'channels_last' else 'th'


def set_image_dim_ordering(dim_ordering):
    """Keras 1 spelling of `set_image_data_format`.

    `'tf'` is `'channels_last'`, `'th'` is `'channels_first'`.

    # Arguments
        dim_ordering: `'tf'` or `'th'`.

    # Raises
        ValueError: any other value.
    """
    if dim_ordering not in ('tf', 'th'):
        raise ValueError("set_image_dim_ordering: expected 'tf' or 'th', got %r"
                         % (dim_ordering,))
    set_image_data_format('channels_last' if dim_ordering == 'tf' else 'channels_first')


def normalize_data_format(value):
    """Checks a data format, `None` standing for the default `image_data_format()`.

    # Arguments
        value: `'channels_first'`, `'channels_last'` or `None`.

    # Returns
        `'channels_first'` or `'channels_last'`.

    # Raises
        ValueError: any other value.
    """
    if value is None:
        value = image_data_format()
    data_format = str(value).lower()
    if data_format not in _VALID_FORMATS:
        raise ValueError("data_format: expected 'channels_first' or 'channels_last', "
                         'got %r' % (value,))
    return data_format


def _load_config_file():
    """Read ~/.keras/keras.json (writing defaults when absent), as Keras 2 does."""
    global _FLOATX, _EPSILON, _IMAGE_DATA_FORMAT, _BACKEND
    home = keras_home()
    path = os.path.join(home, 'keras.json')
    if os.path.exists(path):
        try:
            with open(path) as f:
                cfg = json.load(f)
        except ValueError:
            cfg = {}
        fx = cfg.get('floatx', _FLOATX)
        if fx in _VALID_FLOATX:
            _FLOATX = fx
        eps = cfg.get('epsilon', _EPSILON)
        if isinstance(eps, (int, float)):
            _EPSILON = float(eps)
        fmt = cfg.get('image_data_format', _IMAGE_DATA_FORMAT)
        if fmt in _VALID_FORMATS:
            _IMAGE_DATA_FORMAT = fmt
        _BACKEND = _config_file_backend(cfg.get('backend'), path)
    else:
        try:
            os.makedirs(home, exist_ok=True)
            tmp = path + '.tmp%d' % os.getpid()
            with open(tmp, 'w') as f:
                json.dump({'floatx': _FLOATX, 'epsilon': _EPSILON,
                           'backend': _BACKEND,
                           'image_data_format': _IMAGE_DATA_FORMAT}, f, indent=4)
            os.replace(tmp, path)
        except OSError:
            pass


def _config_file_backend(name, path):
    """The backend keras.json names. A file written by Keras 2 itself says 'tensorflow'
    (its default); when TensorFlow is not installed that choice falls back to 'jax' with
    a warning instead of failing every `import keras`. Other unknown names are ignored
    (the default holds), as Keras 2 reads only the fields it knows."""
    if name is None or name == 'jax':
        return 'jax'
    if name == 'tensorflow':
        import importlib.util
        if importlib.util.find_spec('tensorflow') is not None:
            return 'tensorflow'
        import warnings
        warnings.warn('%s selects the "tensorflow" backend, but TensorFlow is not installed; '
                      'using the JAX backend. Install TensorFlow (README: the third command) or '
                      'set "backend": "jax" there.' % path, stacklevel=3)
        return 'jax'
    import warnings
    warnings.warn('%s names the backend %r; this Keras has the backends %s; using %r.'
                  % (path, name, ', '.join(repr(b) for b in _BACKENDS), _BACKEND), stacklevel=3)
    return _BACKEND


def _select_backend():
    """The backend chosen as Keras 2.2 chooses it: the KERAS_BACKEND environment variable,
    else "backend" in keras.json, else 'jax'."""
    global _BACKEND
    name = os.environ.get('KERAS_BACKEND')
    if name is not None and name.strip():
        name = name.strip().lower()
        if name not in _BACKENDS:
            raise ValueError('KERAS_BACKEND=%r: unknown backend; expected one of %s'
                             % (os.environ['KERAS_BACKEND'], ', '.join(repr(b) for b in _BACKENDS)))
        _BACKEND = name
    return _BACKEND


_load_config_file()
_select_backend()
