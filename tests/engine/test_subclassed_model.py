"""Keras 2.2's subclassed models (`class M(keras.Model)` with layers as attributes and a
`call`): compiled before they have inputs, built from the first data they meet (Keras
2.2.4's `_set_inputs`), then trained, evaluated, saved and loaded like the functional model
their `call` describes."""
import numpy as np
import pytest

import keras
from keras import backend as K
from keras import layers, optimizers
from keras.models import Model
from keras.utils import Sequence


@pytest.fixture(autouse=True)
def _fresh_names():
    K.clear_session()
    yield


class TwoLayers(keras.Model):
    def __init__(self):
        super(TwoLayers, self).__init__(name='two_layers')
        self.hidden = layers.Dense(6, activation='tanh')
        self.out = layers.Dense(2, activation='softmax')

    def call(self, inputs, training=None):
        return self.out(self.hidden(inputs))


def _data(n=24, seed=0):
    rs = np.random.RandomState(seed)
    x = rs.rand(n, 4).astype('float32')
    y = np.eye(2, dtype='float32')[(x[:, 0] > x[:, 1]).astype(int)]
    return x, y


def test_compiled_before_its_inputs_then_trained_as_its_functional_twin():
    x, y = _data()
    model = TwoLayers()
    assert model.weights == []
    model.compile(optimizers.SGD(lr=0.5), 'categorical_crossentropy', metrics=['acc'])
    inp = layers.Input((4,))
    twin = Model(inp, layers.Dense(2, activation='softmax')(layers.Dense(6, activation='tanh')(inp)))
    twin.compile(optimizers.SGD(lr=0.5), 'categorical_crossentropy', metrics=['acc'])
    history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    # the first data built it: an input of the data's shape and the layers its call used
    assert [type(l).__name__ for l in model.layers] == ['InputLayer', 'Dense', 'Dense']
    assert model.layers[1] is model.hidden and model.layers[2] is model.out
    assert model.input_shape == (None, 4) and model.output_shape == (None, 2)
    assert sorted(history.history) == ['acc', 'loss']
    # the same training from the same start as the functional model
    again = TwoLayers()
    again.compile(optimizers.SGD(lr=0.5), 'categorical_crossentropy', metrics=['acc'])
    again.predict(x[:1])
    start = [np.random.RandomState(i).randn(*w.shape).astype('float32') * 0.3
             for i, w in enumerate(again.get_weights())]
    again.set_weights(start)
    twin.set_weights(start)
    again.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    twin.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    for a, b in zip(again.get_weights(), twin.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(again.evaluate(x, y, verbose=0), twin.evaluate(x, y, verbose=0),
                               rtol=1e-6)


def test_several_inputs_integer_ones_included(tmp_path):
    class Tagger(keras.Model):
        def __init__(self):
            super(Tagger, self).__init__()
            self.embed = layers.Embedding(10, 3)
            self.flat = layers.Flatten()
            self.dense = layers.Dense(1)

        def call(self, inputs):
            ids, extra = inputs
            return self.dense(layers.concatenate([self.flat(self.embed(ids)), extra]))

    rs = np.random.RandomState(1)
    ids, extra = rs.randint(0, 10, (8, 5)), rs.rand(8, 2).astype('float32')
    y = rs.rand(8, 1).astype('float32')
    model = Tagger()
    model.compile('sgd', 'mse')
    loss = model.train_on_batch([ids, extra], y)
    assert np.isfinite(loss)
    assert [K.dtype(t) for t in model.inputs][1] == K.floatx()
    assert K.dtype(model.inputs[0]).startswith('int')
    path = str(tmp_path / 'tagger.h5')
    model.save_weights(path)
    fresh = Tagger()
    fresh.predict([ids, extra])           # built by predict, without compile
    fresh.load_weights(path)
    np.testing.assert_allclose(fresh.predict([ids, extra]), model.predict([ids, extra]),
                               rtol=1e-6)
    # its class cannot be rebuilt from a config (Keras 2.2.4 refused likewise): weights only
    with pytest.raises(NotImplementedError, match='save_weights'):
        model.save(str(tmp_path / 'whole.h5'))
    assert not (tmp_path / 'whole.h5').exists()


def test_generator_methods_and_dicts_cannot_come_first():
    x, y = _data(8)

    class Batches(Sequence):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return x[4 * i:4 * i + 4], y[4 * i:4 * i + 4]

    model = TwoLayers()
    model.compile('sgd', 'categorical_crossentropy')
    with pytest.raises(RuntimeError, match='has not seen data yet'):
        model.fit_generator(Batches(), epochs=1, verbose=0)
    with pytest.raises(ValueError, match='got a dict'):
        model.fit({'x': x}, y, verbose=0)
    model.train_on_batch(x[:2], y[:2])
    history = model.fit_generator(Batches(), epochs=2, verbose=0)
    assert len(history.history['loss']) == 2
    uncompiled = TwoLayers()
    with pytest.raises(RuntimeError, match='compile'):
        uncompiled.fit(x, y, verbose=0)


def test_a_subclassed_model_as_a_layer_trains_its_own_layers():
    """Its layers are the ones set as its attributes (Keras 2.2.4 tracked them in
    __setattr__), so a functional model that calls it trains their weights too."""
    class Residual(keras.Model):
        def __init__(self):
            super(Residual, self).__init__()
            self.inner = layers.Dense(4, activation='tanh')
            self.outer = layers.Dense(4)

        def call(self, x):
            return layers.add([x, self.outer(self.inner(x))])

    rs = np.random.RandomState(2)
    x, y = rs.rand(16, 4).astype('float32'), rs.rand(16, 1).astype('float32')
    block = Residual()
    assert block.layers == [block.inner, block.outer]
    inp = layers.Input((4,))
    model = Model(inp, layers.Dense(1)(block(inp)))
    assert len(block.weights) == 4 and len(model.trainable_weights) == 6
    # the same network written functionally, from the same weights
    t_inp = layers.Input((4,))
    t_hidden = layers.Dense(4)(layers.Dense(4, activation='tanh')(t_inp))
    twin = Model(t_inp, layers.Dense(1)(layers.add([t_inp, t_hidden])))
    twin.set_weights(model.get_weights())
    for m in (model, twin):
        m.compile(optimizers.SGD(lr=0.2), 'mse')
        m.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), twin.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
