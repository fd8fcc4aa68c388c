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


def set_kernel_bias_args(layer, activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, activity_regularizer,
                         kernel_constraint, bias_constraint):
    """Set the `KERNEL_BIAS_ARGS` of `layer` (Dense, the convolutions, LocallyConnected).

    Each value is stored as an attribute of the same name, resolved through its module's
    `get` (an identifier or a config becomes the activation, initializer, regularizer or
    constraint object).

    # Arguments
        layer: the layer whose attributes are set.
        activation: the activation (`activations.get`).
        use_bias: whether the layer has a bias.
        kernel_initializer: the kernel's initializer (`initializers.get`).
        bias_initializer: the bias's initializer (`initializers.get`).
        kernel_regularizer: the kernel's regularizer or None (`regularizers.get`).
        bias_regularizer: the bias's regularizer or None (`regularizers.get`).
        activity_regularizer: the output's regularizer or None (`regularizers.get`).
        kernel_constraint: the kernel's constraint or None (`constraints.get`).
        bias_constraint: the bias's constraint or None (`constraints.get`).
    """
    layer.activation = activations.get(activation)
    layer.use_bias = use_bias
    layer.kernel_initializer = initializers.get(kernel_initializer)
    layer.bias_initializer = initializers.get(bias_initializer)
    layer.kernel_regularizer = regularizers.get(kernel_regularizer)
    layer.bias_regularizer = regularizers.get(bias_regularizer)
    layer.activity_regularizer = regularizers.get(activity_regularizer)
    layer.kernel_constraint = constraints.get(kernel_constraint)
    layer.bias_constraint = constraints.get(bias_constraint)


def args_config(layer, names):
    """Config entries for the constructor arguments `names` of `layer`, in that order.

    # Arguments
        layer: the layer whose attributes are read.
        names: the attribute names (e.g. `KERNEL_BIAS_ARGS`); activations, initializers,
            regularizers and constraints are serialized, other values kept as they are.

    # Returns
        A dict `{name: value}` in the order of `names`.
    """
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
