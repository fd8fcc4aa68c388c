"""The JAX backend's TensorBoard summary writer (`keras.backend.summary`).

JAX has no summary writer of its own: event files are written with the `tensorboard`
package's protobufs and `EventFileWriter` (`keras.backend.summary_writers`), so TensorFlow is
not needed.
"""
from ..summary_writers import EventFileSummaryWriter as SummaryWriter  # noqa: F401
