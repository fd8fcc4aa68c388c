import os
import shutil

import numpy as np
import pytest

from keras import layers
from keras.models import Model, Sequential
from keras.utils import vis_utils, plot_model, model_to_dot


def _functional():
    a = layers.Input(shape=(4,), name='in_a')
    b = layers.Input(shape=(4,), name='in_b')
    h = layers.Dense(3, name='dense_a')(a)
    g = layers.Dense(3, name='dense_b')(b)
    out = layers.concatenate([h, g], name='merged')
    out = layers.Dense(1, name='head')(out)
    return Model([a, b], out)


def _node_labels(dot):
    return {n.get_name(): n.get('label') for n in dot.get_nodes()
            if n.get_name() not in ('node', 'edge', 'graph')}


def _edges_by_label(dot):
    labels = _node_labels(dot)
    return {(labels[e.get_source()].strip('"').split(':')[0],
             labels[e.get_destination()].strip('"').split(':')[0]) for e in dot.get_edges()}


def test_model_to_dot_nodes_and_edges():
    model = _functional()
    dot = model_to_dot(model)
    labels = sorted(l.strip('"') for l in _node_labels(dot).values())
    assert labels == sorted(['in_a: InputLayer', 'in_b: InputLayer', 'dense_a: Dense',
                             'dense_b: Dense', 'merged: Concatenate', 'head: Dense'])
    assert _edges_by_label(dot) == {('in_a', 'dense_a'), ('in_b', 'dense_b'),
                                    ('dense_a', 'merged'), ('dense_b', 'merged'),
                                    ('merged', 'head')}
    src = dot.to_string()
    assert 'rankdir=TB' in src and 'shape=record' in src


def test_model_to_dot_shapes_and_options():
    model = _functional()
    dot = model_to_dot(model, show_shapes=True, show_layer_names=False, rankdir='LR')
    labels = [l.strip('"') for l in _node_labels(dot).values()]
    head = [l for l in labels if l.startswith('Dense') and '(None, 6)' in l]
    assert head == ['Dense\n|{input:|output:}|{{(None, 6)}|{(None, 1)}}']
    merged = [l for l in labels if l.startswith('Concatenate')][0]
    assert '{[(None, 3), (None, 3)]}|{(None, 6)}' in merged
    assert 'rankdir=LR' in dot.to_string()
    with pytest.raises(ValueError, match='rankdir'):
        model_to_dot(model, rankdir='XY')


def test_sequential_and_nested_model():
    inner = Sequential([layers.Dense(5, input_shape=(3,), name='inner_dense'),
                        layers.Dense(2, name='inner_out')], name='inner')
    x = layers.Input(shape=(3,), name='outer_in')
    y = inner(x)
    y = layers.Dense(1, name='outer_out')(y)
    outer = Model(x, y)
    dot = model_to_dot(outer)
    labels = sorted(l.strip('"') for l in _node_labels(dot).values())
    # The nested model is a single node; its inner layers are not drawn.
    assert labels == ['inner: Sequential', 'outer_in: InputLayer', 'outer_out: Dense']
    assert _edges_by_label(dot) == {('outer_in', 'inner'), ('inner', 'outer_out')}

    dot = model_to_dot(inner)
    assert _edges_by_label(dot) == {('inner_dense_input', 'inner_dense'),
                                    ('inner_dense', 'inner_out')}


@pytest.mark.skipif(shutil.which('dot') is None,
                    reason="GraphViz's `dot` program is not installed (apt-get install graphviz)")
def test_plot_model_formats(tmp_path):
    model = _functional()
    png = tmp_path / 'model.png'
    plot_model(model, to_file=str(png), show_shapes=True)
    assert png.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    svg = tmp_path / 'model.svg'
    plot_model(model, to_file=str(svg))
    text = svg.read_text()
    assert '<svg' in text and 'dense_a' in text and 'merged' in text
    pdf = tmp_path / 'model.pdf'
    plot_model(model, to_file=str(pdf))
    assert pdf.read_bytes()[:5] == b'%PDF-'
    noext = tmp_path / 'model'
    plot_model(model, to_file=str(noext))
    assert noext.read_bytes()[:4] == b'\x89PNG'


def test_missing_pydot_message(monkeypatch):
    monkeypatch.setattr(vis_utils, 'pydot', None)
    with pytest.raises(ImportError, match='pip install pydot'):
        model_to_dot(_functional())


def test_missing_graphviz_message(monkeypatch, tmp_path):
    def fail(self, *args, **kwargs):
        raise FileNotFoundError('dot not found')
    monkeypatch.setattr(vis_utils.pydot.Dot, 'create', fail)
    with pytest.raises(OSError, match='GraphViz'):
        plot_model(_functional(), to_file=str(tmp_path / 'm.png'))
    # the graph itself needs only pydot, not the `dot` program
    dot = model_to_dot(_functional())
    assert any(n.get_label() and 'dense_a' in n.get_label() for n in dot.get_nodes())
