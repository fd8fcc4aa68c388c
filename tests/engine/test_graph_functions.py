"""K.function, K.gradients and K.placeholder on symbolic graphs."""
import numpy as np
import pytest

import keras
from keras import backend as K
from keras.layers import Input, Dense, Dropout
from keras.models import Model


def _model():
    np.random.seed(3)
    x = Input((4,))
    h = Dense(3, activation='tanh', name='h')(x)
    d = Dropout(0.5)(h)
    y = Dense(1, name='y')(d)
    return Model(x, y), x, h, d, y


def test_function_with_learning_phase_input():
    m, x, h, d, y = _model()
    f = K.function([m.input, K.learning_phase()], [d, y])
    data = np.random.RandomState(0).rand(50, 4).astype('float32')
    test_d, test_y = f([data, 0])
    k, b = m.get_layer('h').get_weights()
    np.testing.assert_allclose(test_d, np.tanh(data @ k + b), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(test_y, m.predict(data), rtol=1e-5, atol=1e-6)
    train_d, _ = f([data, 1])
    zeros = train_d == 0
    assert 0.3 < zeros.mean() < 0.7
    np.testing.assert_allclose(train_d[~zeros], 2 * test_d[~zeros], rtol=1e-5)
    # an unfed learning phase is the default one, as Keras 2.2.4's placeholder with default
    np.testing.assert_allclose(f([data])[0], test_d, rtol=1e-6)
    with pytest.raises(ValueError, match='expected 2 input values, got 3'):
        f([data, 0, data])


def test_gradients_wrt_input_weight_and_intermediate_tensor():
    m, x, h, d, y = _model()
    grads = K.gradients(K.mean(y), [x, m.get_layer('h').kernel, h])
    assert [K.int_shape(g) for g in grads] == [(None, 4), (4, 3), (None, 3)]
    f = K.function([x], grads)
    data = np.random.RandomState(1).rand(2, 4).astype('float32')
    gx, gk, gh = f([data])
    k1, b1 = m.get_layer('h').get_weights()
    k2, _ = m.get_layer('y').get_weights()
    pre = data @ k1 + b1
    # d mean(y) / d h = k2^T / n ; d/dx = (1 - tanh^2) * that @ k1^T
    exp_gh = np.tile(k2[:, 0] / 2., (2, 1))
    np.testing.assert_allclose(gh, exp_gh, rtol=1e-5, atol=1e-7)
    exp_gx = ((1 - np.tanh(pre) ** 2) * exp_gh) @ k1.T
    np.testing.assert_allclose(gx, exp_gx, rtol=1e-4, atol=1e-7)
    exp_gk = data.T @ ((1 - np.tanh(pre) ** 2) * exp_gh)
    np.testing.assert_allclose(gk, exp_gk, rtol=1e-4, atol=1e-7)


def test_placeholder_and_updates():
    p = K.placeholder(shape=(None, 3))
    assert K.int_shape(p) == (None, 3) and K.is_placeholder(p)
    q = K.placeholder(ndim=2)
    assert K.int_shape(q) == (None, None)
    v = K.variable(np.zeros(3))
    f = K.function([p], [K.sum(p, axis=1)], updates=[(v, K.mean(p, axis=0))])
    out = f([np.array([[1., 2., 3.], [3., 4., 5.]])])
    np.testing.assert_allclose(out[0], [6., 12.])
    np.testing.assert_allclose(K.get_value(v), [2., 3., 4.])


def test_scalar_placeholders():
    # K.placeholder(shape=()) is a scalar (Keras 2.2.4 made a rank-0 tf.placeholder)
    a, b = K.placeholder(shape=()), K.placeholder(shape=(), name='b')
    assert K.int_shape(a) == () and K.ndim(b) == 0 and K.is_placeholder(a)
    last = K.variable(0.)
    f = K.function([a, b], [a * b], updates=[(last, a + b)])
    assert f([3., 4.])[0] == 12.
    assert K.get_value(last) == 7.
    assert f([1., 2.])[0] == 2.
    assert K.get_value(last) == 3.


def test_nested_output_ops_on_symbolic_tensors():
    """K.rnn and K.ctc_decode return nested structures; on symbolic tensors they keep it."""
    x = Input((5, 3))

    def step(inputs, states):
        h = 0.5 * states[0] + inputs
        return h, [h]

    last, outputs, states = K.rnn(step, x, [K.zeros_like(x[:, 0])])
    assert isinstance(states, list) and len(states) == 1
    assert K.int_shape(last) == (None, 3) and K.int_shape(outputs) == (None, 5, 3)
    m = Model(x, [last, outputs, states[0]])
    data = np.random.RandomState(0).rand(2, 5, 3).astype('float32')
    ref = np.zeros((2, 3), 'float32')
    ref_seq = []
    for t in range(5):
        ref = 0.5 * ref + data[:, t]
        ref_seq.append(ref)
    got_last, got_seq, got_state = m.predict(data)
    np.testing.assert_allclose(got_last, ref, rtol=1e-6)
    np.testing.assert_allclose(got_seq, np.stack(ref_seq, 1), rtol=1e-6)
    np.testing.assert_allclose(got_state, ref, rtol=1e-6)

    y = Input((4, 3))
    lengths = Input((1,), dtype='int32')
    decoded, log_prob = K.ctc_decode(y, K.flatten(lengths), greedy=True)
    assert isinstance(decoded, list) and len(decoded) == 1
    f = K.function([y, lengths], [decoded[0], log_prob])
    probs = np.full((1, 4, 3), 0.1, 'float32')
    for t, c in enumerate([0, 0, 2, 1]):   # best path 0 0 blank 1 -> "0 1"
        probs[0, t, c] = 0.8
    paths, lp = f([probs, np.array([[4]], 'int32')])
    assert list(paths[0][paths[0] >= 0]) == [0, 1]
    np.testing.assert_allclose(lp, [[-4 * np.log(0.8 + K.epsilon())]], rtol=1e-5)


def test_function_class_is_public():
    m, x, h, d, y = _model()
    f = K.function([x], [y], name='predict_fn', options=None)
    assert isinstance(f, K.Function)
    direct = K.Function([x], [y])
    data = np.ones((3, 4), 'float32')
    np.testing.assert_allclose(direct([data])[0], f([data])[0], rtol=1e-6)
    with pytest.raises(ValueError, match='bogus'):
        K.function([x], [y], bogus=1)


def test_keras_faq_recipes_intermediate_output_and_input_gradient():
    """The classic recipes, written exactly as Keras 2 users do (Sequential model)."""
    from keras.models import Sequential
    from keras.layers import Activation
    np.random.seed(5)
    model = Sequential([Dense(6, input_shape=(4,)), Activation('relu'), Dropout(0.5),
                        Dense(3), Activation('softmax')])
    x = np.random.RandomState(2).rand(7, 4).astype('float32')
    get_3rd = K.function([model.layers[0].input, K.learning_phase()],
                         [model.layers[3].output])
    out = get_3rd([x, 0])[0]
    k1, b1 = model.layers[0].get_weights()
    k2, b2 = model.layers[3].get_weights()
    ref_hidden = np.maximum(x @ k1 + b1, 0)
    np.testing.assert_allclose(out, ref_hidden @ k2 + b2, rtol=1e-5, atol=1e-6)

    grads = K.gradients(model.output[:, 0], model.input)[0]
    g = K.function([model.input], [grads])([x])[0]
    # independent reference: d softmax_0 / dx through the relu net
    z = ref_hidden @ k2 + b2
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    dz = -p[:, :1] * p
    dz[:, 0] += p[:, 0]
    dh = (dz @ k2.T) * (x @ k1 + b1 > 0)
    np.testing.assert_allclose(g, dh @ k1.T, rtol=1e-4, atol=1e-6)


def test_gradients_of_tensors_of_a_lambda_call_swwae():
    """Keras 2's SWWAE example: a Lambda takes K.gradients of the pooled sum with respect to
    the pre-pool tensor, both tensors of its call; the gradient marks each window's max."""
    import keras.backend as K
    from keras.layers import Input, Lambda, MaxPooling2D, Conv2D
    from keras.models import Model
    x = Input((4, 4, 1))
    h = Conv2D(2, 1)(x)
    pooled = MaxPooling2D()(h)
    where = Lambda(lambda ts: K.gradients(K.sum(ts[1]), ts[0])[0])([h, pooled])
    model = Model(x, where)
    data = np.random.RandomState(0).rand(2, 4, 4, 1).astype('float32')
    out = model.predict(data)
    hv = Model(x, h).predict(data)
    blocks = hv.reshape(2, 2, 2, 2, 2, 2).transpose(0, 1, 3, 5, 2, 4).reshape(2, 2, 2, 2, 4)
    first_max = np.eye(4)[blocks.argmax(-1)]          # (b, i, j, c, 4)
    ref = first_max.reshape(2, 2, 2, 2, 2, 2).transpose(0, 1, 4, 2, 5, 3).reshape(hv.shape)
    np.testing.assert_array_equal(out, ref)
    model.compile('sgd', 'mse')
    model.fit(data, np.zeros_like(out), verbose=0)
    # as the example trains it: the pooled values placed back where their maxima were, so
    # the loss's gradient runs through the pooling and through the pooling's gradient
    from keras.layers import Multiply, UpSampling2D
    unpooled = Model(x, Multiply()([UpSampling2D()(pooled), where]))
    unpooled.compile('sgd', 'mse')
    before = unpooled.get_weights()
    unpooled.fit(data, np.zeros_like(out), verbose=0)
    moved = [np.abs(a - b).max() for a, b in zip(unpooled.get_weights(), before)]
    assert all(np.isfinite(m) and m > 0 for m in moved), moved
    # outside a Lambda's symbolic call, gradients of plain arrays stay an error
    with pytest.raises(TypeError, match='symbolic tensor'):
        K.gradients(K.constant(1.), [K.variable(1.)])


def test_lambda_returning_the_gradient_list_gives_one_tensor():
    """As the SWWAE example writes it: the Lambda returns K.gradients(...) itself (a list of
    one tensor) and the next layer takes it as a tensor (Keras 2.2.4 unpacks a list of one)."""
    import keras.backend as K
    from keras.layers import Input, Lambda, MaxPooling2D, UpSampling2D, Multiply
    from keras.models import Model
    x = Input((4, 4, 1))
    pooled = MaxPooling2D()(x)
    where = Lambda(lambda ts: K.gradients(K.sum(ts[1]), ts[0]),
                   output_shape=lambda shapes: shapes[0])([x, pooled])
    assert not isinstance(where, list)
    y = Multiply()([UpSampling2D()(pooled), where])
    model = Model(x, y)
    data = np.random.RandomState(1).rand(3, 4, 4, 1).astype('float32')
    out = model.predict(data)
    # each 2x2 window keeps only its maximum, in place
    blocks = data.reshape(3, 2, 2, 2, 2).transpose(0, 1, 3, 2, 4).reshape(3, 2, 2, 4)
    keep = np.eye(4)[blocks.argmax(-1)] * blocks.max(-1, keepdims=True)
    ref = keep.reshape(3, 2, 2, 2, 2).transpose(0, 1, 3, 2, 4).reshape(3, 4, 4, 1)
    np.testing.assert_allclose(out, ref, rtol=1e-6)


def test_variables_in_graph_ops_are_read_when_the_graph_runs():
    # `symbolic * K.variable(...)` and `variable + symbolic` record ops that read the
    # variable's current value at every call, not the value it had when first compiled
    from keras.layers import Dense
    inp = Input((2,))
    scale, shift = K.variable(2.), K.variable(np.array([0.5], 'float32'))
    out = shift + Dense(1, kernel_initializer='ones')(inp) * scale
    model = Model(inp, out)
    model.compile('sgd', 'mse')
    x = np.ones((1, 2), 'float32')
    np.testing.assert_allclose(model.predict(x), [[4.5]])
    K.set_value(scale, 3.)
    K.set_value(shift, [-1.])
    np.testing.assert_allclose(model.predict(x), [[5.]])
    assert model.evaluate(x, np.zeros((1, 1)), verbose=0) == pytest.approx(25.)
    model.train_on_batch(x, np.zeros((1, 1)))
    assert K.get_value(scale) == 3. and len(model.weights) == 2   # not trained, not a weight

    a = K.placeholder(shape=())
    total = K.variable(0.)
    accumulate = K.function([a], [a + total], updates=[(total, total + a)])
    assert [accumulate([2.])[0] for _ in range(3)] == [2., 4., 6.]
    assert K.get_value(total) == 6.


def test_symbolic_updates_fetches_and_feed_dict():
    # Keras 2.2's K.function forwarded `fetches` and `feed_dict` to Session.run: fetched
    # updates run with every call, and the feed_dict (read at every call) feeds
    # placeholders that are not among the inputs
    a, b = K.placeholder(shape=()), K.placeholder(shape=())
    last, scaled, count = K.variable(0.), K.variable(0.), K.variable(0.)
    pair = K.update(last, a + 1.)
    assert pair[0] is last and K.int_shape(pair[1]) == () and K.get_value(last) == 0.
    feed = {b: 3.}
    f = K.function([a], [a * 2.], updates=[K.update(last, a + 1.), K.update_add(count, a)],
                   feed_dict=feed, fetches=[K.update(scaled, b * 10.)])
    assert f([5.]) == [10.]
    assert (K.get_value(last), K.get_value(scaled), K.get_value(count)) == (6., 30., 5.)
    feed[b] = 4.
    assert f([1.]) == [2.]
    assert (K.get_value(last), K.get_value(scaled), K.get_value(count)) == (2., 40., 6.)
    g = K.function([a], [], updates=[K.update_sub(count, a)], options=None, run_metadata=None)
    g([2.5])
    assert K.get_value(count) == 3.5
    with pytest.raises(ValueError, match='shape'):
        K.update(K.variable(np.zeros(2)), K.placeholder(shape=(3,)))


def test_k_function_feeds_values_in_the_placeholders_dtypes():
    # a float placeholder fed integers (or booleans) computes in floats, an int one fed
    # floats in ints, as TensorFlow 1's feed converted them
    x = K.placeholder(shape=(None, 2))
    w = K.variable(np.array([[0.5], [0.25]], 'float32'))
    idx = K.placeholder(shape=(None,), dtype='int32')
    f = K.function([x, idx], [K.dot(x, w), idx * 2])
    out, doubled = f([np.array([[1, 2]]), np.array([1.7, 2.2])])
    assert out.dtype == np.float32 and out[0, 0] == 1.
    assert doubled.dtype == np.int32 and list(doubled) == [2, 4]
    np.testing.assert_allclose(f([np.array([[True, False]]), np.array([0])])[0], [[0.5]])


class _InputGradient(keras.layers.Layer):
    """innvestigate's `Gradient` layer: the gradient of the sum of the last input with
    respect to the others, taken in `call`."""

    def call(self, inputs):
        return K.gradients(K.sum(inputs[-1]), inputs[:-1])

    def compute_output_shape(self, input_shape):
        return input_shape[:-1]


def test_a_layer_taking_gradients_in_its_call_and_the_layers_they_come_from():
    x = keras.layers.Input((3,))
    dense = keras.layers.Dense(2, name='d')
    grad = _InputGradient()([x, dense(x)])
    model = Model(x, grad)
    kernel = dense.get_weights()[0]
    # d sum(x W + b) / dx = the row sums of W, for every sample
    np.testing.assert_allclose(model.predict(np.ones((4, 3))), np.tile(kernel.sum(1), (4, 1)),
                               rtol=1e-6)
    # the Dense the gradient comes from is a layer of the model, with its weights
    assert dense in model.layers and model.count_params() == 8
    lam = keras.layers.Lambda(lambda t: K.gradients(K.sum(K.square(t[1])), [t[0]])[0])
    model = Model(x, lam([x, dense(x)]))
    assert dense in model.layers and len(model.weights) == 2
    data = np.random.RandomState(0).rand(2, 3)
    np.testing.assert_allclose(model.predict(data),
                               2 * (data.dot(kernel) + dense.get_weights()[1]).dot(kernel.T),
                               rtol=1e-5)


def test_the_gradient_with_respect_to_a_tensor_the_loss_does_not_use_is_none():
    # TensorFlow's tf.gradients gave None for a tensor the loss is not computed from (code
    # tests `grad is None`); the other gradients are computed as usual
    a, b = Input((3,)), Input((3,))
    y = Dense(1, kernel_initializer='ones', use_bias=False)(a)
    loss = K.sum(y * y)
    grad_a, grad_b = K.gradients(loss, [a, b])
    assert grad_b is None
    x = np.arange(6.).reshape(2, 3)
    value = K.function([a], [grad_a])([x])[0]
    np.testing.assert_allclose(value, 2. * x.sum(1, keepdims=True).repeat(3, 1))


def test_a_function_of_an_intermediate_tensor_runs_the_layers_after_it():
    # TensorFlow fed any tensor: `K.function([model.layers[k].input], [model.output])` ran
    # the rest of the network (fast-neural-style's style targets from VGG's middle)
    from keras.layers import Concatenate
    x = Input((4,))
    h = Dense(3, name='first')(x)
    y = Dense(2, name='second', activation='relu')(h)
    both = Concatenate()([y, x])
    model = Model(x, both)
    hidden = np.random.RandomState(0).rand(5, 3).astype('float32')
    data = np.random.RandomState(1).rand(5, 4).astype('float32')
    kernel, bias = model.get_layer('second').get_weights()
    rest = np.maximum(hidden @ kernel + bias, 0.)
    got = K.function([model.get_layer('second').input], [model.get_layer('second').output])
    np.testing.assert_allclose(got([hidden])[0], rest, rtol=1e-5)
    got = K.function([h, x], [model.output])([hidden, data])[0]
    np.testing.assert_allclose(got, np.concatenate([rest, data], -1), rtol=1e-5)
    # what the outputs also need must be fed too: as in Keras 2.2.4 the function can be
    # made (its `outputs` given to another one), and calling it raises
    missing = K.function([h], [model.output])
    assert missing.inputs == [h] and missing.outputs == [model.output]
    with pytest.raises(ValueError, match='Graph disconnected'):
        missing([hidden])
    got = K.function([h, x], missing.outputs)([hidden, data])[0]
    np.testing.assert_allclose(got, np.concatenate([rest, data], -1), rtol=1e-5)


def test_a_placeholder_without_a_shape_takes_a_scalar_or_any_value():
    # TensorFlow 1's placeholder of unknown shape: DL Cookbook's style transfer feeds its
    # loss weights through `K.placeholder()`
    image = K.placeholder(shape=(None, 3))
    weight = K.placeholder()
    loss = K.sum(K.square(image)) * weight
    run = K.function([image, weight], [loss, K.gradients(loss, [image])[0]])
    data = np.arange(6, dtype='float32').reshape(2, 3)
    value, grad = run([data, 0.5])
    np.testing.assert_allclose(value, 0.5 * np.sum(data ** 2), rtol=1e-6)
    np.testing.assert_allclose(grad, data, rtol=1e-6)
    anything = K.placeholder()
    np.testing.assert_allclose(K.function([anything], [anything * 2])([np.arange(3.)])[0],
                               [0., 2., 4.])


def test_a_sparse_placeholder_is_sparse_and_takes_scipy_matrices():
    # the docstring examples of K.is_sparse and K.to_dense (Keras 2.2.4)
    import scipy.sparse as sparse
    from keras.layers import Input
    placeholder = K.placeholder((2, 2), sparse=True)
    assert K.is_sparse(placeholder) and K.is_sparse(Input((3,), sparse=True))
    assert not K.is_sparse(Input((3,)))
    matrix = sparse.random(2, 2, density=.5, format='csr', random_state=0)
    got = K.function([placeholder], [K.to_dense(placeholder) * 2])([matrix])[0]
    np.testing.assert_allclose(got, matrix.toarray() * 2, rtol=1e-6)


def test_gradients_of_a_graph_of_unknown_image_sizes_against_a_constant_of_known_ones():
    # fast.ai's neural style (content reconstruction): a convolutional model of any image
    # size, a loss against a variable of the real sizes, K.gradients of it with respect to
    # the input; no stand-in for the unknown sizes fits that graph (after two poolings the
    # input must be four times the target's size)
    from keras import metrics
    from keras.layers import AveragePooling2D, Conv2D, Input
    from keras.models import Model

    def build(shape):
        inp = Input(shape)
        x = inp
        for block in range(3):
            x = Conv2D(4, 3, padding='same', activation='relu', name='conv%d' % block,
                       kernel_initializer='ones', bias_initializer='zeros')(x)
            if block < 2:
                x = AveragePooling2D()(x)
        return inp, x

    img = np.random.RandomState(0).rand(1, 16, 16, 3).astype('float32')
    grads = []
    for shape in ((None, None, 3), (16, 16, 3)):
        inp, layer = build(shape)
        target = K.variable(Model(inp, layer).predict(img) + 1.)
        loss = metrics.mse(layer, target)
        grad = K.gradients(loss, inp)
        assert K.int_shape(grad[0]) == (None,) + shape
        value, g = K.function([inp], [loss] + grad)([img])
        np.testing.assert_allclose(value, np.ones((1, 4, 4)), rtol=1e-5)
        grads.append(g)
    assert grads[0].shape == img.shape and np.abs(grads[0]).sum() > 0
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-5, atol=1e-7)


def test_a_function_of_one_tensor_not_in_a_list_returns_its_value():
    # fast.ai's lesson 7 heat map: `K.function([inp], conv_out)([x])` read as an array, as
    # Theano's function returned it (and tf.keras's does); a list gives a list
    from keras.layers import Dense, Input
    x = Input((3,))
    y = Dense(2, kernel_initializer='ones')(x)
    data = np.ones((4, 3), 'float32')
    value = K.function([x], y)([data])
    assert isinstance(value, np.ndarray) and value.shape == (4, 2)
    np.testing.assert_allclose(value, np.full((4, 2), 3.))
    listed = K.function([x], [y])([data])
    assert isinstance(listed, list) and len(listed) == 1
    np.testing.assert_allclose(listed[0], value)
    assert isinstance(K.function([x], (y, y))([data]), list)
