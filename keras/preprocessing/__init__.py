"""Data preprocessing: sequences, text and images."""
from . import sequence  # noqa: F401
from . import text  # noqa: F401
from . import image  # noqa: F401
