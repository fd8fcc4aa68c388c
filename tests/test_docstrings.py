"""The public API documents itself.

* The core training and saving methods have a docstring naming every argument of their
  signature (what `help(model.fit)` shows).
* Every public class, function and method of the Keras 2.2.4 API manifest
  (`fixtures/keras_api.json`, a copy of the project's `../shared/spec/keras_api.json`) has a
  docstring: a class its own, a method its own or the one of the method it overrides.
* Those docstrings list every named argument of the manifest's signature as an entry
  `name: description` (the Keras 2 `# Arguments` style; a class documents its constructor),
  and every function that returns something says what in a `# Returns` section.
* The functions and classes Keras 2.2.4's own documentation test read follow its docstring
  style (a one-sentence first line, `# Arguments` / `# Returns` / `# Raises` as the code
  needs them, entries in signature order); the TensorFlow backend's counterparts are read
  from their source when TensorFlow is not the backend in use.
"""
import ast
import importlib
import inspect
import json
import os
import re
import textwrap

import pytest

from keras import backend as K
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


def _function_node(source):
    tree = ast.parse(textwrap.dedent(source))
    return next(n for n in ast.walk(tree)
                if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)))


def _code_effects(node):
    """(returns a value, raises an exception) in the code of function `node` itself."""
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


def _doc_problems(label, doc, names, node):
    """The rules on the docstring `doc` of function `node` with parameters `names`."""
    if doc is None:
        return ['%s: no docstring' % label]
    problems = []
    first = doc.split('\n')[0].strip()
    if not first.endswith('.'):
        problems.append('%s: the first line is not a sentence ending with a period: %r'
                        % (label, first))
    lines = [line.strip() for line in doc.split('\n')]
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
    returns, raises = _code_effects(node)
    for wanted, heading in ((bool(names), '# Arguments'), (returns, '# Returns'),
                            (raises, '# Raises')):
        if wanted and heading not in lines:
            problems.append('%s: no %r section' % (label, heading))
    for heading in SECTIONS:
        if heading in lines and lines[lines.index(heading) - 1] != '':
            problems.append('%s: no blank line above %r' % (label, heading))
    return problems


def _too_small(source):
    # Keras 2.2.4's measure: the pieces of the source split at newlines (decorators included)
    return len(source.split('\n')) < STYLE_MIN_LINES


def style_problems(label, obj):
    """What the docstring of `obj` (a function, method or class) breaks of the rules above."""
    source = inspect.getsource(obj)
    if _too_small(source):
        return []
    if inspect.isclass(obj):
        return [] if obj.__doc__ is not None else ['%s: no docstring' % label]
    return _doc_problems(label, obj.__doc__, list(inspect.signature(obj).parameters),
                         _function_node(source))


def style_report(module_names=STYLE_MODULES):
    return [problem for label, obj in sorted(style_surface(module_names).items())
            for problem in style_problems(label, obj)]


def test_the_docstrings_follow_the_keras_2_style():
    problems = style_report()
    assert not problems, '%d docstring problems:\n%s' % (len(problems), '\n'.join(problems))


# The TensorFlow backend's modules are only imported with KERAS_BACKEND=tensorflow (and
# TensorFlow installed): there, the test above checks them. Here, their functions and classes
# that are counterparts of the active backend's ones on the surface (`keras.backend.tensorflow.
# ops.clip` for `keras.backend.jax.ops.clip`) are checked from their source.
TF_BACKEND_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                              'keras', 'backend', 'tensorflow')


def _signature_names(node):
    a = node.args
    names = [x.arg for x in a.posonlyargs + a.args]
    names += [a.vararg.arg] if a.vararg else []
    names += [x.arg for x in a.kwonlyargs]
    names += [a.kwarg.arg] if a.kwarg else []
    return names


def source_style_report(directory, names):
    """The rules on the top-level functions and classes named in `names` of the modules in
    `directory`, read from their source."""
    problems = []
    for filename in sorted(os.listdir(directory)):
        if not filename.endswith('.py'):
            continue
        path = os.path.join(directory, filename)
        with open(path) as f:
            text = f.read()
        lines = text.split('\n')
        for node in ast.parse(text).body:
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or \
                    node.name not in names:
                continue
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            if _too_small('\n'.join(lines[start - 1:node.end_lineno]) + '\n'):
                continue
            label = '%s: %s' % (os.path.relpath(path), node.name)
            doc = ast.get_docstring(node, clean=False)
            if isinstance(node, ast.ClassDef):
                # a docstring, or one assigned (`__doc__ = Other.__doc__`)
                if doc is None and not any(
                        isinstance(n, ast.Assign) and
                        any(getattr(t, 'id', None) == '__doc__' for t in n.targets)
                        for n in node.body):
                    problems.append('%s: no docstring' % label)
                continue
            problems += _doc_problems(label, doc, _signature_names(node), node)
    return problems


def _backend_names():
    prefix = 'keras.backend.%s.' % K.backend()
    return {label.rsplit('.', 1)[1] for label in style_surface() if label.startswith(prefix)}


