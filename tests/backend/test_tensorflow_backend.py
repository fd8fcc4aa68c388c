"""The TensorFlow backend as Keras 2 code on TensorFlow uses it: raw `tf.*` ops inside custom
layers and `Lambda`, `keras.backend.tensorflow_backend` (`tf`, sessions, GPUs), K.function and
K.gradients, and the stateless random keys."""
import os

import numpy as np
import pytest

from keras import backend as K

pytestmark = pytest.mark.backends('tensorflow', reason='tests the TensorFlow backend itself')

if K.backend() == 'tensorflow':
    import tensorflow as tf
    from keras.engine.base_layer import Layer

    class TFDense(Layer):
        """A dense layer written with raw TensorFlow ops (tf.matmul, tf.nn.*)."""

        def __init__(self, units, **kwargs):
            super(TFDense, self).__init__(**kwargs)
            self.units = units

        def build(self, input_shape):
            self.kernel = self.add_weight('kernel', (input_shape[-1], self.units),
                                          initializer='glorot_uniform')
            self.bias = self.add_weight('bias', (self.units,), initializer='zeros')
            super(TFDense, self).build(input_shape)

        def call(self, x):
            return tf.nn.leaky_relu(tf.nn.bias_add(tf.matmul(x, self.kernel), self.bias),
                                    alpha=0.1)

        def compute_output_shape(self, input_shape):
            return input_shape[:-1] + (self.units,)

        def get_config(self):
            config = super(TFDense, self).get_config()
            config['units'] = self.units
            return config


def _data(n=32):
    rng = np.random.RandomState(0)
    return rng.rand(n, 6).astype('float32'), np.eye(2, dtype='float32')[rng.randint(0, 2, n)]


def test_backend_name_and_tensorflow_backend_module():
    from keras.backend import tensorflow_backend as KTF
    assert K.backend() == 'tensorflow'
    assert KTF.tf is tf
    assert KTF._get_available_gpus() == ['/gpu:%d' % i for i in
                                         range(len(tf.config.list_logical_devices('GPU')))]
    session = tf.compat.v1.Session()
    KTF.set_session(session)
    assert KTF.get_session() is session
    assert session.run(K.variable(2.)) == 2.


def test_custom_layer_with_tf_ops_trains_and_saves(tmp_path):
    from keras.models import Sequential, load_model
    from keras.layers import Dense
    x, y = _data()
    model = Sequential([TFDense(8, input_shape=(6,)), Dense(2, activation='softmax')])
    model.compile('adam', 'categorical_crossentropy')
    w_before = model.layers[0].get_weights()[0].copy()
    history = model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    assert history.history['loss'][-1] < history.history['loss'][0]
    assert not np.allclose(model.layers[0].get_weights()[0], w_before)
    # the layer's output is what its TensorFlow ops compute
    kernel, bias = model.layers[0].get_weights()
    z = x @ kernel + bias
    hidden = K.function([model.input], [model.layers[0].output])([x])[0]
    np.testing.assert_allclose(hidden, np.where(z > 0, z, 0.1 * z), rtol=1e-5, atol=1e-6)
    path = str(tmp_path / 'tfdense.h5')
    model.save(path)
    loaded = load_model(path, custom_objects={'TFDense': TFDense})
    np.testing.assert_allclose(loaded.predict(x), model.predict(x), rtol=1e-6)


def test_lambda_with_tf_image_trains_and_saves(tmp_path):
    from keras.models import Model, load_model
    from keras.layers import Input, Lambda, Conv2D, GlobalAveragePooling2D, Dense
    rng = np.random.RandomState(1)
    x = rng.rand(8, 4, 4, 3).astype('float32')
    y = np.eye(2, dtype='float32')[rng.randint(0, 2, 8)]
    inp = Input((4, 4, 3))
    up = Lambda(lambda t: tf.image.resize(t, (8, 8), method='nearest'))(inp)
    assert K.int_shape(up) == (None, 8, 8, 3)
    h = Conv2D(4, 3, activation='relu')(up)
    out = Dense(2, activation='softmax')(GlobalAveragePooling2D()(h))
    model = Model(inp, out)
    model.compile('sgd', 'categorical_crossentropy')
    model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    resized = K.function([inp], [up])([x])[0]
    np.testing.assert_array_equal(resized, x.repeat(2, axis=1).repeat(2, axis=2))
    path = str(tmp_path / 'lambda.h5')
    model.save(path)
    loaded = load_model(path, custom_objects={'tf': tf})
    np.testing.assert_allclose(loaded.predict(x), model.predict(x), rtol=1e-6)


def test_function_and_gradients():
    from keras.layers import Input, Dense
    from keras.models import Model
    inp = Input((3,))
    layer = Dense(1, use_bias=False, kernel_initializer='ones')
    out = layer(inp)
    loss = K.sum(K.square(out))
    grads = K.gradients(loss, layer.trainable_weights)
    fn = K.function([inp], [loss] + grads)
    x = np.array([[1., 2., 3.]], 'float32')
    value, g = fn([x])
    assert np.isclose(value, 36.)
    np.testing.assert_allclose(g, 2 * 6. * x.T, rtol=1e-6)   # d/dW sum((xW)^2) = 2 xW x^T
    assert isinstance(Model(inp, out).predict(x), np.ndarray)


def test_dropout_keys_are_reproducible_and_per_batch():
    from keras.layers import Input, Dropout
    from keras.models import Model
    inp = Input((50,))
    model = Model(inp, Dropout(0.5)(inp))
    x = np.ones((4, 50), 'float32')
    f = K.function([inp, K.learning_phase()], [model.output])
    a = f([x, 1])[0]
    b = f([x, 1])[0]
    assert set(np.unique(a)) <= {0., 2.} and not np.array_equal(a, b)
    np.testing.assert_array_equal(f([x, 0])[0], x)


