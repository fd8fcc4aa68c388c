#!/bin/bash
# One pass of the accelerator checks (run from the repository root on a GPU machine whose
# python3 has jax with CUDA, h5py, numpy and, for the baselines, torch + torchvision):
# the ResNet50 (predict, fit) and MLP benchmarks beside their JAX and PyTorch baselines,
# then (unless SKIP_TESTS=1) the numeric
# fixture tests that exercise convolutions, batch norm and training on the device.
# Results go to $OUT (default /tmp/device_checks).
set -u
OUT=${OUT:-/tmp/device_checks}
mkdir -p "$OUT"
export PYTHONPATH=$PWD PYTHONUNBUFFERED=1
python3 -c "import jax; print('jax', jax.__version__, jax.devices())" 2>&1 | tee "$OUT/env.txt"
timeout 240 python3 benchmarks/device_resnet50.py --batch 8 --steps 50 --torch 2>&1 \
    | tee "$OUT/resnet50.txt"
timeout 120 python3 benchmarks/device_mlp.py --epochs 3 --torch 2>&1 | tee "$OUT/mlp.txt"
timeout 180 python3 benchmarks/device_resnet50_fit.py --batch 32 --steps 20 --torch 2>&1 \
    | tee "$OUT/resnet50_fit.txt"
[ "${SKIP_TESTS:-0}" = 1 ] && exit 0
timeout 150 python3 -m pytest -q -p no:cacheprovider \
    tests/applications/test_app_vgg_resnet.py tests/applications/test_app_densenet.py \
    tests/applications/test_app_mobilenet.py tests/engine/test_training.py \
    tests/layers/test_recurrent_fixtures.py \
    -k "tiny or numeric or fake or fit or train or fixture" 2>&1 | tail -25 | tee "$OUT/tests.txt"
