"""Data-parallel helpers: a 1-D device mesh with batch-sharded inputs and replicated params.

Used by `keras.utils.multi_gpu_model`; the engine applies `place_batch` to input arrays and
`constrain_batch` to the batch inside compiled steps of a model that carries a
`BatchSharding` as its `_input_sharding`.

Several processes (hosts) join one mesh through JAX's distributed runtime: call
`initialize(...)` in every process before anything else touches the devices; then
`jax.devices()` lists the devices of all processes, `multi_gpu_model(model)` spans them and
each process feeds its own slice of every batch (see `keras/engine/multi_host.py`).
"""
import contextlib

import jax
import numpy as np
from jax.experimental import multihost_utils
from jax.sharding import Mesh, NamedSharding, PartitionSpec

BATCH_AXIS = 'batch'


def initialize(coordinator_address=None, num_processes=None, process_id=None,
               local_device_ids=None):
    """Join this process to a multi-process JAX runtime (one call per process, before any
    computation). Arguments as `jax.distributed.initialize` (on cloud TPU / SLURM they may
    be omitted). On CPU devices the cross-process collectives use gloo."""
    # (only the CPU backend reads this; asking for the devices here would start it too early)
    jax.config.update('jax_cpu_collectives_implementation', 'gloo')
    jax.distributed.initialize(coordinator_address=coordinator_address,
                               num_processes=num_processes, process_id=process_id,
                               local_device_ids=local_device_ids)


def process_count():
    return jax.process_count()


def process_index():
    return jax.process_index()


def broadcast_from_process_0(tree):
    """The values of process 0, on every process (identity with a single process)."""
    if jax.process_count() == 1:
        return tree
    return multihost_utils.broadcast_one_to_all(tree)


def assert_same_on_all_processes(value, message):
    if jax.process_count() > 1:
        multihost_utils.assert_equal(value, message)


def local_rows(x):
    """NumPy value of `x`; for an array sharded over several processes, the rows of axis 0
    held by this process (fully replicated arrays give the whole value)."""
    if not isinstance(x, jax.Array) or x.is_fully_addressable:
        return np.asarray(x)
    if x.is_fully_replicated:
        return np.asarray(x.addressable_data(0))
    pieces = {}
    for shard in x.addressable_shards:
        start = (shard.index[0].start or 0) if shard.index else 0
        pieces.setdefault(start, shard.data)
    return np.concatenate([np.asarray(pieces[k]) for k in sorted(pieces)])


def current_device():
    """None: placement on JAX comes from the mesh of `multi_gpu_model`, not from scopes
    around layer calls (the TensorFlow backend returns its `tf.device` scope)."""
    return None


def device_scope(name):
    """A context with no effect on JAX (see `current_device`)."""
    return contextlib.nullcontext()


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

    @property
    def process_count(self):
        return len({d.process_index for d in self.devices})

    @property
    def local_device_count(self):
        return sum(1 for d in self.devices if d.process_index == jax.process_index())

    def _splits(self, shape):
        """Whether the leading (batch) axis of `shape` splits evenly over the devices."""
        return len(shape) >= 1 and bool(shape[0]) and shape[0] % self.num_devices == 0

    def _spec_for(self, shape):
        # Shard the leading (batch) axis when it splits evenly; otherwise replicate.
        return self.batch if self._splits(shape) else self.replicated

    def place_batch(self, x):
        """Put an input array on the mesh, split along axis 0 (replicated if uneven)."""
        if x is None:
            return None
        x = np.asarray(x) if not isinstance(x, jax.Array) else x
        if self.process_count > 1:
            # every process holds its own slice of the global batch
            return jax.make_array_from_process_local_data(self.batch, np.asarray(x))
        return jax.device_put(x, self._spec_for(x.shape))

    def constrain_batch(self, tree):
        """Inside a traced step: ask XLA to keep the batch leaves split along axis 0."""
        def constrain(a):
            if self._splits(getattr(a, 'shape', ())):
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