def test_variables_work_with_raw_tf_ops():
    v = K.variable(np.arange(6).reshape(2, 3))
    total = tf.reduce_sum(v)
    np.testing.assert_allclose(total.numpy(), 15.)
    np.testing.assert_allclose((v * 2).numpy(), np.arange(6).reshape(2, 3) * 2)
    size = tf.cast(tf.size(v), tf.float32)
    K.set_value(v, np.ones((2, 3)))
    assert K.get_value(v).sum() == 6.
    assert K.dtype(v) == 'float32' and K.int_shape(v) == (2, 3)
    # as in Keras 2.2.4's graph, the ops are computed from the variable's value when read
    assert K.eval(total) == 6. and K.eval(total / size) == 1.
    assert K.get_session().run([total, v])[0] == 6.


def test_raw_tf_ops_on_weights_outside_a_step_stay_ops_of_the_weights():
    # Mask R-CNN's weight decay: tf.add_n of l2(w) / tf.cast(tf.size(w)) over the kernels,
    # built once with raw TensorFlow ops after the model, then given to add_loss. Keras
    # 2.2.4's graph computed it from the weights at every step (here it had become one
    # constant, which has no gradient)
    from keras.layers import Input, Dense
    from keras.models import Model
    from keras import regularizers, optimizers
    x = Input((3,))
    model = Model(x, Dense(2, kernel_initializer='ones')(x))
    decay = tf.add_n([regularizers.l2(1.)(w) / tf.cast(tf.size(w), tf.float32)
                      for w in model.trainable_weights if 'bias' not in w.name])
    model.add_loss(decay)
    model.compile(optimizers.SGD(0.5), loss=[None])
    history = model.fit(np.zeros((4, 3)), None, epochs=3, verbose=0)
    kernel, losses = np.ones((3, 2)), []
    for _ in range(3):
        # the loss is sum(w ** 2) / 6, its gradient w / 3
        losses.append((kernel ** 2).sum() / 6.)
        kernel = kernel - 0.5 * kernel / 3.
    np.testing.assert_allclose(history.history['loss'], losses, rtol=1e-6)
    np.testing.assert_allclose(model.get_weights()[0], kernel, rtol=1e-6)
    np.testing.assert_allclose(K.eval(decay), (kernel ** 2).sum() / 6., rtol=1e-6)


def test_default_session_reads_variables_and_eager_tensors():
    from keras.backend import tensorflow_backend as KTF
    KTF._SESSION[0] = None if not isinstance(KTF._SESSION[0], KTF._Session) else KTF._SESSION[0]
    try:
        session = K.get_session()
        assert isinstance(session, tf.compat.v1.Session)
        a, b = K.variable(1.5), K.variable(np.arange(3.))
        values = session.run(fetches=[a, b])
        assert values[0] == 1.5 and isinstance(values[0], np.floating)
        np.testing.assert_array_equal(values[1], [0., 1., 2.])
        out = session.run({'a': a, 'c': tf.constant([4, 5])})
        assert out['a'] == 1.5 and list(out['c']) == [4, 5]
        # an update made outside a step runs when the session runs it, each time
        step = K.update(a, a + 0.5 * (K.sum(b) - a))
        assert K.get_value(a) == 1.5
        assert session.run(step) == 2.25 and session.run([step]) == [2.625]
        assert K.get_value(a) == 2.625
    finally:
        KTF._SESSION[0] = None


def test_string_placeholders_in_k_function():
    # TensorFlow's string tensors through K.placeholder / K.function and raw tf.strings ops
    text = K.placeholder(shape=(None,), dtype='string')
    assert text.dtype == 'string' and K.dtype(text) == 'string'
    from keras.layers import Lambda
    lengths = Lambda(lambda t: tf.strings.length(t))(K.identity(text))
    assert K.int_shape(lengths) == (None,)
    same, n = K.function([text], [K.identity(text), lengths])([np.array([b'ab', b'xyz'])])
    assert list(same) == [b'ab', b'xyz']
    np.testing.assert_array_equal(n, [2, 3])


def test_layer_outputs_name_their_tensorflow_op():
    from keras import layers
    inputs = layers.Input((3,))
    relu = layers.ReLU(name='r')(inputs)
    assert (relu.op.name, relu.op.type) == ('r/Relu', 'Relu')
    assert layers.ReLU(negative_slope=0.2)(inputs).op.type == 'LeakyRelu'
    assert layers.ReLU(max_value=6)(inputs).op.type == 'Relu6'
    # Keras 2 export scripts collect output op names this way
    model = __import__('keras').models.Model(inputs, relu)
    assert [out.op.name for out in model.outputs] == ['r/Relu']
    # an input is its placeholder op, named as the input layer (Keras 2.2.4's 'input_1')
    assert (inputs.op.name, inputs.op.type) == (model.input_names[0], 'Placeholder')


def test_relu_fused_kernels_match_the_formula():
    x = np.linspace(-8, 8, 33).astype('float32')
    for kwargs in [{}, {'alpha': 0.2}, {'max_value': 6}, {'alpha': 0.3, 'max_value': 6},
                   {'threshold': 1.}, {'alpha': 1.5}]:
        alpha = kwargs.get('alpha', 0.)
        threshold = kwargs.get('threshold', 0.)
        ref = np.where(x > threshold, x, alpha * (x - threshold))
        if 'max_value' in kwargs:
            ref = np.where(x > threshold, np.minimum(x, kwargs['max_value']), ref)
        np.testing.assert_allclose(K.eval(K.relu(K.constant(x), **kwargs)), ref,
                                   rtol=1e-6, err_msg=str(kwargs))


