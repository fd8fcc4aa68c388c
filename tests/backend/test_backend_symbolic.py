"""The new backend ops must trace abstractly (the engine records them with the backend's
shape inference: jax.eval_shape, or a tf.function trace)."""
import numpy as np
import pytest

import keras
from keras import backend as K
from keras.backend import keras_tensor, nest, shape_inference
from keras.layers import Input


@pytest.fixture
def shape_handler():
    """Records nothing: an op on KerasTensors returns KerasTensors of the shapes the
    backend's shape inference gives for inputs whose unknown sizes are 2."""
    def concrete(obj):
        if isinstance(obj, K.KerasTensor):
            return K.KerasTensor(tuple(2 if d is None else d for d in obj.shape), obj.dtype)
        if isinstance(obj, (list, tuple)):
            return type(obj)(concrete(o) for o in obj)
        return obj

    def handler(name, op, args, kwargs):
        out = shape_inference.eval_structure(lambda s: op(*s[0], **s[1]),
                                             (concrete(list(args)), concrete(dict(kwargs))))
        return nest.map_structure(
            lambda o: K.KerasTensor(o.shape, o.dtype) if hasattr(o, 'shape') else o, out)

    old = keras_tensor._handler[0]
    keras_tensor.set_symbolic_handler(handler)
    yield
    keras_tensor._handler[0] = old


def kt(*shape):
    return K.KerasTensor(shape)


def test_ops_on_keras_tensors(shape_handler):
    x4 = kt(None, 8, 8, 3)
    assert K.conv2d(x4, np.zeros((3, 3, 3, 5), 'float32'), padding='same').shape == (2, 8, 8, 5)
    assert K.conv2d_transpose(x4, np.zeros((3, 3, 4, 3), 'float32'), (None, 16, 16, 4),
                              strides=(2, 2), padding='same').shape == (2, 16, 16, 4)
    assert K.pool2d(x4, (2, 2), (2, 2), pool_mode='avg').shape == (2, 4, 4, 3)
    assert K.depthwise_conv2d(x4, np.zeros((3, 3, 3, 2), 'float32')).shape == (2, 6, 6, 6)
    assert K.resize_images(x4, 2, 2, 'channels_last', 'bilinear').shape == (2, 16, 16, 3)
    assert K.spatial_2d_padding(x4).shape == (2, 10, 10, 3)
    x3 = kt(None, 5, 4)
    assert K.batch_dot(x3, kt(None, 4, 6)).shape == (2, 5, 6)
    assert K.cumsum(x3, 1).shape == (2, 5, 4)
    assert K.temporal_padding(x3, (2, 0)).shape == (2, 7, 4)
    assert K.local_conv1d(x3, np.zeros((3, 12, 2), 'float32'), (3,), (1,)).shape == (2, 3, 2)
    last, outs, states = K.rnn(lambda x, s: (x[:, :2] + s[0], [x[:, :2] + s[0]]), x3,
                               [np.zeros((2, 2), 'float32')])
    assert outs.shape == (2, 5, 2) and last.shape == (2, 2) and states[0].shape == (2, 2)
    normed, mean, var = K.normalize_batch_in_training(x3, None, None, [0, 1])
    assert normed.shape == (2, 5, 4) and mean.shape == (4,)
    y = kt(None, 6, 5)
    assert K.ctc_batch_cost(kt(None, 3), y, kt(None, 1), kt(None, 1)).shape == (2, 1)
    decoded, log_prob = K.ctc_decode(y, kt(None))
    # decoded paths: as wide as the time axis on JAX (static shapes), of data-dependent
    # width on TensorFlow (its decoders return sparse paths)
    assert decoded[0].shape == ((2, 6) if K.backend() == 'jax' else (2, None))
    assert log_prob.shape == (2, 1)
    assert K.in_top_k(kt(None, 5), kt(None), 2).shape == (2,)


