"""Keras 2.2 `keras.backend.common`: the backend-independent configuration functions."""
from .config import (epsilon, set_epsilon, floatx, set_floatx,  # noqa: F401
                     image_data_format, set_image_data_format, image_dim_ordering,
                     set_image_dim_ordering, normalize_data_format)
from .ops import cast_to_floatx  # noqa: F401
