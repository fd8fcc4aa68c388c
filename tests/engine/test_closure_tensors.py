"""Layers whose `call` reaches a tensor of the graph by closure, not through its inputs:
Keras 2.2 on TensorFlow built such a call once, symbolically, so the tensor was part of the
graph (a VAE's loss layer reading the encoder's `z_mean`, as in "Deep Learning with Python";
a `Lambda` gating its input with another branch). Here calls run on values, so each run of
the graph resolves the tensor to its value in that run (`keras_tensor.resolving`)."""
import numpy as np

import keras
from keras import backend as K
from keras.layers import Dense, Input, Lambda, Layer
from keras.models import Model


class _VaeLikeLoss(Layer):
    """Adds a reconstruction loss of its inputs plus a penalty on `self.code`, a tensor of
    the graph, given by closure or, in the twin, as a third input."""

    def __init__(self, code=None, **kwargs):
        super(_VaeLikeLoss, self).__init__(**kwargs)
        self.code = code

    def call(self, inputs):
        x, decoded = inputs[0], inputs[1]
        code = self.code if self.code is not None else inputs[2]
        loss = K.mean(K.square(decoded - x)) + 0.5 * K.mean(K.square(code))
        self.add_loss(loss, inputs=inputs)
        return x

    def compute_output_shape(self, input_shape):
        return input_shape[0]


def _vae_like(by_closure):
    inp = Input((4,))
    code = Dense(2, name='encoder')(inp)
    decoded = Dense(4, name='decoder')(code)
    if by_closure:
        out = _VaeLikeLoss(code)([inp, decoded])
    else:
        out = _VaeLikeLoss()([inp, decoded, code])
    model = Model(inp, out)
    model.compile(keras.optimizers.SGD(0.1), loss=None)
    return model


def test_a_loss_layer_reading_a_tensor_by_closure_trains_as_when_given_it():
    x = np.random.RandomState(0).rand(16, 4).astype('float32')
    closure, twin = _vae_like(True), _vae_like(False)
    twin.set_weights(closure.get_weights())
    enc_k, enc_b, dec_k, dec_b = closure.get_weights()
    code = x @ enc_k + enc_b
    expected = np.mean((code @ dec_k + dec_b - x) ** 2) + 0.5 * np.mean(code ** 2)
    np.testing.assert_allclose(closure.evaluate(x, None, verbose=0), expected, rtol=1e-5)
    closure.fit(x, None, batch_size=8, epochs=2, shuffle=False, verbose=0)
    twin.fit(x, None, batch_size=8, epochs=2, shuffle=False, verbose=0)
    for a, b in zip(closure.get_weights(), twin.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
    # the penalty on the code reached the encoder through the closure
    assert not np.allclose(closure.get_weights()[0], enc_k)


def test_a_lambda_reading_another_branch_by_closure():
    inp = Input((4,))
    gate = Dense(4)(inp)          # not on the path to the output: only the closure uses it
    out = Lambda(lambda t: t * K.sigmoid(gate))(inp)
    model = Model(inp, out)
    assert model.output_shape == (None, 4)
    x = np.random.RandomState(1).rand(5, 4).astype('float32')
    kernel, bias = gate._keras_history[0].get_weights()
    np.testing.assert_allclose(model.predict(x), x / (1. + np.exp(-(x @ kernel + bias))),
                               rtol=1e-5)
    # and through K.function, another run of the graph
    run = K.function([inp], [out])
    np.testing.assert_allclose(run([x])[0], model.predict(x), rtol=1e-6)


def test_a_graph_run_on_symbolic_tensors_resolves_nothing():
    # compute_mask runs the graph on the symbolic inputs themselves: the ops inside the
    # layers are recorded, not computed (Keras 2.2.4's test_multi_input_layer)
    a, b = Input((4,), name='a'), Input((4,), name='b')
    merged = keras.layers.concatenate([Dense(3)(a), b])
    model = Model([a, b], [Dense(2)(merged), merged])
    assert model.compute_mask([a, b], [None, None]) == [None, None]


def test_a_compiled_loss_reading_a_tensor_of_the_graph_by_closure():
    # Keras 2.0's VAE example: `vae_loss(x, x_decoded)` adds the KL term of the encoder's
    # `z_mean` and `z_log_var`, tensors of the graph it reads by closure; Keras 2.2 built
    # the loss once on the model's tensors, so they were computed from the batch
    inp = Input((3,))
    hidden = Dense(2, name='hidden')(inp)
    model = Model(inp, Dense(3, name='out')(hidden))

    def loss(y_true, y_pred):
        return K.mean(K.square(y_true - y_pred), axis=-1) + K.mean(K.square(hidden), axis=-1)

    model.compile('sgd', loss)
    x = np.array([[1., 2., 3.], [0., -1., 0.5]], 'float32')
    y = np.array([[0.5, 0., 1.], [1., 1., -1.]], 'float32')
    w1, b1 = model.get_layer('hidden').get_weights()
    w2, b2 = model.get_layer('out').get_weights()
    h = x @ w1 + b1
    expected = np.mean(np.mean((y - (h @ w2 + b2)) ** 2, -1) + np.mean(h ** 2, -1))
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0), expected, rtol=1e-5)
    np.testing.assert_allclose(model.train_on_batch(x, y), expected, rtol=1e-5)
    # the closure's term trains the hidden layer too: without the output's term (a zero
    # learning rate for nothing else) its gradient is d/dw1 mean(h^2)
    model.compile(keras.optimizers.SGD(lr=0.1),
                  lambda t, p: K.mean(K.square(hidden), axis=-1) + 0. * K.sum(p))
    w1, b1 = model.get_layer('hidden').get_weights()
    h = x @ w1 + b1
    model.train_on_batch(x, y)
    grad_w1 = x.T @ (2. * h / h.shape[1]) / len(x)
    np.testing.assert_allclose(model.get_layer('hidden').get_weights()[0], w1 - 0.1 * grad_w1,
                               rtol=1e-5, atol=1e-6)
