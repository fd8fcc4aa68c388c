"""`import keras` says so when the registry's Keras 3 has replaced this package (as a plain
`pip install tensorflow` does: TensorFlow requires keras>=3)."""
import os
import warnings

import pytest

import keras
from keras import _install_check


def test_this_installation_passes_quietly():
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        assert _install_check.check(version=keras.__version__, locations=[]) is None
        assert _install_check.check(version=None, locations=[]) is None


def test_keras3_in_pip_metadata_is_reported():
    with pytest.warns(RuntimeWarning) as record:
        text = _install_check.check(version='3.15.1', locations=[])
    message = str(record[0].message)
    assert message == text
    assert '3.15.1' in message and keras.__version__ in message
    assert "--no-deps 'tensorflow" in message          # how to restore it
    assert os.path.dirname(keras.__file__) in message   # which copy was imported


def test_keras3_package_on_sys_path_is_found(tmp_path):
    src = tmp_path / 'keras' / 'src'
    src.mkdir(parents=True)
    (src / '__init__.py').write_text('')
    (tmp_path / 'other').mkdir()
    assert _install_check.keras3_locations([str(tmp_path), str(tmp_path / 'other'), '']) == \
        [str(tmp_path / 'keras')]
    with pytest.warns(RuntimeWarning, match='Keras 3 package is installed at'):
        _install_check.check(version=keras.__version__,
                             locations=_install_check.keras3_locations([str(tmp_path)]))
