"""keras.legacy (Keras 2.2.4 `keras/legacy/interfaces.py` and `keras/legacy/layers.py`):
decorators that let user classes accept Keras 1 argument names, and the legacy layer paths."""
import warnings

import numpy as np
import pytest

import keras
from keras import backend as K
from keras import layers, optimizers
from keras.engine.base_layer import Layer
from keras.legacy import interfaces
from keras.models import Model, Sequential


def _record(decorator, object_type_name='Rec'):
    """A class whose decorated `__init__` records the arguments it finally receives."""
    def __init__(self, *args, **kwargs):
        self.args = args
        self.kwargs = kwargs
    return type(object_type_name, (object,), {'__init__': decorator(__init__)})


def _call(decorator, *args, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        obj = _record(decorator)(*args, **kwargs)
    return obj.args, obj.kwargs, [str(w.message) for w in caught]


# ====================================================================== a Keras 2.0 Dense layer
class MyDense(Layer):
    """A custom layer written for Keras 2.0, accepting Keras 1 names via legacy_dense_support."""

    @interfaces.legacy_dense_support
    def __init__(self, units, activation=None, use_bias=True,
                 kernel_initializer='glorot_uniform', bias_initializer='zeros',
                 kernel_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        if 'input_shape' not in kwargs and 'input_dim' in kwargs:
            kwargs['input_shape'] = (kwargs.pop('input_dim'),)
        super(MyDense, self).__init__(**kwargs)
        self.units = units
        self.activation = keras.activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self.bias_regularizer = keras.regularizers.get(bias_regularizer)
        self.kernel_constraint = keras.constraints.get(kernel_constraint)
        self.bias_constraint = keras.constraints.get(bias_constraint)

    def build(self, input_shape):
        self.kernel = self.add_weight(name='kernel', shape=(input_shape[-1], self.units),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(name='bias', shape=(self.units,),
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.built = True

    def call(self, inputs):
        out = K.dot(inputs, self.kernel)
        if self.use_bias:
            out = K.bias_add(out, self.bias)
        return self.activation(out)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        config = {'units': self.units,
                  'activation': keras.activations.serialize(self.activation),
                  'use_bias': self.use_bias,
                  'kernel_initializer': keras.initializers.serialize(self.kernel_initializer),
                  'kernel_regularizer': keras.regularizers.serialize(self.kernel_regularizer)
                  if self.kernel_regularizer else None,
                  'kernel_constraint': keras.constraints.serialize(self.kernel_constraint)
                  if self.kernel_constraint else None}
        base = super(MyDense, self).get_config()
        return dict(list(base.items()) + list(config.items()))


def test_dense_style_layer_accepts_keras1_names():
    with pytest.warns(UserWarning, match=r'Update your `MyDense` call to the Keras 2 API'):
        old = MyDense(output_dim=2, init='ones', W_regularizer='l2', W_constraint='max_norm',
                      bias=True, activation='relu', input_dim=3, name='d')
    new = MyDense(2, kernel_initializer='ones', kernel_regularizer='l2',
                  kernel_constraint='max_norm', use_bias=True, activation='relu',
                  input_shape=(3,), name='d')
    assert old.get_config() == new.get_config()

    x = np.random.RandomState(0).randn(5, 3).astype('float32')
    y = np.random.RandomState(1).randn(5, 2).astype('float32')
    models = []
    for layer in (old, new):
        model = Sequential([layer])
        model.compile(optimizers.SGD(lr=0.05), 'mse')
        models.append(model)
    np.testing.assert_allclose(models[0].predict(x), models[1].predict(x), atol=1e-6)
    for model in models:
        model.fit(x, y, batch_size=5, epochs=3, verbose=0, shuffle=False)
    for a, b in zip(models[0].get_weights(), models[1].get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)
    # the kernel started from ones (init='ones') and the l2 penalty was counted
    assert len(models[0].losses) == len(models[1].losses) == 1


def test_warning_text_is_the_converted_call():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        MyDense(2, init='ones', name='some_long_layer_name')
    assert [str(w.message) for w in caught] == [
        'Update your `MyDense` call to the Keras 2 API: '
        '`MyDense(2, name="some_long_layer_name", kernel_initializer="ones")`']
    # non-string values longer than 10 characters are cut, arrays are written `array`
    _, _, messages = _call(interfaces.legacy_dense_support, 2,
                           W_regularizer=keras.regularizers.l2(0.1), weights=np.zeros(3))
    assert messages == ['Update your `Rec` call to the Keras 2 API: `Rec(2, weights=array, '
                        'kernel_regularizer=%s...)`' % str(keras.regularizers.l2(0.1))[:10]]
    # the warning points at the caller
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        MyDense(output_dim=2)
    assert caught[0].filename == __file__


def test_keras2_names_do_not_warn_and_duplicates_raise():
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        MyDense(2, kernel_initializer='ones')
    with pytest.raises(TypeError, match='received both the legacy keyword argument `init` and '
                                        'the Keras 2 keyword argument `kernel_initializer`'):
        MyDense(2, init='ones', kernel_initializer='zeros')


def test_positional_argument_limits():
    with pytest.raises(TypeError) as err:
        MyDense(2, 'relu')
    assert str(err.value) == ("`MyDense` can accept only 1 positional arguments ('units',), "
                              "but you passed the following positional arguments: [2, 'relu']")
    # three allowed for Dropout (rate, noise_shape, seed), a fourth is refused
    args, _, _ = _call(interfaces.legacy_dropout_support, 0.5, None, 1)
    assert args == (0.5, None, 1)
    with pytest.raises(TypeError, match=r'can accept only 3 positional arguments'):
        _call(interfaces.legacy_dropout_support, 0.5, None, 1, 2)
    # BatchNormalization: none at all; global pooling and Input/Model: no limit
    with pytest.raises(TypeError, match='does not accept positional arguments'):
        _call(interfaces.legacy_batchnorm_support, -1)
    assert _call(interfaces.legacy_global_pooling_support, 1, 2, 3, 4)[0] == (1, 2, 3, 4)
    with pytest.raises(TypeError, match='at most 3 positional arguments'):
        _call(interfaces.legacy_conv2d_support, 8, 3, 3, 1)
    with pytest.raises(TypeError, match='at most 4 positional arguments'):
        _call(interfaces.legacy_conv3d_support, 8, 3, 3, 3, 1)


# ====================================================================== value conversions
class MyPool(layers.MaxPooling2D):
    @interfaces.legacy_pooling2d_support
    def __init__(self, pool_size=(2, 2), strides=None, padding='valid', data_format=None,
                 **kwargs):
        super(MyPool, self).__init__(pool_size, strides, padding, data_format, **kwargs)


class MyConv(layers.Conv2D):
    @interfaces.legacy_conv2d_support
    def __init__(self, filters, kernel_size, **kwargs):
        super(MyConv, self).__init__(filters, kernel_size, **kwargs)


def test_border_mode_and_dim_ordering_values():
    x = np.random.RandomState(0).randn(2, 3, 5, 5).astype('float32')
    with pytest.warns(UserWarning, match='MyPool'):
        old = MyPool((2, 2), border_mode='same', dim_ordering='th')
    assert (old.padding, old.data_format) == ('same', 'channels_first')
    new = layers.MaxPooling2D((2, 2), padding='same', data_format='channels_first')
    np.testing.assert_allclose(np.asarray(old(x)), np.asarray(new(x)))
    with pytest.warns(UserWarning, match='MyPool'):
        assert MyPool(dim_ordering='tf').data_format == 'channels_last'
    with pytest.warns(UserWarning, match=r'`MyPool\(data_format=None\)`'):
        assert MyPool(dim_ordering='default').data_format == K.image_data_format()

    for name in ('pooling2d', 'pooling3d', 'upsampling2d', 'upsampling3d', 'conv2d', 'conv3d',
                 'cropping2d', 'cropping3d', 'zeropadding2d', 'zeropadding3d',
                 'global_pooling', 'spatialdropoutNd', 'separable_conv2d', 'deconv2d',
                 'convlstm2d'):
        deco = getattr(interfaces, 'legacy_%s_support' % name)
        for old_value, new_value in (('tf', 'channels_last'), ('th', 'channels_first'),
                                     ('default', None), ('channels_last', 'channels_last')):
            kwargs = _call(deco, dim_ordering=old_value)[1]
            assert kwargs == {'data_format': new_value}, name
    # consume_less -> implementation
    for old_value, new_value in (('cpu', 0), ('mem', 1), ('gpu', 2)):
        kwargs = _call(interfaces.legacy_recurrent_support, 4, consume_less=old_value)[1]
        assert kwargs == {'implementation': new_value}


def test_conv2d_style_layer():
    x = np.random.RandomState(0).randn(2, 7, 7, 3).astype('float32')
    with pytest.warns(UserWarning, match='MyConv'):
        old = MyConv(4, 3, 3, border_mode='same', subsample=(2, 2), init='ones',
                     dim_ordering='tf', bias=False)
    new = layers.Conv2D(4, (3, 3), padding='same', strides=(2, 2),
                        kernel_initializer='ones', use_bias=False)
    assert old.kernel_size == (3, 3) and old.strides == (2, 2)
    np.testing.assert_allclose(np.asarray(old(x)), np.asarray(new(x)), rtol=1e-5)
    with pytest.warns(UserWarning, match=r'`MyConv\(4, \(2, 3\)\)`'):
        assert MyConv(4, nb_row=2, nb_col=3).kernel_size == (2, 3)
    with pytest.warns(UserWarning, match=r'`MyConv\(4, \(2, 3\)\)`'):
        assert MyConv(4, 2, nb_col=3).kernel_size == (2, 3)
    with pytest.raises(ValueError, match='Pass `strides` as a keyword argument'):
        MyConv(4, 3, 3, padding='same')


# ====================================================================== every named decorator
CASES = [
    # (decorator, args, kwargs, expected args, expected kwargs)
    ('dense', (), dict(output_dim=3, b_regularizer='l1', b_constraint='non_neg'), (),
     dict(units=3, bias_regularizer='l1', bias_constraint='non_neg')),
    ('dropout', (), dict(p=0.3), (), dict(rate=0.3)),
    ('embedding', (10, 4), dict(init='uniform', W_regularizer='l1', W_constraint='non_neg'),
     (10, 4), dict(embeddings_initializer='uniform', embeddings_regularizer='l1',
                   embeddings_constraint='non_neg')),
    ('pooling1d', (), dict(pool_length=3, stride=2, border_mode='same'), (),
     dict(pool_size=3, strides=2, padding='same')),
    ('upsampling1d', (), dict(length=3), (), dict(size=3)),
    ('conv1d', (), dict(nb_filter=8, filter_length=3, subsample_length=2, border_mode='same',
                        input_dim=5, input_length=7), (),
     dict(filters=8, kernel_size=3, strides=2, padding='same', input_shape=(7, 5))),
    ('conv3d', (8, 3, 3, 3), {}, (8, (3, 3, 3)), {}),
    ('conv3d', (8, 3, 3), dict(kernel_dim3=2), (8, (3, 3, 2)), {}),
    ('conv3d', (8, 3), dict(kernel_dim2=2, kernel_dim3=1), (8, (3, 2, 1)), {}),
    ('conv3d', (8,), dict(kernel_dim1=1, kernel_dim2=2, kernel_dim3=3), (8, (1, 2, 3)), {}),
    ('conv3d', (), dict(nb_filter=8, kernel_dim1=1, kernel_dim2=2, kernel_dim3=3), (),
     dict(filters=8, kernel_size=(1, 2, 3))),
    ('conv2d', (), dict(nb_filter=8, nb_row=1, nb_col=2), (),
     dict(filters=8, kernel_size=(1, 2))),
    ('separable_conv2d', (8, 3, 3), dict(init='ones'), (8, (3, 3)),
     dict(depthwise_initializer='ones', pointwise_initializer='ones')),
    ('deconv2d', (8, 3, 3, (None, 10, 10, 8)), dict(subsample=(2, 2)), (8, (3, 3)),
     dict(strides=(2, 2))),
    ('deconv2d', (8, 3, 3), dict(output_shape=(None, 10, 10, 8)), (8, (3, 3)), {}),
    ('recurrent', (), dict(output_dim=4, inner_init='orthogonal', inner_activation='sigmoid',
                           U_regularizer='l2', dropout_W=0.1, dropout_U=0.2,
                           forget_bias_init='one', input_dim=5, input_length=6), (),
     dict(units=4, recurrent_initializer='orthogonal', recurrent_activation='sigmoid',
          recurrent_regularizer='l2', dropout=0.1, recurrent_dropout=0.2,
          unit_forget_bias=True, input_shape=(6, 5))),
    ('convlstm2d', (8, 3, 3), dict(forget_bias_init='one', inner_init='orthogonal'),
     (8, (3, 3)), dict(unit_forget_bias=True, recurrent_initializer='orthogonal')),
    ('gaussiannoise', (), dict(sigma=0.2), (), dict(stddev=0.2)),
    ('gaussiandropout', (), dict(p=0.2), (), dict(rate=0.2)),
    ('spatialdropout1d', (), dict(p=0.2), (), dict(rate=0.2)),
    ('spatialdropoutNd', (), dict(p=0.2), (), dict(rate=0.2)),
    ('prelu', (), dict(init='zeros'), (), dict(alpha_initializer='zeros')),
    ('batchnorm', (), dict(mode=0, beta_init='zeros', gamma_init='ones'), (),
     dict(beta_initializer='zeros', gamma_initializer='ones')),
    ('zeropadding2d', ({'top_pad': 1, 'right_pad': 2},), {}, (((1, 0), (0, 2)),), {}),
    ('zeropadding2d', (), dict(padding={'bottom_pad': 3}), (), dict(padding=((0, 3), (0, 0)))),
    ('input', (), dict(input_dtype='int32'), (), dict(dtype='int32')),
    ('model_constructor', (), dict(input='x', output='y'), (), dict(inputs='x', outputs='y')),
    ('add_weight', ((3, 2), 'kernel'), dict(initializer='ones'), (),
     dict(shape=(3, 2), name='kernel', initializer='ones')),
    ('lambda', ('f', 'shape'), {}, ('f', 'shape'), {}),
]


@pytest.mark.parametrize('name,args,kwargs,exp_args,exp_kwargs', CASES,
                         ids=['%s-%d' % (c[0], i) for i, c in enumerate(CASES)])
def test_named_decorators(name, args, kwargs, exp_args, exp_kwargs):
    deco = getattr(interfaces, 'legacy_%s_support' % name)
    got_args, got_kwargs, _ = _call(deco, *args, **kwargs)
    assert tuple(got_args) == exp_args
    assert got_kwargs == exp_kwargs


def test_preprocessor_errors_and_warnings():
    with pytest.raises(TypeError, match='`mode=1` and `mode=2` are no longer supported'):
        _call(interfaces.legacy_batchnorm_support, mode=1)
    _, kwargs, messages = _call(interfaces.legacy_embedding_support, 10, 4, dropout=0.5)
    assert kwargs == {} and 'SpatialDropout1D' in messages[0]
    _, kwargs, messages = _call(interfaces.legacy_recurrent_support, 4, forget_bias_init='zero')
    assert kwargs == {} and 'unit_forget_bias=True' in messages[0]


def test_all_keras_224_decorators_exist():
    names = ['dense', 'dropout', 'embedding', 'pooling1d', 'pooling2d', 'pooling3d',
             'global_pooling', 'upsampling1d', 'upsampling2d', 'upsampling3d', 'conv1d',
             'conv2d', 'conv3d', 'separable_conv2d', 'deconv2d', 'recurrent', 'convlstm2d',
             'gaussiannoise', 'gaussiandropout', 'spatialdropout1d', 'spatialdropoutNd',
             'prelu', 'batchnorm', 'cropping2d', 'cropping3d', 'zeropadding2d',
             'zeropadding3d', 'lambda', 'input', 'add_weight', 'get_updates',
             'generator_methods', 'model_constructor']
    for name in names:
        assert callable(getattr(interfaces, 'legacy_%s_support' % name)), name
    assert callable(keras.legacy.interfaces.generate_legacy_method_interface)


# ====================================================================== methods
class _Gen(object):
    batch_size = 10


class FakeModel(object):
    @interfaces.legacy_generator_methods_support
    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, **kwargs):
        return dict(generator=generator, steps_per_epoch=steps_per_epoch, epochs=epochs,
                    **kwargs)


def test_generator_methods_support():
    gen = _Gen()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        out = FakeModel().fit_generator(gen, samples_per_epoch=100, nb_epoch=3,
                                        nb_val_samples=20, pickle_safe=True, max_q_size=4,
                                        nb_worker=2)
    assert out == dict(generator=gen, steps_per_epoch=10, epochs=3, validation_steps=20,
                       use_multiprocessing=True, max_queue_size=4, workers=2)
    messages = [str(w.message) for w in caught]
    assert any('`steps_per_epoch` is not the same' in m for m in messages)
    assert any(m.startswith('Update your `fit_generator` call to the Keras 2 API')
               for m in messages)
    # without batch_size the count is passed through
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        out = FakeModel().fit_generator(generator=object(), samples_per_epoch=7)
    assert out['steps_per_epoch'] == 7
    with pytest.raises(TypeError, match='`fit_generator` can accept only 3 positional'):
        FakeModel().fit_generator(gen, 1, 2, 3)


class WeightLayer(Layer):
    @interfaces.legacy_add_weight_support
    def add_weight(self, name, shape, **kwargs):
        return super(WeightLayer, self).add_weight(name, shape, **kwargs)

    def build(self, input_shape):
        # Keras 2.0 order: shape first, then the name
        self.w = self.add_weight((int(input_shape[-1]), 2), 'w', initializer='ones')
        self.built = True

    def call(self, inputs):
        return K.dot(inputs, self.w)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (2,)


def test_add_weight_support():
    layer = WeightLayer(name='wl')
    out = np.asarray(layer(np.ones((1, 3), 'float32')))
    assert layer.w.name.startswith('wl/w') and tuple(layer.w.shape) == (3, 2)
    np.testing.assert_allclose(out, 3.)
    with pytest.raises(TypeError, match='can accept only 2 positional arguments'):
        layer.add_weight('a', (1,), 'ones')


def test_model_constructor_support():
    class MyModel(Model):
        @interfaces.legacy_model_constructor_support
        def __init__(self, *args, **kwargs):
            super(MyModel, self).__init__(*args, **kwargs)

    x = layers.Input((3,))
    y = layers.Dense(2)(x)
    with pytest.warns(UserWarning, match='MyModel'):
        model = MyModel(input=x, output=y)
    assert model.inputs == [x] and model.outputs == [y]


# ====================================================================== optimizers
class _Recorder(object):
    @interfaces.legacy_get_updates_support
    def get_updates(self, loss, params):
        return loss, params


def test_get_updates_argument_orders():
    params = [K.variable(np.zeros(2))]
    rec = _Recorder()
    with warnings.catch_warnings():
        warnings.simplefilter('error')  # Keras 2.2.4 converts the order without a warning
        assert rec.get_updates('L', params) == ('L', params)
        assert rec.get_updates(loss='L', params=params) == ('L', params)
        assert rec.get_updates(params, {}, 'L') == ('L', params)          # Keras 2.0
        assert rec.get_updates(params, {}, loss='L') == ('L', params)
    with pytest.raises(TypeError, match='more arguments than expected'):
        rec.get_updates(params, {}, 'L', 'extra')


class LegacyMomentumSGD(optimizers.Optimizer):
    """A custom optimizer in the Keras 2.2 style: `get_updates` returns `K.update` ops."""

    def __init__(self, lr=0.1, momentum=0.5, **kwargs):
        super(LegacyMomentumSGD, self).__init__(**kwargs)
        self.iterations = K.variable(0, dtype='int64', name='iterations')
        self.lr = K.variable(lr, name='lr')
        self.momentum = K.variable(momentum, name='momentum')

    @interfaces.legacy_get_updates_support
    def get_updates(self, loss, params):
        grads = self.get_gradients(loss, params)
        self.updates = [K.update_add(self.iterations, 1)]
        moments = [K.zeros(K.int_shape(p)) for p in params]
        self.weights = [self.iterations] + moments
        for p, g, m in zip(params, grads, moments):
            v = self.momentum * m - self.lr * g
            self.updates.append(K.update(m, v))
            self.updates.append(K.update(p, p + v))
        return self.updates

    def get_config(self):
        config = {'lr': float(K.get_value(self.lr)),
                  'momentum': float(K.get_value(self.momentum))}
        config.update(super(LegacyMomentumSGD, self).get_config())
        return config


def test_custom_get_updates_optimizer_trains():
    rs = np.random.RandomState(3)
    x = rs.randn(8, 3).astype('float32')
    y = rs.randn(8, 1).astype('float32')
    W0 = rs.randn(3, 1).astype('float32')
    b0 = np.zeros(1, 'float32')
    model = Sequential([layers.Dense(1, input_shape=(3,))])
    model.set_weights([W0, b0])
    model.compile(LegacyMomentumSGD(lr=0.1, momentum=0.5), 'mse')
    model.fit(x, y, batch_size=8, epochs=4, verbose=0, shuffle=False)

    W, b = W0.astype('float64'), b0.astype('float64')
    mW, mb = np.zeros_like(W), np.zeros_like(b)
    for _ in range(4):
        err = x @ W + b - y
        gW, gb = 2. * x.T @ err / len(x), 2. * err.mean(0)
        mW, mb = 0.5 * mW - 0.1 * gW, 0.5 * mb - 0.1 * gb
        W, b = W + mW, b + mb
    got_W, got_b = model.get_weights()
    np.testing.assert_allclose(got_W, W, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(got_b, b, rtol=1e-4, atol=1e-5)


# ====================================================================== keras.legacy.layers
def test_legacy_layers_module():
    from keras.legacy import layers as legacy_layers
    for name in ('MaxoutDense', 'Highway', 'Recurrent', 'ConvRecurrent2D',
                 'AtrousConvolution1D', 'AtrousConvolution2D'):
        assert getattr(legacy_layers, name) is getattr(layers, name)
    assert keras.legacy.layers is legacy_layers


def test_custom_get_updates_optimizer_state_is_saved_and_restored(tmp_path):
    """The moments a Keras 2.2 `get_updates` creates are the optimizer's weights: they are
    saved with the model and training resumes with them."""
    rs = np.random.RandomState(5)
    x = rs.randn(8, 3).astype('float32')
    y = rs.randn(8, 1).astype('float32')
    model = Sequential([layers.Dense(1, input_shape=(3,))])
    model.compile(LegacyMomentumSGD(lr=0.05, momentum=0.9), 'mse')
    model.fit(x, y, batch_size=4, epochs=2, verbose=0, shuffle=False)
    opt_weights = model.optimizer.get_weights()
    assert len(opt_weights) == 3 and opt_weights[0] == 4   # iterations, two moments
    assert np.abs(opt_weights[1]).sum() > 0
    path = str(tmp_path / 'custom_opt.h5')
    model.save(path)
    loaded = keras.models.load_model(path, custom_objects={
        'LegacyMomentumSGD': LegacyMomentumSGD})
    for a, b in zip(loaded.optimizer.get_weights(), opt_weights):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    model.train_on_batch(x, y)
    loaded.train_on_batch(x, y)
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_base_layer_add_weight_accepts_the_keras20_order():
    from keras.engine.topology import Layer

    class Keras20Layer(Layer):
        def build(self, input_shape):
            self.w = self.add_weight((input_shape[1], 2), 'w', initializer='ones')
            super(Keras20Layer, self).build(input_shape)

        def call(self, x):
            return K.dot(x, self.w)

        def compute_output_shape(self, input_shape):
            return (input_shape[0], 2)

    inp = layers.Input((3,))
    model = keras.models.Model(inp, Keras20Layer(name='k20')(inp))
    assert [w.name for w in model.get_layer('k20').weights] == ['k20/w']
    np.testing.assert_allclose(model.predict(np.ones((2, 3), 'float32')), 3.)


def test_builtin_layers_take_keras1_arguments():
    import json
    with pytest.warns(UserWarning, match='Dense'):
        old = layers.Dense(output_dim=3, init='normal', W_regularizer='l2', bias=False, name='d')
    new = layers.Dense(3, kernel_initializer='normal', kernel_regularizer='l2', use_bias=False,
                       name='d')
    assert json.dumps(old.get_config()) == json.dumps(new.get_config())
    with pytest.warns(UserWarning):
        assert layers.Dropout(p=0.3).rate == 0.3
        assert layers.SpatialDropout2D(p=0.2, dim_ordering='th').data_format == 'channels_first'
        lstm = layers.LSTM(output_dim=4, inner_activation='sigmoid', consume_less='gpu')
    assert (lstm.units, lstm.implementation) == (4, 2)
    assert lstm.recurrent_activation.__name__ == 'sigmoid'
    with pytest.warns(UserWarning, match='Conv2D'):
        conv = layers.Conv2D(8, 3, 3, border_mode='same', subsample=(2, 2))
    assert (conv.kernel_size, conv.padding, conv.strides) == ((3, 3), 'same', (2, 2))


def test_atrous_convolution_is_a_strided_dilated_conv1d():
    import json
    with pytest.warns(UserWarning):
        old = layers.AtrousConvolution1D(5, 3, subsample_length=2, atrous_rate=2, name='c')
    new = layers.Conv1D(5, 3, strides=2, dilation_rate=2, name='c')
    assert json.dumps(old.get_config()) == json.dumps(new.get_config())
    # strides and dilation together run (the output length counts both)
    model = Sequential([layers.Conv1D(5, 3, strides=2, dilation_rate=2, input_shape=(20, 4))])
    assert model.output_shape == (None, 8, 5)
    assert model.predict(np.ones((2, 20, 4), 'float32')).shape == (2, 8, 5)


def test_generator_methods_take_keras1_arguments():
    model = Sequential([layers.Dense(1, input_shape=(2,))])
    model.compile('sgd', 'mse')

    def gen():
        while True:
            yield np.ones((4, 2), 'float32'), np.ones((4, 1), 'float32')

    with pytest.warns(UserWarning, match='steps_per_epoch'):
        history = model.fit_generator(gen(), samples_per_epoch=3, nb_epoch=2)
    assert len(history.history['loss']) == 2


def test_subclass_calling_a_decorated_base_positionally():
    class Pool(layers.MaxPooling2D):
        def __init__(self, pool_size, strides, padding, data_format, **kwargs):
            super(Pool, self).__init__(pool_size, strides, padding, data_format, **kwargs)

    assert Pool((2, 2), None, 'same', 'channels_first').data_format == 'channels_first'
    with pytest.raises(TypeError, match='positional'):
        layers.MaxPooling2D((2, 2), None, 'same', 'channels_first')


class StepCountingSGD(optimizers.Optimizer):
    """Keras 2.2.4's Adam reads its step count as 2.2.4 writes it: the increment first,
    then `t = iterations + 1` (the update is not seen by the reads of the same step)."""

    def __init__(self, lr=0.01, **kwargs):
        super(StepCountingSGD, self).__init__(**kwargs)
        self.iterations = K.variable(0, dtype='int64', name='iterations')
        self.lr = K.variable(lr, name='lr')

    def get_updates(self, loss, params):
        grads = self.get_gradients(loss, params)
        self.updates = [K.update_add(self.iterations, 1)]
        t = K.cast(self.iterations, K.floatx()) + 1
        self.weights = [self.iterations]
        for p, g in zip(params, grads):
            self.updates.append(K.update(p, p - self.lr * t * g))
        return self.updates


def test_reads_in_a_step_see_the_values_the_step_started_with():
    """As on Theano and TensorFlow 1 (whose Keras 2.2.4 optimizers count on it), a variable
    read after its update in the same step gives the value from before the step: step k of
    the optimizer above scales its gradient by k, not k + 1."""
    rs = np.random.RandomState(4)
    x = rs.randn(8, 3).astype('float32')
    y = rs.randn(8, 1).astype('float32')
    W0 = rs.randn(3, 1).astype('float32')
    model = Sequential([layers.Dense(1, input_shape=(3,), use_bias=False)])
    model.set_weights([W0])
    model.compile(StepCountingSGD(lr=0.01), 'mse')
    model.fit(x, y, batch_size=8, epochs=3, verbose=0, shuffle=False)
    W = W0.astype('float64')
    for step in (1, 2, 3):
        W = W - 0.01 * step * 2. * x.T @ (x @ W - y) / len(x)
    np.testing.assert_allclose(model.get_weights()[0], W, rtol=1e-5, atol=1e-6)
    assert K.get_value(model.optimizer.iterations) == 3
    # a K.function's outputs are computed before its updates are applied (Keras 2.2.4 on
    # TensorFlow: the updates depend on the outputs)
    counter, scale = K.variable(5.), K.placeholder(())
    bump = K.function([scale], [scale * counter], updates=[(counter, counter + scale)])
    assert bump([2.])[0] == 10. and K.get_value(counter) == 7.
    assert bump([1.])[0] == 7. and K.get_value(counter) == 8.
