"""Graph construction: layers, nodes, functional models, Sequential, configs, summary."""
import json

import numpy as np
import pytest

import keras
from keras import backend as K
from keras.layers import Input, Dense, Dropout, Activation, Lambda, Flatten, Reshape
from keras.models import Model, Sequential, model_from_json, model_from_yaml


@pytest.fixture(autouse=True)
def _fresh_names():
    K.clear_session()
    yield


def test_auto_names_are_one_based_and_unique():
    a = Dense(2)
    b = Dense(2)
    assert (a.name, b.name) == ('dense_1', 'dense_2')
    K.clear_session()
    assert Dense(2).name == 'dense_1'


def test_unknown_layer_kwarg_is_an_error():
    with pytest.raises(TypeError, match='unitz'):
        Dense(2, unitz=3)


def test_invalid_units_message():
    with pytest.raises(ValueError, match="units.*'a'"):
        Dense('a')


def test_layer_weights_and_set_weights():
    layer = Dense(3, input_dim=4)
    layer.build((None, 4))
    w = [np.ones((4, 3)), np.arange(3.)]
    layer.set_weights(w)
    got = layer.get_weights()
    np.testing.assert_array_equal(got[0], w[0])
    np.testing.assert_array_equal(got[1], w[1])
    assert [v.name for v in layer.weights] == ['dense_1/kernel', 'dense_1/bias']
    with pytest.raises(ValueError, match='shape'):
        layer.set_weights([np.ones((3, 3)), np.ones(3)])
    with pytest.raises(ValueError, match='expecting 2 weights'):
        layer.set_weights([np.ones((4, 3))])
    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 2
    assert layer.count_params() == 15


def test_eager_layer_call_matches_numpy():
    layer = Dense(3, activation='relu')
    x = np.random.RandomState(0).randn(5, 4).astype('float32')
    y = np.asarray(layer(x))
    k, b = layer.get_weights()
    np.testing.assert_allclose(y, np.maximum(x @ k + b, 0), rtol=1e-5, atol=1e-6)


def test_a_call_on_backend_tensors_is_a_node_from_no_layer():
    # Keras 2.2.4's call on a TensorFlow tensor added a node (keras2c reads the shapes of a
    # wrapped layer it calls on `K.constant`); a call on NumPy arrays records nothing
    layer = Dense(3)
    x = np.arange(8.).reshape(2, 4)
    y = layer(K.constant(x))
    assert (layer.input_shape, layer.output_shape) == ((2, 4), (2, 3))
    assert layer._inbound_nodes[0].inbound_layers == [None]
    np.testing.assert_allclose(K.eval(layer.get_output_at(0)), K.eval(y))
    np.testing.assert_allclose(K.eval(layer.get_input_at(0)), x)
    on_numpy = Dense(3)
    on_numpy(x)
    assert on_numpy._inbound_nodes == []
    # the node's call is not part of a model built on the layer afterwards
    inp = Input((4,))
    model = Model(inp, layer(inp))
    assert layer.get_output_shape_at(1) == (None, 3)
    rebuilt = Model.from_config(model.get_config())
    rebuilt.set_weights(model.get_weights())
    np.testing.assert_allclose(rebuilt.predict(x), K.eval(y), rtol=1e-6)
    emb = keras.layers.Embedding(5, 2, mask_zero=True)
    emb(K.constant(np.array([[1, 2, 0]]), dtype='int32'))
    np.testing.assert_array_equal(K.eval(emb.output_mask), [[True, True, False]])


def test_a_layer_swapped_in_by_new_nodes_is_the_models():
    # keras_compressor replaces a layer by making nodes for its replacement on the same
    # tensors and removing the old layer's outbound nodes: Keras 2.2.4's graph walk took a
    # node's producers from its `inbound_layers` and `node_indices`
    from keras.engine.topology import Node
    x = Input((4,))
    y = Dense(2, name='b')(Dense(3, name='a')(x))
    old = Model(x, y).get_layer('a')
    new = Dense(3, name='a2')
    new.build((None, 4))
    for n in old._inbound_nodes:
        Node(new, n.inbound_layers, n.node_indices, n.tensor_indices, n.input_tensors,
             n.output_tensors, n.input_masks, n.output_masks, n.input_shapes, n.output_shapes)
    for n in list(old._outbound_nodes):
        Node(n.outbound_layer, [new if l is old else l for l in n.inbound_layers],
             n.node_indices, n.tensor_indices, n.input_tensors, n.output_tensors,
             n.input_masks, n.output_masks, n.input_shapes, n.output_shapes)
        n.outbound_layer._inbound_nodes.remove(n)
    swapped = Model(x, y)
    assert [l.name for l in swapped.layers] == ['input_1', 'a2', 'b']
    data = np.random.RandomState(0).rand(5, 4).astype('float32')
    (k, b), (k2, b2) = new.get_weights(), swapped.get_layer('b').get_weights()
    np.testing.assert_allclose(swapped.predict(data), (data @ k + b) @ k2 + b2, rtol=1e-5)
    rebuilt = Model.from_config(swapped.get_config())
    assert [l.name for l in rebuilt.layers] == ['input_1', 'a2', 'b']


