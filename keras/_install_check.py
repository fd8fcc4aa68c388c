"""Is this package the `keras` that pip has installed? TensorFlow's package requires the
registry's Keras 3 (`keras>=3`), which has the same distribution and import name: a plain
`pip install tensorflow` uninstalls this package and installs Keras 3 in its place. After that,
`import keras` gives Keras 3 everywhere except where this source tree is first on `sys.path`
(the repository root, e.g. `python -m pytest` there), which is where this check runs: it warns
that the installation was replaced and how to restore it next to TensorFlow."""
import os
import sys
import warnings

from ._version import __version__

_RESTORE = ("pip install -e '.[tensorflow]' && pip install --no-deps 'tensorflow==2.21.*' "
            "(README: 'Adding TensorFlow')")


def installed_version():
    """The version pip records for the distribution 'keras', or None."""
    try:
        from importlib import metadata
        return metadata.version('keras')
    except Exception:
        return None


def keras3_locations(paths=None):
    """Directories on `sys.path` holding a Keras 3 package (its `keras/src` tree)."""
    found = []
    for entry in (sys.path if paths is None else paths):
        if entry and os.path.isfile(os.path.join(entry, 'keras', 'src', '__init__.py')):
            found.append(os.path.join(entry, 'keras'))
    return found


def check(version=None, locations=None):
    """Warn when pip's 'keras' is another version than this package (Keras 3 replaced it)
    or a Keras 3 package sits on `sys.path`. Returns the warning text, or None."""
    version = installed_version() if version is None else version
    locations = keras3_locations() if locations is None else locations
    here = os.path.dirname(os.path.abspath(__file__))
    problems = []
    if version is not None and version != __version__ and version.split('.')[0] == '3':
        problems.append("pip's installed 'keras' is %s (the registry's Keras 3, which "
                        "`pip install tensorflow` pulls in), not this package (%s)"
                        % (version, __version__))
    others = [p for p in locations if os.path.abspath(p) != here]
    if others:
        problems.append('a Keras 3 package is installed at %s' % ', '.join(others))
    if not problems:
        return None
    text = ('keras: %s. This import found the Keras 2.2 rebuild at %s only because that '
            'directory comes first on sys.path; elsewhere `import keras` loads Keras 3. To '
            'keep this package next to TensorFlow, reinstall it and TensorFlow without its '
            'keras dependency: %s' % ('; '.join(problems), here, _RESTORE))
    warnings.warn(text, RuntimeWarning, stacklevel=3)
    return text