def test_tensorflow_dtypes_are_taken_wherever_a_dtype_is():
    # Keras 2.2.4 on TensorFlow took tf.DType objects (Mask R-CNN: Input(dtype=tf.int32))
    from keras.layers import Dense, Input
    assert Input((3,), dtype=tf.int32).dtype == 'int32'
    assert K.placeholder((2,), dtype=tf.float32).dtype == 'float32'
    assert K.dtype(K.zeros((2,), dtype=tf.float16)) == 'float16'
    assert K.dtype(K.constant(3, dtype=tf.int32)) == 'int32'
    assert Input((1,), dtype=tf.string).dtype == 'string'
    assert K.int_shape(Dense(2, dtype=tf.float32)(Input((3,)))) == (None, 2)
    assert K.dtype(K._to_tensor(0.5, tf.float32)) == 'float32'


def test_tensorflow_modules_of_keras_2_2_4s_backend():
    # keras-yolo3's loss: K.control_flow_ops.while_loop over the batch with a TensorArray
    def count_positive(x):
        array = K.tensor_array_ops.TensorArray(tf.float32, size=1, dynamic_size=True)

        def body(i, array):
            return i + 1, array.write(i, tf.reduce_sum(tf.cast(x[i] > 0, tf.float32)))
        _, array = K.control_flow_ops.while_loop(lambda i, *args: i < tf.shape(x)[0], body,
                                                 [0, array])
        return array.stack()
    x = np.array([[1., -1., 2.], [-1., -2., 3.]], 'float32')
    np.testing.assert_array_equal(K.eval(count_positive(tf.constant(x))), [2., 1.])
    assert K.functional_ops.map_fn is not None and K.ctc.ctc_loss is not None
    assert K.moving_averages.assign_moving_average is not None


def test_tensorflow_ops_on_keras_tensors_outside_layers_are_nodes(tmp_path):
    # Keras 2.2's tensors were TensorFlow's: raw ops on a model's tensors joined its graph
    # (Mask R-CNN's losses, keras-yolo3's yolo_eval on model.output)
    from keras.layers import Dense, Input
    from keras.models import Model, load_model
    x = Input((4,))
    y = Dense(3, name='d')(x)
    mean = tf.reduce_mean(y, axis=-1, keepdims=True)
    doubled = tf.nn.relu(y) * 2.
    assert K.int_shape(mean) == (None, 1) and K.int_shape(tf.shape(y)) == (2,)
    model = Model(x, [mean, doubled])
    data = np.array([[1., -2., 0.5, 3.], [0., 1., -1., 2.]], 'float32')
    kernel, bias = model.get_layer('d').get_weights()
    dense = data @ kernel + bias
    got = model.predict(data)
    np.testing.assert_allclose(got[0], dense.mean(-1, keepdims=True), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[1], np.maximum(dense, 0) * 2, rtol=1e-5, atol=1e-6)
    # (a threshold between the rows: rounding cannot move a row across it)
    middle = dense[:, 0].mean()
    kept = K.function([x], [tf.boolean_mask(y, y[:, 0] > middle)])([data])[0]
    np.testing.assert_allclose(kept, dense[dense[:, 0] > middle], rtol=1e-5)
    path = str(tmp_path / 'm.h5')
    model.save(path)
    np.testing.assert_allclose(load_model(path).predict(data)[0], got[0], rtol=1e-6)


def test_argmax_gives_tensorflows_int64():
    # Keras 2.2.4's K.argmax was tf.argmax (int64): metrics compare it with tf.argmax
    x = np.array([[0.1, 0.7, 0.2], [0.5, 0.2, 0.3]], 'float32')
    assert K.dtype(K.argmax(K.constant(x))) == 'int64'
    assert K.dtype(K.argmin(K.constant(x))) == 'int64'
    same = tf.equal(tf.argmax(tf.constant(x), -1), K.argmax(K.constant(x), -1))
    assert K.eval(same).all()


def test_time_distributed_over_sizes_only_known_when_the_graph_runs():
    # Mask R-CNN's heads: TimeDistributed over the output of an op that computes its shape
    # (TensorFlow knows its rank only while tracing); Keras 2.2.4 read such sizes with K.shape
    from keras.layers import Flatten, Input, Lambda, TimeDistributed
    from keras.models import Model
    x = Input((3, 2, 2, 4))
    unknown = Lambda(lambda t: tf.reshape(t, tf.shape(t) + tf.cast(tf.reduce_sum(t) * 0,
                                                                    'int32')),
                     output_shape=(3, 2, 2, 4))(x)
    flat = TimeDistributed(Flatten())(unknown)
    doubled = TimeDistributed(Lambda(lambda t: t * 2.))(unknown)
    model = Model(x, [flat, doubled])
    data = np.arange(96, dtype='float32').reshape(2, 3, 2, 2, 4)
    got_flat, got_doubled = model.predict(data)
    np.testing.assert_array_equal(got_flat, data.reshape(2, 3, 16))
    np.testing.assert_array_equal(got_doubled, data * 2)


def test_a_failing_call_reports_its_own_error_not_the_made_up_sizes_one():
    # the trace with unknown sizes is Keras 2.2.4's graph; when the retry with made-up sizes
    # fails too, its error ("Dimensions must be equal, but are 37 and 4") is only a note
    from keras.layers import Input, Lambda
    x, y = Input((None, 3)), Input((4, 3))

    def misspelt(inputs):
        summed = inputs[0] + inputs[1]     # (fine with the unknown length; not with 37)
        return K.no_such_function(summed)
    with pytest.raises(AttributeError, match='no_such_function'):
        Lambda(misspelt)([x, y])


