"""Recurrent layers against the Keras 2 reference fixtures (tests/fixtures/layers).

Cases: SimpleRNN, GRU (reset_after False/True), LSTM, ConvLSTM2D and Bidirectional,
with masks, go_backwards, return_sequences and return_state.  Every case checks the
weight order/shapes of `get_weights()` and the outputs in inference mode; the
SimpleRNN/GRU/LSTM cases are also run with the other `implementation` and with
`unroll=True` (Keras 2.2: same numbers), and a few through a functional Model.
"""
import json
import os

import numpy as np
import pytest

from keras import layers
from keras.models import Model

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, '..', 'fixtures', 'layers')

with open(os.path.join(FIXTURES, 'recurrent_index.json')) as f:
    INDEX = json.load(f)
CASES = INDEX['cases']
CASE_IDS = [c['id'] for c in CASES]


def _load(case):
    return np.load(os.path.join(FIXTURES, case['file']))


def _make(case, **overrides):
    args = dict(case['args'])
    if case['class_name'] == 'Bidirectional':
        inner_args = dict(case['inner_layer']['args'])
        inner_args.update(overrides)
        inner = getattr(layers, case['inner_layer']['class_name'])(**inner_args)
        return layers.Bidirectional(inner, **args)
    args.update(overrides)
    return getattr(layers, case['class_name'])(**args)


def _check_outputs(case, data, out):
    outs = out if isinstance(out, list) else [out]
    assert len(outs) == len(case['outputs'])
    tol = case.get('tolerance') or INDEX['default_tolerance']
    for o, spec in zip(outs, case['outputs']):
        expected = data[spec['key']]
        o = np.asarray(o)
        assert o.shape == expected.shape, (spec['key'], o.shape, expected.shape)
        assert o.dtype == np.float32
        np.testing.assert_allclose(o, expected, rtol=tol['rtol'], atol=tol['atol'],
                                   err_msg='%s %s' % (case['id'], spec['key']))


def _run(case, layer, data):
    x = data[case['inputs'][0]['key']]
    layer.build(x.shape)
    weights = [data[w['key']] for w in case['weights']]
    assert [tuple(w.shape) for w in layer.get_weights()] == \
        [tuple(w['shape']) for w in case['weights']]
    layer.set_weights(weights)
    kwargs = {name: data[key] for name, key in case['call_kwargs'].items()}
    return layer(x, training=False, **kwargs)


@pytest.mark.parametrize('case', CASES, ids=CASE_IDS)
def test_fixture_case(case):
    data = _load(case)
    layer = _make(case)
    out = _run(case, layer, data)
    _check_outputs(case, data, out)
    # weights come back in the same order
    for w, spec in zip(layer.get_weights(), case['weights']):
        np.testing.assert_array_equal(w, data[spec['key']])
    for key in case.get('outputs_zero_masked', []):
        # Keras 2.2.4 masked steps repeat the previous output; tf.keras writes zeros
        assert not np.allclose(np.asarray(out), data[key], atol=1e-4)


# a few representative cases (each variant costs one XLA compilation)
IMPL_CASES = ['gru_reset_before_masked_seq', 'gru_reset_after_masked_backwards_last_state',
              'lstm_masked_backwards_last_state', 'lstm_sigmoid_last']
UNROLL_CASES = ['simple_rnn_masked_backwards_last_state', 'gru_reset_after_masked_seq',
                'lstm_masked_seq']


def _case(case_id):
    return [c for c in CASES if c['id'] == case_id][0]


@pytest.mark.parametrize('case_id', IMPL_CASES)
def test_other_implementation_same_numbers(case_id):
    case = _case(case_id)
    data = _load(case)
    other = 2 if case['args']['implementation'] == 1 else 1
    _check_outputs(case, data, _run(case, _make(case, implementation=other), data))


@pytest.mark.parametrize('case_id', UNROLL_CASES)
def test_unrolled_same_numbers(case_id):
    case = _case(case_id)
    data = _load(case)
    _check_outputs(case, data, _run(case, _make(case, unroll=True), data))


@pytest.mark.parametrize('case_id', ['lstm_masked_backwards_last_state',
                                     'gru_reset_after_seq_state', 'conv_lstm2d_same_seq',
                                     'bidirectional_lstm_none'])
def test_symbolic_model_matches_fixture(case_id):
    case = _case(case_id)
    data = _load(case)
    x = data[case['inputs'][0]['key']]
    inp = layers.Input(batch_shape=(None,) + x.shape[1:])
    layer = _make(case)
    if case['call_kwargs']:
        mask_in = layers.Input(batch_shape=(None, x.shape[1]), dtype='bool')
        out = layer(inp, mask=mask_in)
        model = Model([inp, mask_in], out)
        feed = [x, data['call_mask']]
    else:
        out = layer(inp)
        model = Model(inp, out)
        feed = x
    layer.set_weights([data[w['key']] for w in case['weights']])
    expected_shapes = layer.compute_output_shape((None,) + x.shape[1:])
    outs = out if isinstance(out, list) else [out]
    shapes = expected_shapes if isinstance(expected_shapes, list) else [expected_shapes]
    assert [tuple(o.shape) for o in outs] == [tuple(s) for s in shapes]
    _check_outputs(case, data, model.predict(feed, batch_size=x.shape[0]))