def test_functional_multi_io_shared_layer():
    a = Input(shape=(6,), name='in_a')
    b = Input(shape=(6,), name='in_b')
    shared = Dense(4, name='shared')
    ha, hb = shared(a), shared(b)
    out1 = Dense(1, activation='sigmoid', name='out1')(keras.layers.Lambda(lambda t: t[0] - t[1])([ha, hb]))
    out2 = Dense(3, activation='softmax', name='out2')(ha)
    model = Model([a, b], [out1, out2])
    assert model.input_names == ['in_a', 'in_b']
    assert model.output_names == ['out1', 'out2']
    assert [l.name for l in model.layers][:3] == ['in_a', 'in_b', 'shared']
    assert shared.get_output_shape_at(0) == (None, 4)
    with pytest.raises(AttributeError, match='multiple inbound nodes'):
        shared.output
    xa = np.random.rand(5, 6).astype('float32')
    xb = np.random.rand(5, 6).astype('float32')
    p1, p2 = model.predict([xa, xb])
    k, bias = shared.get_weights()
    ha_np, hb_np = xa @ k + bias, xb @ k + bias
    k1, b1 = model.get_layer('out1').get_weights()
    np.testing.assert_allclose(p1, 1 / (1 + np.exp(-((ha_np - hb_np) @ k1 + b1))), rtol=1e-5, atol=1e-6)
    assert p2.shape == (5, 3)
    # dict inputs keyed by input names give the same answer
    q1, _ = model.predict({'in_a': xa, 'in_b': xb})
    np.testing.assert_allclose(p1, q1)


def test_model_called_on_new_inputs_and_nested():
    inner_in = Input(shape=(4,))
    inner = Model(inner_in, Dense(2, name='inner_dense')(inner_in), name='inner')
    x = Input(shape=(4,))
    y = inner(x)
    assert K.int_shape(y) == (None, 2)
    outer = Model(x, Dense(1, name='head')(y))
    assert [l.name for l in outer.layers] == [outer.layers[0].name, 'inner', 'head']
    data = np.random.rand(3, 4).astype('float32')
    expected = inner.predict(data) @ outer.get_layer('head').get_weights()[0] + \
        outer.get_layer('head').get_weights()[1]
    np.testing.assert_allclose(outer.predict(data), expected, rtol=1e-5, atol=1e-6)
    assert len(outer.trainable_weights) == 4
    inner.trainable = False
    assert len(outer.trainable_weights) == 2


def test_get_layer_errors():
    x = Input((2,))
    m = Model(x, Dense(1, name='d')(x))
    assert m.get_layer('d') is m.get_layer(index=1)
    with pytest.raises(ValueError, match='nope'):
        m.get_layer('nope')
    with pytest.raises(ValueError, match='index=5'):
        m.get_layer(index=5)


def test_graph_disconnected_error():
    a, b = Input((2,)), Input((2,))
    out = Dense(1)(keras.layers.Lambda(lambda t: t[0] + t[1])([a, b]))
    with pytest.raises(ValueError, match='Graph disconnected'):
        Model(a, out)


def test_functional_config_round_trip_and_json_yaml():
    a = Input(shape=(6,), name='a')
    h = Dense(5, activation='tanh', name='h')(a)
    h = Dropout(0.3)(h)
    out = Dense(2, name='out')(h)
    model = Model(a, out)
    config = model.get_config()
    clone = Model.from_config(config)
    assert [l.name for l in clone.layers] == [l.name for l in model.layers]
    assert clone.get_config() == config
    clone.set_weights(model.get_weights())
    data = np.random.rand(4, 6).astype('float32')
    np.testing.assert_allclose(clone.predict(data), model.predict(data), rtol=1e-6)
    from_json = model_from_json(model.to_json())
    assert json.loads(model.to_json())['class_name'] == 'Model'
    assert [l.name for l in from_json.layers] == [l.name for l in model.layers]
    from_yaml = model_from_yaml(model.to_yaml())
    assert from_yaml.get_layer('h').activation is keras.activations.tanh
    # Keras 2.2.4's `_updated_config` (concise rebuilds models from it)
    updated = model._updated_config()
    assert (updated['class_name'], updated['keras_version']) == ('Model', keras.__version__)
    assert updated['backend'] == K.backend() and updated['config'] == config
    deserialized = keras.layers.deserialize(updated)
    assert [l.name for l in deserialized.layers] == [l.name for l in model.layers]


