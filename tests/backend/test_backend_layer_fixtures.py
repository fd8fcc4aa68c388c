"""Backend ops reproduce the Keras 2 reference layer fixtures (tests/fixtures/layers).

Each layer is recomputed here from backend ops only (the op a Keras 2.2.4
layer's `call` uses, plus the bias), so the ops are checked against outputs
produced by a reference Keras implementation.
"""
import json
import os

import numpy as np
import pytest

from keras import backend as K

FIXTURES = os.path.join(os.path.dirname(__file__), '..', 'fixtures', 'layers')

with open(os.path.join(FIXTURES, 'index.json')) as f:
    CASES = {c['id']: c for c in json.load(f)['cases']}


def load_arrays(case):
    return dict(np.load(os.path.join(FIXTURES, case['file'])))


def tup(v, n):
    return (v,) * n if isinstance(v, int) else tuple(v)


def conv_layer(case, d, rank):
    a = case['args']
    x, w, b = d['x0'], d['w0'], d.get('w1')
    fn = {1: K.conv1d, 2: K.conv2d, 3: K.conv3d}[rank]
    y = fn(x, w, strides=tup(a['strides'], rank) if rank > 1 else a['strides'],
           padding=a['padding'], data_format=a['data_format'],
           dilation_rate=tup(a['dilation_rate'], rank) if rank > 1 else a['dilation_rate'])
    return y if b is None else K.bias_add(y, b, data_format=a['data_format'])


def transpose_layer(case, d, rank):
    a = case['args']
    x, w, b = d['x0'], d['w0'], d['w1']
    out_shape = (None,) + d['y0'].shape[1:]
    if rank == 2:
        y = K.conv2d_transpose(x, w, out_shape, tup(a['strides'], 2), a['padding'],
                               a['data_format'], tup(a['dilation_rate'], 2))
    else:
        y = K.conv3d_transpose(x, w, out_shape, tup(a['strides'], 3), a['padding'],
                               a['data_format'])
    return K.bias_add(y, b, data_format=a['data_format'])


def separable_layer(case, d, rank):
    a = case['args']
    fn = K.separable_conv1d if rank == 1 else K.separable_conv2d
    y = fn(d['x0'], d['w0'], d['w1'], strides=a['strides'] if rank == 1 else
           tup(a['strides'], 2), padding=a['padding'], data_format=a['data_format'],
           dilation_rate=a['dilation_rate'] if rank == 1 else tup(a['dilation_rate'], 2))
    return y if 'w2' not in d else K.bias_add(y, d['w2'], data_format=a['data_format'])


def depthwise_layer(case, d):
    a = case['args']
    y = K.depthwise_conv2d(d['x0'], d['w0'], tup(a['strides'], 2), a['padding'],
                           a['data_format'], tup(a.get('dilation_rate', 1), 2))
    return K.bias_add(y, d['w1'], data_format=a['data_format'])


def pool_layer(case, d, rank, mode):
    a = case['args']
    pool = tup(a['pool_size'], rank)
    strides = pool if a['strides'] is None else tup(a['strides'], rank)
    fmt = a['data_format']
    x = d['x0']
    if rank == 1:  # Keras 2.2.4 pools 1D inputs as (batch, steps, 1, channels) images
        axis = 3 if fmt == 'channels_first' else 2
        y = K.pool2d(K.expand_dims(x, axis), pool + (1,), strides + (1,), a['padding'], fmt,
                     pool_mode=mode)
        return K.squeeze(y, axis)
    fn = K.pool2d if rank == 2 else K.pool3d
    return fn(x, pool, strides, a['padding'], fmt, pool_mode=mode)


def local_layer(case, d, rank):
    a = case['args']
    x, w, b = d['x0'], d['w0'], d['w1']
    if rank == 1:
        y = K.local_conv1d(x, w, tup(a['kernel_size'], 1), tup(a['strides'], 1),
                           a['data_format'])
        return y + b
    out_shape = d['y0'].shape[2:] if a['data_format'] == 'channels_first' \
        else d['y0'].shape[1:3]
    y = K.local_conv2d(x, w, tup(a['kernel_size'], 2), tup(a['strides'], 2), out_shape,
                       a['data_format'])
    return K.bias_add(y, b, data_format=a['data_format'])


def upsampling(case, d):
    a = case['args']
    name = case['class_name']
    x = d['x0']
    if name == 'UpSampling1D':
        return K.repeat_elements(x, a['size'], axis=1)
    if name == 'UpSampling2D':
        return K.resize_images(x, a['size'][0], a['size'][1], a['data_format'],
                               a.get('interpolation', 'nearest'))
    return K.resize_volumes(x, a['size'][0], a['size'][1], a['size'][2], a['data_format'])


def zero_padding(case, d):
    a = case['args']
    name = case['class_name']
    if name == 'ZeroPadding1D':
        return K.temporal_padding(d['x0'], tup(a['padding'], 2))
    if name == 'ZeroPadding2D':
        pad = [tup(p, 2) for p in tup(a['padding'], 2)]
        return K.spatial_2d_padding(d['x0'], pad, a['data_format'])
    pad = [tup(p, 2) for p in tup(a['padding'], 3)]
    return K.spatial_3d_padding(d['x0'], pad, a['data_format'])