def test_a_layer_reads_keras_shape_of_the_tensors_its_call_gets(tmp_path):
    # ssd_keras' AnchorBoxes: `batch, height, width, channels = x._keras_shape` in `call`,
    # which Keras 2.2.4's graph ran on its Keras tensors; the step's tensors answer with
    # their static shape, or with what code set
    from keras.layers import Input
    from keras.models import Model, load_model

    class Scale(Layer):
        def call(self, x):
            _, height, width, _ = x._keras_shape
            y = x * float(height * width)
            y._keras_shape = (None, height, width, 7)
            assert y._keras_shape == (None, height, width, 7)
            return y

    x = Input((2, 3, 4))
    model = Model(x, Scale()(x))
    np.testing.assert_allclose(model.predict(np.ones((2, 2, 3, 4))), np.full((2, 2, 3, 4), 6.))
    assert tf.constant(np.ones((1, 2)))._keras_shape == (1, 2)
    assert tf.constant(1.)._uses_learning_phase is False
    model.save(str(tmp_path / 'm.h5'))
    again = load_model(str(tmp_path / 'm.h5'), custom_objects={'Scale': Scale})
    np.testing.assert_allclose(again.predict(np.ones((1, 2, 3, 4))), np.full((1, 2, 3, 4), 6.))


def test_raw_tf_gradients_of_keras_tensors_are_k_gradients():
    # Grad-CAM and saliency scripts: `tf.gradients(model.output[:, c], conv_output)` on
    # Keras 2.2.4's graph; TensorFlow 2's tf.gradients refuses to run eagerly
    from keras.layers import Input, Dense
    from keras.models import Model
    x = Input((4,))
    h = Dense(5, kernel_initializer='ones', activation='relu')(x)
    model = Model(x, Dense(3, kernel_initializer='ones')(h))
    grads = tf.gradients(model.output[:, 0], h)[0]
    both = tf.compat.v1.gradients([K.sum(model.output), K.sum(h)], [x])[0]
    values = K.function([model.input], [grads, both])([np.ones((2, 4))])
    np.testing.assert_allclose(values[0], np.ones((2, 5)))
    # d/dx of sum(3 * 5 relu(sum x)) + sum(5 relu(sum x)) = 15 + 5 per input unit
    np.testing.assert_allclose(values[1], np.full((2, 4), 20.))
    # TensorFlow's own tensors still go to TensorFlow
    v = tf.Variable(2.)

    @tf.function
    def square_grad():
        return tf.gradients(v * v, v)[0]
    assert float(square_grad()) == 4.


def test_cast_and_dot_take_tensorflow_sparse_tensors():
    # spektral's graph convolutions: K.cast of a tf.SparseTensor adjacency, K.dot of it and
    # a dense tensor (Keras 2.2.4 ran tf.sparse_tensor_dense_matmul)
    sparse = tf.SparseTensor(indices=[[0, 0], [1, 2]], values=[1, 2], dense_shape=[3, 3])
    cast = K.cast(sparse, 'float32')
    assert isinstance(cast, tf.SparseTensor) and K.dtype(cast) == 'float32'
    dense = np.arange(6.).reshape(3, 2).astype('float32')
    expected = np.array([[1, 0, 0], [0, 0, 2], [0, 0, 0]], 'float32') @ dense
    np.testing.assert_allclose(K.eval(K.dot(cast, K.constant(dense))), expected)
    np.testing.assert_allclose(K.eval(K.dot(sparse, dense)), expected)


def test_tensorflow_assignments_of_keras_weights_are_their_updates():
    # a custom layer counting its training batches with tf.compat.v1.assign_add on its
    # weight (Keras 2.2.4's weights were TensorFlow variables); TensorFlow's own variables
    # are still TensorFlow's
    from keras.layers import Input, Dense, Add
    from keras.models import Model

    class Counted(Layer):
        def build(self, input_shape):
            self.count = self.add_weight('count', (), initializer='zeros', trainable=False)
            self.total = self.add_weight('total', (), initializer='zeros', trainable=False)
            super(Counted, self).build(input_shape)

        def call(self, x):
            self.add_update([tf.compat.v1.assign_add(self.count, 1.),
                             tf.compat.v1.assign(self.total, self.total + K.sum(x))], x)
            return x * 1.

    x = Input((3,))
    counted = Counted()
    model = Model(x, Add()([counted(x), Dense(3)(x)]))
    model.compile('sgd', 'mse')
    model.fit(np.ones((8, 3)), np.ones((8, 3)), batch_size=4, epochs=1, verbose=0)
    assert K.get_value(counted.count) == 2. and K.get_value(counted.total) == 24.
    tf.compat.v1.assign_sub(counted.count, 2.)
    assert K.get_value(counted.count) == 0.
    v = tf.Variable(1.)
    tf.compat.v1.assign_add(v, 2.)
    assert float(v.numpy()) == 3.


def test_tf_cond_on_the_learning_phase_picks_the_steps_branch():
    # `tf.cond(K.learning_phase(), noisy, clean)` in a layer (Keras 2.2.4's phase was a
    # boolean placeholder TensorFlow 1's cond took; in a step it is the step's number)
    from keras.layers import Input
    from keras.models import Model

    class TrainOnlyShift(Layer):
        def call(self, x):
            return tf.cond(K.learning_phase(), lambda: x + 10., lambda: x)

    x = Input((3,))
    model = Model(x, TrainOnlyShift()(x))
    model.compile('sgd', 'mse')
    data = np.ones((2, 3))
    np.testing.assert_allclose(model.predict(data), data)
    assert model.train_on_batch(data, data) == 100.
    assert model.test_on_batch(data, data) == 0.
    # a condition that is a tensor is TensorFlow's
    assert float(tf.cond(tf.constant(False), lambda: tf.constant(1.), lambda: tf.constant(2.))) == 2.
    assert float(tf.compat.v1.cond(True, lambda: 3., lambda: 4.)) == 3.


