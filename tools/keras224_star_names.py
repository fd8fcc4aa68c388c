"""Write `tests/fixtures/keras224_star_names.json`: per Keras 2.2.4 module, the names that
`from <module> import *` gave (its modules had no `__all__`, so every public top-level
name: definitions, assignments, imports, and the submodules a package's relative imports
bound), without the standard library's and other packages' names.

The names are read from the source of a git directory of keras-team/keras at tag 2.2.4
(`python tools/keras224_star_names.py --keras-git <dir>`); nothing is imported from it.
"""
import argparse
import ast
import json
import os
import subprocess

# the modules whose star imports Keras 2 code uses (layers, the API modules, the utils)
MODULES = ('keras.layers', 'keras.activations', 'keras.optimizers', 'keras.losses',
           'keras.metrics', 'keras.initializers', 'keras.regularizers', 'keras.constraints',
           'keras.models', 'keras.callbacks', 'keras.datasets.cifar10',
           'keras.datasets.cifar100', 'keras.utils', 'keras.utils.conv_utils',
           'keras.utils.np_utils', 'keras.utils.generic_utils', 'keras.utils.data_utils',
           'keras.utils.layer_utils', 'keras.utils.io_utils', 'keras.utils.vis_utils',
           'keras.wrappers.scikit_learn', 'keras.engine', 'keras.engine.topology',
           'keras.applications')
# names that are not Keras's: modules and functions of Python, NumPy, TensorFlow, Theano,
# six and the other packages Keras 2.2.4 imported
FOREIGN = frozenset('''
    absolute_import division print_function unicode_literals np six os sys warnings copy
    json types inspect functools collections threading time h5py yaml re math random shutil
    tarfile zipfile hashlib multiprocessing traceback marshal codecs csv io itertools string
    scipy pydot binascii tempfile datetime queue Queue urlopen urlretrieve HTTPError URLError
    closing pickle cPickle gzip tqdm contextmanager OrderedDict Iterable defaultdict deque
    partial wraps abstractmethod C T tf theano cntk moves range zip map Image pil_image
    ImageEnhance linalg ndi Request urllib sparse namedtuple requests python_types ThreadPool
    mp chunk_read keras_applications keras_preprocessing Number reduce signal platform
    socket struct distutils StrictVersion
'''.split())


def _top_level(statements):
    """The module's statements, those of its top-level `if`/`try`/`with` blocks included
    (not the bodies of its functions and classes)."""
    for node in statements:
        yield node
        for field in ('body', 'orelse', 'finalbody', 'handlers'):
            if not isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                for child in getattr(node, field, ()):
                    for sub in _top_level([child]):
                        yield sub


def star_names(source, is_package):
    names = set()
    declared = None
    for node in _top_level(ast.parse(source).body):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
                if isinstance(target, ast.Name) and target.id == '__all__':
                    declared = [e.value for e in node.value.elts]
        elif isinstance(node, ast.Import):
            names.update((a.asname or a.name).split('.')[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.update(a.asname or a.name for a in node.names if a.name != '*')
            if is_package and node.level == 1 and node.module:
                names.add(node.module.split('.')[0])
    if declared is not None:
        return sorted(declared)
    return sorted(n for n in names if not n.startswith('_') and n not in FOREIGN)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--keras-git', required=True, help='git directory of keras-team/keras')
    parser.add_argument('--out', default=os.path.join(os.path.dirname(__file__), '..', 'tests',
                                                      'fixtures', 'keras224_star_names.json'))
    args = parser.parse_args()

    def show(path):
        return subprocess.check_output(['git', '--git-dir', args.keras_git, 'show',
                                        '2.2.4:' + path]).decode('utf8', 'replace')
    files = subprocess.check_output(['git', '--git-dir', args.keras_git, 'ls-tree', '-r',
                                     '--name-only', '2.2.4', 'keras/']).decode().split()
    out = {}
    for path in files:
        if not path.endswith('.py'):
            continue
        is_package = path.endswith('/__init__.py')
        module = (path[:-len('/__init__.py')] if is_package else path[:-3]).replace('/', '.')
        if module in MODULES or (module.startswith('keras.layers.') and
                                 'theano' not in module and 'cntk' not in module):
            # (what a module gave in a star import beside its own: `from x import *`
            # lines are left out, their names are those modules')
            out[module] = star_names(show(path), is_package)
    with open(args.out, 'w') as f:
        json.dump(out, f, indent=1, sort_keys=True)
    print('%d modules -> %s' % (len(out), args.out))


if __name__ == '__main__':
    main()