def test_a_sequential_models_earlier_calls_keep_the_graph_they_applied():
    # Keras 2.2.4 built a call's ops when it was made: cleverhans's cnn_model(logits=True)
    # takes `model(x)` as the logits and then adds the softmax to the model; layers added
    # or popped afterwards change the model and its later calls, not the earlier tensors
    rng = np.random.RandomState(0)
    data = rng.rand(6, 4).astype('float32')
    model = Sequential([Dense(3, input_shape=(4,))])
    x = Input((4,))
    logits = model(x)
    model.add(Activation('softmax'))
    probs = model(x)
    kernel, bias = model.layers[0].get_weights()
    expected = data.dot(kernel) + bias
    softmax = np.exp(expected) / np.exp(expected).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(K.function([x], [logits])([data])[0], expected, rtol=1e-5)
    np.testing.assert_allclose(Model(x, logits).predict(data), expected, rtol=1e-5)
    np.testing.assert_allclose(Model(x, probs).predict(data), softmax, rtol=1e-5)
    np.testing.assert_allclose(model.predict(data), softmax, rtol=1e-5)
    model.pop()
    np.testing.assert_allclose(Model(x, probs).predict(data), softmax, rtol=1e-5)
    np.testing.assert_allclose(model.predict(data), expected, rtol=1e-5)
    np.testing.assert_allclose(Model(x, model(x)).predict(data), expected, rtol=1e-5)
    # the earlier call trains the layers it applied (the model's weights)
    both = Model(x, [logits, probs])
    both.compile('sgd', ['mse', 'categorical_crossentropy'])
    both.fit(data, [expected * 0, softmax], epochs=2, verbose=0)
    assert not np.allclose(model.layers[0].get_weights()[0], kernel)
    new_kernel, new_bias = model.layers[0].get_weights()
    np.testing.assert_allclose(both.predict(data)[0], data.dot(new_kernel) + new_bias,
                               rtol=1e-5, atol=1e-6)


def test_sequential_input_forms_and_pop():
    for kwargs in ({'input_shape': (5,)}, {'input_dim': 5}, {'batch_input_shape': (None, 5)}):
        K.clear_session()
        m = Sequential()
        m.add(Dense(3, **kwargs))
        m.add(Dense(2))
        assert m.input_names == ['dense_1_input']
        assert m.output_shape == (None, 2)
        assert [l.name for l in m.layers] == ['dense_1', 'dense_2']
    m.pop()
    assert m.output_shape == (None, 3)
    assert len(m.layers) == 1


def test_sequential_deferred_build():
    m = Sequential()
    m.add(Dense(3))
    m.add(Dense(1))
    assert not m.built
    m.compile('sgd', 'mse')
    m.fit(np.random.rand(8, 7), np.random.rand(8, 1), epochs=1, verbose=0)
    assert m.built and m.layers[0].get_weights()[0].shape == (7, 3)


def test_from_config_makes_a_shared_layers_calls_in_their_order():
    # a config listing a shared layer before the inputs of its first call (stellargraph's
    # HinSAGE link model, and any config in another order): its second call was made first,
    # so the node indices swapped and the layers after it read the other call's output
    x = Input((4,))
    shared = Dense(4, name='shared')
    first = shared(Dense(4, name='pre')(x))
    h = shared(x)
    for i in range(2):
        h = Dense(4, name='after_%d' % i)(h)
    model = Model(x, keras.layers.Concatenate()([first, h]))
    config = model.get_config()
    names = [layer['name'] for layer in config['layers']]
    config['layers'].insert(names.index('shared'), config['layers'].pop(names.index('pre')))
    assert [layer['name'] for layer in config['layers']].index('shared') < \
        [layer['name'] for layer in config['layers']].index('pre')
    rebuilt = Model.from_config(config)
    for layer in model.layers:
        rebuilt.get_layer(layer.name).set_weights(layer.get_weights())
    data = np.random.rand(3, 4)
    np.testing.assert_allclose(rebuilt.predict(data), model.predict(data), rtol=1e-6)


