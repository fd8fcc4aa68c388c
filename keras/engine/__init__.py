from .base_layer import Layer, InputSpec, Node  # noqa: F401
from .input_layer import Input, InputLayer  # noqa: F401
from .network import Network  # noqa: F401
from .training import Model  # noqa: F401
from . import op_layer  # noqa: F401  (installs the symbolic-op handler)
from . import graph_functions  # noqa: F401  (installs K.function / K.gradients / K.placeholder)
from ..utils.layer_utils import get_source_inputs  # noqa: F401