def test_zeros_like_ones_like_on_keras_tensors(shape_handler):
    x = kt(None, 3)
    z = K.zeros_like(x)
    assert isinstance(z, K.KerasTensor) and z.shape == (2, 3)
    assert K.ones_like(x, dtype='int32').dtype == 'int32'


def test_shape_inference_keeps_dict_entries_apart():
    # a dict whose insertion order is not sorted order: each entry keeps its own shape
    from keras.backend import shape_inference
    out = shape_inference.eval_structure(
        lambda s: {'b': s['b'] * 2, 'a': s['a'] * 2},
        {'b': kt(None, 3), 'a': kt(4, 5, 6)})
    assert out['b'].shape == (None, 3), 'expected (None, 3) for b, got %s' % (out['b'].shape,)
    assert out['a'].shape == (4, 5, 6), 'expected (4, 5, 6) for a, got %s' % (out['a'].shape,)


def test_a_batch_size_fixed_inside_a_call_is_the_outputs():
    # Keras-GAN's wgan_gp: alpha = K.random_uniform((32, 1, 1, 1)) * the batch of images;
    # TensorFlow's static broadcasting gave the output that batch size, so does the project
    from keras.layers import Input, Lambda
    from keras.models import Model
    x = Input((5, 5, 1))
    y = Lambda(lambda t: K.random_uniform((4, 1, 1, 1)) * t)(x)
    assert K.int_shape(y) == (4, 5, 5, 1)
    out = Model(x, y).predict(np.ones((4, 5, 5, 1), 'float32'))
    assert out.shape == (4, 5, 5, 1) and 0 <= out.min() and out.max() < 1


def test_a_symbolic_tensor_has_no_len_as_in_keras_2():
    # keras-rl tells one output from a list with `hasattr(model.output, '__len__')`
    from keras.layers import Input
    x = Input((4,))
    assert not hasattr(x, '__len__')
    with pytest.raises(TypeError):
        len(x)


def test_set_shape_refines_a_keras_tensors_unknown_sizes():
    # TensorFlow's `Tensor.set_shape`, which Keras 2 converters call on Keras tensors
    # (onnx2keras: `x.set_shape(x._keras_shape)`)
    x = keras.layers.Input((None, 3))
    y = keras.layers.Dense(2)(x)
    y.set_shape(y._keras_shape)
    assert K.int_shape(y) == (None, None, 2)
    y.set_shape((None, 5, None))
    assert K.int_shape(y) == (None, 5, 2)
    assert K.int_shape(keras.layers.Flatten()(y)) == (None, 10)
    with pytest.raises(ValueError, match='not compatible'):
        y.set_shape((None, 4, 2))
    with pytest.raises(ValueError, match='not compatible'):
        y.set_shape((None, 5))


def test_a_call_slicing_a_fixed_table_by_an_unknown_length_builds():
    # keras-pos-embd's PositionEmbedding: x + w[:K.shape(x)[1]] with a 10-row table
    import keras
    from keras.layers import Input
    from keras.models import Model

    class PositionAdd(keras.layers.Layer):
        def build(self, input_shape):
            self.table = self.add_weight(name='table', shape=(10, 2), initializer='ones')
            super(PositionAdd, self).build(input_shape)

        def call(self, x):
            return x + self.table[:K.shape(x)[1]]

    x = Input((None, 2))
    y = PositionAdd()(x)
    assert K.int_shape(y) == (None, None, 2)
    out = Model(x, y).predict(np.zeros((3, 4, 2), 'float32'))
    np.testing.assert_allclose(out, np.ones((3, 4, 2)))


@pytest.mark.parametrize('n', [16, 64, 100])
def test_reshape_of_an_unknown_batch_into_groups_of_n(n):
    # innvestigate's SmoothGrad: K.reshape(x, (-1, n, ...)) of a batch of unknown size
    x = Input((8,))
    assert K.int_shape(K.reshape(x, (-1, n, 8))) == (None, n, 8)