def test_sequential_config_both_forms():
    m = Sequential([Dense(3, input_shape=(4,)), Activation('relu'), Dense(2)])
    config = m.get_config()
    assert set(config) == {'name', 'layers'}
    m2 = Sequential.from_config(config)
    m3 = Sequential.from_config(config['layers'])  # Keras 2.0/2.1 list form
    for other in (m2, m3):
        assert [type(l).__name__ for l in other.layers] == ['Dense', 'Activation', 'Dense']
        assert other.output_shape == (None, 2)


def test_summary_formats():
    lines = []
    m = Sequential([Dense(64, input_dim=100), Dense(10)])
    m.summary(print_fn=lines.append)
    assert lines[1].startswith('Layer (type)') and 'Output Shape' in lines[1]
    assert any(l.startswith('dense_1 (Dense)') and '(None, 64)' in l and '6464' in l for l in lines)
    assert 'Total params: 7,114' in lines
    assert all(len(l) == 65 for l in lines if l.startswith('_') or l.startswith('='))
    a = Input((3,), name='a')
    b = Input((3,), name='b')
    out = keras.layers.Lambda(lambda t: t[0] * t[1], name='prod')([a, b])
    lines = []
    Model([a, b], out).summary(print_fn=lines.append)
    assert 'Connected to' in lines[1]
    assert any(l.startswith('prod (Lambda)') and 'a[0][0]' in l for l in lines)
    assert any(l.strip() == 'b[0][0]' for l in lines)


def test_summary_counts_as_keras_224_after_freezing_without_compiling():
    """Keras 2.2.4 counted the trainable weights collected at compile and the non-trainable
    ones a model has now (a GAN's discriminator frozen after its compile: its weights
    counted twice), and warned of the discrepancy; compiling again counts them once."""
    m = Sequential([Dense(4, input_dim=3), Dense(2)])    # 16 + 10 parameters
    m.compile('sgd', 'mse')
    m.layers[0].trainable = False
    lines = []
    with pytest.warns(UserWarning, match='Discrepancy between trainable weights'):
        m.summary(print_fn=lines.append)
    assert ['Total params: 42', 'Trainable params: 26', 'Non-trainable params: 16'] == \
        [l for l in lines if 'params:' in l]
    m.compile('sgd', 'mse')
    lines = []
    m.summary(print_fn=lines.append)
    assert ['Total params: 26', 'Trainable params: 10', 'Non-trainable params: 16'] == \
        [l for l in lines if 'params:' in l]


def test_backend_ops_on_symbolic_tensors_record_nodes():
    x = Input((4,))
    y = K.mean(x, axis=1, keepdims=True) * 2 + x[:, :1]
    assert K.int_shape(y) == (None, 1)
    m = Model(x, y)
    data = np.random.rand(3, 4).astype('float32')
    np.testing.assert_allclose(m.predict(data), data.mean(1, keepdims=True) * 2 + data[:, :1],
                               rtol=1e-6)
    clone = Model.from_config(m.get_config())
    np.testing.assert_allclose(clone.predict(data), m.predict(data), rtol=1e-6)


def test_lambda_layer_with_arguments_output_shape_and_mask():
    x = Input((3,))
    y = Lambda(lambda t, k: t * k, arguments={'k': 3.}, output_shape=(3,))(x)
    m = Model(x, y)
    np.testing.assert_allclose(m.predict(np.ones((2, 3))), 3 * np.ones((2, 3)))
    clone = Model.from_config(m.get_config())
    np.testing.assert_allclose(clone.predict(np.ones((2, 3))), 3 * np.ones((2, 3)))


def test_reshape_flatten_permute_repeat():
    x = Input((2, 6))
    y = Reshape((3, -1))(x)
    assert K.int_shape(y) == (None, 3, 4)
    z = keras.layers.Permute((2, 1))(y)
    assert K.int_shape(z) == (None, 4, 3)
    f = Flatten()(z)
    assert K.int_shape(f) == (None, 12)
    r = keras.layers.RepeatVector(2)(f)
    m = Model(x, r)
    data = np.arange(24, dtype='float32').reshape(2, 2, 6)
    expected = np.repeat(data.reshape(2, 3, 4).transpose(0, 2, 1).reshape(2, 1, 12), 2, axis=1)
    np.testing.assert_array_equal(m.predict(data), expected)
    with pytest.raises(ValueError, match='target_shape'):
        Reshape((5, -1))(x)


