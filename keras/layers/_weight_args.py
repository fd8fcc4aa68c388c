"""Constructor arguments of the layers that own a kernel and a bias (Dense, the
convolutions, LocallyConnected, the recurrent cells): reading them, writing them back into
a config, and creating the weights they describe."""
from .. import activations, initializers, regularizers, constraints

# Argument name suffix -> module that reads (`get`) and writes (`serialize`) the argument.
_ARG_MODULES = (('activation', activations), ('_initializer', initializers),
                ('_regularizer', regularizers), ('_constraint', constraints))

# The activation, bias switch and kernel/bias arguments, in their Keras 2.2 config order.
KERNEL_BIAS_ARGS = ('activation', 'use_bias', 'kernel_initializer', 'bias_initializer',
                    'kernel_regularizer', 'bias_regularizer', 'activity_regularizer',
                    'kernel_constraint', 'bias_constraint')


def _arg_module(name):
    for suffix, module in _ARG_MODULES:
        if name.endswith(suffix):
            return module
    return None


def set_args(layer, **args):
    """Set the constructor arguments `args` on `layer`, activations, initializers,
    regularizers and constraints read from their identifiers."""
    for name, value in args.items():
        module = _arg_module(name)
        setattr(layer, name, value if module is None else module.get(value))


def set_kernel_bias_args(layer, activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, activity_regularizer,
                         kernel_constraint, bias_constraint):
    """Set the `KERNEL_BIAS_ARGS` of `layer`."""
    set_args(layer, activation=activation, use_bias=use_bias,
             kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
             kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
             activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
             bias_constraint=bias_constraint)


def args_config(layer, names):
    """Config entries for the constructor arguments `names` of `layer`, in that order
    (activations, initializers, regularizers and constraints serialized)."""
    config = {}
    for name in names:
        value = getattr(layer, name)
        module = _arg_module(name)
        config[name] = value if module is None else module.serialize(value)
    return config


def add_kernel(layer, shape, arg='kernel'):
    """Create the weight `kernel` (or `<arg>_kernel`, e.g. `depthwise_kernel`) with the
    layer's `<arg>_initializer`, `<arg>_regularizer` and `<arg>_constraint`."""
    return layer.add_weight(shape=shape, name=arg if arg == 'kernel' else arg + '_kernel',
                            initializer=getattr(layer, arg + '_initializer'),
                            regularizer=getattr(layer, arg + '_regularizer'),
                            constraint=getattr(layer, arg + '_constraint'))


def add_bias(layer, shape, initializer=None):
    """Create `layer.bias` (initialized by `initializer`, default `layer.bias_initializer`)."""
    layer.bias = layer.add_weight(shape=shape, name='bias',
                                  initializer=(layer.bias_initializer if initializer is None
                                               else initializer),
                                  regularizer=layer.bias_regularizer,
                                  constraint=layer.bias_constraint)


def add_optional_bias(layer, shape):
    """`add_bias` with `layer.use_bias`; otherwise `layer.bias` is None."""
    if layer.use_bias:
        add_bias(layer, shape)
    else:
        layer.bias = None
