"""Utilities for testing layers (Keras 2.2 `keras.utils.test_utils`)."""
import functools

import numpy as np
from numpy.testing import assert_allclose

from .. import backend as K
from .generic_utils import has_arg


def get_test_data(num_train=1000, num_test=500, input_shape=(10,), output_shape=(2,),
                  classification=True, num_classes=2):
    """Random data: `(x_train, y_train), (x_test, y_test)`.

    With `classification=True` the labels are integers in `[0, num_classes)` and each
    class's inputs are centred on a class-specific mean; otherwise inputs and targets are
    standard normal with `output_shape`.

    # Arguments
        num_train: number of training samples.
        num_test: number of test samples.
        input_shape: shape of one input sample.
        output_shape: shape of one target (regression).
        classification: whether to make classification data (integer labels) or regression data.
        num_classes: number of classes (classification).

    # Returns
        `(x_train, y_train), (x_test, y_test)`.
    """
    samples = num_train + num_test
    if classification:
        y = np.random.randint(0, num_classes, size=(samples,))
        x = np.zeros((samples,) + tuple(input_shape), dtype=np.float32)
        for i in range(samples):
            x[i] = np.random.normal(loc=y[i], scale=0.7, size=input_shape)
    else:
        y_loc = np.random.random((samples,))
        x = np.zeros((samples,) + tuple(input_shape), dtype=np.float32)
        y = np.zeros((samples,) + tuple(output_shape), dtype=np.float32)
        for i in range(samples):
            x[i] = np.random.normal(loc=y_loc[i], scale=0.7, size=input_shape)
            y[i] = np.random.normal(loc=y_loc[i], scale=0.7, size=output_shape)
    return (x[:num_train], y[:num_train]), (x[num_train:], y[num_train:])


def _check_shape(expected_shape, actual_shape):
    # (the sizes both give, axis by axis, as Keras 2.2.4 compared them)
    for expected_dim, actual_dim in zip(expected_shape, actual_shape):
        if expected_dim is not None and actual_dim is not None:
            assert expected_dim == actual_dim, (expected_shape, actual_shape)


def layer_test(layer_cls, kwargs={}, input_shape=None, input_dtype=None, input_data=None,
               expected_output=None, expected_output_dtype=None, fixed_batch_size=False):
    """Check a layer class end to end, as Keras 2.2.4's `layer_test` does.

    Instantiates `layer_cls(**kwargs)`, round-trips its weights (and, when it takes a
    `weights` argument and has weights, builds it again from them), calls it in a
    functional model on an `Input` (output dtype; the output's sizes against
    `compute_output_shape`; optional `expected_output`), rebuilds the model from its config
    with the same weights (same output), trains it one batch when the layer's `call` takes
    `training`, and builds the layer again from its config.

    # Arguments
        layer_cls: the layer class to test.
        kwargs: the constructor arguments.
        input_shape: shape of the random input, batch axis included (`None` entries get
            random sizes).
        input_dtype: dtype of the input data.
        input_data: optional input array (instead of random data).
        expected_output: optional expected output array.
        expected_output_dtype: optional expected output dtype.
        fixed_batch_size: whether the `Input` has the batch size of `input_shape`.

    # Returns
        The output of the layer on the input data.
    """
    from ..engine.input_layer import Input
    from ..engine.training import Model

    if input_data is None:
        if not input_shape:
            raise ValueError('layer_test: give `input_shape` or `input_data`')
        if not input_dtype:
            input_dtype = K.floatx()
        input_data_shape = list(input_shape)
        for i, e in enumerate(input_data_shape):
            if e is None:
                input_data_shape[i] = np.random.randint(1, 4)
        input_data = (10 * np.random.random(input_data_shape)).astype(input_dtype)
    else:
        input_data = np.asarray(input_data)
        if input_shape is None:
            input_shape = input_data.shape
        if input_dtype is None:
            input_dtype = input_data.dtype.name
    if expected_output_dtype is None:
        expected_output_dtype = input_dtype
    kwargs = dict(kwargs)

    # instantiation, weights round trip (a layer built from an empty list of weights is
    # not tried: Keras 2.2.4 skipped it, as layers taking `weights=None` fail on `[]`)
    layer = layer_cls(**kwargs)
    weights = layer.get_weights()
    layer.set_weights(weights)
    if has_arg(layer_cls.__init__, 'weights') and len(weights):
        kwargs['weights'] = weights
        layer = layer_cls(**kwargs)
    expected_output_shape = layer.compute_output_shape(tuple(input_shape))

    # the functional API
    if fixed_batch_size:
        x = Input(batch_shape=input_shape, dtype=input_dtype)
    else:
        x = Input(shape=tuple(input_shape)[1:], dtype=input_dtype)
    y = layer(x)
    assert K.dtype(y) == expected_output_dtype, (K.dtype(y), expected_output_dtype)
    model = Model(x, y)
    actual_output = model.predict(input_data)
    _check_shape(expected_output_shape, actual_output.shape)
    if expected_output is not None:
        assert_allclose(actual_output, expected_output, rtol=1e-3)

    # serialization, weight setting at model level
    recovered_model = model.__class__.from_config(model.get_config())
    if model.weights:
        recovered_model.set_weights(model.get_weights())
        assert_allclose(recovered_model.predict(input_data), actual_output, rtol=1e-3)

    # training mode, for layers that behave differently in it (e.g. dropout)
    if has_arg(layer.call, 'training'):
        model.compile('rmsprop', 'mse')
        model.train_on_batch(input_data, actual_output)

    # instantiation from the layer's config
    layer_config = layer.get_config()
    layer_config['batch_input_shape'] = tuple(input_shape)
    layer.__class__.from_config(layer_config)
    return actual_output


def keras_test(func):
    """Decorator for tests (Keras 2.0-2.2.2): run `func`, then `K.clear_session()` so the
    next test starts with fresh layer-name counters and no state left over."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        finally:
            K.clear_session()
    return wrapper


__all__ = ['get_test_data', 'layer_test', 'keras_test', 'has_arg']