def test_masking_propagates_to_loss():
    x = Input((3, 2))
    m = keras.layers.Masking(0.)(x)
    assert m._keras_mask is not None
    model = Model(x, m)
    data = np.array([[[1, 2], [0, 0], [3, 4]]], 'float32')
    np.testing.assert_array_equal(model.predict(data), data)


def test_input_validation_errors():
    with pytest.raises(ValueError, match='shape'):
        Input()
    with pytest.raises(ValueError, match='inputs'):
        Model(np.ones((2, 2)), Dense(1)(Input((2,))))


def test_sequential_predict_classes_proba_model_alias_and_run_internal_graph():
    import warnings
    rng = np.random.RandomState(0)
    x = rng.rand(6, 3).astype('float32')
    multi = Sequential([Dense(4, activation='softmax', input_shape=(3,))])
    proba = multi.predict_proba(x)
    np.testing.assert_allclose(proba.sum(1), 1., rtol=1e-5)
    np.testing.assert_array_equal(multi.predict_classes(x), proba.argmax(-1))
    binary = Sequential([Dense(1, activation='sigmoid', input_shape=(3,))])
    p = binary.predict(x)
    classes = binary.predict_classes(x)
    assert classes.dtype == np.int32 and classes.shape == (6, 1)
    np.testing.assert_array_equal(classes, (p > 0.5).astype('int32'))
    linear = Sequential([Dense(2, input_shape=(3,), kernel_initializer='ones',
                                 bias_initializer='ones')])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        linear.predict_proba(x)
    assert any('invalid probability values' in str(w.message) for w in caught)
    assert multi.model is multi
    outputs, masks, shapes = multi.run_internal_graph([x])
    np.testing.assert_allclose(np.asarray(outputs[0]), proba, rtol=1e-6)
    assert masks == [None] and shapes == [(6, 4)]


# ------------------------------------------------------------------ losses / updates (2.2.4)
def test_conditional_and_unconditional_losses_and_updates():
    from keras.layers import Dense, Input
    a = Input(shape=(2,))
    layer = Dense(1)
    layer.add_update(0, inputs=a)
    layer.add_update(1, inputs=None)
    layer.add_loss(2, inputs=a)
    layer.add_loss(3, inputs=None)
    assert layer.get_updates_for(a) == [0] and layer.get_updates_for(None) == [1]
    assert layer.get_losses_for(a) == [2] and layer.get_losses_for(None) == [3]
    assert sorted(layer.updates) == [0, 1] and sorted(layer.losses) == [2, 3]


def test_shared_layer_activity_and_weight_regularization_are_counted_per_call():
    from keras import regularizers
    from keras.layers import Average, Dense, Input
    from keras.models import Model
    shared = Dense(2, kernel_regularizer=regularizers.l1(), activity_regularizer=regularizers.l1())
    in1, in2 = Input(shape=(5,)), Input(shape=(5,))
    out1, out2 = shared(in1), shared(in2)
    model = Model([in1, in2], Average()([out1, out2]))
    model.add_loss(K.mean(out2))
    model.add_loss(1)
    # 1 weight regularizer + 2 activity regularizers (one per call) + 2 added
    assert len(model.losses) == 5
    assert len(shared.get_losses_for(in1)) == 1 and len(shared.get_losses_for(None)) == 1
    # the same shared weight in two models counts once in a model holding both
    outer_inputs = [Input(shape=(5,)), Input(shape=(5,))]
    m1, m2 = Model(in1, out1), Model(in2, out2)
    outer = Model(outer_inputs, Average()([m1(outer_inputs[0]), m2(outer_inputs[1])]))
    assert len(outer.losses) == 1 + 2
    outer.compile('sgd', 'mse')
    x = np.ones((3, 5), 'float32')
    outer.train_on_batch([x, x], np.zeros((3, 2), 'float32'))


