"""Keras: the Python deep learning library (Keras 2.2 API), running on JAX or TensorFlow."""
from ._version import __version__  # noqa: F401
from . import _install_check

_install_check.check()   # says so when Keras 3 (pulled in by `pip install tensorflow`) replaced us

from . import backend  # noqa: F401,E402
from . import activations, initializers, regularizers, constraints  # noqa: F401,E402
from . import losses, metrics, optimizers  # noqa: F401,E402
from . import engine  # noqa: F401,E402
from . import layers  # noqa: F401,E402
from . import callbacks  # noqa: F401,E402
from . import models  # noqa: F401,E402
from . import utils  # noqa: F401,E402
from . import preprocessing, datasets, wrappers  # noqa: F401,E402
from . import applications  # noqa: F401,E402  (its models load on first use)
from . import legacy  # noqa: F401,E402  (keras.legacy.interfaces, as Keras 2.2.4 loads it)
from .models import Sequential, Model  # noqa: F401,E402
from .engine.input_layer import Input  # noqa: F401,E402
