"""Built-in loss functions (Keras 2.2 API).

Each takes `(y_true, y_pred)` and returns the loss per sample (and per time
step for sequence outputs): the last axis is reduced, the batch is not.
"""
from . import backend as K
from .utils.generic_utils import (deserialize_keras_object, get_keras_object,
                                  serialize_keras_object)


def mean_squared_error(y_true, y_pred):
    """Mean squared error over the last axis.

    # Arguments
        y_true: targets.
        y_pred: predictions.

    # Returns
        A tensor of one loss per sample.
    """
    return K.mean(K.square(y_pred - y_true), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """Mean absolute error over the last axis.

    # Arguments
        y_true: targets.
        y_pred: predictions.

    # Returns
        A tensor of one loss per sample.
    """
    return K.mean(K.abs(y_pred - y_true), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """Mean absolute percentage error over the last axis.

    `100 * mean(|y_true - y_pred| / max(|y_true|, epsilon))`.

    # Arguments
        y_true: targets.
        y_pred: predictions.

    # Returns
        A tensor of one loss per sample.
    """
    diff = K.abs((y_true - y_pred) / K.clip(K.abs(y_true), K.epsilon(), None))
    return 100. * K.mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    """Mean squared error of `log(1 + y)` (values clipped at `epsilon`) over the last axis.

    # Arguments
        y_true: targets.
        y_pred: predictions.

    # Returns
        A tensor of one loss per sample.
    """
    first_log = K.log(K.clip(y_pred, K.epsilon(), None) + 1.)
    second_log = K.log(K.clip(y_true, K.epsilon(), None) + 1.)
    return K.mean(K.square(first_log - second_log), axis=-1)


def squared_hinge(y_true, y_pred):
    """`y_true` in {-1, +1} (used as given, as Keras 2.2.4).

    # Arguments
        y_true: targets, -1 or +1.
        y_pred: predicted scores.

    # Returns
        A tensor of one loss per sample: the mean of `max(1 - y_true * y_pred, 0) ** 2`.
    """
    return K.mean(K.square(K.maximum(1. - y_true * y_pred, 0.)), axis=-1)


def hinge(y_true, y_pred):
    """`y_true` in {-1, +1} (used as given, as Keras 2.2.4).

    # Arguments
        y_true: targets, -1 or +1.
        y_pred: predicted scores.

    # Returns
        A tensor of one loss per sample: the mean of `max(1 - y_true * y_pred, 0)`.
    """
    return K.mean(K.maximum(1. - y_true * y_pred, 0.), axis=-1)


def categorical_hinge(y_true, y_pred):
    """Categorical hinge loss: `max(0, 1 + max_wrong - correct)`.

    `correct` is the score of the target class and `max_wrong` the highest score of the
    other classes.

    # Arguments
        y_true: one-hot targets.
        y_pred: predicted scores.

    # Returns
        A tensor of one loss per sample.
    """
    pos = K.sum(y_true * y_pred, axis=-1)
    neg = K.max((1. - y_true) * y_pred, axis=-1)
    return K.maximum(0., neg - pos + 1.)


def logcosh(y_true, y_pred):
    """Mean of log(cosh(y_pred - y_true)), computed without overflow for large errors.

    # Arguments
        y_true: targets.
        y_pred: predictions.

    # Returns
        A tensor of one loss per sample.
    """
    x = y_pred - y_true
    return K.mean(x + K.softplus(-2. * x) - K.log(2.), axis=-1)


def categorical_crossentropy(y_true, y_pred):
    """Categorical cross-entropy between one-hot targets and predicted probabilities.

    # Arguments
        y_true: one-hot targets, `(samples, classes)`.
        y_pred: predicted probabilities (e.g. softmax outputs), the same shape.

    # Returns
        A tensor of one loss per sample.
    """
    return K.categorical_crossentropy(y_true, y_pred)


def sparse_categorical_crossentropy(y_true, y_pred):
    """Categorical cross-entropy with integer targets (class indices instead of one-hot vectors).

    # Arguments
        y_true: integer class indices, `(samples,)` or `(samples, 1)` (for sequences
            `(samples, timesteps, 1)`).
        y_pred: predicted probabilities, `(samples, classes)` (or `(samples, timesteps,
            classes)`).

    # Returns
        A tensor of one loss per sample (per timestep for sequences).
    """
    return K.sparse_categorical_crossentropy(y_true, y_pred)


def binary_crossentropy(y_true, y_pred):
    """Binary cross-entropy, averaged over the last axis.

    # Arguments
        y_true: targets (0 or 1).
        y_pred: predicted probabilities.

    # Returns
        A tensor of one loss per sample (the shape of `y_true` without its last axis).
    """
    return K.mean(K.binary_crossentropy(y_true, y_pred), axis=-1)


def kullback_leibler_divergence(y_true, y_pred):
    """Kullback-Leibler divergence along the last axis.

    `sum(y_true * log(y_true / y_pred))`, both clipped to `[epsilon, 1]`.

    # Arguments
        y_true: target probabilities.
        y_pred: predicted probabilities.

    # Returns
        A tensor of one loss per sample.
    """
    y_true = K.clip(y_true, K.epsilon(), 1)
    y_pred = K.clip(y_pred, K.epsilon(), 1)
    return K.sum(y_true * K.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    """Poisson loss: the mean of `y_pred - y_true * log(y_pred + epsilon)` over the last axis.

    # Arguments
        y_true: targets (counts).
        y_pred: predicted rates.

    # Returns
        A tensor of one loss per sample.
    """
    return K.mean(y_pred - y_true * K.log(y_pred + K.epsilon()), axis=-1)


def cosine_proximity(y_true, y_pred):
    """The negated cosine similarity of `y_true` and `y_pred` along the last axis.

    # Arguments
        y_true: targets.
        y_pred: predictions.

    # Returns
        A tensor of one loss per sample (-1 for vectors with the same direction).
    """
    y_true = K.l2_normalize(y_true, axis=-1)
    y_pred = K.l2_normalize(y_pred, axis=-1)
    return -K.sum(y_true * y_pred, axis=-1)


# Aliases (Keras 2.2.4 names).
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence
cosine = cosine_proximity

_LOSSES = {
    'mean_squared_error': mean_squared_error, 'mse': mse, 'MSE': MSE,
    'mean_absolute_error': mean_absolute_error, 'mae': mae, 'MAE': MAE,
    'mean_absolute_percentage_error': mean_absolute_percentage_error,
    'mape': mape, 'MAPE': MAPE,
    'mean_squared_logarithmic_error': mean_squared_logarithmic_error,
    'msle': msle, 'MSLE': MSLE,
    'squared_hinge': squared_hinge, 'hinge': hinge, 'categorical_hinge': categorical_hinge,
    'logcosh': logcosh, 'categorical_crossentropy': categorical_crossentropy,
    'sparse_categorical_crossentropy': sparse_categorical_crossentropy,
    'binary_crossentropy': binary_crossentropy,
    'kullback_leibler_divergence': kullback_leibler_divergence, 'kld': kld, 'KLD': KLD,
    'poisson': poisson, 'cosine_proximity': cosine_proximity, 'cosine': cosine,
}


def serialize(loss):
    """The name of a loss function (what a saved training config stores).

    # Arguments
        loss: a function.

    # Returns
        A string.
    """
    return serialize_keras_object(loss)


def deserialize(name, custom_objects=None):
    """Returns the loss function named `name`.

    # Arguments
        name: the name of a loss of this module (e.g. `'mse'`), or of one in `custom_objects`.
        custom_objects: dictionary mapping names to custom functions.

    # Returns
        A function.

    # Raises
        ValueError: unknown name.
    """
    return deserialize_keras_object(name, module_objects=_LOSSES,
                                    custom_objects=custom_objects,
                                    printable_module_name='loss function')


def get(identifier):
    """None, a name (`'mse'`), a dict config or a callable -> a loss function (or None).

    # Arguments
        identifier: `None`, the name of a loss, a config dictionary or a callable.

    # Returns
        A loss function, or `None`.
    """
    if isinstance(identifier, str):  # a function's name, not a class to instantiate
        return deserialize(identifier)
    return get_keras_object(identifier, deserialize, 'loss function', allow_none=True)
