"""Compare an application model built here with a fixture architecture manifest.

The manifests (tests/fixtures/applications/*.json.gz, copied from the shared
fixtures) describe keras_applications models layer by layer. A model matches when,
layer by layer in `model.layers` order, it has the same class, the Keras 2.2.4 name,
the same inbound layers, output shape, weight names/shapes/trainability and the same
values for the configuration keys both implementations have; and the same totals and
`weighted_layer_order` (what makes official weight files load).
"""
import gzip
import json
import os

import numpy as np

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(__file__)), 'fixtures',
                        'applications')
# numeric fixtures: inputs/outputs and weights of small models, preprocess_input data
NUMERIC = os.path.join(os.path.dirname(os.path.dirname(__file__)), 'fixtures',
                       'applications_numeric')

# configuration keys that are not architecture (or are spelt differently by the
# tf.keras reference and Keras 2.2)
_SKIP_CONFIG_KEYS = {'name', 'trainable', 'dtype', 'groups', 'ragged', 'sparse',
                     'optional', 'batch_input_shape', 'keepdims',
                     'function'}  # a Lambda's marshalled bytecode


def load_numeric_index():
    with open(os.path.join(NUMERIC, 'index.json')) as f:
        return json.load(f)


def numeric_entry(model_id):
    """The entry of the numeric fixture index for the model `model_id`."""
    return next(m for m in load_numeric_index()['models'] if m['id'] == model_id)


def load_manifest(stem):
    """`stem` is the file name without `.json.gz`, e.g. 'resnet50_top'."""
    with gzip.open(os.path.join(FIXTURES, stem + '.json.gz'), 'rt') as f:
        return json.load(f)


def _plain(value):
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _normalise_config(key, value, rank):
    value = _plain(value)
    if key == 'axis':
        axes = value if isinstance(value, list) else [value]
        axes = [a + rank if (a is not None and a < 0 and rank) else a for a in axes]
        return axes[0] if len(axes) == 1 else axes
    if isinstance(value, float):
        return round(value, 7)
    return value


def _shape(shape):
    if shape and isinstance(shape[0], (list, tuple)):
        return [_shape(s) for s in shape]
    return [None if d is None else int(d) for d in shape]


def compare_model(model, manifest, rename=None):
    """Return a list of human-readable mismatches (empty when the model matches).

    `rename` optionally maps manifest (Keras 2.2.4) names to expected names.
    """
    errors = []
    ref_layers = manifest['layers']
    ref_to_224 = {l['name']: l['keras224_name'] for l in ref_layers}
    if len(model.layers) != len(ref_layers):
        errors.append('layer count: got %d, manifest %d'
                      % (len(model.layers), len(ref_layers)))
    for i, (layer, ref) in enumerate(zip(model.layers, ref_layers)):
        where = 'layer %d (%s)' % (i, ref['keras224_name'])
        exp_name = ref['keras224_name']
        if rename:
            exp_name = rename.get(exp_name, exp_name)
        if layer.name != exp_name:
            errors.append('%s: name %r' % (where, layer.name))
        if type(layer).__name__ != ref['class_name']:
            errors.append('%s: class %s, expected %s'
                          % (where, type(layer).__name__, ref['class_name']))
        inbound = []
        for node in layer._inbound_nodes[:1]:
            for l in node.inbound_layers:
                if l.name not in inbound:
                    inbound.append(l.name)
        exp_inbound = [ref_to_224.get(n, n) for n in ref['inbound_layers']]
        if rename:
            exp_inbound = [rename.get(n, n) for n in exp_inbound]
        if inbound != exp_inbound:
            errors.append('%s: inbound %s, expected %s' % (where, inbound, exp_inbound))
        got_shape = _shape(layer.output_shape)
        if got_shape != _shape(ref['output_shape']):
            errors.append('%s: output shape %s, expected %s'
                          % (where, got_shape, ref['output_shape']))
        got_w = [(w.name.split('/', 1)[-1].split(':')[0], list(w.shape))
                 for w in layer.weights]
        exp_w = [(n.split('/', 1)[-1].split(':')[0], list(s)) for n, s in ref['weights']]
        if got_w != exp_w:
            errors.append('%s: weights %s, expected %s' % (where, got_w, exp_w))
        trainable_names = {id(w) for w in layer.trainable_weights}
        got_t = [id(w) in trainable_names for w in layer.weights]
        if got_w == exp_w and got_t != ref['weights_trainable']:
            errors.append('%s: weights trainable %s, expected %s'
                          % (where, got_t, ref['weights_trainable']))
        config = layer.get_config()
        rank = len(ref['output_shape']) if not isinstance(
            (ref['output_shape'] or [None])[0], list) else 0
        for key, ref_value in ref['config'].items():
            if key in _SKIP_CONFIG_KEYS or isinstance(ref_value, dict) or key not in config:
                continue
            got = _normalise_config(key, config[key], rank)
            exp = _normalise_config(key, ref_value, rank)
            if got != exp:
                errors.append('%s: config %s=%r, expected %r' % (where, key, got, exp))
    weighted = [l.name for l in model.layers if l.weights]
    exp_weighted = [ref_to_224.get(n, n) for n in manifest['weighted_layer_order']]
    if rename:
        exp_weighted = [rename.get(n, n) for n in exp_weighted]
    if weighted != exp_weighted:
        errors.append('weighted_layer_order differs')
    totals = {
        'total_params': model.count_params(),
        'trainable_params': int(sum(np.prod(w.shape) for w in model.trainable_weights)),
        'non_trainable_params': int(sum(np.prod(w.shape)
                                        for w in model.non_trainable_weights)),
        'n_weight_tensors': len(model.weights),
    }
    for key, got in totals.items():
        if got != manifest[key]:
            errors.append('%s: got %d, manifest %d' % (key, got, manifest[key]))
    if _shape(model.input_shape) != _shape(manifest['input_shape']):
        errors.append('input shape %s, expected %s' % (model.input_shape,
                                                       manifest['input_shape']))
    if _shape(model.output_shape) != _shape(manifest['output_shape']):
        errors.append('output shape %s, expected %s' % (model.output_shape,
                                                        manifest['output_shape']))
    if model.name != manifest['model_name']:
        errors.append('model name %r, expected %r' % (model.name, manifest['model_name']))
    return errors


def assert_matches(model, manifest, rename=None, max_report=25):
    errors = compare_model(model, manifest, rename=rename)
    assert not errors, '%d mismatches with the manifest:\n  %s' % (
        len(errors), '\n  '.join(errors[:max_report]))
