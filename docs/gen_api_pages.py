"""Writes the API reference pages `docs/api/*.md` from the Keras 2.2.4 API manifest
(`tests/fixtures/keras_api.json`): one `::: module.name` block (rendered by mkdocstrings) per
public class and function, under the name users import it by.

Run it after adding public objects (it imports `keras` to find where each object is
defined):

    python docs/gen_api_pages.py
"""
import collections
import importlib
import inspect
import json
import os
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MANIFEST = os.path.join(ROOT, 'tests', 'fixtures', 'keras_api.json')

# page -> (title, introduction, manifest modules in order)
PAGES = collections.OrderedDict([
    ('models', ('Models', 'The two ways of building a model, `Sequential` and the functional '
                '`Model`, and saving and loading them. See also the '
                '[functional API guide](../functional-api.md).',
                ['keras.models'])),
    ('engine', ('Engine', 'The base classes: `Layer` (for writing your own layers), '
                '`InputSpec`, `InputLayer` and `Input`.', ['keras.engine', 'keras.engine.topology'])),
    ('layers', ('Layers', 'Every layer of the Keras 2.2 catalogue, grouped by module. All '
                'layers share the methods and properties of the base class '
                '[`Layer`](engine.md).', ['keras.layers'])),
    ('callbacks', ('Callbacks', 'Objects passed to `fit(callbacks=[...])` that act at the '
                   'start and end of training, epochs and batches.', ['keras.callbacks'])),
    ('optimizers', ('Optimizers', 'Pass an instance, or a name with the default settings, '
                    'to `compile(optimizer=...)`.', ['keras.optimizers'])),
    ('losses', ('Losses', 'Pass a function or its name to `compile(loss=...)`. Each '
                'returns one loss per sample; `fit` averages them, with the sample and '
                'class weights.', ['keras.losses'])),
    ('metrics', ('Metrics', 'Pass functions or names to `compile(metrics=[...])`; the '
                 'losses can serve as metrics too.', ['keras.metrics'])),
    ('activations', ('Activations', 'Use them by name (`Dense(64, activation=\'relu\')`) '
                     'or as functions.', ['keras.activations'])),
    ('initializers', ('Initializers', 'The initial values of layer weights '
                      '(`kernel_initializer=...`, `bias_initializer=...`).',
                      ['keras.initializers'])),
    ('regularizers', ('Regularizers', 'Penalties on weights or activations, added to the '
                      'loss (`kernel_regularizer=...`, `activity_regularizer=...`).',
                      ['keras.regularizers'])),
    ('constraints', ('Constraints', 'Projections applied to weights after each optimizer '
                     'update (`kernel_constraint=...`).', ['keras.constraints'])),
    ('backend', ('Backend', 'The Keras 2 backend API, `from keras import backend as K`, '
                 'implemented with JAX.', ['keras.backend'])),
    ('preprocessing', ('Preprocessing', 'Images, sequences and text.',
                       ['keras.preprocessing.image', 'keras.preprocessing.sequence',
                        'keras.preprocessing.text'])),
    ('utils', ('Utilities', '', ['keras.utils', 'keras.utils.conv_utils',
                                 'keras.utils.data_utils', 'keras.utils.generic_utils',
                                 'keras.utils.io_utils', 'keras.utils.layer_utils',
                                 'keras.utils.multi_gpu_utils', 'keras.utils.np_utils',
                                 'keras.utils.test_utils', 'keras.utils.vis_utils'])),
    ('applications', ('Applications', 'The ImageNet models of Keras 2.2.4, with their '
                      'preprocessing functions.',
                      ['keras.applications', 'keras.applications.imagenet_utils',
                       'keras.applications.densenet', 'keras.applications.inception_resnet_v2',
                       'keras.applications.inception_v3', 'keras.applications.mobilenet',
                       'keras.applications.mobilenet_v2', 'keras.applications.nasnet',
                       'keras.applications.resnet50', 'keras.applications.vgg16',
                       'keras.applications.vgg19', 'keras.applications.xception'])),
    ('datasets', ('Datasets', 'Loaders of the Keras datasets (read from the Keras cache, '
                  'downloaded when missing).',
                  ['keras.datasets.boston_housing', 'keras.datasets.cifar10',
                   'keras.datasets.cifar100', 'keras.datasets.fashion_mnist',
                   'keras.datasets.imdb', 'keras.datasets.mnist', 'keras.datasets.reuters'])),
    ('wrappers', ('Scikit-learn wrappers', '', ['keras.wrappers.scikit_learn'])),
])

