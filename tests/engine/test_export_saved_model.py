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