def test_batchnorm_updates_accounting_and_frozen_models():
    from keras.layers import BatchNormalization, Input
    from keras.models import Model
    bn = BatchNormalization()
    x1, x2 = Input(shape=(4,)), Input(shape=(4,))
    bn(x1)
    y2 = bn(x2)
    model = Model(x2, y2)
    assert len(bn.updates) == 4  # two moving statistics per call
    assert len(model.updates) == 2  # only the call that belongs to the model
    variables = [v for v, _ in model.updates]
    assert variables[0] is bn.moving_mean and variables[1] is bn.moving_variance
    # the updates are graph tensors: a backend function can run them
    data = np.random.RandomState(0).normal(5., 2., (8, 4)).astype('float32')
    before = K.get_value(bn.moving_mean)
    K.function([x2], [y2], updates=model.updates)([data])
    assert not np.allclose(K.get_value(bn.moving_mean), before)
    # a frozen model: no updates, and training leaves the moving statistics alone
    model.trainable = False
    assert model.updates == []
    model.compile('sgd', 'mse')
    frozen = K.get_value(bn.moving_mean)
    model.train_on_batch(data, data)
    np.testing.assert_array_equal(K.get_value(bn.moving_mean), frozen)
    model.trainable = True
    model.compile('sgd', 'mse')
    model.train_on_batch(data + 10., data)
    assert np.all(K.get_value(bn.moving_mean) > frozen + 1.)


def test_wrapper_counts_the_wrapped_layer_once():
    from keras.layers import Bidirectional, Dense, Input, SimpleRNN, TimeDistributed
    from keras.models import Sequential
    model = Sequential([TimeDistributed(Dense(2, activity_regularizer='l1',
                                              kernel_regularizer='l1'), input_shape=(3, 4))])
    assert len(model.losses) == 2
    x = Input(shape=(3, 2))
    layer = Bidirectional(SimpleRNN(3, kernel_regularizer='l1', bias_regularizer='l1'))
    layer(x)
    assert len(layer.losses) == 4 and len(layer.get_losses_for(None)) == 4
    layer.forward_layer.add_update(0, inputs=x)
    layer.backward_layer.add_update(1, inputs=None)
    assert len(layer.updates) == 2 and len(layer.get_updates_for(x)) == 1


def test_a_layer_returning_a_list_of_one_gives_a_tensor():
    """Keras 2.2.4 unpacks a call's single-element output list, symbolically and eagerly."""
    from keras.engine.base_layer import Layer
    from keras.layers import Input, Dense
    from keras.models import Model

    class Twice(Layer):
        def call(self, inputs):
            return [inputs * 2]

    x = Input((3,))
    y = Twice()(x)
    assert not isinstance(y, list) and y.shape[-1] == 3
    model = Model(x, Dense(2, kernel_initializer='ones', use_bias=False)(y))
    data = np.arange(6, dtype='float32').reshape(2, 3)
    np.testing.assert_allclose(model.predict(data), np.repeat(data.sum(1, keepdims=True) * 2, 2, 1))
    eager = Twice()(K.constant(data))
    assert not isinstance(eager, list)
    np.testing.assert_allclose(K.eval(eager), data * 2)


def test_a_layer_called_on_a_list_of_one_tensor_gets_that_list_when_the_model_runs():
    # audioset_classification's decision-level pooling: `Lambda(f)([x])` with
    # `f = lambda inputs: K.max(inputs[0], axis=1)`; Keras 2.2.4's graph kept the call as
    # made (the model ran `f` on the bare tensor: the first sample's rows)
    from keras.engine.base_layer import Layer

    class Total(Layer):
        def call(self, inputs):
            return inputs[0] if len(inputs) == 1 else sum(inputs)

    x = Input((4, 3))
    h = Dense(2, kernel_initializer='ones', use_bias=False)(x)
    pooled = Lambda(lambda inputs: K.max(inputs[0], axis=1),
                    output_shape=lambda s: (s[0], s[2]))([h])
    model = Model(x, [pooled, Total()([h])])
    data = np.random.RandomState(0).rand(3, 4, 3).astype('float32')
    hidden = np.repeat(data.sum(-1, keepdims=True), 2, -1)
    got = model.predict(data)
    np.testing.assert_allclose(got[0], hidden.max(1), rtol=1e-6)
    np.testing.assert_allclose(got[1], hidden, rtol=1e-6)
    model.compile('sgd', 'mse')
    model.train_on_batch(data, [np.zeros((3, 2)), np.zeros((3, 4, 2))])


