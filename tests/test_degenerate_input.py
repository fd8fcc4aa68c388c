"""Degenerate input gets an error (or, where Keras 2.2.4 accepted it, a warning) that names
the argument and the sizes: empty data, windows larger than the input, class weights for
classes that never occur, by-name weight loading that matches nothing."""
import warnings

import numpy as np
import pytest

from keras.layers import (Dense, Conv1D, Conv2D, SeparableConv2D, DepthwiseConv2D,
                          Conv2DTranspose, MaxPooling2D)
from keras.models import Sequential


def _model():
    model = Sequential([Dense(2, input_shape=(3,), name='d')])
    model.compile('sgd', 'mse')
    return model


def test_fit_and_evaluate_on_empty_arrays():
    model = _model()
    with pytest.raises(ValueError, match='0 samples.*nothing to train'):
        model.fit(np.zeros((0, 3)), np.zeros((0, 2)), verbose=0)
    with pytest.raises(ValueError, match='0 samples.*nothing to evaluate'):
        model.evaluate(np.zeros((0, 3)), np.zeros((0, 2)), verbose=0)
    assert model.predict(np.zeros((0, 3))).shape == (0, 2)


@pytest.mark.parametrize('make', [
    lambda: Conv2D(4, 7, input_shape=(5, 5, 1)),
    lambda: SeparableConv2D(4, 7, input_shape=(5, 5, 1)),
    lambda: DepthwiseConv2D(7, input_shape=(5, 5, 1)),
    lambda: Conv1D(2, 3, dilation_rate=3, input_shape=(6, 2)),
    lambda: Conv2D(2, 3, data_format='channels_first', input_shape=(1, 2, 9)),
])
def test_convolution_windows_larger_than_the_input(make):
    with pytest.raises(ValueError, match='kernel_size=.*does not fit the input'):
        Sequential([make()])


def test_windows_that_fit_still_build():
    assert Sequential([Conv2D(4, 7, padding='same', input_shape=(5, 5, 1))]).output_shape == \
        (None, 5, 5, 4)
    assert Sequential([Conv2DTranspose(4, 7, input_shape=(5, 5, 1))]).output_shape == \
        (None, 11, 11, 4)
    with pytest.raises(ValueError, match='pool size 4 is larger than the input size 3'):
        Sequential([MaxPooling2D(4, input_shape=(3, 3, 1))])


def test_class_weight_for_a_class_that_never_occurs_warns():
    model = _model()
    x, y = np.ones((4, 3)), np.eye(2)[[0, 1, 0, 1]]
    with pytest.warns(UserWarning, match=r'classes \[7\] do not occur'):
        model.fit(x, y, class_weight={0: 1., 1: 1., 7: 3.}, verbose=0)
    with pytest.raises(ValueError, match=r'classes \[1\] exist in the data'):
        model.fit(x, y, class_weight={0: 1.}, verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        # (JAX's warning that another process removed a file of the shared compilation
        # cache while this one wrote it is not this test's)
        warnings.filterwarnings('ignore', message='Error writing persistent compilation cache')
        model.fit(x, y, class_weight={0: 1., 1: 2.}, verbose=0)
        # a batch may lack a class (a GAN's all-real batch): no warning there
        model.train_on_batch(x[:1], y[:1], class_weight={0: 1., 1: 2.})


def test_a_list_of_class_weights_for_one_output_is_ignored_with_a_warning():
    # Keras 2.2.4 took the list for the output's weights, not a dict, and trained unweighted
    # (Keras-GAN's sgan passes one dict per output of another model)
    model = _model()
    x, y = np.ones((4, 3)), np.eye(2)[[0, 1, 0, 1]]
    twin = _model()
    twin.set_weights(model.get_weights())
    with pytest.warns(UserWarning, match=r'a list of 2 entries for a model with one output'):
        model.train_on_batch(x, y, class_weight=[{0: 1., 1: 5.}, {0: 2.}])
    twin.train_on_batch(x, y)
    for a, b in zip(model.get_weights(), twin.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_load_weights_by_name_matching_nothing_warns(tmp_path):
    model = _model()
    path = str(tmp_path / 'w.h5')
    model.save_weights(path)
    other = Sequential([Dense(2, input_shape=(3,), name='other')])
    before = other.get_weights()[0].copy()
    with pytest.warns(UserWarning, match='no layer of the model has the name'):
        other.load_weights(path, by_name=True)
    np.testing.assert_array_equal(other.get_weights()[0], before)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        _model().load_weights(path, by_name=True)


def test_recurrent_layer_on_zero_timesteps():
    from keras.layers import LSTM
    with pytest.raises(ValueError, match='0 timesteps'):
        Sequential([LSTM(3, input_shape=(0, 2))])
    model = Sequential([LSTM(3, input_shape=(None, 2))])
    with pytest.raises(ValueError, match='0 timesteps'):
        model.predict(np.ones((2, 0, 2), 'float32'))
