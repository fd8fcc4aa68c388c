"""Keras 1 argument-name support for Keras 2 code (`keras.legacy.interfaces` of Keras 2.2.4).

`generate_legacy_interface(...)` builds a decorator for a constructor (or, with
`object_type='method'`, a method) that

1. runs an optional `preprocessor(args, kwargs) -> (args, kwargs, converted)` that
   rewrites positional forms (e.g. `Conv2D(32, 3, 3)` -> `kernel_size=(3, 3)`);
2. when `allowed_positional_args` is a list, raises `TypeError` if more positional
   arguments than listed are passed;
3. maps old values of old keyword arguments (`value_conversions`, e.g.
   `dim_ordering='tf'` -> `'channels_last'`);
4. renames the old keyword arguments (`conversions`, a list of `(old, new)` pairs),
   raising `TypeError` if both the old and the new name are given;
5. if anything was converted, warns `Update your `Name` call to the Keras 2 API: `Name(...)``
   with the converted call, then calls the wrapped function.

The named decorators below carry the same conversions as Keras 2.2.4's and decorate the same
constructors and methods as there (user code written for Keras 2.0-2.2 may decorate its own
classes and methods with them too).
"""
import functools
import warnings

import numpy as np

from ..backend.ops import _is_int

__all__ = ['generate_legacy_interface', 'generate_legacy_method_interface',
           'raise_duplicate_arg_error']


def _format_value(value):
    """A value as Keras 2.2.4 writes it in the warning (strings quoted, long values cut)."""
    if isinstance(value, str):
        return '"%s"' % value
    text = 'array' if isinstance(value, np.ndarray) else str(value)
    if len(text) > 10:
        text = text[:10] + '...'
    return text


def _keras2_signature(object_name, args, kwargs):
    parts = [_format_value(a) for a in args[1:]]
    parts += ['%s=%s' % (k, _format_value(v)) for k, v in kwargs.items()]
    return '`%s(%s)`' % (object_name, ', '.join(parts))


def raise_duplicate_arg_error(old_arg, new_arg):
    raise TypeError('For the `%s` argument, the layer received both the legacy keyword '
                    'argument `%s` and the Keras 2 keyword argument `%s`. Stick to the latter!'
                    % (new_arg, old_arg, new_arg))


