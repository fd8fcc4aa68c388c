"""The package layers of docs/architecture.md: every import inside `keras` points down.

Module-level imports go to the same or a lower layer, and so do imports deferred into a
function body: where a lower module needs something defined above it, the upper module
provides it through `keras.registry` (the one sanctioned upward link).
"""
import ast
import os

import keras

ROOT = os.path.dirname(keras.__file__)

# Lower number = lower layer. A module takes the layer of its longest listed prefix.
LAYERS = {
    'keras.registry': 0, 'keras._version': 0, 'keras._install_check': 0,  # import nothing above
    'keras.backend': 0,
    'keras.utils.generic_utils': 1, 'keras.utils.io_utils': 1, 'keras.utils.np_utils': 1,
    'keras.utils.conv_utils': 1, 'keras.utils.data_utils': 1, 'keras.utils.layer_utils': 1,
    'keras.legacy.interfaces': 1,
    'keras.activations': 2, 'keras.initializers': 2, 'keras.regularizers': 2,
    'keras.constraints': 2, 'keras.losses': 2, 'keras.objectives': 2, 'keras.metrics': 2,
    'keras.optimizers': 2, 'keras.callbacks': 2,
    'keras.engine': 3,
    'keras.layers': 4, 'keras.legacy': 4,
    'keras.models': 5,
    'keras.utils': 6, 'keras.applications': 6, 'keras.preprocessing': 6,
    'keras.datasets': 6, 'keras.wrappers': 6,
    'keras': 7,
}

def _layer(module):
    parts = module.split('.')
    for n in range(len(parts), 0, -1):
        prefix = '.'.join(parts[:n])
        if prefix in LAYERS:
            return LAYERS[prefix]
    raise AssertionError('no layer for %s: add it to LAYERS' % module)


def _module_name(path):
    rel = os.path.relpath(path, os.path.dirname(ROOT))[:-3].replace(os.sep, '.')
    return rel[:-len('.__init__')] if rel.endswith('.__init__') else rel


def _is_module(name):
    base = os.path.join(os.path.dirname(ROOT), *name.split('.'))
    return os.path.isdir(base) or os.path.exists(base + '.py')


def _imports(path, module):
    """(imported module, line, at module level) for every import of a keras module."""
    package = module if path.endswith('__init__.py') else module.rsplit('.', 1)[0]
    tree = ast.parse(open(path).read())
    deferred = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            deferred.update(id(n) for n in ast.walk(node) if n is not node)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split('.')[:len(package.split('.')) - node.level + 1]
                base = '.'.join(base + ([node.module] if node.module else []))
            else:
                base = node.module
            # `from keras import layers` imports the module keras.layers
            targets = [base + '.' + a.name if _is_module(base + '.' + a.name) else base
                       for a in node.names]
        else:
            continue
        for target in targets:
            if target == 'keras' or target.startswith('keras.'):
                yield target, node.lineno, id(node) not in deferred


def _all_imports():
    for directory, _, files in os.walk(ROOT):
        for name in sorted(files):
            if name.endswith('.py'):
                path = os.path.join(directory, name)
                module = _module_name(path)
                for target, line, top in _imports(path, module):
                    yield module, target, line, top


def _upward(top_level):
    return ['%s:%d imports %s' % (m, line, t) for m, t, line, top in _all_imports()
            if top == top_level and _layer(t) > _layer(m)]


def test_module_level_imports_point_down():
    assert not _upward(True), '\n'.join(_upward(True))


def test_deferred_imports_point_down():
    assert not _upward(False), '\n'.join(_upward(False))


def test_the_checker_sees_upward_imports(tmp_path):
    # the AST walk resolves relative imports, `from pkg import module` and deferred imports
    src = tmp_path / 'probe.py'
    src.write_text('from ..layers import core\nfrom .. import models\n'
                   'def f():\n    from ..engine import training\n')
    found = sorted((t, top) for t, _, top in _imports(str(src), 'keras.backend.probe'))
    assert found == [('keras.engine.training', False), ('keras.layers.core', True),
                     ('keras.models', True)]
    assert _layer('keras.layers.core') > _layer('keras.engine.training') > _layer('keras.backend')
