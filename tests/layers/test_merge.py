"""Merge layers: functional forms, broadcasting, masks, shape checks and errors."""
import numpy as np
import pytest

from keras import backend as K
from keras import layers
from keras.models import Model
from keras.utils.test_utils import layer_test


def test_functional_forms_compute():
    a = np.random.rand(2, 3).astype('float32')
    b = np.random.rand(2, 3).astype('float32')
    c = np.random.rand(2, 3).astype('float32')
    ia, ib, ic = [layers.Input(shape=(3,)) for _ in range(3)]
    outs = [layers.add([ia, ib, ic]), layers.subtract([ia, ib]), layers.multiply([ia, ib, ic]),
            layers.average([ia, ib, ic]), layers.maximum([ia, ib, ic]),
            layers.minimum([ia, ib, ic]), layers.concatenate([ia, ib, ic]),
            layers.dot([ia, ib], axes=1), layers.dot([ia, ib], axes=-1, normalize=True)]
    pred = Model([ia, ib, ic], outs).predict([a, b, c])
    refs = [a + b + c, a - b, a * b * c, (a + b + c) / 3, np.maximum(np.maximum(a, b), c),
            np.minimum(np.minimum(a, b), c), np.concatenate([a, b, c], -1),
            (a * b).sum(1, keepdims=True),
            ((a / np.linalg.norm(a, axis=1, keepdims=True)) *
             (b / np.linalg.norm(b, axis=1, keepdims=True))).sum(1, keepdims=True)]
    for p, r in zip(pred, refs):
        np.testing.assert_allclose(p, r, rtol=1e-5, atol=1e-6)


def test_output_shapes_and_broadcasting():
    x = layers.Input(shape=(4, 5))
    y = layers.Input(shape=(5,))
    assert K.int_shape(layers.add([x, y])) == (None, 4, 5)
    assert layers.Add().compute_output_shape([(None, 4, 1), (None, 4, 5)]) == (None, 4, 5)
    z = layers.Input(shape=(4, 3))
    assert K.int_shape(layers.concatenate([x, z])) == (None, 4, 8)
    assert K.int_shape(layers.dot([x, z], axes=1)) == (None, 5, 3)
    assert layers.Dot(axes=(2, 1)).compute_output_shape([(None, 3, 4), (None, 4, 2)]) == \
        (None, 3, 2)


def test_masks():
    inp = layers.Input(shape=(4,), dtype='int32')
    e1 = layers.Embedding(5, 2, mask_zero=True)(inp)
    e2 = layers.Embedding(5, 2)(inp)
    added = layers.Add()
    out = added([e1, e2])
    ids = np.array([[1, 0, 2, 0]])
    mask = added.compute_mask([np.zeros((1, 4, 2))] * 2, [ids != 0, None])
    np.testing.assert_array_equal(mask, [[True, False, True, False]])
    assert K.int_shape(out._keras_mask) == (None, 4)
    conc = layers.Concatenate(axis=-1)
    m = conc.compute_mask([np.zeros((1, 4, 2)), np.zeros((1, 4, 2))],
                          [np.array([[1, 1, 0, 1]], bool), None])
    np.testing.assert_array_equal(m, [[True, True, False, True]])
    assert conc.compute_mask([np.zeros((1, 4))] * 2, None) is None
    assert layers.Dot(axes=1).compute_mask([e1, e2], [ids, ids]) is None


def test_errors():
    x = layers.Input(shape=(3,))
    y = layers.Input(shape=(4,))
    with pytest.raises(ValueError, match='broadcast'):
        layers.add([x, y])
    with pytest.raises(ValueError, match='list'):
        layers.Add()(x)
    with pytest.raises(ValueError, match='at least 2'):
        layers.Add()([x])
    with pytest.raises(ValueError, match='exactly 2'):
        layers.subtract([x, x, x])
    with pytest.raises(ValueError, match='matching shapes'):
        layers.concatenate([layers.Input(shape=(2, 3)), layers.Input(shape=(4, 3))])
    with pytest.raises(ValueError, match='incompatibility'):
        layers.dot([x, y], axes=1)
    with pytest.raises(TypeError, match='axes'):
        layers.Dot(axes='last')
    with pytest.raises(ValueError, match='two elements'):
        layers.Dot(axes=(1, 2, 3))


def test_config_round_trip():
    for layer in [layers.Add(), layers.Concatenate(axis=1), layers.Dot(axes=(1, 2),
                                                                       normalize=True)]:
        config = layer.get_config()
        assert type(layer).from_config(config).get_config() == config
    assert layers.Dot(axes=(1, 2)).get_config()['axes'] == [1, 2]


