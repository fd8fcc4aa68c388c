"""Engine names that code written for Keras 2.2.4 imports: keras.engine.training_utils, the
models' `_make_*_function` batch functions, `_set_inputs`, `_input_layers`."""
import numpy as np
import pytest

from keras import backend as K
from keras import losses
from keras.engine import training_utils
from keras.layers import Dense, Input, Concatenate
from keras.models import Model, Sequential


def test_check_array_length_consistency():
    a, b = np.zeros((4, 3)), np.zeros((3, 2))
    training_utils.check_array_length_consistency(None, None, None)
    training_utils.check_array_length_consistency([a, a], [a], [a])
    training_utils.check_array_length_consistency([None], [None], [None])
    for args in (([a], None, None), ([a], [None], None), ([a], [b], None), ([a], [a], [b]),
                 ([a, b], None, None)):
        with pytest.raises(ValueError):
            training_utils.check_array_length_consistency(*args)


def test_make_batches_and_batch_shuffle():
    assert training_utils.make_batches(10, 4) == [(0, 4), (4, 8), (8, 10)]
    np.random.seed(0)
    shuffled = training_utils.batch_shuffle(np.arange(10), 4)
    # whole batches move together; the partial last batch stays last
    assert sorted(shuffled.tolist()) == list(range(10)) and shuffled[-2:].tolist() == [8, 9]
    assert sorted([tuple(shuffled[i:i + 4] - shuffled[i]) for i in (0, 4)]) == \
        [(0, 1, 2, 3)] * 2


def test_weighted_masked_objective_against_numpy():
    fn = training_utils.weighted_masked_objective(losses.get('mae'))
    x = np.arange(24, dtype='float32').reshape((3, 4, 2))
    y = 2 * x
    weights = np.array([1., 2., 0.], 'float32')
    mask = np.ones((3, 4), 'float32')
    mask[1, 0] = 0
    out = float(K.eval(fn(K.variable(x), K.variable(y), K.variable(weights), K.variable(mask))))
    per_step = np.abs(y - x).mean(-1) * mask / mask.mean()
    per_sample = per_step.mean(-1) * weights / (weights != 0).mean()
    np.testing.assert_allclose(out, per_sample.mean(), rtol=1e-6)


def test_collect_metrics_and_num_samples():
    assert training_utils.collect_metrics(['acc'], ['a', 'b']) == [['acc'], ['acc']]
    assert training_utils.collect_metrics({'b': 'mae'}, ['a', 'b']) == [[], ['mae']]
    with pytest.raises(TypeError, match='metrics'):
        training_utils.collect_metrics('acc', ['a'])
    assert training_utils.check_num_samples([np.zeros((7, 2))]) == 7
    with pytest.raises(ValueError, match='batch_size'):
        training_utils.check_num_samples([np.zeros((7, 2))], batch_size=2, steps=3)


def test_batch_functions_match_the_on_batch_methods():
    model = Sequential([Dense(2, input_shape=(3,))])
    model.compile('sgd', 'mse', metrics=['mae'])
    x = np.random.RandomState(0).rand(4, 3).astype('float32')
    y = np.ones((4, 2), 'float32')
    model._make_test_function()
    np.testing.assert_allclose(model.test_function([x, y]), model.test_on_batch(x, y),
                               rtol=1e-6)
    model._make_predict_function()
    np.testing.assert_allclose(model.predict_function([x])[0], model.predict(x), rtol=1e-6)
    before = model.get_weights()[0].copy()
    model._make_train_function()
    logs = model.train_function([x, y, np.ones(4, 'float32')])
    assert len(logs) == 2 and not np.allclose(model.get_weights()[0], before)


def test_set_inputs_and_input_layers():
    a = Input((3,), name='a')
    aux = Input((2,), name='aux')
    out = Concatenate()([Dense(2)(a), aux])
    model = Model([a, aux], out)
    assert [l.name for l in model._input_layers] == ['a', 'aux']
    assert model._output_layers == model.output_layers
    with pytest.raises(ValueError, match='already set'):
        model._set_inputs([a, aux])
    model.inputs = None
    model._set_inputs([a, aux])
    assert model.predict([np.ones((1, 3)), np.ones((1, 2))]).shape == (1, 4)


