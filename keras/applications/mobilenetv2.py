"""`keras.applications.mobilenetv2`: the Keras 2.2 module name of `mobilenet_v2`, kept for
code written against it."""
from .mobilenet_v2 import *  # noqa: F401,F403