def test_a_lambdas_declared_output_shape_is_its_outputs():
    # Keras 2.2.4 gave a Lambda's output the shape its `output_shape` declares: keras-rl's
    # loss Lambda sums over the last axis, declares (1,) and is fed (batch, 1) targets
    import keras.backend as K
    from keras.layers import Dense, Input, Lambda
    from keras.models import Model
    x, mask = Input((4,)), Input((2,))
    q = Dense(2)(x)
    loss = Lambda(lambda a: K.sum(a[0] * a[1], axis=-1), output_shape=(1,))([q, mask])
    assert K.int_shape(loss) == (None, 1)
    model = Model([x, mask], [loss, q])
    assert loss._keras_history[0].output_shape == (None, 1)
    model.compile('sgd', loss=[lambda t, p: p, lambda t, p: K.zeros_like(p)])
    xs = [np.ones((3, 4), 'float32'), np.ones((3, 2), 'float32')]
    kernel, bias = model.get_layer(q._keras_history[0].name).get_weights()
    out = model.train_on_batch(xs, [np.zeros((3, 1)), np.zeros((3, 2))])
    np.testing.assert_allclose(out[1], (xs[0] @ kernel + bias).sum(-1).mean(), rtol=1e-5)
    # a size the declaration leaves unknown keeps the computed one
    y = Lambda(lambda t: t * 2, output_shape=lambda s: (s[0], None))(x)
    assert K.int_shape(y) == (None, 4)


def test_a_custom_layers_compute_output_shape_is_its_outputs_shape():
    # Keras 2.2.4 gave every call's outputs the shape `compute_output_shape` returns:
    # innvestigate's Sum declares (batch, 1) for a (batch, 1, 1) value, and its targets
    # are (batch, 1)
    import keras.backend as K
    from keras.engine.base_layer import Layer

    class Declared(Layer):
        def call(self, x):
            x = x[0] if isinstance(x, list) else x
            return K.sum(x, axis=[1, 2], keepdims=True)

        def compute_output_shape(self, input_shape):
            return (input_shape[0], 1)

    class Broken(Layer):    # a declaration that cannot be evaluated
        def call(self, x):
            return x * 2

        def compute_output_shape(self, input_shape):
            raise NotImplementedError

    class Partial(Layer):   # a size declared unknown keeps the computed one
        def call(self, x):
            return x[:, :3]

        def compute_output_shape(self, input_shape):
            return (input_shape[0], None)

    x = Input((4, 5))
    out = Declared()(x)
    assert K.int_shape(out) == (None, 1)
    model = Model(x, out)
    assert model.output_shape == (None, 1)
    assert model.layers[-1].get_output_shape_at(0) == (None, 1)
    model.compile('sgd', loss=lambda t, p: K.mean(p))
    data = np.arange(40, dtype='float32').reshape(2, 4, 5)
    np.testing.assert_allclose(model.train_on_batch(data, np.zeros((2, 1))), data.sum() / 2,
                               rtol=1e-6)
    assert K.int_shape(Broken()(x)) == (None, 4, 5)
    # called on a list of one tensor, it is given that tensor's shape, as Keras 2.2.4's
    # `_collect_input_shape` gave it (innvestigate's reductions are called so)
    assert K.int_shape(Declared()([x])) == (None, 1)
    assert K.int_shape(Partial()(Input((6,)))) == (None, 3)
    # the ops computing on the output see the shape the call computed, as TensorFlow's ops
    # saw a tensor's own shape (Mask R-CNN's DetectionTargetLayer declares (None, 1) for
    # ids of shape (batch, n))
    seen = []

    def after(t):
        seen.append(tuple(t.shape[1:]))
        return K.sum(t, axis=[1, 2])
    summed = Lambda(after)(out)
    assert seen[-1] == (1, 1) and K.int_shape(summed) == (None,)
    np.testing.assert_allclose(Model(x, summed).predict(data), data.sum(axis=(1, 2)),
                               rtol=1e-6)
    # this package's own layers are not asked: their calls give their shapes
    assert not Dense(2)._declares_output_shape()
    assert Declared()._declares_output_shape()


def test_a_size_only_a_declaration_knows_carries_to_the_layers_built_on_it():
    # Mask R-CNN's ROI layers pad a computed number of rows to a count they declare in
    # `compute_output_shape`; Keras 2.2.4's layers built on them computed their shapes from
    # that `_keras_shape`: TimeDistributed(Dense) of (None, 16, 8) is (None, 16, 4), and
    # `Reshape((K.int_shape(x)[1], 4, 4))` (fpn_classifier_graph) gets a size
    import keras.backend as K
    from keras.engine.base_layer import Layer
    from keras.layers import Dense, Input, Reshape, TimeDistributed
    from keras.models import Model

    class KnowsItsLength(Layer):
        def call(self, x):
            return x

        def compute_output_shape(self, input_shape):
            return (input_shape[0], 16, input_shape[2])

    inp = Input((None, 8))
    rois = KnowsItsLength()(inp)
    assert K.int_shape(rois) == (None, 16, 8)
    dense = TimeDistributed(Dense(16))
    x = dense(rois)
    assert K.int_shape(x) == (None, 16, 16)
    assert K.int_shape(Dense(4)(rois)) == (None, 16, 4)
    s = K.int_shape(x)
    out = Reshape((s[1], 4, 4))(x)
    assert K.int_shape(out) == (None, 16, 4, 4)
    model = Model(inp, out)
    data = np.random.RandomState(0).rand(2, 16, 8).astype('float32')
    kernel, bias = dense.get_weights()
    np.testing.assert_allclose(model.predict(data), (data @ kernel + bias).reshape(2, 16, 4, 4),
                               rtol=1e-5, atol=1e-6)
    # a size the computation knows is kept where the declaration says otherwise
    assert K.int_shape(TimeDistributed(Dense(2))(Input((5, 8)))) == (None, 5, 2)


