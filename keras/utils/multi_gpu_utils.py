"""Data-parallel replication of a model over several devices (Keras 2.2 `multi_gpu_model`).

Keras 2.2 (TensorFlow) slices each batch into one sub-batch per GPU, runs a replica of the
model on each and concatenates the results on the CPU. Here the returned model shares the
template model's weights and its compiled steps run with the input batch sharded along the
batch axis over a 1-D mesh of the chosen devices (parameters replicated), which XLA turns
into the same per-device computation plus the cross-device reductions for the gradients.
"""
import numbers

from ..backend import distribution


def _available_devices():
    return distribution.devices()


def multi_gpu_model(model, gpus=None, cpu_merge=True, cpu_relocation=False):
    """Replicate `model` over `gpus` devices, splitting every batch between them.

    # Arguments
        model: a Keras model instance (its weights are shared with the returned model).
        gpus: integer >= 2, the number of devices to use (the first `gpus` devices of the
            default platform), or a list of >= 2 device indices. None uses every device.
        cpu_merge: accepted for Keras 2.2 compatibility (outputs are gathered by XLA).
        cpu_relocation: accepted for Keras 2.2 compatibility (weights are shared anyway).

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
    outputs = model(model.inputs if len(model.inputs) > 1 else model.inputs[0])
    if not isinstance(outputs, (list, tuple)):
        outputs = [outputs]
    # Identity layers carrying the template's output names, as Keras 2.2's merge layers do,
    # so per-output losses and targets can be given by name.
    merged = [Activation('linear', name=name)(o) for name, o in zip(model.output_names, outputs)]
    parallel = Model(model.inputs, merged if len(merged) > 1 else merged[0])
    parallel._input_sharding = distribution.batch_sharding(target_ids)
    return parallel