def test_a_placeholder_of_unknown_sizes_meets_a_tensor_of_known_sizes():
    # Keras 2.2.4's targets were K.placeholder(ndim=2); TensorFlow checked sizes at run time
    x = Input((10,))
    target = K.placeholder(ndim=2)
    assert K.int_shape(K.categorical_crossentropy(target, x)) == (None,)
    assert K.int_shape(target * x) == (None, 10)
    f = K.function([x, target], [K.categorical_crossentropy(target, x)])
    probs = np.full((2, 10), 0.1, 'float32')
    np.testing.assert_allclose(f([probs, np.eye(10, dtype='float32')[:2]])[0],
                               [-np.log(0.1)] * 2, rtol=1e-5)


def test_operators_take_lists_of_numbers_as_tensorflow_did():
    # keras_applications' preprocess_input(mode='torch') on a tensor: x /= [0.229, ...]
    x = Input((3,))
    y, z = x / [1., 2., 4.], [1., 2., 4.] * x - (1, 1, 1)
    assert K.int_shape(y) == (None, 3)
    out = K.function([x], [y, z])([np.ones((2, 3), 'float32')])
    np.testing.assert_allclose(out[0], [[1., 0.5, 0.25]] * 2)
    np.testing.assert_allclose(out[1], [[0., 1., 3.]] * 2)
    v = K.variable(np.ones(3))
    np.testing.assert_allclose(K.eval(v / [1., 2., 4.]), [1., 0.5, 0.25])
    np.testing.assert_allclose(K.eval([1., 2., 3.] + v), [2., 3., 4.])


def test_numpy_numbers_and_arrays_on_the_left_leave_the_operator_to_the_tensor():
    # `np.sqrt(2 / np.pi) * x` (a GELU), `np.float32(0) + model.total_loss`: NumPy defers to
    # tensors and variables, as to TensorFlow's
    x = Input((3,))
    y = np.sqrt(2 / np.pi) * x + np.float32(1) + np.arange(3.)
    assert K.is_keras_tensor(y)
    np.testing.assert_allclose(K.function([x], [y])([np.ones((1, 3))])[0],
                               [np.sqrt(2 / np.pi) + 1 + np.arange(3.)], rtol=1e-6)
    v = K.variable(2.)
    scaled = np.float32(3) * v
    K.set_value(v, 5.)
    np.testing.assert_allclose(K.eval(scaled), 15.)


