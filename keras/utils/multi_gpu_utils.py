"""Data-parallel replication of a model over several devices (Keras 2.2 `multi_gpu_model`).

Keras 2.2 (TensorFlow) slices each batch into one sub-batch per GPU, runs a replica of the
model on each and concatenates the results on the CPU. The returned model shares the
template model's weights. On JAX its compiled steps run with the input batch sharded along
the batch axis over a 1-D mesh of the chosen devices (parameters replicated), which XLA
turns into the same per-device computation plus the cross-device reductions for the
gradients. On TensorFlow the model is built as Keras 2.2 builds it: a slice of the batch and
a call of the template per device ("towers", each call recorded under its `tf.device`),
outputs concatenated on the CPU.
"""
import numbers

from .. import backend as K
from ..backend import distribution


def _available_devices():
    return distribution.devices()


def _get_available_devices():
    """Keras 2.2.4's list of device names, e.g. ['/cpu:0', '/gpu:0', '/gpu:1']: the CPU and
    the devices `multi_gpu_model` can use."""
    names = distribution.devices()
    return names if '/cpu:0' in names else ['/cpu:0'] + names


def multi_gpu_model(model, gpus=None, cpu_merge=True, cpu_relocation=False):
    """Replicate `model` over `gpus` devices, splitting every batch between them.

    # Arguments
        model: a Keras model instance (its weights are shared with the returned model).
        gpus: integer >= 2, the number of devices to use (the first `gpus` devices of the
            default platform), or a list of >= 2 device indices. None uses every device.
        cpu_merge: on TensorFlow, whether the towers' outputs are concatenated on the CPU
            (else on the first device); on JAX XLA gathers them.
        cpu_relocation: on TensorFlow, build the replicas from a copy of `model` made under
            the CPU device scope (as Keras 2.2; the returned model then has its own weights,
            starting from the template's values); no effect on JAX, whose replicas share the
            template's weights.

    # Returns
        A Keras `Model` with the same inputs and output names as `model`; compile it and
        use fit / predict as usual. Batches whose size is a multiple of the device count are
        split evenly; others run replicated.

    # Raises
        ValueError: fewer than 2 devices requested, or more than are available.
    """
    from ..engine.training import Model
    from ..layers import Activation

    available_devices = _available_devices()
    if gpus is None:
        gpus = len(available_devices)
    if isinstance(gpus, (list, tuple)):
        if len(gpus) <= 1:
            raise ValueError('For multi-gpu usage to be effective, call `multi_gpu_model` with '
                             '`len(gpus) >= 2`. Received: `gpus=%s`' % (list(gpus),))
        for g in gpus:
            if not isinstance(g, numbers.Integral) or isinstance(g, bool):
                raise TypeError('gpus: expected a list of integer device indices, got %r'
                                % (list(gpus),))
        if len(set(gpus)) != len(gpus):
            raise ValueError('gpus: device indices must be distinct, got %r' % (list(gpus),))
        target_ids = [int(g) for g in gpus]
    elif isinstance(gpus, numbers.Integral) and not isinstance(gpus, bool):
        if gpus <= 1:
            raise ValueError('For multi-gpu usage to be effective, call `multi_gpu_model` with '
                             '`gpus >= 2`. Received: `gpus=%s`' % (gpus,))
        target_ids = list(range(int(gpus)))
    else:
        raise TypeError('gpus: expected an integer >= 2 or a list of device indices, got %r '
                        'of type %s' % (gpus, type(gpus).__name__))

    n_available = len(available_devices)
    if any(i < 0 or i >= n_available for i in target_ids):
        platform = available_devices[0].split(':')[0] if available_devices else '/gpu'
        target_devices = ['%s:%d' % (platform, i) for i in target_ids]
        raise ValueError('To call `multi_gpu_model` with `gpus=%s`, we expect the following '
                         'devices to be available: %s. However this machine only has: %s. '
                         'Try reducing `gpus`.' % (gpus, target_devices, available_devices))

    if not getattr(model, 'inputs', None) or not getattr(model, 'outputs', None):
        raise ValueError('model: multi_gpu_model needs a built model with inputs and outputs '
                         '(give its first layer an input_shape or call it on data first); got '
                         '%r' % (model,))

    if distribution.process_count() > 1:
        # one replica per process: start every process from process 0's weights
        model.set_weights(distribution.broadcast_from_process_0(model.get_weights()))
    sharding = distribution.batch_sharding(target_ids)
    if sharding is None:
        return _towers(model, [available_devices[i] for i in target_ids], cpu_merge,
                       cpu_relocation)
    outputs = model(model.inputs if len(model.inputs) > 1 else model.inputs[0])
    if not isinstance(outputs, (list, tuple)):
        outputs = [outputs]
    # Identity layers carrying the template's output names, as Keras 2.2's merge layers do,
    # so per-output losses and targets can be given by name.
    merged = [Activation('linear', name=name)(o)
              for name, o in zip(_unique_names(model.output_names), outputs)]
    parallel = Model(model.inputs, merged if len(merged) > 1 else merged[0])
    parallel._input_sharding = sharding
    return parallel


def _batch_slice(x, index, parts):
    """Rows of part `index` of `parts` of the batch `x` (the last part takes the remainder)."""
    n = K.shape(x)[0]
    step = n // parts
    start = step * index
    return x[start:] if index == parts - 1 else x[start:start + step]


def _unique_names(names):
    """Output names with repeats numbered (`out_1`, `out_2`), as Keras 2.2 does for models
    that repeat an output (e.g. siamese networks)."""
    repeated = {n for n in names if names.count(n) > 1}
    seen = {}
    out = []
    for n in names:
        if n in repeated:
            seen[n] = seen.get(n, 0) + 1
            n = '%s_%d' % (n, seen[n])
        out.append(n)
    return out


def _towers(model, devices, cpu_merge, cpu_relocation):
    """Keras 2.2's replicated model: one slice of every input and one call of `model` per
    device, under that device's scope; the outputs concatenated along the batch axis."""
    from ..engine.training import Model
    from ..layers import Lambda, concatenate
    from ..models import clone_model

    if cpu_relocation:
        with distribution.device_scope('/cpu:0'):
            clone = clone_model(model)
        clone.set_weights(model.get_weights())   # a copy of the template, weights included
        model = clone
    per_output = [[] for _ in model.outputs]
    for i, device in enumerate(devices):
        # the slices are taken where the inputs are; the template runs on the device
        slices = [Lambda(_batch_slice, output_shape=K.int_shape(x)[1:],
                         arguments={'index': i, 'parts': len(devices)})(x)
                  for x in model.inputs]
        with distribution.device_scope(device):
            outputs = model(slices if len(slices) > 1 else slices[0])
        if not isinstance(outputs, (list, tuple)):
            outputs = [outputs]
        for j, o in enumerate(outputs):
            per_output[j].append(o)
    with distribution.device_scope('/cpu:0' if cpu_merge else devices[0]):
        merged = [concatenate(outs, axis=0, name=name)
                  for name, outs in zip(_unique_names(model.output_names), per_output)]
    return Model(model.inputs, merged if len(merged) > 1 else merged[0])
