"""The examples in the docstrings that start with their imports are complete programs:
each runs as written (in a fresh namespace, in a temporary directory)."""
import importlib
import inspect
import json
import os
import re

import pytest

MANIFEST = os.path.join(os.path.dirname(__file__), 'fixtures', 'keras_api.json')
with open(MANIFEST) as _f:
    MODULES = json.load(_f)['modules']

BLOCK = re.compile(r'^# Examples?\n(?:.*\n)*?```python\n(.*?)```', re.M | re.S)


def complete_examples():
    """`(label, code)` for every example block of the public objects' docstrings (and their
    methods') whose first line is an import."""
    found, seen = [], set()
    for module_name, entries in sorted(MODULES.items()):
        module = importlib.import_module(module_name)
        for name, entry in sorted(entries.items()):
            if 'same_as' in entry or entry['kind'] not in ('class', 'function'):
                continue
            obj = getattr(module, name)
            targets = [(name, obj)] + [('%s.%s' % (name, m), getattr(obj, m, None))
                                       for m in entry.get('methods', {})]
            for label, target in targets:
                doc = inspect.getdoc(target) or ''
                for code in BLOCK.findall(doc):
                    code = code.strip('\n')
                    if code.startswith(('import ', 'from ')) and code not in seen:
                        seen.add(code)
                        found.append(('%s.%s' % (module_name, label), code))
    return found


EXAMPLES = complete_examples()


def test_the_main_classes_have_complete_examples():
    labels = {label for label, _ in EXAMPLES}
    for label in ('keras.Sequential', 'keras.Model', 'keras.layers.Dense',
                  'keras.layers.LSTM', 'keras.layers.Conv2D', 'keras.callbacks.EarlyStopping',
                  'keras.preprocessing.text.Tokenizer', 'keras.utils.Sequence'):
        assert label in labels


@pytest.mark.parametrize('label,code', EXAMPLES, ids=[label for label, _ in EXAMPLES])
def test_docstring_example_runs(label, code, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    exec(compile(code, '<example of %s>' % label, 'exec'), {'__name__': '__example__'})