def test_sizes_computed_from_k_shape_can_shape_tensors():
    # Keras 2 layers compute shapes with K ops on K.shape entries (keras-transformer-xl,
    # keras-bert): the results must still work as reshape targets, tile counts and bounds
    from keras.layers import Lambda
    from keras.models import Model
    x = Input((4, 3))

    def shapes(t):
        s = K.shape(t)
        n = K.cast(s[1], 'int32')
        flat = K.reshape(t, K.concatenate([s[:1], [-1]]))
        positions = K.tile(K.expand_dims(K.arange(n), 0), [s[0], 1])
        pairs = K.reshape(t, (-1, K.prod(s[1:]) // K.maximum(s[1] // 2, 1), K.minimum(s[1], 2)))
        return [flat, K.cast(positions, 'float32'), pairs, t[:, :n - 1]]
    outs = Lambda(shapes)(x)
    # (static sizes: known on JAX, where sizes are static; TensorFlow may leave them unknown)
    assert [len(K.int_shape(o)) for o in outs] == [2, 2, 3, 3]
    values = Model(x, outs).predict(np.arange(24.).reshape(2, 4, 3))
    np.testing.assert_allclose(values[0], np.arange(24.).reshape(2, 12))
    np.testing.assert_allclose(values[1], [[0., 1., 2., 3.]] * 2)
    np.testing.assert_allclose(values[2], np.arange(24.).reshape(2, 6, 2))
    np.testing.assert_allclose(values[3], np.arange(24.).reshape(2, 4, 3)[:, :3])


def test_sizes_from_k_shape_of_a_models_tensor_shape_ops_outside_layers(tmp_path):
    # keras-yolo3's yolo_head on model.output (`K.arange(0, stop=K.shape(feats)[1])`) and
    # VAE code drawing `K.random_normal(K.shape(z_mean))` outside a Lambda: on Keras 2.2.4's
    # graph these were ops on K.shape's tensor, and the model runs them on each batch
    from keras.models import Model, load_model
    x = Input((None, 3))
    positions = K.cast(K.arange(0, stop=K.shape(x)[1]), 'float32')
    noise = K.random_normal(K.shape(x))
    ones = K.ones((K.shape(x)[0], 1, 3))
    uniform = K.random_uniform((K.shape(x)[0], 2), minval=1., maxval=2.)
    assert K.int_shape(positions) == (None,)
    assert K.int_shape(noise) == (None, None, 3)
    assert K.int_shape(ones) == (None, 1, 3) and K.int_shape(uniform) == (None, 2)
    fixed = Input((5, 3))
    assert K.int_shape(K.arange(K.shape(fixed)[1])) == (5,)
    assert K.int_shape(K.truncated_normal((K.shape(fixed)[0], K.shape(fixed)[2]))) == (None, 3)
    out = K.sum(x, -1) + positions
    model = Model(x, [out, noise * 0. + ones, uniform])
    for steps in (4, 6):
        data = np.ones((2, steps, 3), 'float32')
        value, shifted, draws = model.predict(data)
        np.testing.assert_allclose(value, 3. + np.arange(steps)[None].repeat(2, 0))
        np.testing.assert_allclose(shifted, np.ones((2, steps, 3)))
        assert draws.shape == (2, 2) and ((draws >= 1.) & (draws < 2.)).all()
    model.save(str(tmp_path / 'm.h5'))
    again = load_model(str(tmp_path / 'm.h5'))
    np.testing.assert_allclose(again.predict(np.ones((3, 5, 3)))[0], model.predict(
        np.ones((3, 5, 3)))[0])


def test_unknown_sizes_broadcast_against_two_known_ones():
    # TensorFlow 1 broadcast (?, ?) with (3, 6) statically to (3, 6) (keras/examples'
    # neural_doodle multiplies an input of unknown sizes by masks of known ones)
    assert K.int_shape(K.placeholder(shape=(None, None)) * K.ones((3, 6))) == (3, 6)
    assert K.int_shape(K.placeholder(shape=(None, None, 5)) * K.ones((3, 6, 5))) == (3, 6, 5)
    x = Input((None, None))
    product = x[0] * K.ones((4, 6))
    assert K.int_shape(product) == (4, 6)
    f = K.function([x], [product])
    np.testing.assert_allclose(f([np.full((1, 4, 6), 2.)])[0], np.full((4, 6), 2.))


def test_a_large_stride_over_an_unknown_length_gives_an_unknown_length():
    # kapre's STFT (`K.conv1d` with a hop of 128-512, 'same' padding) on variable-length
    # audio: two small fills both give one frame, which read as a known size of 1
    from keras.engine.base_layer import Layer
    from keras.layers import Conv1D, Conv2D, AveragePooling2D, TimeDistributed, Dense
    from keras.models import Model

    class Frames(Layer):
        def build(self, input_shape):
            self.kernel = self.add_weight('k', (256, 1, 4), initializer='ones',
                                          trainable=False)
            super(Frames, self).build(input_shape)

        def call(self, x):
            return K.conv1d(x, self.kernel, strides=64, padding='same')

    audio, image = Input((None, 1)), Input((None, None, 1))
    frames = Frames()(audio)
    assert K.int_shape(frames) == (None, None, 4)
    model = Model(audio, TimeDistributed(Dense(2))(frames))
    assert model.output_shape == (None, None, 2)
    assert model.predict(np.zeros((3, 640, 1))).shape == (3, 10, 2)
    assert K.int_shape(Conv1D(4, 256, strides=64, padding='same')(audio)) == (None, None, 4)
    assert K.int_shape(Conv2D(4, 3, strides=64, padding='same')(image)) == (None, None, None, 4)
    assert K.int_shape(AveragePooling2D(60, padding='same')(image)) == (None, None, None, 1)
    # a known length stays known
    assert K.int_shape(Conv1D(4, 256, strides=64, padding='same')(Input((100, 1)))) == \
        (None, 2, 4)


def test_fractions_of_sizes_rounded_back_to_integers_bound_slices():
    # keras-spp's SpatialPyramidPooling: `K.cast(K.round(K.cast(rows, 'float32') / n),
    # 'int32')` bounds its pooling regions, as TensorFlow's shape tensors could
    from keras.layers import Lambda
    from keras.models import Model

    def regions(x):
        rows = K.cast(K.shape(x)[1], 'float32')
        floor_third = K.cast(rows / 3, 'int32')
        nearest_third = K.cast(K.round(rows / 3), 'int32')
        return K.concatenate([K.max(x[:, :floor_third], axis=1, keepdims=True),
                              K.max(x[:, nearest_third:], axis=1, keepdims=True)],
                             axis=1)

    data = np.random.RandomState(0).rand(2, 8, 3).astype('float32')
    for shape in [(8, 3), (None, 3)]:
        x = Input(shape)
        model = Model(x, Lambda(regions)(x))
        assert K.int_shape(model.output) == (None, 2, 3)
        np.testing.assert_allclose(model.predict(data),
                                   np.stack([data[:, :2].max(1), data[:, 3:].max(1)], 1))


def test_sizes_stacked_into_a_reshape_target_of_a_models_tensor():
    # PConv-Keras's style loss: `K.reshape(x, K.stack([b, c, h * w]))` on a model's tensor,
    # outside layers (inside a layer K.shape gives NumPy sizes already)
    x = Input((4, 4, 3))
    sizes = K.shape(x)
    flat = K.reshape(x, K.stack([sizes[0], sizes[1] * sizes[2], sizes[3]]))
    joined = K.reshape(x, K.concatenate([sizes[:1], sizes[1:2] * sizes[2:3], sizes[3:]]))
    assert K.int_shape(flat) == (None, 16, 3) and K.int_shape(joined) == (None, 16, 3)
    data = np.arange(96, dtype='float32').reshape(2, 4, 4, 3)
    got = K.function([x], [flat, joined])([data])
    np.testing.assert_array_equal(got[0], data.reshape(2, 16, 3))
    np.testing.assert_array_equal(got[1], data.reshape(2, 16, 3))
    # a reshape's -1 among them (a size of its own, not an unknown one)
    inferred = K.reshape(x, K.concatenate([sizes[:1], [-1], sizes[3:]]))
    assert K.int_shape(inferred)[0] is None and K.int_shape(inferred)[2] == 3
    np.testing.assert_array_equal(K.function([x], [inferred])([data])[0],
                                  data.reshape(2, 16, 3))


def test_a_shape_error_between_keras_tensors_names_their_keras_shapes():
    """Keras 2.2.4's graph named the shapes with unknown sizes (`[?,3], [?,6]`); the sizes
    made up to trace a call are said to be such, with the tensors' Keras shapes."""
    with pytest.raises(Exception) as info:
        Input((3,)) + Input((6,))
    text = '\n'.join([str(info.value)] + list(getattr(info.value, '__notes__', [])))
    if K.backend() == 'tensorflow':
        assert '[?,3], [?,6]' in text
    else:
        assert 'stood for each unknown size' in text
        assert '(None, 3), (None, 6)' in text


def test_logical_and_bitwise_operators_on_keras_tensors_and_variables():
    # keras-rcnn's anchors: `(boxes[:, 0] >= -p) & (boxes[:, 1] >= -p)`, on a model's
    # tensors and on variables (TensorFlow 1's tensors had `&`, `|`, `^`, `~`)
    from keras.layers import Input
    from keras.models import Model
    v = K.variable(np.array([1., -1., 2.]))
    a, b = K.greater(v, 0.), K.less(v, 1.5)
    np.testing.assert_array_equal(K.eval(a & b), [True, False, False])
    np.testing.assert_array_equal(K.eval(a | b), [True, True, True])
    np.testing.assert_array_equal(K.eval(a ^ b), [False, True, True])
    np.testing.assert_array_equal(K.eval(~a), [False, True, False])
    K.set_value(v, np.array([-1., -1., -1.]))     # expressions of the variable follow it
    np.testing.assert_array_equal(K.eval(~a), [True, True, True])
    x = Input((3,))
    inside = (x > 0.) & (x < 2.)
    outs = [K.cast(inside, 'float32'), K.cast(~inside | (x > 5.), 'float32'), x % 2.,
            5. % (x + 10.)]
    data = np.array([[1., -3., 7.]], 'float32')
    got = Model(x, outs).predict(data)
    np.testing.assert_array_equal(got[0], [[1., 0., 0.]])
    np.testing.assert_array_equal(got[1], [[0., 1., 1.]])
    np.testing.assert_allclose(got[2], np.mod(data, 2.))
    np.testing.assert_allclose(got[3], np.mod(5., data + 10.))
    ints = K.variable(np.array([6, 3]), dtype='int32')
    np.testing.assert_array_equal(K.eval(ints & 5), [4, 1])


def test_tensorflow_dtype_name_float_is_float32():
    # the Kaggle F1 metric's `K.cast(y_true * y_pred, 'float')`: TensorFlow's 'float' is
    # float32 (NumPy's is float64)
    from keras.layers import Input
    v = K.variable(np.ones(3), dtype='float')
    assert K.dtype(v) == 'float32'
    assert K.dtype(K.cast(v, 'float')) == 'float32'
    assert K.dtype(K.zeros((2,), dtype='float')) == 'float32'
    assert K.dtype(K.placeholder((None, 2), dtype='float')) == 'float32'
    assert K.dtype(Input((2,), dtype='float')) == 'float32'
    assert K.dtype(K.cast(K.placeholder((None, 2)), 'float')) == 'float32'


def test_switch_on_a_scalar_with_branches_giving_several_tensors():
    # keras-rcnn's ProposalTarget: `K.switch(cond, lambda: (a, b), lambda: (c, d))[0]`
    from keras.layers import Input, Lambda
    from keras.models import Model
    x = Input((3,))

    def f(t):
        outs = K.switch(K.greater(K.sum(t), 0.), lambda: (t * 2., t + 1.),
                        lambda: (t * 0., t - 1.))
        return outs[0] + outs[1]
    model = Model(x, Lambda(f)(x))
    np.testing.assert_allclose(model.predict(np.array([[1., 2., 3.]])), [[4., 7., 10.]])
    np.testing.assert_allclose(model.predict(np.array([[-1., -2., -3.]])), [[-2., -3., -4.]])


def test_map_fn_outside_a_step_over_indices_reading_a_variable():
    # Keras 2.2.4's test_map: `K.map_fn(lambda i: K.sum(vx[i]), K.arange(10), dtype=...)`
    x = np.random.rand(10, 3).astype('float32')
    vx = K.variable(x)
    np.testing.assert_allclose(K.eval(K.map_fn(K.sum, vx)), x.sum(1), rtol=1e-5)
    by_index = K.eval(K.map_fn(lambda i: K.sum(vx[i]), K.arange(10), dtype=K.floatx()))
    np.testing.assert_allclose(by_index, x.sum(1), rtol=1e-5)