DISPATCH = {
    'Conv1D': lambda c, d: conv_layer(c, d, 1),
    'Conv2D': lambda c, d: conv_layer(c, d, 2),
    'Conv3D': lambda c, d: conv_layer(c, d, 3),
    'Conv2DTranspose': lambda c, d: transpose_layer(c, d, 2),
    'Conv3DTranspose': lambda c, d: transpose_layer(c, d, 3),
    'SeparableConv1D': lambda c, d: separable_layer(c, d, 1),
    'SeparableConv2D': lambda c, d: separable_layer(c, d, 2),
    'DepthwiseConv2D': depthwise_layer,
    'MaxPooling1D': lambda c, d: pool_layer(c, d, 1, 'max'),
    'MaxPooling2D': lambda c, d: pool_layer(c, d, 2, 'max'),
    'MaxPooling3D': lambda c, d: pool_layer(c, d, 3, 'max'),
    'AveragePooling1D': lambda c, d: pool_layer(c, d, 1, 'avg'),
    'AveragePooling2D': lambda c, d: pool_layer(c, d, 2, 'avg'),
    'AveragePooling3D': lambda c, d: pool_layer(c, d, 3, 'avg'),
    'LocallyConnected1D': lambda c, d: local_layer(c, d, 1),
    'LocallyConnected2D': lambda c, d: local_layer(c, d, 2),
    'UpSampling1D': upsampling,
    'UpSampling2D': upsampling,
    'UpSampling3D': upsampling,
    'ZeroPadding1D': zero_padding,
    'ZeroPadding2D': zero_padding,
    'ZeroPadding3D': zero_padding,
}

IDS = sorted(i for i, c in CASES.items() if c['class_name'] in DISPATCH
             and c['args'].get('activation') in (None, 'linear'))


@pytest.mark.parametrize('case_id', IDS)
def test_layer_fixture(case_id):
    case = CASES[case_id]
    d = load_arrays(case)
    expected = d['y0_k224'] if 'y0_k224' in d else d['y0']
    out = np.asarray(DISPATCH[case['class_name']](case, d))
    tol = case.get('tolerance') or {'rtol': 1e-5, 'atol': 1e-5}
    assert out.shape == expected.shape
    np.testing.assert_allclose(out, expected, rtol=tol['rtol'], atol=tol['atol'])


BN_IDS = sorted(i for i, c in CASES.items() if c['class_name'] == 'BatchNormalization')


@pytest.mark.parametrize('case_id', BN_IDS)
def test_batchnorm_fixture_statistics(case_id):
    case = CASES[case_id]
    d = load_arrays(case)
    stats = case['batch_stats']
    a = case['args']
    x = d['x0']
    axis = a['axis'] % x.ndim
    weights = {w['name']: d[w['key']] for w in case['weights']}
    gamma, beta = weights.get('gamma'), weights.get('beta')
    normed, mean, var = K.normalize_batch_in_training(x, gamma, beta, stats['reduction_axes'],
                                                      epsilon=a['epsilon'])
    np.testing.assert_allclose(mean, d[stats['mean']], rtol=1e-5, atol=1e-6)
    n = stats['n']
    biased = d[stats['var_biased']]
    if x.ndim == 4 and list(stats['reduction_axes']) == [0, 1, 2]:
        biased = biased * n / (n - 1)  # fused kernel output (see the fixtures README)
    np.testing.assert_allclose(var, biased, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(normed, d['y_train0'], rtol=1e-4, atol=1e-5)
    # inference output from the moving statistics
    y = K.batch_normalization(x, weights['moving_mean'], weights['moving_variance'], beta,
                              gamma, axis=axis, epsilon=a['epsilon'])
    np.testing.assert_allclose(y, d['y0'], rtol=1e-4, atol=1e-5)


def _simple_rnn_step(w, u, b):
    def step(x, states):
        h = K.tanh(K.dot(x, w) + b + K.dot(states[0], u))
        return h, [h]
    return step


def _lstm_step(w, u, b):
    n = u.shape[0]

    def step(x, states):
        h, c = states
        z = K.dot(x, w) + K.dot(h, u) + b
        i, f = K.hard_sigmoid(z[:, :n]), K.hard_sigmoid(z[:, n:2 * n])
        c_new = f * c + i * K.tanh(z[:, 2 * n:3 * n])
        h_new = K.hard_sigmoid(z[:, 3 * n:]) * K.tanh(c_new)
        return h_new, [h_new, c_new]
    return step


RNN_IDS = sorted(i for i, c in CASES.items()
                 if c['class_name'] in ('SimpleRNN', 'LSTM') and 'mask' in c.get('call_kwargs', {})
                 and c['args'].get('recurrent_activation', 'hard_sigmoid') == 'hard_sigmoid')


@pytest.mark.parametrize('case_id', RNN_IDS)
def test_masked_rnn_fixture(case_id):
    case = CASES[case_id]
    d = load_arrays(case)
    a = case['args']
    x, mask = d['x0'], d[case['call_kwargs']['mask']]
    units = d['w1'].shape[0]
    zeros = np.zeros((x.shape[0], units), 'float32')
    if case['class_name'] == 'SimpleRNN':
        step, init = _simple_rnn_step(d['w0'], d['w1'], d['w2']), [zeros]
    else:
        step, init = _lstm_step(d['w0'], d['w1'], d['w2']), [zeros, zeros]
    last, outs, states = K.rnn(step, x, init, go_backwards=a.get('go_backwards', False),
                               mask=mask)
    tol = case.get('tolerance') or {'rtol': 1e-5, 'atol': 1e-5}
    expected = outs if a.get('return_sequences') else last
    np.testing.assert_allclose(expected, d['y0'], rtol=tol['rtol'], atol=tol['atol'])
    if a.get('return_state'):
        for i, s in enumerate(states):
            np.testing.assert_allclose(s, d['y%d' % (i + 1)], rtol=tol['rtol'],
                                       atol=tol['atol'])
