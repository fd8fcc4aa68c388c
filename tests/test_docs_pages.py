"""The API reference pages of the documentation site (`docs/api/*.md`) are what
`docs/gen_api_pages.py` writes from the API manifest: every public class and function is on a
page, once, and the pages follow the package (rerun the script when this fails)."""
import importlib.util
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _generator():
    spec = importlib.util.spec_from_file_location(
        'gen_api_pages', os.path.join(ROOT, 'docs', 'gen_api_pages.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_api_pages_are_up_to_date():
    gen = _generator()
    import json
    with open(gen.MANIFEST) as f:
        manifest = json.load(f)['modules']
    done = set()
    for slug, (title, intro, modules) in gen.PAGES.items():
        with open(os.path.join(ROOT, 'docs', 'api', slug + '.md')) as f:
            committed = f.read()
        assert committed == gen.page(title, intro, modules, manifest, done), (
            'docs/api/%s.md is out of date: run python docs/gen_api_pages.py' % slug)


def test_every_public_object_is_documented_once():
    gen = _generator()
    blocks = []
    for slug in gen.PAGES:
        with open(os.path.join(ROOT, 'docs', 'api', slug + '.md')) as f:
            blocks += re.findall(r'^::: (\S+)$', f.read(), flags=re.M)
    assert len(blocks) == len(set(blocks))
    for where in ('keras.engine.training.Model', 'keras.layers.core.Dense',
                  'keras.callbacks.TensorBoard', 'keras.backend.jax.ops.abs',
                  'keras.preprocessing.image.ImageDataGenerator'):
        assert where in blocks
    # every block names an object that exists where it says
    for where in blocks:
        module_name, _, name = where.rpartition('.')
        while True:
            try:
                obj = importlib.import_module(module_name)
                break
            except ImportError:
                module_name, _, outer = module_name.rpartition('.')
                name = outer + '.' + name
        for part in name.split('.'):
            obj = getattr(obj, part)