def test_a_loss_turning_its_attribute_into_a_tensor_trains_and_validates():
    # ssd_keras' SSDLoss.compute_loss begins with `self.neg_pos_ratio =
    # tf.constant(self.neg_pos_ratio)`: Keras 2.2.4 called it once; each traced step here
    # (training, then validation) calls it again
    from keras.layers import Input, Dense
    from keras.models import Model

    class SSDLikeLoss(object):
        def __init__(self, ratio=3.):
            self.ratio = ratio

        def compute_loss(self, y_true, y_pred):
            self.ratio = tf.constant(self.ratio)
            return self.ratio * tf.reduce_mean(tf.square(y_true - y_pred), axis=-1)

    loss = SSDLikeLoss()
    x = Input((4,))
    model = Model(x, Dense(2, kernel_initializer='zeros')(x))
    model.compile('sgd', loss.compute_loss)
    data, targets = np.ones((8, 4)), np.ones((8, 2))
    assert model.train_on_batch(data, targets) == 3.
    model.fit(data, targets, batch_size=4, epochs=1, verbose=0,
              validation_data=(data, targets))
    model.set_weights([np.zeros((4, 2)), np.zeros(2)])
    assert model.evaluate(data, targets, batch_size=3, verbose=0) == 3.
    assert loss.ratio == 3.



def test_bias_add_is_tensorflows_bias_op_where_keras_224_used_it():
    # Keras 2.2.4 added the bias of 2-D and channels-last 4-D inputs with tf.nn.bias_add:
    # TensorFlow fuses that op with the product before it, and code dispatching on op
    # types (shap's DeepExplainer) knows `BiasAdd`; the values are those of a NumPy sum
    from keras.layers import Conv2D, Dense, Flatten
    from keras.models import Sequential
    model = Sequential([Conv2D(2, 3, input_shape=(5, 5, 1)), Flatten(), Dense(2)])
    graph = tf.function(model).get_concrete_function(tf.TensorSpec([None, 5, 5, 1])).graph
    ops = [op.type for op in graph.get_operations()
           if op.type in ('Conv2D', 'MatMul', 'BiasAdd', 'AddV2', 'Add')]
    assert ops == ['Conv2D', 'BiasAdd', 'MatMul', 'BiasAdd']
    rng = np.random.RandomState(0)
    for shape in [(2, 3), (2, 4, 3), (2, 4, 5, 3), (2, 2, 4, 5, 3), (2, 2, 2, 2, 2, 3)]:
        x = rng.rand(*shape).astype('float32')
        b = rng.rand(3).astype('float32')
        np.testing.assert_allclose(K.eval(K.bias_add(K.constant(x), K.constant(b))), x + b,
                                   rtol=1e-6)
        first = np.moveaxis(x, -1, 1)
        expected = first + b.reshape((1, 3) + (1,) * (len(shape) - 2))
        np.testing.assert_allclose(
            K.eval(K.bias_add(K.constant(first), K.constant(b), data_format='channels_first')),
            expected, rtol=1e-6)


def test_session_run_of_keras_tensors_fed_their_placeholders():
    # DDPG-style Keras 2 code on TensorFlow: sess.run(fetches, feed_dict={model.input: x})
    # (it said "The Session graph is empty")
    from keras.layers import Input, Dense, Dropout
    from keras.models import Model
    x = Input((3,))
    y = Dense(64, kernel_initializer='ones', bias_initializer='zeros')(x)
    model = Model(x, Dropout(0.5)(y))
    grads = K.gradients(K.sum(model.output), model.trainable_weights)
    sess = K.get_session()
    data = np.arange(6, dtype='float32').reshape(2, 3)
    out, total, kernel_grad, weight = sess.run(
        [model.output, K.sum(model.output), grads[0], model.trainable_weights[1]],
        feed_dict={model.input: data})
    np.testing.assert_allclose(out, data.sum(1, keepdims=True) * np.ones((2, 64)))
    assert total == out.sum() and weight.shape == (64,)
    np.testing.assert_allclose(kernel_grad, np.tile(data.sum(0)[:, None], (1, 64)))
    # the learning phase fed as in Keras 2.2.4: dropout in the training phase
    trained = sess.run({'y': model.output}, feed_dict={x: data, K.learning_phase(): 1})['y']
    ratios = trained[1] / out[1]
    assert set(np.unique(ratios)) == {0., 2.}


def test_batch_normalization_of_4d_inputs_is_tensorflows_fused_kernel():
    # Keras 2.2.4 ran tf.nn.fused_batch_norm for 4D inputs along the channel axis (one op,
    # with its epsilon of at least 1.001e-5); the values are those of the formula
    from keras.layers import BatchNormalization
    from keras.models import Sequential
    layer = BatchNormalization(input_shape=(4, 5, 3), epsilon=1e-6)
    model = Sequential([layer])
    rng = np.random.RandomState(0)
    gamma, beta, mean, var = (rng.rand(3).astype('float32') + 0.5 for _ in range(4))
    layer.set_weights([gamma, beta, mean, var])
    graph = tf.function(model).get_concrete_function(tf.TensorSpec([None, 4, 5, 3])).graph
    assert 'FusedBatchNormV3' in [op.type for op in graph.get_operations()]
    x = rng.rand(2, 4, 5, 3).astype('float32')
    expected = (x - mean) / np.sqrt(var + 1.001e-5) * gamma + beta
    np.testing.assert_allclose(model.predict(x), expected, rtol=1e-5, atol=1e-6)
    # without center and scale, and a rank other than 4 (TensorFlow's formula ops)
    out = K.eval(K.batch_normalization(K.constant(x), K.constant(mean), K.constant(var),
                                       None, None, axis=-1, epsilon=1e-3))
    np.testing.assert_allclose(out, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-5, atol=1e-6)
    flat = x.reshape(8, 5, 3)
    out = K.eval(K.batch_normalization(K.constant(flat), K.constant(mean), K.constant(var),
                                       K.constant(beta), K.constant(gamma), epsilon=1e-3))
    np.testing.assert_allclose(out, (flat - mean) / np.sqrt(var + 1e-3) * gamma + beta,
                               rtol=1e-5, atol=1e-6)


