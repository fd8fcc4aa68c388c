"""Data-parallel helpers: a 1-D device mesh with batch-sharded inputs and replicated params.

Used by `keras.utils.multi_gpu_model`; the engine applies `place_batch` to input arrays and
`constrain_batch` to the batch inside compiled steps of a model that carries a
`BatchSharding` as its `_input_sharding`.
"""
import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

BATCH_AXIS = 'batch'


def devices():
    """Descriptions of the devices of the default platform, e.g. ['/cpu:0', '/cpu:1']."""
    return ['/%s:%d' % (d.platform, i) for i, d in enumerate(jax.devices())]


def device_count():
    return len(jax.devices())


class BatchSharding(object):
    """Batch-axis sharding over the devices at `device_indices` of `jax.devices()`."""

    def __init__(self, device_indices):
        all_devices = jax.devices()
        self.device_indices = [int(i) for i in device_indices]
        self.devices = [all_devices[i] for i in self.device_indices]
        self.mesh = Mesh(np.array(self.devices), (BATCH_AXIS,))
        self.batch = NamedSharding(self.mesh, PartitionSpec(BATCH_AXIS))
        self.replicated = NamedSharding(self.mesh, PartitionSpec())

    @property
    def num_devices(self):
        return len(self.devices)

    def _spec_for(self, shape):
        # Shard the leading (batch) axis when it splits evenly; otherwise replicate.
        if len(shape) >= 1 and shape[0] and shape[0] % self.num_devices == 0:
            return self.batch
        return self.replicated

    def place_batch(self, x):
        """Put an input array on the mesh, split along axis 0 (replicated if uneven)."""
        if x is None:
            return None
        x = np.asarray(x) if not isinstance(x, jax.Array) else x
        return jax.device_put(x, self._spec_for(x.shape))

    def constrain_batch(self, tree):
        """Inside a traced step: ask XLA to keep the batch leaves split along axis 0."""
        def constrain(a):
            if getattr(a, 'ndim', 0) >= 1 and a.shape[0] and a.shape[0] % self.num_devices == 0:
                return jax.lax.with_sharding_constraint(a, self.batch)
            return a
        return jax.tree_util.tree_map(constrain, tree)

    def replicate(self, x):
        return jax.device_put(x, self.replicated)


def batch_sharding(device_indices):
    """A `BatchSharding` over the given indices into the default platform's devices."""
    return BatchSharding(device_indices)


def shard_count(x):
    """Number of distinct devices holding pieces of array `x` (1 for host arrays)."""
    sharding = getattr(x, 'sharding', None)
    return len(sharding.device_set) if sharding is not None else 1


def shard_shapes(x):
    """Shapes of the per-device pieces of array `x`."""
    return [tuple(s.data.shape) for s in x.addressable_shards]
