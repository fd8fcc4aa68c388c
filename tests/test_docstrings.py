"""The public API documents itself.

* The core training and saving methods have a docstring naming every argument of their
  signature (what `help(model.fit)` shows).
* Every public class, function and method of the Keras 2.2.4 API manifest
  (`fixtures/keras_api.json`, a copy of the project's `../shared/spec/keras_api.json`) has a
  docstring: a class its own, a method its own or the one of the method it overrides.
* Those docstrings list every named argument of the manifest's signature as an entry
  `name: description` (the Keras 2 `# Arguments` style; a class documents its constructor),
  and every function that returns something says what in a `# Returns` section.
"""
import importlib
import inspect
import json
import os
import re

import pytest

from keras.engine.network import Network
from keras.models import Model, Sequential

CORE = ['compile', 'fit', 'evaluate', 'predict', 'train_on_batch', 'test_on_batch',
        'predict_on_batch', 'fit_generator', 'evaluate_generator', 'predict_generator',
        'save', 'save_weights', 'load_weights', 'summary', 'get_layer', 'to_json',
        'get_weights', 'set_weights']

MANIFEST = os.path.join(os.path.dirname(__file__), 'fixtures', 'keras_api.json')
with open(MANIFEST) as _f:
    MODULES = json.load(_f)['modules']