def test_batch_statistics_of_4d_inputs_are_tensorflows_fused_kernel_both_ways():
    # Keras 2.2.4 normalized 4D float32 batches in training with tf.nn.fused_batch_norm: one
    # op forward, one backward, the variance returned Bessel-corrected, and the gradient that
    # of the normalized output only; the values are those of the formula
    rng = np.random.RandomState(1)
    x = (rng.randn(4, 3, 5, 6) * 2 + 1).astype('float32')
    gamma, beta = rng.rand(6).astype('float32') + .5, rng.randn(6).astype('float32')
    dy = rng.randn(*x.shape).astype('float32')

    def step(x, gamma, beta):
        with tf.GradientTape() as tape:
            tape.watch([x, gamma, beta])
            normed, mean, var = K.normalize_batch_in_training(x, gamma, beta, [0, 1, 2],
                                                              epsilon=1e-3)
            loss = tf.reduce_sum(normed * dy)
        return (normed, mean, var) + tuple(tape.gradient(loss, [x, gamma, beta]))
    args = [tf.constant(a) for a in (x, gamma, beta)]
    graph = tf.function(step).get_concrete_function(*args).graph
    types = [op.type for op in graph.get_operations()]
    assert types.count('FusedBatchNormV3') == 1 and types.count('FusedBatchNormGradV3') == 1
    normed, mean, var, dx, dgamma, dbeta = [np.asarray(v) for v in step(*args)]
    n = 4 * 3 * 5
    m, v = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))
    xhat = (x - m) / np.sqrt(v + 1e-3)
    np.testing.assert_allclose(normed, xhat * gamma + beta, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(mean, m, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(var, v * n / (n - 1), rtol=1e-5)
    np.testing.assert_allclose(dbeta, dy.sum(axis=(0, 1, 2)), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(dgamma, (dy * xhat).sum(axis=(0, 1, 2)), rtol=1e-5, atol=1e-5)
    expected_dx = gamma / np.sqrt(v + 1e-3) / n * (
        n * dy - dy.sum(axis=(0, 1, 2)) - xhat * (dy * xhat).sum(axis=(0, 1, 2)))
    np.testing.assert_allclose(dx, expected_dx, rtol=1e-4, atol=1e-5)
    # other ranks, axes and dtypes keep TensorFlow's formula ops
    graph = tf.function(lambda x: K.normalize_batch_in_training(x, None, None, [0, 1])) \
        .get_concrete_function(tf.constant(x[0])).graph
    assert 'FusedBatchNormV3' not in [op.type for op in graph.get_operations()]


def test_compiled_steps_called_again_run_their_trace_with_the_same_results():
    # the backend's jit calls a signature's traced graph directly after its first call
    # (the flat tensors in tf.nest's order); results must be the tf.function's, a new
    # shape, dtype or static value must trace anew, and arguments only tf.function knows
    # how to pass (a tf.Variable) keep its own dispatch
    from keras.backend.tensorflow import execution as X

    def step(state, x, scale):
        x = tf.cast(x, 'float32')
        return ({'b': state['b'] * scale, 'a': [state['a'][0] + tf.reduce_sum(x), None]},
                x * scale)
    jitted = X.jit(step)
    rng = np.random.RandomState(0)
    # (insertion order b, a: the flat tensors follow the sorted keys)
    state = {'b': rng.rand(3).astype('float32'), 'a': [rng.rand(2, 2).astype('float32'), None]}
    for x, scale in [(rng.rand(4, 2), 2.), (rng.rand(4, 2), 2.), (rng.rand(4, 2), 3.),
                     (rng.rand(5, 2), 3.), (rng.rand(5, 2).astype('int32'), 3.)]:
        new_state, out = jitted(state, x, scale)
        expected_x = x.astype('float32') if x.dtype == np.float64 else x
        np.testing.assert_allclose(out.numpy(), expected_x * scale, rtol=1e-6)
        np.testing.assert_allclose(new_state['b'].numpy(), state['b'] * scale, rtol=1e-6)
        np.testing.assert_allclose(new_state['a'][0].numpy(),
                                   state['a'][0] + expected_x.sum(), rtol=1e-5)
        assert new_state['a'][1] is None
        state = {'b': new_state['b'].numpy(), 'a': [new_state['a'][0].numpy(), None]}
    assert jitted._cache_size() == 4      # (4, 2) at 2. and 3., (5, 2), (5, 2) int32
    assert len(jitted._traced) == 4       # (the second call went to its graph directly)
    v = tf.Variable(np.ones(3, 'float32'))
    via_variable = X.jit(lambda v, x: v * x)
    for factor in (2., 3.):
        np.testing.assert_allclose(via_variable(v, np.float32(factor)).numpy(), [factor] * 3)


def test_the_inputs_of_a_softmax_output_op_are_its_logits():
    # Keras 2 code on TensorFlow took a model's logits from its softmax output's op
    # (cleverhans 2.x's model_loss: `op = preds.op; if op.type == 'Softmax': logits, =
    # op.inputs`; its KerasModelWrapper reads `preds._op.inputs[0]`), to differentiate a
    # cross-entropy on logits with respect to the input (FGSM)
    from keras.layers import Activation, Dense
    from keras.models import Model, Sequential
    rng = np.random.RandomState(0)
    x = rng.rand(5, 4).astype('float32')
    y = np.eye(3, dtype='float32')[[0, 1, 2, 0, 1]]
    separate = Sequential([Dense(3, input_shape=(4,)), Activation('softmax')])
    inside = Sequential([Dense(3, input_shape=(4,), activation='softmax')])
    for model, read in ((separate, lambda t: t.op), (inside, lambda t: t._op)):
        op = read(model.output)
        assert op.type == 'Softmax' and op.outputs == [model.output]
        logits, = op.inputs
        assert K.int_shape(logits) == (None, 3) and op.inputs[0] is logits
        kernel, bias = model.layers[0].get_weights()
        expected = x.dot(kernel) + bias
        np.testing.assert_allclose(Model(model.input, logits).predict(x), expected,
                                   rtol=1e-5, atol=1e-6)
        labels = K.placeholder((None, 3))
        loss = K.sum(K.categorical_crossentropy(labels, logits, from_logits=True))
        grad = K.gradients(loss, [model.input])[0]
        got = K.function([model.input, labels], [grad])([x, y])[0]
        p = np.exp(expected - expected.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        np.testing.assert_allclose(got, (p - y).dot(kernel.T), rtol=1e-4, atol=1e-6)
        # the model's own output is still its softmax
        np.testing.assert_allclose(model.predict(x), p, rtol=1e-5, atol=1e-6)


def test_interactive_session_initializer_and_gradients_weighted_by_grad_ys():
    # DDPG scripts: K.set_session(tf.InteractiveSession()), sess.run(
    # tf.global_variables_initializer()), and the actor's
    # tf.gradients(actor.output, actor.trainable_weights, -action_gradient)
    from keras.layers import Input, Dense
    from keras.models import Model
    session = tf.compat.v1.InteractiveSession()
    try:
        K.set_session(session)
        x = Input((3,))
        model = Model(x, Dense(2, kernel_initializer='ones')(x))
        assert K.get_session() is session
        assert session.run(tf.compat.v1.global_variables_initializer()) is None
        action_gradient = K.placeholder(shape=(None, 2))
        grads = tf.gradients(model.output, model.trainable_weights, -action_gradient)
        data = np.arange(6, dtype='float32').reshape(2, 3)
        weights = np.array([[1., 2.], [3., 4.]], 'float32')
        kernel_grad, bias_grad = session.run(
            grads, feed_dict={model.input: data, action_gradient: weights})
        np.testing.assert_allclose(kernel_grad, -data.T.dot(weights), rtol=1e-6)
        np.testing.assert_allclose(bias_grad, -weights.sum(0), rtol=1e-6)
    finally:
        session.close()
        K.set_session(tf.compat.v1.Session())


def test_tensorflow_ops_returning_named_tuples_on_keras_tensors():
    # hard-example mining on a model's outputs: `tf.nn.top_k(h, k).values`
    from keras.layers import Input
    from keras.models import Model
    inp = Input((6,))
    top = tf.nn.top_k(inp, k=2)
    model = Model(inp, [top.values, K.cast(top.indices, 'float32')])
    x = np.array([[3., 1., 4., 1., 5., 9.]], 'float32')
    values, indices = model.predict(x)
    np.testing.assert_array_equal(values, [[9., 5.]])
    np.testing.assert_array_equal(indices, [[5., 4.]])


def test_tensorflow_control_flow_on_keras_tensors_outside_layers():
    # keras-yolo2's loss reads a model input by closure and ends in `tf.cond`; `tf.map_fn`
    # and `tf.while_loop` on a model's tensors: nodes of the graph, as in Keras 2.2.4
    from keras.layers import Dense, Input, Lambda
    from keras.models import Model
    a, w = Input((3,)), Input((2,))
    model = Model([a, w], Lambda(lambda t: t[0])([Dense(2)(a), w]))

    def loss(y_true, y_pred):
        err = tf.reduce_sum(tf.square(y_true - y_pred) * w)
        return tf.cond(tf.less(tf.reduce_sum(y_true), 1e9), lambda: err + 1., lambda: err)
    model.compile('sgd', loss=loss)
    x, ww, y = np.ones((4, 3), 'float32'), np.ones((4, 2), 'float32'), np.zeros((4, 2))
    pred = model.predict([x, ww])
    np.testing.assert_allclose(model.evaluate([x, ww], y, verbose=0),
                               np.sum(pred ** 2) + 1., rtol=1e-5)
    h, g = Dense(2)(a), Dense(2)(a)
    outs = [tf.cond(tf.reduce_sum(h) > 0, lambda: (h * 2., g), lambda: (g, h))[0],
            tf.map_fn(lambda r: r * 2., h),
            tf.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, v * 2.),
                          [tf.constant(0), h])[1]]
    hv, gv, c, m, l = K.function([a], [h, g] + outs)([x])
    np.testing.assert_allclose(c, hv * 2. if hv.sum() > 0 else gv, rtol=1e-6)
    np.testing.assert_allclose(m, hv * 2., rtol=1e-6)
    np.testing.assert_allclose(l, hv * 8., rtol=1e-6)


def test_tensorflow_variables_as_loss_weights_follow_their_assignments():
    # uzh-rpg's Dronet: `loss_weights=[model.alpha, model.beta]` made with tf.Variable and
    # assigned by a callback; Keras 2.2.4's total loss was `alpha * l1 + beta * l2`
    from keras.layers import Dense, Input
    from keras.models import Model
    x = Input((3,))
    model = Model(x, [Dense(1)(x), Dense(1)(x)])
    alpha, beta = tf.Variable(1., trainable=False), tf.Variable(0., trainable=False)
    model.compile('sgd', loss=['mse', 'mse'], loss_weights=[alpha, beta])
    data = np.random.RandomState(0).rand(4, 3).astype('float32')
    targets = [np.zeros((4, 1)), np.ones((4, 1))]
    for value in (0., 2.5):
        beta.assign(value)
        total, l1, l2 = model.evaluate(data, targets, verbose=0)
        np.testing.assert_allclose(total, l1 + value * l2, rtol=1e-5)
    before = model.get_weights()
    beta.assign(0.)
    model.train_on_batch(data, targets)
    # with beta 0 the second output's kernel gets no gradient
    np.testing.assert_array_equal(model.get_weights()[2], before[2])
    assert not np.array_equal(model.get_weights()[0], before[0])


def test_time_distributed_gives_the_declared_time_size_to_the_tensorflow_tensor():
    # Mask R-CNN: a ROI layer picks rows with tf.where and pads them to the count it
    # declares; Keras 2.2.4's TimeDistributed split its result with the Keras time size, so
    # the DetectionLayer's raw ops read `probs.shape[0]` as a number when the graph ran
    from keras.layers import Dense, Input, Lambda, TimeDistributed
    from keras.models import Model

    class Pick(Layer):
        def call(self, x):
            rows = tf.gather_nd(x[0], tf.where(tf.reduce_sum(x[0], axis=1) > -1e9))
            rows = tf.pad(rows, [(0, tf.maximum(16 - tf.shape(rows)[0], 0)), (0, 0)])
            return tf.expand_dims(rows, 0)

        def compute_output_shape(self, input_shape):
            return (None, 16, input_shape[2])

    def refine(probs):
        p = probs[0]
        return tf.expand_dims(tf.cast(tf.range(p.shape[0]), 'float32'), 0) + 0. * p[:, 0]

    inp = Input((16, 8))
    dense = TimeDistributed(Dense(4))
    model = Model(inp, Lambda(refine)(dense(Pick()(inp))))
    np.testing.assert_array_equal(model.predict(np.ones((1, 16, 8), 'float32'))[0],
                                  np.arange(16))


def test_a_tf_variable_made_in_a_lambda_is_made_once():
    # Mask R-CNN's training model: `Lambda(lambda x: tf.Variable(anchors), name='anchors')`;
    # Keras 2.2.4 called the Lambda once, making one graph variable, where each trace of a
    # step would make another (tf.function refuses variables made after its first trace)
    from keras.layers import Add, Dense, Input, Lambda
    from keras.models import Model
    anchors = np.arange(12, dtype='float32').reshape(3, 4)
    made = []

    def make_anchors(x):
        v = tf.Variable(anchors)
        made.append(v)
        return tf.zeros_like(x[:, :1]) + v[0]     # (batch, 4)

    inp = Input((4,))
    model = Model(inp, Add()([Dense(4)(inp), Lambda(make_anchors, name='anchors')(inp)]))
    model.compile('sgd', 'mse')
    data = np.random.RandomState(0).rand(6, 4).astype('float32')
    kernel, bias = model.get_layer(index=1).get_weights()
    for batch_size in (6, 4):     # a second batch size traces the steps again
        np.testing.assert_allclose(model.predict(data, batch_size=batch_size),
                                   data @ kernel + bias + anchors[0], rtol=1e-5)
    model.fit(data, np.zeros((6, 4)), batch_size=3, epochs=1, verbose=0)
    assert len(set(id(v) for v in made)) == 1
    assert all(not isinstance(w, tf.Variable) for w in model.weights)


def test_models_run_inside_a_tensorflow_graph_of_the_users(tmp_path):
    # the 2018 Flask recipe: `graph = tf.get_default_graph()` at start-up, then
    # `with graph.as_default(): model.predict(x)` in each request's thread; Keras 2.2.4's
    # models lived in that graph, so every call ran there
    import threading
    from keras.layers import Dense, Input
    from keras.models import Model, load_model
    x = Input((3,))
    model = Model(x, Dense(2)(x))
    model.compile('sgd', 'mse')
    data = np.random.RandomState(0).rand(4, 3).astype('float32')
    expected = model.predict(data)
    graph = tf.compat.v1.get_default_graph()
    with graph.as_default():
        assert not tf.executing_eagerly()
        np.testing.assert_allclose(model.predict(data), expected, rtol=1e-6)
        np.testing.assert_allclose(K.function([model.input], [model.output])([data])[0],
                                   expected, rtol=1e-6)
        model.fit(data, np.zeros((4, 2)), epochs=1, verbose=0)
        model.save(str(tmp_path / 'm.h5'))
        loaded = load_model(str(tmp_path / 'm.h5'))
    after = model.predict(data)
    assert not np.allclose(after, expected)
    np.testing.assert_allclose(loaded.predict(data), after, rtol=1e-6)
    with K.get_session().graph.as_default():
        x2 = Input((3,))
        inner = Model(x2, Dense(1, kernel_initializer='ones', bias_initializer='zeros')(x2))
    np.testing.assert_allclose(inner.predict(data), data.sum(1, keepdims=True), rtol=1e-6)
    results = []

    def request():
        with graph.as_default():
            results.append(model.predict(data))
    threads = [threading.Thread(target=request) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 3
    for r in results:
        np.testing.assert_allclose(r, after, rtol=1e-6)