def test_merge_in_model_config_round_trip():
    a, b = layers.Input(shape=(3,)), layers.Input(shape=(3,))
    model = Model([a, b], layers.concatenate([layers.maximum([a, b]), layers.subtract([a, b])]))
    clone = Model.from_config(model.get_config())
    xa, xb = np.random.rand(2, 3), np.random.rand(2, 3)
    np.testing.assert_allclose(clone.predict([xa, xb]), model.predict([xa, xb]), rtol=1e-6)


UNKNOWN_RANK = pytest.mark.backends(
    'tensorflow', reason='only TensorFlow tensors can be of unknown rank (JAX shapes are static)')


@UNKNOWN_RANK
@pytest.mark.parametrize('merge, reference', [(layers.add, np.add),
                                              (layers.multiply, np.multiply),
                                              (layers.maximum, np.maximum)])
def test_merge_of_unknown_ranks_broadcasts_over_the_batch_axis(monkeypatch, merge, reference):
    # A backend that cannot tell a tensor's rank (K.ndim -> None, as TensorFlow graphs of
    # unknown rank): Keras 2.2 rotates the batch axis to the end before merging, so a
    # (batch, 5) input still broadcasts against a (batch, 4, 5) one.
    a = np.random.rand(2, 4, 5).astype('float32')
    b = np.random.rand(2, 5).astype('float32')
    ia, ib = layers.Input(shape=(None, None)), layers.Input(shape=(None,))
    monkeypatch.setattr(K, 'ndim', lambda x: None)
    out = merge([ia, ib])
    assert K.int_shape(out) == (None, None, None)
    model = Model([ia, ib], out)
    np.testing.assert_allclose(model.predict([a, b]), reference(a, b[:, None, :]), rtol=1e-6)


@UNKNOWN_RANK
def test_merge_of_a_vector_and_a_tensor_of_unknown_rank(monkeypatch):
    ia, ib = layers.Input(shape=(3, 2)), layers.Input(shape=(2,))
    a = np.random.rand(4, 3, 2).astype('float32')
    b = np.random.rand(4, 2).astype('float32')
    real_ndim = K.ndim
    # only the rank-3 input's rank is unknown
    monkeypatch.setattr(K, 'ndim', lambda x: None if real_ndim(x) == 3 else real_ndim(x))
    model = Model([ia, ib], layers.subtract([ia, ib]))
    np.testing.assert_allclose(model.predict([a, b]), a - b[:, None, :], rtol=1e-6)


def test_a_merge_made_in_a_layers_call_merges_a_weight_of_batch_size_one():
    # DeepCTR's DCN cross layer: `add([dot_, self.bias, x])` in `call` with a (1, 1) weight.
    # Keras 2.2.4 checked the batch sizes on its graph's tensors, whose batch was unknown;
    # the values of a training step have the batch's size and the weight broadcasts
    from keras.engine.base_layer import Layer

    class Cross(Layer):
        def build(self, input_shape):
            self.bias = self.add_weight(name='bias', shape=(1, 1), initializer='ones')
            super(Cross, self).build(input_shape)

        def call(self, x):
            return layers.add([x, self.bias, x])

    x = layers.Input((3,))
    model = Model(x, Cross()(x))
    model.compile('sgd', 'mse')
    data = np.arange(12.).reshape(4, 3).astype('float32')
    np.testing.assert_allclose(model.predict(data), 2. * data + 1.)
    model.fit(data, np.zeros((4, 3)), batch_size=2, epochs=1, verbose=0)
    # the functional API still refuses two known batch sizes, as Keras 2.2.4 did
    with pytest.raises(ValueError, match='different batch sizes'):
        layers.add([layers.Input(batch_shape=(4, 3)), layers.Input(batch_shape=(2, 3))])


def test_dot_along_axis_0_as_keras_2_2_4_computed_it():
    # the word2vec tutorials' validation cosine: `dot([target, context], axes=0,
    # normalize=True)` on (batch, d, 1) inputs; Keras 2.2.4 normalised along the batch axis
    # and multiplied as its batch_dot takes those axes: a (batch, 1, 1) output
    from keras.layers import Input, dot
    from keras.models import Model
    a, b = Input((5, 1)), Input((5, 1))
    model = Model([a, b], dot([a, b], axes=0, normalize=True))
    rng = np.random.RandomState(0)
    x, y = rng.rand(3, 5, 1).astype('float32'), rng.rand(3, 5, 1).astype('float32')
    xn = x / np.sqrt((x ** 2).sum(0, keepdims=True))
    yn = y / np.sqrt((y ** 2).sum(0, keepdims=True))
    got = model.predict([x, y])
    assert got.shape == (3, 1, 1)
    np.testing.assert_allclose(got, np.swapaxes(xn, 1, 2) @ yn, rtol=1e-5)
    with pytest.raises(ValueError, match='axes 3 are invalid'):
        dot([a, b], axes=3)
