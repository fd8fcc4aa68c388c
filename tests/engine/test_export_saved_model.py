"""`model.export_saved_model(path)`: a TensorFlow SavedModel with a `serving_default`
signature, written on either backend (jax2tf on JAX) and reloaded without Keras by
`tf.saved_model.load`, predicts as the model does, for any batch size."""
import importlib.util

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(importlib.util.find_spec('tensorflow') is None,
                                reason='export_saved_model writes a TensorFlow SavedModel: '
                                       'TensorFlow is not installed')


def _reload(path):
    import tensorflow as tf
    return tf.saved_model.load(path).signatures['serving_default']


def test_cnn_with_batchnorm_and_dropout_exports(tmp_path):
    from keras.models import Sequential
    from keras.layers import Conv2D, BatchNormalization, MaxPooling2D, Flatten, Dropout, Dense
    np.random.seed(0)
    model = Sequential([Conv2D(4, 3, activation='relu', input_shape=(8, 8, 1)),
                        BatchNormalization(), MaxPooling2D(), Flatten(), Dropout(0.5),
                        Dense(3, activation='softmax')])
    model.compile('adam', 'categorical_crossentropy')
    x = np.random.rand(20, 8, 8, 1).astype('float32')
    model.fit(x, np.eye(3)[np.random.randint(0, 3, 20)], epochs=1, verbose=0)
    path = model.export_saved_model(str(tmp_path / 'cnn'))
    serve = _reload(path)
    assert list(serve.structured_input_signature[1]) == model.input_names
    for n in (1, 7):   # the batch dimension is free
        out = serve(**{model.input_names[0]: x[:n]})
        assert list(out) == model.output_names
        np.testing.assert_allclose(out[model.output_names[0]].numpy(), model.predict(x[:n]),
                                   rtol=1e-5, atol=1e-6)


def test_two_input_two_output_model_with_rnn_exports(tmp_path):
    from keras.models import Model
    from keras.layers import Input, Embedding, LSTM, Dense, concatenate
    np.random.seed(1)
    seq = Input((6,), dtype='int32', name='tokens')
    extra = Input((2,), name='extra')
    h = LSTM(5)(Embedding(9, 4)(seq))
    both = concatenate([h, extra])
    model = Model([seq, extra], [Dense(1, name='score')(both),
                                 Dense(3, activation='softmax', name='label')(both)])
    xs = [np.random.randint(0, 9, (4, 6)).astype('int32'), np.random.rand(4, 2).astype('float32')]
    out = _reload(model.export_saved_model(str(tmp_path / 'two')))(tokens=xs[0], extra=xs[1])
    expected = model.predict(xs)
    np.testing.assert_allclose(out['score'].numpy(), expected[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out['label'].numpy(), expected[1], rtol=1e-5, atol=1e-6)


def test_models_of_unknown_lengths_and_image_sizes_export(tmp_path):
    # a text model (`Input((None,))`) and a fully convolutional one (`Input((None, None,
    # 3))`): every unknown size stays free in the exported signature
    import tensorflow as tf
    from keras.layers import Conv2D, Dense, Embedding, Input, LSTM
    from keras.models import Model
    np.random.seed(1)
    t = Input((None,), dtype='int32')
    text = Model(t, Dense(1)(LSTM(4)(Embedding(50, 8)(t))))
    i = Input((None, None, 3))
    fcn = Model(i, Conv2D(2, 3, padding='same')(i))
    cases = [(text, 'text', [np.random.randint(0, 50, (2, 6)).astype('int32'),
                             np.random.randint(0, 50, (3, 9)).astype('int32')]),
             (fcn, 'fcn', [np.random.rand(1, 5, 7, 3).astype('float32'),
                           np.random.rand(2, 8, 4, 3).astype('float32')])]
    for model, name, batches in cases:
        serve = _reload(model.export_saved_model(str(tmp_path / name)))
        for x in batches:
            out = serve(**{model.input_names[0]: tf.constant(x)})
            np.testing.assert_allclose(out[model.output_names[0]].numpy(), model.predict(x),
                                       rtol=1e-5, atol=1e-6)


def test_layers_reading_the_batch_size_export_and_random_ops_draw_at_each_call(tmp_path):
    # Keras 2 code sizes tensors with `K.shape(x)[0]` (a reshape keeping the batch, the VAE
    # example's sampling layer); Keras 2.2.4's exported graph drew its random ops anew at
    # every request
    from keras import backend as K
    from keras.layers import Dense, Flatten, Input, Lambda
    from keras.models import Model
    np.random.seed(2)
    i = Input((4, 3), name='x')
    flat = Lambda(lambda t: K.reshape(t, (K.shape(t)[0], -1)), name='flat')(i)
    head = Lambda(lambda t: K.slice(t, [0, 0, 0], [K.shape(t)[0], 2, 3]), name='head')(i)
    z_mean, z_log_var = Dense(2)(Flatten()(i)), Dense(2)(Flatten()(i))

    def sampling(args):
        mean, log_var = args
        eps = K.random_normal(shape=(K.shape(mean)[0], 2))
        return mean + K.exp(0.5 * log_var) * eps
    z = Lambda(sampling, name='z')([z_mean, z_log_var])
    model = Model(i, [flat, head, z])
    probe = Model(i, [z_mean, z_log_var])
    serve = _reload(model.export_saved_model(str(tmp_path / 'vae')))
    for n in (3, 5):
        x = np.random.rand(n, 4, 3).astype('float32')
        np.testing.assert_array_equal(serve(x=x)['flat'].numpy(), x.reshape(n, 12))
        np.testing.assert_array_equal(serve(x=x)['head'].numpy(), x[:, :2])
        first, second = serve(x=x)['z'].numpy(), serve(x=x)['z'].numpy()
        assert first.shape == (n, 2) and not np.allclose(first, second)
    # the draws are N(mean, exp(log_var / 2)**2): standardized, they are standard normal
    x = np.random.rand(4000, 4, 3).astype('float32')
    mean, log_var = probe.predict(x)
    eps = (serve(x=x)['z'].numpy() - mean) / np.exp(0.5 * log_var)
    assert abs(eps.mean()) < 0.05 and abs(eps.std() - 1) < 0.05