@pytest.mark.parametrize('name', CORE)
@pytest.mark.parametrize('cls', [Model, Sequential])
def test_core_methods_document_every_argument(cls, name):
    method = getattr(cls, name)
    doc = inspect.getdoc(method)
    assert doc, '%s.%s has no docstring' % (cls.__name__, name)
    fn = getattr(method, '_original_function', method)     # legacy-interface wrappers
    params = [p for p in inspect.signature(fn).parameters.values()
              if p.name != 'self' and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    missing = [p.name for p in params if p.name not in doc]
    assert not missing, '%s.%s does not document %s' % (cls.__name__, name, missing)
    if params:
        assert '# Arguments' in doc


def test_help_on_fit_shows_the_arguments():
    text = inspect.getdoc(Model.fit)
    for arg in ('batch_size', 'epochs', 'validation_split', 'class_weight', 'initial_epoch'):
        assert arg in text
    assert '# Returns' in text and 'History' in text
    assert Network.save.__doc__ and Model.save.__doc__ == Network.save.__doc__


def _documented(obj, is_class=False):
    if is_class:
        return bool((obj.__dict__.get('__doc__') or '').strip())
    doc = inspect.getdoc(obj)
    return bool(doc and doc.strip())


def undocumented(module_name):
    """The manifest names of `module_name` (`'Dense'`, `'Dense.call'`) whose object has no
    docstring. Re-exports (`same_as`), constants, modules and third-party objects are
    checked where they are defined or not at all."""
    module = importlib.import_module(module_name)
    missing = []
    for name, entry in sorted(MODULES[module_name].items()):
        if 'same_as' in entry or entry['kind'] in ('constant', 'module') or entry.get('external'):
            continue
        obj = getattr(module, name, None)
        if obj is None:
            missing.append(name + ' (absent)')
            continue
        is_class = entry['kind'] == 'class'
        if not _documented(obj, is_class):
            missing.append(name)
        if not is_class:
            continue
        for method_name in entry.get('methods', {}):
            method = getattr(obj, method_name, None)
            # a protocol method inheriting `object`'s docstring ("Implement iter(self).")
            # does not count
            generic = inspect.getdoc(getattr(object, method_name, None))
            if method is None or not _documented(method) or inspect.getdoc(method) == generic:
                missing.append('%s.%s' % (name, method_name))
    return missing


@pytest.mark.parametrize('module_name', sorted(MODULES))
def test_every_public_object_of_the_manifest_has_a_docstring(module_name):
    missing = undocumented(module_name)
    assert not missing, '%s: no docstring for %s' % (module_name, ', '.join(missing))


def test_the_docstring_check_fails_on_a_missing_docstring(monkeypatch):
    """The check above reports a function, a class and a method whose docstring is removed
    (a method without a docstring of its own or of what it overrides)."""
    from keras import callbacks, losses
    from keras.layers import core
    assert undocumented('keras.losses') == []
    monkeypatch.setattr(losses.mean_squared_error, '__doc__', None)
    monkeypatch.setattr(core.Dense, '__doc__', None)
    monkeypatch.setattr(callbacks.Callback.on_epoch_end, '__doc__', None)
    assert {'mean_squared_error', 'MSE', 'mse'} <= set(undocumented('keras.losses'))
    assert 'Dense' in undocumented('keras.layers')
    missing = undocumented('keras.callbacks')
    assert 'Callback.on_epoch_end' in missing and 'History.on_epoch_end' in missing
    assert 'History.on_batch_end' not in missing


def _named_params(entry):
    """The manifest's named parameters (not `*args`/`**kwargs`, not the positional-only
    `_...` ones) of a function, a class constructor or a method."""
    params = entry.get('effective_params') or entry.get('params', [])
    return [p[0] for p in params
            if p[2] in ('required', 'optional', 'kwonly') and not p[0].startswith('_')]


def _unlisted(doc, names):
    return [n for n in names if not re.search(r'^\s*%s:' % re.escape(n), doc or '', re.M)]


def undocumented_arguments(module_name):
    """`{'Dense': ['units'], 'Model.fit': [...]}`: the manifest arguments of `module_name`'s
    objects that their docstrings do not list as `name: ...` entries."""
    module = importlib.import_module(module_name)
    missing = {}
    for name, entry in sorted(MODULES[module_name].items()):
        if 'same_as' in entry or entry['kind'] not in ('class', 'function') or \
                entry.get('external'):
            continue
        obj = getattr(module, name)
        unlisted = _unlisted(inspect.getdoc(obj), _named_params(entry))
        if unlisted:
            missing[name] = unlisted
        if entry['kind'] != 'class':
            continue
        for method_name, method_entry in entry.get('methods', {}).items():
            if method_name.startswith('__'):
                continue
            method = getattr(obj, method_name)
            unlisted = _unlisted(inspect.getdoc(method), _named_params(method_entry))
            if unlisted:
                missing['%s.%s' % (name, method_name)] = unlisted
    return missing


@pytest.mark.parametrize('module_name', sorted(MODULES))
def test_every_public_object_documents_its_arguments(module_name):
    missing = undocumented_arguments(module_name)
    assert not missing, '%s: arguments without a `name: ...` entry: %s' % (module_name, missing)


def test_the_argument_check_fails_on_an_unlisted_argument(monkeypatch):
    from keras import backend as K
    from keras.layers import core
    assert undocumented_arguments('keras.layers') == {}
    doc = core.Dense.__doc__
    monkeypatch.setattr(core.Dense, '__doc__', doc.replace('units:', 'number of units,'))
    monkeypatch.setattr(core.Dense.compute_output_shape, '__doc__', None)   # inherits Layer's
    monkeypatch.setattr(K.clip, '__doc__', K.clip.__doc__.replace('max_value:', 'max value'))
    assert undocumented_arguments('keras.layers')['Dense'] == ['units']
    assert 'Dense.compute_output_shape' not in undocumented_arguments('keras.layers')
    assert undocumented_arguments('keras.backend') == {'clip': ['max_value']}


# the public functions of the manifest that return nothing (setters, savers, printers, ...)
NO_RESULT = {
    'keras.backend.batch_set_value', 'keras.backend.clear_session', 'keras.backend.get_session',
    'keras.backend.manual_variable_initialization', 'keras.backend.name_scope',
    'keras.backend.reset_uids', 'keras.backend.set_epsilon', 'keras.backend.set_floatx',
    'keras.backend.set_image_data_format', 'keras.backend.set_image_dim_ordering',
    'keras.backend.set_learning_phase', 'keras.backend.set_session', 'keras.backend.set_value',
    'keras.models.save_model', 'keras.preprocessing.image.save_img',
    'keras.utils.convert_all_kernels_in_model', 'keras.utils.plot_model',
    'keras.utils.print_summary', 'keras.utils.data_utils.init_pool',
    'keras.utils.data_utils.init_pool_generator',
    'keras.utils.layer_utils.convert_dense_weights_data_format'}


def _objects(labels):
    out = set()
    for label in labels:
        module_name, _, name = label.rpartition('.')
        out.add(id(getattr(importlib.import_module(module_name), name)))
    return out


def functions_without_returns(module_name):
    """The manifest functions of `module_name` whose docstring has no `# Returns` section
    (the functions of `NO_RESULT`, under any of their names, excepted)."""
    module = importlib.import_module(module_name)
    silent = _objects(NO_RESULT)
    return [name for name, entry in sorted(MODULES[module_name].items())
            if entry['kind'] == 'function' and 'same_as' not in entry
            and id(getattr(module, name)) not in silent
            and '# Returns' not in (inspect.getdoc(getattr(module, name)) or '')]


@pytest.mark.parametrize('module_name', sorted(MODULES))
def test_every_public_function_says_what_it_returns(module_name):
    missing = functions_without_returns(module_name)
    assert not missing, '%s: no "# Returns" section in %s' % (module_name, missing)


def test_the_returns_check_fails_on_a_missing_section(monkeypatch):
    from keras import losses
    assert all(label.rpartition('.')[0] in MODULES for label in NO_RESULT)
    assert functions_without_returns('keras.losses') == []
    doc = losses.mean_squared_error.__doc__
    monkeypatch.setattr(losses.mean_squared_error, '__doc__', doc.split('# Returns')[0])
    assert {'mean_squared_error', 'mse', 'MSE'} <= set(functions_without_returns('keras.losses'))


# ------------------------------------------------------------------ Keras 2 docstring style
# Keras 2.2.4 checked the style of the docstrings of its public surface: the functions and
# classes found as attributes of the modules below (and of the `*keras*`-named modules among
# them), defined in keras, at least STYLE_MIN_LINES source lines long, `from_config` and two
# modules excepted; of a class, its docstring and its class methods. The rules:
# * a docstring whose first line is a sentence (non-empty, ending with '.');
# * every parameter of the signature (`*args` and `**kwargs` by their names) listed as an
#   entry `name: ...`, in the order of the signature, under `# Arguments`;
# * `# Returns` when the code returns a value and `# Raises` when it raises an exception
#   (a nested function's `return` and `raise` count for the nested function only);
# * a blank line above each `# Arguments`, `# Returns` and `# Raises` heading.
STYLE_MODULES = ['keras', 'keras.layers', 'keras.models', 'keras.backend',
                 'keras.backend.tensorflow_backend', 'keras.engine', 'keras.wrappers',
                 'keras.utils', 'keras.callbacks', 'keras.activations', 'keras.losses',
                 'keras.optimizers']
STYLE_SKIP_MODULES = {'keras.legacy.layers', 'keras.utils.generic_utils'}
STYLE_SKIP_NAMES = {'from_config'}
STYLE_MIN_LINES = 10
SECTIONS = ('# Arguments', '# Returns', '# Raises')


def _is_own(obj):
    module = getattr(obj, '__module__', None) or ''
    return 'keras' in module and module not in STYLE_SKIP_MODULES


def style_surface(module_names=STYLE_MODULES):
    """`{label: object}`: the functions, class methods and classes whose style is checked."""
    found = {}
    seen_modules = set()

    def visit(module):
        if module.__name__ in seen_modules:
            return
        seen_modules.add(module.__name__)
        for name, obj in sorted(vars(module).items()):
            if inspect.ismodule(obj):
                if 'keras' in name:
                    visit(obj)
                continue
            if name in STYLE_SKIP_NAMES or not _is_own(obj):
                continue
            if inspect.isclass(obj):
                found.setdefault(id(obj), ('%s.%s' % (obj.__module__, obj.__qualname__), obj))
                for method_name, method in inspect.getmembers(obj, inspect.ismethod):
                    if method_name not in STYLE_SKIP_NAMES and _is_own(method):
                        found.setdefault(id(method.__func__), (
                            '%s.%s' % (method.__module__, method.__qualname__), method))
            elif inspect.isfunction(obj):
                found.setdefault(id(obj), ('%s.%s' % (obj.__module__, obj.__qualname__), obj))

    for module_name in module_names:
        visit(importlib.import_module(module_name))
    return dict(found.values())


def _code_effects(obj):
    """(returns a value, raises an exception) in the code of function `obj` itself."""
    import ast
    import textwrap
    tree = ast.parse(textwrap.dedent(inspect.getsource(obj)))
    node = next(n for n in ast.walk(tree)
                if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)))
    returns = raises = False
    todo = list(node.body)
    while todo:
        n = todo.pop()
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(n, ast.Return) and n.value is not None:
            returns = True
        if isinstance(n, ast.Raise) and n.exc is not None:
            raises = True
        todo.extend(ast.iter_child_nodes(n))
    return returns, raises