def test_fixed_batch_inputs_take_only_batches_of_that_size():
    from keras.layers import SimpleRNN
    model = Sequential([SimpleRNN(3, stateful=True, batch_input_shape=(2, 4, 5))])
    model.compile('sgd', 'mse')
    x, y = np.ones((4, 4, 5), 'float32'), np.ones((4, 3), 'float32')
    with pytest.raises(ValueError, match='fixed batch size of 2.*batch_size=32 over 4'):
        model.fit(x, y)
    with pytest.raises(ValueError, match='batches of 1 and 3'):
        model.predict(x, batch_size=3)
    with pytest.raises(ValueError, match='evaluate'):
        model.evaluate(x[:3], y[:3], batch_size=2)
    model.fit(x, y, batch_size=2, epochs=1, verbose=0)
    assert model.predict(x, batch_size=2).shape == (4, 3)


def test_evaluate_and_on_batch_return_numpy_scalars():
    model = Sequential([Dense(1, input_shape=(2,))])
    model.compile('sgd', 'mse', metrics=['mae'])
    x, y = np.ones((6, 2), 'float32'), np.zeros((6, 1), 'float32')
    # evaluate averaged the batches' values into Python floats (float64), while the *_on_batch
    # methods returned what the session ran: NumPy scalars of the model's float type
    assert all(isinstance(v, float) and np.shape(v) == () for v in model.evaluate(x, y, verbose=0))
    for out in (model.test_on_batch(x, y), model.train_on_batch(x, y)):
        assert all(type(v) is np.float32 for v in out)
    single = Sequential([Dense(1, input_shape=(2,))])
    single.compile('sgd', 'mse')
    assert single.evaluate(x, y, verbose=0).shape == ()


def test_arrays_handed_to_the_user_are_writable_copies():
    model = Sequential([Dense(2, input_shape=(3,))])
    model.compile('sgd', 'mse')
    kernel = model.layers[0].kernel
    x = np.ones((2, 3), 'float32')
    fn = K.function(model.inputs, model.outputs)
    before = model.get_weights()[0].copy()
    for out in (model.get_weights()[0], model.predict(x), model.predict(np.ones((40, 3)),
                                                                     batch_size=8),
                model.predict_on_batch(x), K.get_value(kernel), K.eval(kernel),
                K.batch_get_value([kernel])[0], fn([x])[0]):
        out -= 1                      # Keras 2 code changes results in place
    np.testing.assert_array_equal(model.get_weights()[0], before)


def test_sparse_crossentropy_on_one_hot_targets_gives_keras_error():
    # (Keras 2.2.4's message, the one its users search for)
    x = Input((4,))
    model = Model(x, Dense(3, activation='softmax')(x))
    model.compile('sgd', 'sparse_categorical_crossentropy')
    with pytest.raises(ValueError, match=r'Error when checking target: expected dense_\d+ to '
                                         r'have shape \(1,\) but got array with shape \(3,\)'):
        model.fit(np.ones((6, 4)), np.eye(3)[[0, 1, 2, 0, 1, 2]], verbose=0)
    model.fit(np.ones((6, 4)), np.array([0, 1, 2, 0, 1, 2]), verbose=0)


def test_zeros_ones_with_an_int_and_stack_of_sizes_as_reshape_target():
    assert K.eval(K.zeros(1)).shape == (1,) and K.eval(K.ones(3)).tolist() == [1., 1., 1.]
    from keras.layers import Lambda
    x = Input((24,))
    y = Lambda(lambda t: K.reshape(t, K.stack([K.shape(t)[0], 2, 12])))(x)
    model = Model(x, y)
    assert model.output_shape == (None, 2, 12)
    data = np.arange(72, dtype='float32').reshape(3, 24)
    np.testing.assert_array_equal(model.predict(data), data.reshape(3, 2, 12))
    # stacking tensors still makes a tensor
    np.testing.assert_array_equal(K.eval(K.stack([K.variable(1.), K.variable(2.)])), [1., 2.])


def test_predict_of_a_value_computed_over_the_batch_gives_it_to_each_sample():
    # YAD2K's loss model: `Lambda(yolo_loss, output_shape=(1,))` returning one number per
    # batch; Keras 2.2.4's predict loop filled each batch's rows with it
    from keras.layers import Lambda
    inp = Input((3,))
    model = Model(inp, Lambda(lambda t: K.sum(t), output_shape=(1,))(Dense(2)(inp)))
    x = np.arange(15, dtype='float32').reshape(5, 3)
    kernel, bias = model.get_weights()
    sums = [float(np.sum(x[s:s + 2] @ kernel + bias)) for s in (0, 2, 4)]
    np.testing.assert_allclose(model.predict(x, batch_size=2),
                               [sums[0]] * 2 + [sums[1]] * 2 + [sums[2]], rtol=1e-5)
    np.testing.assert_allclose(model.predict(x[:2]), [sums[0]] * 2, rtol=1e-5)
    assert np.shape(model.predict_on_batch(x[:2])) == ()    # the batch's value, as 2.2.4