def test_outputs_beyond_the_masks_a_layer_computes_are_kept():
    # a layer returning three outputs and two masks: the third output has no mask (it was
    # dropped with the pairing of outputs and masks)
    from keras.engine.base_layer import Layer
    from keras.layers import Input

    class ThreeOutputs(Layer):
        def compute_mask(self, inputs, mask=None):
            return [None, None]

        def call(self, inputs):
            return [inputs[0], inputs[1], inputs[0] * 2]

        def compute_output_shape(self, input_shape):
            return [input_shape[0], input_shape[1], input_shape[0]]
    outs = ThreeOutputs()([Input((5,)), Input((4,))])
    assert [o.shape for o in outs] == [(None, 5), (None, 4), (None, 5)]
    assert all(o._keras_mask is None for o in outs)


def test_an_input_no_output_uses_comes_before_the_layers_of_its_depth():
    # keras-bert's tests read `model.layers[-1]` of a model with an unused input
    a, b = Input((4,), name='a'), Input((4,), name='b')
    model = Model([a, b], Dense(2, name='d')(a))
    assert [l.name for l in model.layers] == ['a', 'b', 'd']
    assert [l.name for l in Model.from_config(model.get_config()).layers] == ['a', 'b', 'd']


def test_a_tensor_computed_from_the_inputs_given_through_a_call_keyword():
    # attention-is-all-you-need-keras: InferRNN(...)(x, initial_state=[K.ones_like(s)]);
    # Keras 2.2's graph computed such a tensor from the model's inputs
    import keras.backend as K
    from keras.engine.base_layer import Layer

    class TakeState(Layer):
        def call(self, inputs, initial_state=None):
            return inputs + initial_state[0]

        def compute_output_shape(self, input_shape):
            return input_shape

    x, s = Input((4,)), Input((4,))
    model = Model([x, s], TakeState()(x, initial_state=[K.square(s) * 2.]))
    xs = [np.arange(8, dtype='float32').reshape(2, 4), np.full((2, 4), 3., 'float32')]
    expected = xs[0] + 2. * xs[1] ** 2
    np.testing.assert_allclose(model.predict(xs), expected)
    clone = Model.from_config(model.get_config(), custom_objects={'TakeState': TakeState})
    np.testing.assert_allclose(clone.predict(xs), expected)


def test_a_name_used_twice_in_a_model_is_a_value_error():
    """Keras 2.2.4 raised ValueError (2.1 a RuntimeError): ensembling code that loads a
    model twice catches it to rename the copies' layers."""
    def copy():
        inp = Input((3,), name='features')
        return Model(inp, Dense(1, name='score')(inp))
    first, second = copy(), copy()
    inp = Input((3,))
    with pytest.raises(ValueError, match='"score" is used 2 times in the model'):
        Model(inp, keras.layers.average([first.layers[-1](inp), second.layers[-1](inp)]))
    for layer in second.layers:
        layer.name = layer.name + '_2'
    both = Model(inp, keras.layers.average([first.layers[-1](inp), second.layers[-1](inp)]))
    assert [l.name for l in both.layers][-3:] == ['score', 'score_2', 'average_2']


def test_a_model_subclass_that_is_not_hashable_builds():
    # (a subclass defining __eq__ alone has no __hash__: the registry of live models the
    # TensorFlow backend's session graph reads must not reject it)
    class Compared(Model):
        def __eq__(self, other):
            return isinstance(other, Compared) and self.name == other.name
    x = Input((3,))
    model = Compared(x, Dense(2)(x))
    assert model.predict(np.ones((1, 3), 'float32')).shape == (1, 2)