def style_problems(label, obj):
    """What the docstring of `obj` (a function, method or class) breaks of the rules above."""
    if len(inspect.getsource(obj).split('\n')) < STYLE_MIN_LINES:
        return []
    doc = obj.__doc__
    if doc is None:
        return ['%s: no docstring' % label]
    if inspect.isclass(obj):
        return []
    problems = []
    first = doc.split('\n')[0].strip()
    if not first.endswith('.'):
        problems.append('%s: the first line is not a sentence ending with a period: %r'
                        % (label, first))
    lines = [line.strip() for line in doc.split('\n')]
    names = list(inspect.signature(obj).parameters)
    entries = {}
    for i, line in enumerate(lines):
        match = re.match(r'\**(\w+):(\s|$)', line)
        if match and match.group(1) in names:
            entries.setdefault(match.group(1), i)
    unlisted = [n for n in names if n not in entries]
    if unlisted:
        problems.append('%s: no `name: ...` entry for %s' % (label, unlisted))
    order = [n for n in names if n in entries]
    if order != sorted(order, key=entries.get):
        problems.append('%s: the entries are not in the order of the signature %s'
                        % (label, names))
    returns, raises = _code_effects(obj)
    for wanted, heading in ((bool(names), '# Arguments'), (returns, '# Returns'),
                            (raises, '# Raises')):
        if wanted and heading not in lines:
            problems.append('%s: no %r section' % (label, heading))
    for heading in SECTIONS:
        if heading in lines and lines[lines.index(heading) - 1] != '':
            problems.append('%s: no blank line above %r' % (label, heading))
    return problems


def style_report(module_names=STYLE_MODULES):
    return [problem for label, obj in sorted(style_surface(module_names).items())
            for problem in style_problems(label, obj)]


def test_the_docstrings_follow_the_keras_2_style():
    problems = style_report()
    assert not problems, '%d docstring problems:\n%s' % (len(problems), '\n'.join(problems))
