from .base_layer import Layer, InputSpec, Node  # noqa: F401
from .input_layer import Input, InputLayer  # noqa: F401
from .network import Network  # noqa: F401
from .training import Model  # noqa: F401
from . import op_layer  # noqa: F401  (installs the symbolic-op handler)
from . import graph_functions  # noqa: F401  (installs K.function / K.gradients / K.placeholder)
from ..utils.layer_utils import get_source_inputs  # noqa: F401

# Keras 2.2.4's activations and callbacks modules imported these from the engine, so a star
# import of them gave them too; the engine, the layer above them, sets them there
from .. import activations as _activations, callbacks as _callbacks  # noqa: E402
from .training_utils import standardize_input_data as _standardize_input_data  # noqa: E402
_activations.Layer = Layer
_callbacks.standardize_input_data = _standardize_input_data
