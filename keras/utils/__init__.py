from . import generic_utils  # noqa: F401
from . import np_utils  # noqa: F401
from . import data_utils  # noqa: F401
from . import io_utils  # noqa: F401
from . import conv_utils  # noqa: F401
from .generic_utils import (CustomObjectScope, custom_object_scope, get_custom_objects,  # noqa: F401
                            serialize_keras_object, deserialize_keras_object, Progbar)
from .np_utils import to_categorical, normalize  # noqa: F401
from .data_utils import get_file, Sequence, OrderedEnqueuer, GeneratorEnqueuer, SequenceEnqueuer  # noqa: F401
from .io_utils import HDF5Matrix, H5Dict, h5dict  # noqa: F401
from . import vis_utils  # noqa: F401
from .vis_utils import plot_model, model_to_dot  # noqa: F401
from . import multi_gpu_utils  # noqa: F401
from .multi_gpu_utils import multi_gpu_model  # noqa: F401
from . import layer_utils  # noqa: F401,E402
from .layer_utils import print_summary, get_source_inputs, convert_all_kernels_in_model  # noqa: F401,E402
