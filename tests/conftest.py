"""The suite runs on the backend `keras` selects (KERAS_BACKEND, default jax):

    KERAS_BACKEND=tensorflow python -m pytest -n 2 -q

Tests of one backend's internals carry `@pytest.mark.backends('jax')` (or the module sets
`pytestmark`); on another backend they are skipped with the reason given. Everything else is
backend-neutral and runs on both.
"""
import pytest

from keras import backend as K


def pytest_configure(config):
    config.addinivalue_line(
        'markers', "backends(*names, reason=...): run only on these backends ('jax', "
        "'tensorflow'), skipped with `reason` on the others")


def pytest_collection_modifyitems(config, items):
    active = K.backend()
    for item in items:
        marker = item.get_closest_marker('backends')
        if marker is not None and active not in marker.args:
            reason = marker.kwargs.get('reason', 'tests the %s backend' % '/'.join(marker.args))
            item.add_marker(pytest.mark.skip(reason='%s (backend in use: %s)' % (reason, active)))


@pytest.fixture
def floatx64():
    """`K.floatx()` is float64 for the test (on JAX that turns its 64-bit types on), float32
    again after."""
    K.set_floatx('float64')
    yield
    K.set_floatx('float32')


def pytest_report_header(config):
    return 'keras backend: %s' % K.backend()
