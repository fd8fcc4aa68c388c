"""Late binding between the layers of the package (see docs/architecture.md).

Imports point down: backend, then engine, then layers, then models. A few lower modules
need an object defined higher up: the backend's `K.function`, `K.gradients` and
`K.placeholder` run symbolic graphs (engine); the engine deserializes layers by class name
(layers). The module that defines such an object calls `provide(name, obj)` when it is
imported, and the lower module calls `lookup(name)` when it runs. `import keras` imports
every package, so everything is provided before user code runs. This is the one
sanctioned way for a dependency to point up.
"""
_PROVIDED = {}


def provide(name, obj):
    """Make `obj` available to lower layers as `name`; returns `obj`."""
    _PROVIDED[name] = obj
    return obj


def lookup(name):
    """The object provided as `name`."""
    try:
        return _PROVIDED[name]
    except KeyError:
        raise RuntimeError('%r has not been provided yet: it is defined by a keras package '
                           'that has not been imported (import keras first)' % (name,))
