"""Non-recurrent layer cases of the Keras 2 reference fixtures (tests/fixtures/layers).

Procedure (fixtures README, 'Procedure for one case'): construct the layer from `args`,
build it for the input shape(s), `set_weights`, call it on the inputs in inference mode and
compare with the expected outputs (Keras 2.2.4 values where they differ from the reference).
"""
import json
import os

import numpy as np
import pytest

import keras
from keras import backend as K
from keras.backend import execution as X
from keras import layers
from keras.utils.generic_utils import has_arg

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, '..', 'fixtures', 'layers')
RECURRENT = {'SimpleRNN', 'GRU', 'LSTM', 'ConvLSTM2D', 'Bidirectional'}

with open(os.path.join(FIXTURES, 'index.json')) as f:
    INDEX = json.load(f)
CASES = [c for c in INDEX['cases']
         if c['class_name'] not in RECURRENT and not c['class_name'].startswith('activations.')]
BY_ID = {c['id']: c for c in CASES}


def _load(case):
    return np.load(os.path.join(FIXTURES, case['file']))


def _args(args):
    # weights are set explicitly, so initializers are irrelevant (fixtures README); constant
    # ones keep the tests from compiling a random generator for every weight shape
    return {k: ('zeros' if k.endswith('_initializer') else v) for k, v in args.items()}


def _make_layer(case):
    args = _args(case['args'])
    cls = getattr(layers, case['class_name'])
    if 'inner_layer' in case:
        inner = case['inner_layer']
        return cls(getattr(layers, inner['class_name'])(**_args(inner['args'])), **args)
    return cls(**args)


def _inputs(case, data):
    xs = [data[i['key']] for i in case['inputs']]
    for i, x in zip(case['inputs'], xs):
        assert list(x.shape) == i['shape'] and x.dtype == np.dtype(i['dtype'])
    return xs


def _prepared_layer(case, data):
    layer = _make_layer(case)
    xs = _inputs(case, data)
    shapes = [tuple(x.shape) for x in xs]
    layer.build(shapes if len(xs) > 1 else shapes[0])
    layer.built = True
    layer.set_weights([data[w['key']] for w in case['weights']])
    for var, w in zip(layer.weights, case['weights']):
        assert tuple(var.shape) == tuple(w['shape']), (var.name, var.shape, w['shape'])
    return layer, xs


def _call(layer, xs, data, case, training=False):
    """Call the layer on arrays (one jitted program instead of op-by-op dispatch)."""
    kwargs = {k: data[v] for k, v in case.get('call_kwargs', {}).items()}

    def fn(xs, kwargs):
        if has_arg(layer.call, 'training'):
            return layer(xs if len(xs) > 1 else xs[0], training=training, **kwargs)
        with K.learning_phase_scope(int(training)):
            return layer(xs if len(xs) > 1 else xs[0], **kwargs)
    out = X.jit(fn)(xs, kwargs)
    return out if isinstance(out, (list, tuple)) else [out]


def _check(actual, expected, tol, what):
    actual = np.asarray(actual)
    assert actual.shape == expected.shape, (what, actual.shape, expected.shape)
    assert actual.dtype == expected.dtype, (what, actual.dtype, expected.dtype)
    np.testing.assert_allclose(actual, expected, rtol=tol['rtol'], atol=tol['atol'],
                               err_msg=what)


@pytest.mark.parametrize('case_id', sorted(BY_ID))
def test_fixture_case(case_id):
    case = BY_ID[case_id]
    data = _load(case)
    tol = case.get('tolerance') or INDEX['default_tolerance']
    layer, xs = _prepared_layer(case, data)
    outs = _call(layer, xs, data, case)
    expected_specs = case.get('keras224_outputs') or case['outputs']
    assert len(outs) == len(expected_specs)
    for out, spec in zip(outs, expected_specs):
        _check(out, data[spec['key']], tol, '%s %s' % (case_id, spec['key']))
    if 'output_mask' in case:
        mask = layer.compute_mask(xs[0], None)
        _check(mask, data[case['output_mask']['key']], tol, case_id + ' mask')
    for spec in case.get('train_outputs', []):
        (out,) = _call(layer, xs, data, case, training=True)
        _check(out, data[spec['key']], tol, '%s %s' % (case_id, spec['key']))


BN_CASES = sorted(c['id'] for c in CASES if 'keras224_weights_after_train' in c)


@pytest.mark.parametrize('case_id', BN_CASES)
def test_batchnorm_keras224_moving_statistics_after_train_on_batch(case_id):
    case = BY_ID[case_id]
    data = _load(case)
    tol = case.get('tolerance') or INDEX['default_tolerance']
    x = data[case['inputs'][0]['key']]
    layer = _make_layer(case)
    inp = keras.layers.Input(shape=x.shape[1:])
    model = keras.models.Model(inp, layer(inp))
    layer.set_weights([data[w['key']] for w in case['weights']])
    model.compile(keras.optimizers.SGD(lr=0.), 'mse')
    model.train_on_batch(x, np.zeros_like(x))
    after = layer.get_weights()
    specs = case['keras224_weights_after_train']
    assert len(after) == len(specs)
    for value, spec in zip(after, specs):
        _check(value, data[spec['key']], tol, '%s %s' % (case_id, spec['key']))
    # the hidden zero-debias accumulators are not weights
    assert len(layer.weights) == len(case['weights'])