def generate_legacy_interface(allowed_positional_args=None, conversions=None, preprocessor=None,
                              value_conversions=None, object_type='class'):
    """Decorator factory: accept Keras 1 arguments (see the module docstring).

    `allowed_positional_args`: None (no limit) or the names of the positional arguments
    accepted after `self`.  `conversions`: `(old_name, new_name)` pairs.  `value_conversions`:
    `{old_name: {old_value: new_value}}`, applied before renaming (other values pass
    unchanged).  `object_type`: 'class' names the object by `type(self).__name__` (for
    `__init__`), 'method' by the function's name.
    """
    check_positional = allowed_positional_args is not None
    allowed = list(allowed_positional_args or [])
    conversions = list(conversions or [])
    value_conversions = dict(value_conversions or {})

    def legacy_support(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            if object_type == 'class':
                object_name = type(args[0]).__name__
            else:
                object_name = func.__name__
            converted = []
            if preprocessor is not None:
                args, kwargs, converted = preprocessor(args, kwargs)
                converted = list(converted)
            args = tuple(args)
            # (a subclass's own `__init__` calling this one through super() has been
            # checked against its own signature already)
            own_call = object_type != 'class' or \
                getattr(type(args[0]), func.__name__, None) is wrapper
            if check_positional and own_call and len(args) > len(allowed) + 1:
                raise TypeError('`%s` can accept only %d positional arguments %s, but you passed '
                                'the following positional arguments: %s'
                                % (object_name, len(allowed), tuple(allowed), list(args[1:])))
            for key, mapping in value_conversions.items():
                if key in kwargs:
                    value = kwargs[key]
                    try:
                        known = value in mapping
                    except TypeError:  # unhashable values are never legacy values
                        known = False
                    if known:
                        kwargs[key] = mapping[value]
            for old_name, new_name in conversions:
                if old_name in kwargs:
                    value = kwargs.pop(old_name)
                    if new_name in kwargs:
                        raise_duplicate_arg_error(old_name, new_name)
                    kwargs[new_name] = value
                    converted.append((new_name, old_name))
            if converted:
                warnings.warn('Update your `%s` call to the Keras 2 API: %s'
                              % (object_name, _keras2_signature(object_name, args, kwargs)),
                              stacklevel=2)
            return func(*args, **kwargs)

        wrapper._original_function = func
        return wrapper

    return legacy_support


generate_legacy_method_interface = functools.partial(generate_legacy_interface,
                                                     object_type='method')

# Keras 1 `dim_ordering` values (shared with the project's own layers).
# Keras 1 `dim_ordering` values and the Keras 2 `data_format` they mean
DIM_ORDERING = {'tf': 'channels_last', 'th': 'channels_first', 'default': None}
_DIM_ORDERING_VALUES = {'dim_ordering': dict(DIM_ORDERING)}


def _dim_ordering_interface(allowed_positional_args=None, conversions=(), preprocessor=None):
    return generate_legacy_interface(
        allowed_positional_args=allowed_positional_args,
        conversions=list(conversions) + [('dim_ordering', 'data_format')],
        value_conversions=_DIM_ORDERING_VALUES, preprocessor=preprocessor)


_KERNEL_BIAS_CONVERSIONS = [('init', 'kernel_initializer'),
                            ('W_regularizer', 'kernel_regularizer'),
                            ('b_regularizer', 'bias_regularizer'),
                            ('W_constraint', 'kernel_constraint'),
                            ('b_constraint', 'bias_constraint'),
                            ('bias', 'use_bias')]


# ------------------------------------------------------------------ core layers
legacy_dense_support = generate_legacy_interface(
    allowed_positional_args=['units'],
    conversions=[('output_dim', 'units')] + _KERNEL_BIAS_CONVERSIONS)

legacy_dropout_support = generate_legacy_interface(
    allowed_positional_args=['rate', 'noise_shape', 'seed'],
    conversions=[('p', 'rate')])


def embedding_kwargs_preprocessor(args, kwargs):
    if 'dropout' in kwargs:
        kwargs.pop('dropout')
        warnings.warn('The `dropout` argument is no longer supported in `Embedding`. You can '
                      'apply a `keras.layers.SpatialDropout1D` layer right after the '
                      '`Embedding` layer to get the same behavior.', stacklevel=3)
    return args, kwargs, []


legacy_embedding_support = generate_legacy_interface(
    allowed_positional_args=['input_dim', 'output_dim'],
    conversions=[('init', 'embeddings_initializer'),
                 ('W_regularizer', 'embeddings_regularizer'),
                 ('W_constraint', 'embeddings_constraint')],
    preprocessor=embedding_kwargs_preprocessor)

legacy_prelu_support = generate_legacy_interface(
    allowed_positional_args=['alpha_initializer'],
    conversions=[('init', 'alpha_initializer')])

legacy_gaussiannoise_support = generate_legacy_interface(
    allowed_positional_args=['stddev'],
    conversions=[('sigma', 'stddev')])

legacy_gaussiandropout_support = generate_legacy_interface(
    allowed_positional_args=['rate'],
    conversions=[('p', 'rate')])

legacy_spatialdropout1d_support = generate_legacy_interface(
    allowed_positional_args=['rate'],
    conversions=[('p', 'rate')])

legacy_spatialdropoutNd_support = _dim_ordering_interface(
    allowed_positional_args=['rate'], conversions=[('p', 'rate')])

legacy_lambda_support = generate_legacy_interface(
    allowed_positional_args=['function', 'output_shape'])


# ------------------------------------------------------------------ recurrent layers
def _forget_bias_init(kwargs, converted):
    if 'forget_bias_init' in kwargs:
        value = kwargs.pop('forget_bias_init')
        if value == 'one':
            kwargs['unit_forget_bias'] = True
            converted.append(('forget_bias_init', 'unit_forget_bias'))
        else:
            warnings.warn('The `forget_bias_init` argument has been ignored. Use '
                          '`unit_forget_bias=True` instead to initialize with ones.',
                          stacklevel=4)


def recurrent_args_preprocessor(args, kwargs):
    converted = []
    _forget_bias_init(kwargs, converted)
    if 'input_dim' in kwargs:
        input_length = kwargs.pop('input_length', None)
        kwargs['input_shape'] = (input_length, kwargs.pop('input_dim'))
        converted.append(('input_dim', 'input_shape'))
        warnings.warn('The `input_dim` and `input_length` arguments in recurrent layers are '
                      'deprecated. Use `input_shape` instead.', stacklevel=3)
    return args, kwargs, converted


legacy_recurrent_support = generate_legacy_interface(
    allowed_positional_args=['units'],
    conversions=[('output_dim', 'units'),
                 ('init', 'kernel_initializer'),
                 ('inner_init', 'recurrent_initializer'),
                 ('inner_activation', 'recurrent_activation'),
                 ('W_regularizer', 'kernel_regularizer'),
                 ('b_regularizer', 'bias_regularizer'),
                 ('U_regularizer', 'recurrent_regularizer'),
                 ('dropout_W', 'dropout'),
                 ('dropout_U', 'recurrent_dropout'),
                 ('consume_less', 'implementation')],
    value_conversions={'consume_less': {'cpu': 0, 'mem': 1, 'gpu': 2}},
    preprocessor=recurrent_args_preprocessor)


# ------------------------------------------------------------------ pooling, resizing
legacy_pooling1d_support = generate_legacy_interface(
    allowed_positional_args=['pool_size', 'strides', 'padding'],
    conversions=[('pool_length', 'pool_size'),
                 ('stride', 'strides'),
                 ('border_mode', 'padding')])

legacy_pooling2d_support = _dim_ordering_interface(
    allowed_positional_args=['pool_size', 'strides', 'padding'],
    conversions=[('border_mode', 'padding')])

legacy_pooling3d_support = _dim_ordering_interface(
    allowed_positional_args=['pool_size', 'strides', 'padding'],
    conversions=[('border_mode', 'padding')])

legacy_global_pooling_support = _dim_ordering_interface()

legacy_upsampling1d_support = generate_legacy_interface(
    allowed_positional_args=['size'],
    conversions=[('length', 'size')])

legacy_upsampling2d_support = _dim_ordering_interface(allowed_positional_args=['size'])

legacy_upsampling3d_support = _dim_ordering_interface(allowed_positional_args=['size'])


def zeropadding2d_args_preprocessor(args, kwargs):
    """Keras 1 `padding={'top_pad': .., 'bottom_pad': .., 'left_pad': .., 'right_pad': ..}`."""
    keys = {'top_pad', 'bottom_pad', 'left_pad', 'right_pad'}

    def to_tuple(d):
        return ((d.get('top_pad', 0), d.get('bottom_pad', 0)),
                (d.get('left_pad', 0), d.get('right_pad', 0)))

    message = ('The `padding` argument in the Keras 2 API no longer accepts dict types. '
               'Pass `padding=((top_pad, bottom_pad), (left_pad, right_pad))` instead.')
    if isinstance(kwargs.get('padding'), dict):
        if set(kwargs['padding']) <= keys:
            kwargs['padding'] = to_tuple(kwargs['padding'])
            warnings.warn(message, stacklevel=3)
    elif len(args) == 2 and isinstance(args[1], dict):
        if set(args[1]) <= keys:
            args = (args[0], to_tuple(args[1]))
            warnings.warn(message, stacklevel=3)
    return args, kwargs, []


legacy_zeropadding2d_support = _dim_ordering_interface(
    allowed_positional_args=['padding'], preprocessor=zeropadding2d_args_preprocessor)

legacy_zeropadding3d_support = _dim_ordering_interface(allowed_positional_args=['padding'])

legacy_cropping2d_support = _dim_ordering_interface(allowed_positional_args=['cropping'])

legacy_cropping3d_support = _dim_ordering_interface(allowed_positional_args=['cropping'])


# ------------------------------------------------------------------ convolutions


_STRIDES_AMBIGUITY = ('It seems that you are using the Keras 2 and you are passing both '
                      '`kernel_size` and `strides` as integer positional arguments. For safety '
                      'reasons, this is disallowed. Pass `strides` as a keyword argument '
                      'instead.')


def _check_no_keras2_keywords(kwargs):
    for name in ('padding', 'strides', 'data_format'):
        if name in kwargs:
            raise ValueError(_STRIDES_AMBIGUITY)


def conv1d_args_preprocessor(args, kwargs):
    converted = []
    if 'input_dim' in kwargs:
        length = kwargs.pop('input_length', None)
        kwargs['input_shape'] = (length, kwargs.pop('input_dim'))
        converted.append(('input_shape', 'input_dim'))
    return args, kwargs, converted


def conv2d_args_preprocessor(args, kwargs):
    """`(self, nb_filter, nb_row, nb_col)` or `nb_row=`/`nb_col=` -> `kernel_size=(r, c)`."""
    converted = []
    args = tuple(args)
    if len(args) > 4:
        raise TypeError('Layer can receive at most 3 positional arguments.')
    if len(args) == 4:
        if _is_int(args[2]) and _is_int(args[3]):
            _check_no_keras2_keywords(kwargs)
            args = (args[0], args[1], (args[2], args[3]))
            converted.append(('kernel_size', 'nb_row/nb_col'))
    elif len(args) == 3 and _is_int(args[2]):
        if 'nb_col' in kwargs:
            args = (args[0], args[1], (args[2], kwargs.pop('nb_col')))
            converted.append(('kernel_size', 'nb_row/nb_col'))
    elif len(args) in (1, 2) and 'nb_row' in kwargs and 'nb_col' in kwargs:
        kernel_size = (kwargs.pop('nb_row'), kwargs.pop('nb_col'))
        if len(args) == 2:
            args = (args[0], args[1], kernel_size)
        else:
            kwargs['kernel_size'] = kernel_size
        converted.append(('kernel_size', 'nb_row/nb_col'))
    return args, kwargs, converted


def separable_conv2d_args_preprocessor(args, kwargs):
    converted = []
    if 'init' in kwargs:
        init = kwargs.pop('init')
        kwargs['depthwise_initializer'] = init
        kwargs['pointwise_initializer'] = init
        converted.append(('init', 'depthwise_initializer/pointwise_initializer'))
    args, kwargs, more = conv2d_args_preprocessor(args, kwargs)
    return args, kwargs, converted + more


def deconv2d_args_preprocessor(args, kwargs):
    """Keras 1 `Deconvolution2D(nb_filter, nb_row, nb_col, output_shape)`: drops output_shape."""
    converted = []
    args = tuple(args)
    if len(args) == 5 and isinstance(args[4], tuple):
        args = args[:-1]
        converted.append(('output_shape', None))
    if 'output_shape' in kwargs:
        kwargs.pop('output_shape')
        converted.append(('output_shape', None))
    args, kwargs, more = conv2d_args_preprocessor(args, kwargs)
    return args, kwargs, converted + more


def conv3d_args_preprocessor(args, kwargs):
    """`(self, nb_filter, d1, d2, d3)` or `kernel_dim1..3=` -> `kernel_size=(d1, d2, d3)`."""
    converted = []
    args = tuple(args)
    dims = ('kernel_dim1', 'kernel_dim2', 'kernel_dim3')
    if len(args) > 5:
        raise TypeError('Layer can receive at most 4 positional arguments.')
    if len(args) == 5:
        if all(_is_int(a) for a in args[2:]):
            args = (args[0], args[1], tuple(args[2:]))
            converted.append(('kernel_size', 'kernel_dim*'))
    elif len(args) == 4 and _is_int(args[3]):
        if _is_int(args[2]):
            _check_no_keras2_keywords(kwargs)
        if 'kernel_dim3' in kwargs:
            args = (args[0], args[1], (args[2], args[3], kwargs.pop('kernel_dim3')))
            converted.append(('kernel_size', 'kernel_dim*'))
    elif len(args) == 3:
        if 'kernel_dim2' in kwargs and 'kernel_dim3' in kwargs:
            args = (args[0], args[1],
                    (args[2], kwargs.pop('kernel_dim2'), kwargs.pop('kernel_dim3')))
            converted.append(('kernel_size', 'kernel_dim*'))
    elif len(args) in (1, 2) and all(d in kwargs for d in dims):
        kernel_size = tuple(kwargs.pop(d) for d in dims)
        if len(args) == 2:
            args = (args[0], args[1], kernel_size)
        else:
            kwargs['kernel_size'] = kernel_size
        converted.append(('kernel_size', 'kernel_dim*'))
    return args, kwargs, converted


legacy_conv1d_support = generate_legacy_interface(
    allowed_positional_args=['filters', 'kernel_size'],
    conversions=[('nb_filter', 'filters'),
                 ('filter_length', 'kernel_size'),
                 ('subsample_length', 'strides'),
                 ('border_mode', 'padding')] + _KERNEL_BIAS_CONVERSIONS,
    preprocessor=conv1d_args_preprocessor)

_CONV_ND_CONVERSIONS = [('nb_filter', 'filters'),
                        ('subsample', 'strides'),
                        ('border_mode', 'padding')]

legacy_conv2d_support = _dim_ordering_interface(
    allowed_positional_args=['filters', 'kernel_size'],
    conversions=_CONV_ND_CONVERSIONS + _KERNEL_BIAS_CONVERSIONS,
    preprocessor=conv2d_args_preprocessor)

legacy_separable_conv2d_support = _dim_ordering_interface(
    allowed_positional_args=['filters', 'kernel_size'],
    conversions=_CONV_ND_CONVERSIONS + [('b_regularizer', 'bias_regularizer'),
                                        ('b_constraint', 'bias_constraint'),
                                        ('bias', 'use_bias')],
    preprocessor=separable_conv2d_args_preprocessor)

legacy_deconv2d_support = _dim_ordering_interface(
    allowed_positional_args=['filters', 'kernel_size'],
    conversions=_CONV_ND_CONVERSIONS + _KERNEL_BIAS_CONVERSIONS,
    preprocessor=deconv2d_args_preprocessor)

legacy_conv3d_support = _dim_ordering_interface(
    allowed_positional_args=['filters', 'kernel_size'],
    conversions=_CONV_ND_CONVERSIONS + _KERNEL_BIAS_CONVERSIONS,
    preprocessor=conv3d_args_preprocessor)


def convlstm2d_args_preprocessor(args, kwargs):
    converted = []
    _forget_bias_init(kwargs, converted)
    args, kwargs, more = conv2d_args_preprocessor(args, kwargs)
    return args, kwargs, converted + more


legacy_convlstm2d_support = _dim_ordering_interface(
    allowed_positional_args=['filters', 'kernel_size'],
    conversions=_CONV_ND_CONVERSIONS + [('init', 'kernel_initializer'),
                                        ('inner_init', 'recurrent_initializer'),
                                        ('W_regularizer', 'kernel_regularizer'),
                                        ('U_regularizer', 'recurrent_regularizer'),
                                        ('b_regularizer', 'bias_regularizer'),
                                        ('inner_activation', 'recurrent_activation'),
                                        ('dropout_W', 'dropout'),
                                        ('dropout_U', 'recurrent_dropout'),
                                        ('bias', 'use_bias')],
    preprocessor=convlstm2d_args_preprocessor)


# ------------------------------------------------------------------ normalization
def batchnorm_args_preprocessor(args, kwargs):
    converted = []
    if len(args) > 1:
        raise TypeError('The `BatchNormalization` layer does not accept positional arguments. '
                        'Use keyword arguments instead.')
    if 'mode' in kwargs:
        if kwargs.pop('mode') != 0:
            raise TypeError('The `mode` argument of `BatchNormalization` no longer exists. '
                            '`mode=1` and `mode=2` are no longer supported.')
        converted.append(('mode', None))
    return args, kwargs, converted


legacy_batchnorm_support = generate_legacy_interface(
    allowed_positional_args=[],
    conversions=[('beta_init', 'beta_initializer'),
                 ('gamma_init', 'gamma_initializer')],
    preprocessor=batchnorm_args_preprocessor)


# ------------------------------------------------------------------ models and methods
_KERAS1_GENERATOR_ARGS = ('samples_per_epoch', 'val_samples', 'nb_epoch', 'nb_val_samples',
                          'nb_worker')


def generator_methods_args_preprocessor(args, kwargs):
    """`samples_per_epoch` -> `steps_per_epoch` (divided by `generator.batch_size` if known)."""
    converted = []
    had_keras1_args = any(k in kwargs for k in _KERAS1_GENERATOR_ARGS)
    if len(args) < 3 and 'samples_per_epoch' in kwargs:
        samples_per_epoch = kwargs.pop('samples_per_epoch')
        generator = args[1] if len(args) > 1 else kwargs.get('generator')
        if hasattr(generator, 'batch_size'):
            kwargs['steps_per_epoch'] = samples_per_epoch // generator.batch_size
        else:
            kwargs['steps_per_epoch'] = samples_per_epoch
        converted.append(('samples_per_epoch', 'steps_per_epoch'))
    if had_keras1_args:
        warnings.warn('The semantics of the Keras 2 argument `steps_per_epoch` is not the same '
                      'as the Keras 1 argument `samples_per_epoch`. `steps_per_epoch` is the '
                      'number of batches to draw from the generator at each epoch. Basically '
                      'steps_per_epoch = samples_per_epoch/batch_size. Similarly '
                      '`nb_val_samples`->`validation_steps` and `val_samples`->`steps` '
                      'arguments have changed. Update your method calls accordingly.',
                      stacklevel=3)
    return args, kwargs, converted


legacy_generator_methods_support = generate_legacy_method_interface(
    allowed_positional_args=['generator', 'steps_per_epoch', 'epochs'],
    conversions=[('samples_per_epoch', 'steps_per_epoch'),
                 ('val_samples', 'steps'),
                 ('nb_epoch', 'epochs'),
                 ('nb_val_samples', 'validation_steps'),
                 ('nb_worker', 'workers'),
                 ('pickle_safe', 'use_multiprocessing'),
                 ('max_q_size', 'max_queue_size')],
    preprocessor=generator_methods_args_preprocessor)

legacy_model_constructor_support = generate_legacy_interface(
    conversions=[('input', 'inputs'), ('output', 'outputs')])

legacy_input_support = generate_legacy_interface(
    conversions=[('input_dtype', 'dtype')])


def add_weight_args_preprocessing(args, kwargs):
    """Keras 2.0 `add_weight(shape, name, ...)` -> keywords `shape=`, `name=`."""
    args = tuple(args)
    if len(args) > 1 and isinstance(args[1], (tuple, list)):
        kwargs['shape'] = args[1]
        args = (args[0],) + args[2:]
        if len(args) > 1 and isinstance(args[1], str):
            kwargs['name'] = args[1]
            args = (args[0],) + args[2:]
    return args, kwargs, []


legacy_add_weight_support = generate_legacy_interface(
    allowed_positional_args=['name', 'shape'],
    preprocessor=add_weight_args_preprocessing)


def get_updates_arg_preprocessing(args, kwargs):
    """Keras 2.0 `get_updates(params, constraints, loss)` -> Keras 2.2 `(loss=, params=)`."""
    args = tuple(args)
    if len(args) > 4:
        raise TypeError('`get_updates` call received more arguments than expected.')
    if len(args) == 4:
        opt, params, _constraints, loss = args
        kwargs['loss'] = loss
        kwargs['params'] = params
        return (opt,), kwargs, []
    if len(args) == 3 and isinstance(args[1], (list, tuple)):
        # (params, constraints) positionally and loss= by keyword
        if not isinstance(args[2], dict) or 'loss' not in kwargs:
            raise TypeError('`get_updates`: with the Keras 2.0 argument order pass '
                            '(params, constraints, loss), where constraints is a dict; got '
                            'params, %r and loss%s' % (type(args[2]).__name__,
                                                      '' if 'loss' in kwargs else ' missing'))
        kwargs['params'] = args[1]
        return (args[0],), kwargs, []
    return args, kwargs, []


legacy_get_updates_support = generate_legacy_interface(
    allowed_positional_args=None,
    conversions=[],
    preprocessor=get_updates_arg_preprocessing)
