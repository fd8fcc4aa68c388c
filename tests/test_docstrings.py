"""The core training and saving API documents itself: a docstring for each method, naming
every argument of its signature (what `help(model.fit)` shows)."""
import inspect

import pytest

from keras.engine.network import Network
from keras.models import Model, Sequential

CORE = ['compile', 'fit', 'evaluate', 'predict', 'train_on_batch', 'test_on_batch',
        'predict_on_batch', 'fit_generator', 'evaluate_generator', 'predict_generator',
        'save', 'save_weights', 'load_weights', 'summary', 'get_layer', 'to_json',
        'get_weights', 'set_weights']


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
