"""Built-in activation functions (Keras 2.2 API)."""
import warnings

from . import backend as K
from .utils.generic_utils import deserialize_keras_object


def softmax(x, axis=-1):
    """Softmax over `axis`.  As in Keras 2.2, a 1-D input is an error.

    # Arguments
        x: input tensor, at least 2D.
        axis: the axis along which the softmax is normalized.

    # Returns
        A tensor of the shape of `x`, values in (0, 1) summing to 1 along `axis`.

    # Raises
        ValueError: if `x` has fewer than 2 dimensions.
    """
    ndim = K.ndim(x)
    if ndim < 2:
        raise ValueError('Cannot apply softmax to a tensor that is 1D (or 0D); '
                         'softmax needs a batch axis. Received input of shape %s'
                         % (K.int_shape(x),))
    return K.softmax(x, axis=axis)


def elu(x, alpha=1.0):
    """Exponential linear unit: `x` for `x > 0`, `alpha * (exp(x) - 1)` otherwise.

    # Arguments
        x: input tensor.
        alpha: the scale of the negative part.

    # Returns
        A tensor of the shape of `x`.
    """
    return K.elu(x, alpha)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(x):
    """Scaled exponential linear unit (Klambauer et al., 2017).

    # Arguments
        x: input tensor.

    # Returns
        A tensor of the shape of `x`: `scale * elu(x, alpha)` with the constants of the paper.
    """
    return _SELU_SCALE * K.elu(x, _SELU_ALPHA)


def softplus(x):
    """Softplus: `log(exp(x) + 1)`.

    # Arguments
        x: input tensor.

    # Returns
        A tensor of the shape of `x`.
    """
    return K.softplus(x)


def softsign(x):
    """Softsign: `x / (abs(x) + 1)`.

    # Arguments
        x: input tensor.

    # Returns
        A tensor of the shape of `x`, values in (-1, 1).
    """
    return K.softsign(x)


def relu(x, alpha=0., max_value=None, threshold=0.):
    """Rectified linear unit: `max(x, 0)`, with options.

    # Arguments
        x: input tensor.
        alpha: slope below `threshold` (0: plain ReLU; > 0: a leaky ReLU).
        max_value: upper bound of the output (`None`: unbounded).
        threshold: the value below which the output is `alpha * (x - threshold)`.

    # Returns
        A tensor of the shape of `x`.
    """
    return K.relu(x, alpha=alpha, max_value=max_value, threshold=threshold)


def tanh(x):
    """Hyperbolic tangent.

    # Arguments
        x: input tensor.

    # Returns
        A tensor of the shape of `x`, values in (-1, 1).
    """
    return K.tanh(x)


def sigmoid(x):
    """Logistic sigmoid: `1 / (1 + exp(-x))`.

    # Arguments
        x: input tensor.

    # Returns
        A tensor of the shape of `x`, values in (0, 1).
    """
    return K.sigmoid(x)


def hard_sigmoid(x):
    """`clip(0.2 * x + 0.5, 0, 1)`.

    # Arguments
        x: input tensor.

    # Returns
        A tensor of the shape of `x`: 0 below -2.5, 1 above 2.5, `0.2 * x + 0.5` between.
    """
    return K.hard_sigmoid(x)


def exponential(x):
    """Exponential activation: `exp(x)`.

    # Arguments
        x: input tensor.

    # Returns
        A tensor of the shape of `x`.
    """
    return K.exp(x)


def linear(x):
    """Linear (identity) activation: returns `x` unchanged.

    # Arguments
        x: input tensor.

    # Returns
        `x`.
    """
    return x


_ACTIVATIONS = {f.__name__: f for f in (softmax, elu, selu, softplus, softsign, relu, tanh,
                                         sigmoid, hard_sigmoid, exponential, linear)}


def serialize(activation):
    """The name of an activation function (what layer configs store).

    # Arguments
        activation: a function.

    # Returns
        A string.
    """
    return activation.__name__


def deserialize(name, custom_objects=None):
    """Returns the activation function named `name`.

    # Arguments
        name: the name of a function of this module (e.g. `'relu'`), or of one in
            `custom_objects`.
        custom_objects: dictionary mapping names to custom functions.

    # Returns
        A function.

    # Raises
        ValueError: unknown name.
    """
    return deserialize_keras_object(name, module_objects=_ACTIVATIONS,
                                    custom_objects=custom_objects,
                                    printable_module_name='activation function')


def _is_layer(obj):
    return any(c.__name__ == 'Layer' for c in type(obj).__mro__)


def get(identifier):
    """None -> `linear`; a name -> the function; a callable is returned as is.

    # Arguments
        identifier: `None` (linear), the name of an activation or a function.

    # Returns
        A function.

    # Raises
        ValueError: if `identifier` is neither None, a string nor a callable, or names no
            known activation.
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        return deserialize(identifier)
    if callable(identifier):
        if _is_layer(identifier):
            warnings.warn('Do not pass a layer instance (such as %s) as the activation '
                          'argument of another layer. Instead, advanced activation layers '
                          'should be used just like any other layer in a model.'
                          % type(identifier).__name__)
        return identifier
    raise ValueError('Could not interpret activation function identifier: %r' % (identifier,))
