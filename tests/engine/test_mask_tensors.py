"""Masks of symbolic tensors are tensors of the graph, as in Keras 2.2 (`x._keras_mask`,
`node.input_masks`, `layer.input_mask`), and losses and metrics that find them through
`y_pred._keras_history` (keras-contrib's CRF loss and accuracies) run. Both backends."""
import numpy as np

import keras
from keras import backend as K
from keras.layers import Dense, Embedding, Input, LSTM, TimeDistributed
from keras.models import Model, Sequential

from keras.engine.op_layer import TensorMask


def _sequences():
    return np.array([[3, 1, 2, 0, 0], [4, 0, 0, 0, 0], [1, 2, 3, 4, 1]])


def test_the_mask_of_a_symbolic_tensor_is_a_tensor_of_the_graph():
    x = Input((None,), dtype='int32')
    embedded = Embedding(5, 3, mask_zero=True)(x)
    lstm = LSTM(2, return_sequences=True)
    lstm(embedded)
    mask = lstm._inbound_nodes[0].input_masks[0]
    assert mask is embedded._keras_mask and mask is lstm.input_mask
    assert K.is_keras_tensor(mask)
    assert K.int_shape(mask) == (None, None) and K.dtype(mask) == 'bool'
    # computed with K ops like any tensor of the graph
    f = K.function([x], [K.cast(mask, 'int32'), K.sum(K.cast(mask, 'float32'), axis=1)])
    as_int, lengths = f([_sequences()])
    np.testing.assert_array_equal(as_int, (_sequences() != 0).astype('int32'))
    np.testing.assert_array_equal(lengths, [3., 1., 5.])
    # code walking the graph from the embedding layer sees only the LSTM's call
    assert [n.outbound_layer for n in embedded._keras_history[0]._outbound_nodes] == [lstm]
    # an unmasked tensor has no mask, and nothing is made for it
    assert Dense(2)(Input((3,)))._keras_mask is None


def _input_mask(y_pred):
    # the mask of the input of y_pred's layer, found as keras-contrib's CRF loss finds it
    layer, node_index = y_pred._keras_history[:2]
    return K.cast(layer._inbound_nodes[node_index].input_masks[0], 'float32')


def _masked_squared_error(y_true, y_pred):
    return K.sum(K.square(y_true - y_pred), axis=-1) * _input_mask(y_pred)


def _length_per_step(y_true, y_pred):
    mask = _input_mask(y_pred)
    return K.sum(mask, axis=-1, keepdims=True) * mask


def test_a_loss_and_a_metric_reading_the_mask_of_their_layers_input():
    model = Sequential([Embedding(5, 3, mask_zero=True),
                        TimeDistributed(Dense(2), name='per_step')])
    model.compile('sgd', _masked_squared_error, metrics=[_length_per_step])
    x = _sequences()
    y = np.random.RandomState(0).rand(3, 5, 2)
    loss, length = model.evaluate(x, y, batch_size=3, verbose=0)
    pred = model.predict(x)
    valid = (x != 0).astype('float64')
    # the output's mask (the same) weights the per-step values, as in Keras 2.2.4
    np.testing.assert_allclose(loss, (((y - pred) ** 2).sum(-1) * valid).sum() / valid.sum(),
                               rtol=1e-5)
    lengths = valid.sum(-1)
    np.testing.assert_allclose(length, (lengths ** 2).sum() / lengths.sum(), rtol=1e-6)
    history = model.fit(x, y, batch_size=3, epochs=2, verbose=0)
    np.testing.assert_allclose(history.history['loss'][0], loss, rtol=1e-5)


def test_a_mask_layer_in_a_saved_model_loads(tmp_path):
    x = Input((None,), dtype='int32')
    embedded = Embedding(5, 3, mask_zero=True)(x)
    lengths = keras.layers.Lambda(lambda m: K.sum(K.cast(m, 'float32'), axis=1,
                                                  keepdims=True))(embedded._keras_mask)
    model = Model(x, lengths)
    assert any(isinstance(l, TensorMask) for l in model.layers)
    path = str(tmp_path / 'm.h5')
    model.save(path)
    loaded = keras.models.load_model(path, compile=False)
    np.testing.assert_array_equal(loaded.predict(_sequences()).ravel(), [3., 1., 5.])
