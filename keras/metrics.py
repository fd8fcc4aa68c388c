"""Built-in metric functions (Keras 2.2 API).

Metrics take `(y_true, y_pred)`; the accuracies return one value per sample
except the top-k ones, which (as Keras 2.2.4) return the batch mean.  The
loss functions are available here under the same names.  `'acc'` /
`'accuracy'` are not functions of this module: `Model.compile` maps them to
the accuracy that fits the output and loss.
"""
from . import backend as K
from .utils.generic_utils import (deserialize_keras_object, get_keras_object,
                                  serialize_keras_object)
from .losses import (mean_squared_error, mean_absolute_error,  # noqa: F401
                     mean_absolute_percentage_error, mean_squared_logarithmic_error,
                     hinge, logcosh, squared_hinge, categorical_crossentropy,
                     sparse_categorical_crossentropy, binary_crossentropy,
                     kullback_leibler_divergence, poisson, cosine_proximity)


def binary_accuracy(y_true, y_pred):
    """Mean over the last axis of `y_true == round(y_pred)` (threshold 0.5).

    # Arguments
        y_true: binary targets (0 or 1).
        y_pred: predicted probabilities.

    # Returns
        A tensor of one accuracy per sample.
    """
    return K.mean(K.equal(y_true, K.round(y_pred)), axis=-1)


def categorical_accuracy(y_true, y_pred):
    """Whether the predicted class (the argmax) is the target class, per sample.

    # Arguments
        y_true: one-hot targets.
        y_pred: predicted scores.

    # Returns
        A float tensor of 1s and 0s, one per sample.
    """
    return K.cast(K.equal(K.argmax(y_true, axis=-1), K.argmax(y_pred, axis=-1)), K.floatx())


def sparse_categorical_accuracy(y_true, y_pred):
    """`y_true` holds class indices, of shape `y_pred.shape[:-1]` or with a trailing 1.

    # Arguments
        y_true: integer class indices.
        y_pred: predicted scores `(batch, ..., classes)`.

    # Returns
        A float tensor of 1s and 0s, one per sample.
    """
    if K.ndim(y_true) == K.ndim(y_pred):
        y_true = K.squeeze(y_true, -1)
    y_pred_labels = K.cast(K.argmax(y_pred, axis=-1), K.floatx())
    return K.cast(K.equal(K.cast(y_true, K.floatx()), y_pred_labels), K.floatx())


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """Fraction of the batch whose true class is among the k top-scored (a scalar).

    # Arguments
        y_true: one-hot targets `(batch, classes)`.
        y_pred: predicted scores `(batch, classes)`.
        k: how many top-scored classes count.

    # Returns
        A scalar tensor, the fraction of hits.
    """
    return K.mean(K.in_top_k(y_pred, K.argmax(y_true, axis=-1), k), axis=-1)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    """As top_k_categorical_accuracy with integer labels (shape (batch,) or (batch, 1)).

    # Arguments
        y_true: integer class indices, `(batch,)` or `(batch, 1)`.
        y_pred: predicted scores `(batch, classes)`.
        k: how many top-scored classes count.

    # Returns
        A scalar tensor, the fraction of hits.
    """
    return K.mean(K.in_top_k(y_pred, K.cast(K.flatten(y_true), 'int32'), k), axis=-1)


# Aliases (Keras 2.2.4 names).
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
cosine = cosine_proximity

_METRICS = {f.__name__: f for f in (
    binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
    top_k_categorical_accuracy, sparse_top_k_categorical_accuracy,
    mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
    mean_squared_logarithmic_error, hinge, logcosh, squared_hinge,
    categorical_crossentropy, sparse_categorical_crossentropy, binary_crossentropy,
    kullback_leibler_divergence, poisson, cosine_proximity)}
_METRICS.update({'mse': mse, 'MSE': MSE, 'mae': mae, 'MAE': MAE, 'mape': mape,
                 'MAPE': MAPE, 'msle': msle, 'MSLE': MSLE, 'cosine': cosine})


def serialize(metric):
    """The name of a metric function.

    # Arguments
        metric: a function.

    # Returns
        A string.
    """
    return serialize_keras_object(metric)


def deserialize(config, custom_objects=None):
    """Returns the metric function named `config`.

    # Arguments
        config: the name of a metric or loss function (e.g. `'mae'`), or of one in
            `custom_objects`.
        custom_objects: dictionary mapping names to custom functions.

    # Returns
        A function.
    """
    return deserialize_keras_object(config, module_objects=_METRICS,
                                    custom_objects=custom_objects,
                                    printable_module_name='metric function')


def get(identifier):
    """A name (`'mae'`), a dict config or a callable -> a metric function.

    # Arguments
        identifier: the name of a metric or loss, a config dictionary or a callable.

    # Returns
        A metric function.
    """
    if isinstance(identifier, str):  # a function's name, not a class to instantiate
        return deserialize(identifier)
    return get_keras_object(identifier, deserialize, 'metric function')
