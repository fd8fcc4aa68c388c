"""Keras 2.2.4's older module name of `keras.applications.mobilenet_v2`."""
from .mobilenet_v2 import *  # noqa: F401,F403
from .mobilenet_v2 import MobileNetV2, preprocess_input, decode_predictions  # noqa: F401