# classes whose own methods are listed under them (the others show their docstring only)
WITH_MEMBERS = {'Model', 'Sequential', 'Layer', 'Network', 'Callback', 'Optimizer',
                'Sequence', 'ImageDataGenerator', 'Tokenizer', 'TimeseriesGenerator',
                'HDF5Matrix', 'Progbar', 'CustomObjectScope', 'GeneratorEnqueuer',
                'OrderedEnqueuer', 'KerasClassifier', 'KerasRegressor', 'History',
                'InputSpec'}


def definition(module_name, name):
    """`module.qualname` where the object exported as `module_name.name` is defined."""
    obj = getattr(importlib.import_module(module_name), name)
    target = inspect.unwrap(obj)
    return '%s.%s' % (target.__module__, target.__qualname__)


def block(public, where, is_class, name):
    lines = ['::: %s' % where, '    options:', '      heading: "%s"' % public,
             '      toc_label: "%s"' % public.rsplit('.', 1)[-1]]
    if is_class and name not in WITH_MEMBERS:
        lines.append('      members: false')
    return '\n'.join(lines) + '\n'


def page(title, intro, modules, manifest, done):
    # the Keras 2.2 submodule of each re-exported name (keras.layers.core for Dense)
    submodule = {}
    for sub, entries in manifest.items():
        for name, entry in entries.items():
            if 'same_as' in entry:
                parent, _, exported = entry['same_as'].rpartition('.')
                submodule.setdefault((parent, exported), sub)
    out = ['# %s' % title, '']
    if intro:
        out += [intro, '']
    for module_name in modules:
        entries = manifest[module_name]
        groups = collections.OrderedDict()
        aliases = collections.defaultdict(list)
        for name, entry in sorted(entries.items(), key=lambda kv: kv[0].lower()):
            if 'same_as' in entry or entry['kind'] not in ('class', 'function'):
                continue
            if entry.get('alias_of') and entry['alias_of'] in entries:
                aliases[entry['alias_of']].append(name)
                continue
            where = definition(module_name, name)
            if where in done:
                continue
            done.add(where)
            group = (submodule.get((module_name, name), module_name)
                     if module_name == 'keras.layers' else module_name)
            groups.setdefault(group, []).append((name, entry, where))
        for group, items in sorted(groups.items()):
            out += ['## `%s`' % group, '']
            for name, entry, where in items:
                out.append(block('%s.%s' % (module_name, name), where,
                                 entry['kind'] == 'class', name))
                if aliases.get(name):
                    out.append('Also available as %s.\n' % ', '.join(
                        '`%s.%s`' % (module_name, a) for a in sorted(aliases[name])))
    return '\n'.join(out).rstrip('\n') + '\n'


def main():
    warnings.simplefilter('ignore')
    with open(MANIFEST) as f:
        manifest = json.load(f)['modules']
    os.makedirs(os.path.join(HERE, 'api'), exist_ok=True)
    done = set()      # an object is documented once, on the first page that exports it
    for slug, (title, intro, modules) in PAGES.items():
        with open(os.path.join(HERE, 'api', slug + '.md'), 'w') as f:
            f.write(page(title, intro, modules, manifest, done))
    print('wrote %d pages in docs/api/' % len(PAGES))


if __name__ == '__main__':
    main()
