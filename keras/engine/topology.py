"""Keras 2.2 `keras.engine.topology`: the graph classes and the HDF5 weight helpers,
re-exported from the modules that define them."""
from .base_layer import Layer, InputSpec, Node  # noqa: F401
from .input_layer import Input, InputLayer  # noqa: F401
from .network import Network  # noqa: F401
Container = Network   # the Keras 2.0 name, still exported by Keras 2.2
from ..utils.layer_utils import get_source_inputs  # noqa: F401
from .saving import (save_weights_to_hdf5_group, load_weights_from_hdf5_group,  # noqa: F401
                     load_weights_from_hdf5_group_by_name, preprocess_weights_for_loading,
                     save_attributes_to_hdf5_group, load_attributes_from_hdf5_group)