def test_predict_of_a_row_computed_over_the_batch_gives_it_to_each_sample():
    # a learned prior of shape (1, 4) declared (None, 4): Keras 2.2.4's predict_loop filled
    # each batch's rows with it (Mask R-CNN-style heads); rows of another count follow one
    # another
    from keras.engine.base_layer import Layer
    from keras.layers import Dense, Input
    from keras.models import Model

    class Prior(Layer):
        def build(self, input_shape):
            self.w = self.add_weight('w', (1, 4), initializer='ones')
            super(Prior, self).build(input_shape)

        def call(self, x):
            return self.w * 2.

        def compute_output_shape(self, input_shape):
            return (None, 4)

    x = Input((3,))
    model = Model(x, [Prior()(x), Dense(2)(x)])
    data = np.ones((8, 3), 'float32')
    for batch_size in (8, 4, 3):
        prior, dense = model.predict(data, batch_size=batch_size)
        assert prior.shape == (8, 4) and dense.shape == (8, 2)
        np.testing.assert_array_equal(prior, np.full((8, 4), 2.))

    class Seven(Layer):
        def call(self, x):
            return K.zeros((7, 2))

        def compute_output_shape(self, input_shape):
            return (None, 2)

    other = Model(x, Seven()(x))
    for batch_size, rows in ((8, 7), (4, 14)):
        assert other.predict(data, batch_size=batch_size).shape == (rows, 2)


def test_predict_of_an_output_with_an_empty_axis():
    # Keras 2.2.4's predict_loop filled preallocated rows: an output with an axis of size 0
    # (keras-transformer-xl's memory at the first segment) has rows of that shape
    from keras.layers import Lambda
    x = Input((3, 3))
    model = Model(x, Lambda(lambda t: t[:, :0])(x))
    assert model.output_shape == (None, 0, 3)
    for n, batch_size in ((2, 32), (5, 2)):
        assert model.predict(np.ones((n, 3, 3)), batch_size=batch_size).shape == (n, 0, 3)


def test_a_layer_overriding_call_adds_its_node_with_keras_2_2_4s_signature(tmp_path):
    # recurrentshop's RecurrentModel (farizrahman4u/seq2seq's engine) builds, runs `call`
    # on the Keras tensors and registers the outputs with Keras 2.2.4's
    # `_add_inbound_node(input_tensors=..., output_tensors=..., ...)`
    from keras.engine.base_layer import Layer
    from keras.models import load_model

    class Scale(Layer):
        def build(self, input_shape):
            self.scale = self.add_weight('scale', (input_shape[-1],), initializer='ones')
            super(Scale, self).build(input_shape)

        def __call__(self, inputs, **kwargs):
            if not self.built:
                self.build(K.int_shape(inputs))
            output = self.call(inputs)
            self._add_inbound_node(input_tensors=[inputs], output_tensors=[output],
                                   input_masks=[None], output_masks=[None],
                                   input_shapes=[K.int_shape(inputs)],
                                   output_shapes=[K.int_shape(output)], arguments={})
            return output

        def call(self, x):
            return x * self.scale * 2.

    x = Input((3,))
    dense = Dense(3, kernel_initializer='ones', use_bias=False)
    scale = Scale(name='scale')
    model = Model(x, scale(dense(x)))
    assert [l.name for l in model.layers][1:] == [dense.name, 'scale']
    assert scale._inbound_nodes[0].inbound_layers == [dense]
    np.testing.assert_allclose(model.predict(np.ones((1, 3))), [[6., 6., 6.]])
    model.compile('sgd', 'mse')
    model.fit(np.ones((4, 3)), np.zeros((4, 3)), epochs=1, verbose=0)
    assert not np.allclose(scale.get_weights()[0], 1.)
    model.save_weights(str(tmp_path / 'w.h5'))
    before = model.predict(np.ones((1, 3)))
    model.layers[-1].set_weights([np.ones(3)])
    model.load_weights(str(tmp_path / 'w.h5'))
    np.testing.assert_allclose(model.predict(np.ones((1, 3))), before, rtol=1e-6)