def test_the_tensorflow_backend_docstrings_follow_the_keras_2_style():
    problems = source_style_report(TF_BACKEND_DIR, _backend_names())
    assert not problems, '%d docstring problems:\n%s' % (len(problems), '\n'.join(problems))



def _documented_example(x, *args, **kwargs):
    """Adds one to `x`.

    # Arguments
        x: a number.
        args: ignored.
        kwargs: ignored.

    # Returns
        `x + 1`.

    # Raises
        TypeError: if `x` is None.
    """
    if x is None:
        raise TypeError('x is None')
    return x + 1


def _nested_only(x):
    """Builds a function and calls it.

    # Arguments
        x: a number.
    """
    def inner(y):
        if y is None:
            raise TypeError('y is None')
        return x + y
    inner(x)


def test_the_style_check_reports_each_broken_rule(monkeypatch):
    """Each rule, broken in a copy of a conforming docstring, is reported (and only it); what
    a nested function returns or raises is not the outer function's."""
    good = _documented_example.__doc__
    assert style_problems('f', _documented_example) == []
    assert style_problems('f', _nested_only) == []

    def problems(doc):
        monkeypatch.setattr(_documented_example, '__doc__', doc)
        return style_problems('f', _documented_example)

    assert problems(None) == ['f: no docstring']
    assert problems(good.replace('Adds one to `x`.', 'Adds one to `x`')) == [
        "f: the first line is not a sentence ending with a period: 'Adds one to `x`'"]
    assert problems('\n    ' + good) == [
        "f: the first line is not a sentence ending with a period: ''"]
    assert problems(good.replace('kwargs: ignored.', 'kwargs ignored.')) == [
        "f: no `name: ...` entry for ['kwargs']"]
    swapped = good.replace('        args: ignored.\n        kwargs: ignored.',
                           '        kwargs: ignored.\n        args: ignored.')
    assert problems(swapped) == [
        "f: the entries are not in the order of the signature ['x', 'args', 'kwargs']"]
    assert problems(good.replace('# Arguments', 'Arguments:')) == [
        "f: no '# Arguments' section"]
    assert problems(good.split('    # Returns')[0] + '    # Raises\n        E: e.\n') == [
        "f: no '# Returns' section"]
    assert problems(good.split('    # Raises')[0]) == ["f: no '# Raises' section"]
    assert problems(good.replace('`x + 1`.\n\n', '`x + 1`.\n')) == [
        "f: no blank line above '# Raises'"]


def test_the_style_check_reaches_the_keras_surface(monkeypatch):
    """A function, a class method and a class of the surface with a broken docstring are
    reported, under the module and class that define them (a variable's operators are
    defined by its base class); `from_config` is not checked."""
    from keras import optimizers
    from keras.backend.scopes import VariableBase
    from keras.layers import core
    assert style_report() == []
    monkeypatch.setattr(optimizers.get, '__doc__', optimizers.get.__doc__.split('# Raises')[0])
    monkeypatch.setattr(core.Dense, '__doc__', None)
    define = VariableBase._define_operators.__func__
    monkeypatch.setattr(define, '__doc__', define.__doc__.replace('comparisons:', 'comparisons'))
    surface = style_surface()
    assert 'keras.engine.network.Network' in surface
    assert 'keras.engine.network.Network.from_config' not in surface      # excepted by name
    assert sorted(style_report()) == [
        "keras.backend.scopes._Operand._define_operators: no `name: ...` entry for "
        "['comparisons']",
        'keras.layers.core.Dense: no docstring',
        "keras.optimizers.get: no '# Raises' section"]


def test_the_source_check_reads_functions_and_classes(tmp_path):
    """The check from source applies the rules to the named functions and classes only,
    counts decorators in the size and accepts a class docstring assigned to `__doc__`."""
    body = '\n'.join('    y = %d' % i for i in range(8))
    (tmp_path / 'ops.py').write_text(
        'def named(x, *rest):\n    """No period"""\n%s\n    return x\n\n\n' % body +
        'def other(x):\n%s\n    return x\n\n\n' % body +
        '@decorated\n@twice\n@thrice\ndef short(x):\n    y = 1\n    y = 2\n    y = 3\n    y = 4\n'
        '    return x\n\n\n'
        'class Scope(object):\n    __doc__ = Base.__doc__\n%s\n\n\n' % body +
        'class Bare(object):\n%s\n' % body)
    problems = source_style_report(str(tmp_path), {'named', 'short', 'Scope', 'Bare'})
    label = os.path.relpath(str(tmp_path / 'ops.py'))
    assert problems == [
        "%s: named: the first line is not a sentence ending with a period: 'No period'" % label,
        "%s: named: no `name: ...` entry for ['x', 'rest']" % label,
        "%s: named: no '# Arguments' section" % label,
        "%s: named: no '# Returns' section" % label,
        "%s: short: no docstring" % label,
        "%s: Bare: no docstring" % label]
