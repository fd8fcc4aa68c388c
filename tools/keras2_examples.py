"""Run Keras 2.2.4's `examples/` against this project, each stopped after its first
training step, and report which ones run.

The scripts are read from a git directory of keras-team/keras (tag 2.2.4) into a fresh
temporary directory on every run; nothing of them is kept in the project. Each script runs
in its own process with a bootstrap that ends it successfully as soon as one training batch
has run (`fit`, `fit_generator`, `train_on_batch`, or the scikit-learn wrappers through
them), with an empty Keras cache (`KERAS_HOME`).

Outcomes: `ok` (a training step ran), `no-training` (the script ended without training),
`needs-download` (a dataset or weight file is not in the cache and the network is not
reachable), `needs-input` (the script wants files or arguments of its own, or the
output of another example), `needs-tensorflow`
(it imports TensorFlow or insists on that backend), `needs-package` (a third-party
module that is not a dependency of Keras), `timeout`, `fail` (with the exception).

`--synthetic-data` fills the temporary cache with files of the real datasets' formats and
shapes but random contents (MNIST, Fashion-MNIST, CIFAR-10, IMDB, Reuters, the Nietzsche
text, a French-English sentence file): the check is then whether the scripts' code runs on
this Keras, whatever the data. Synthetic files do not have the official checksums, so the
bootstrap accepts any checksum in that mode.

    python tools/keras2_examples.py --keras-git /path/to/keras.git [--synthetic-data]
        [--python .venv/bin/python] [--only mnist_mlp imdb_lstm] [--jobs 2] [--json out.json]
"""
import argparse
import concurrent.futures
import gzip
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TAG = '2.2.4'
MARK = 'KERAS2_EXAMPLE_OUTCOME '

# Run before the example (as its __main__), with the example's path in argv[1].
BOOTSTRAP = r'''
import functools, os, runpy, sys, traceback
MARK = %(mark)r

def report(outcome, detail=''):
    sys.stdout.flush()
    sys.stderr.write('\n' + MARK + outcome + ' ' + detail.replace('\n', ' ')[:300] + '\n')
    sys.stderr.flush()
    os._exit(0)

class FirstStepDone(BaseException):
    pass

def install():
    import keras
    from keras.engine import training
    from keras import callbacks as cbks

    class StopAfterFirstBatch(cbks.Callback):
        def on_batch_end(self, batch, logs=None):
            raise FirstStepDone()

    def with_stopper(kwargs):
        kwargs = dict(kwargs)
        kwargs['callbacks'] = list(kwargs.get('callbacks') or []) + [StopAfterFirstBatch()]
        return kwargs

    fit, fit_generator = training.Model.fit, training.Model.fit_generator
    train_on_batch = training.Model.train_on_batch

    # functools.wraps keeps the signatures that code inspects (the scikit-learn wrapper
    # checks its parameters against fit's arguments)
    @functools.wraps(fit)
    def patched_fit(self, *args, **kwargs):
        return fit(self, *args, **with_stopper(kwargs))

    @functools.wraps(fit_generator)
    def patched_fit_generator(self, *args, **kwargs):
        return fit_generator(self, *args, **with_stopper(kwargs))

    @functools.wraps(train_on_batch)
    def patched_train_on_batch(self, *args, **kwargs):
        train_on_batch(self, *args, **kwargs)
        raise FirstStepDone()

    training.Model.fit = patched_fit
    training.Model.fit_generator = patched_fit_generator
    training.Model.train_on_batch = patched_train_on_batch
    if os.environ.get('KERAS2_EXAMPLES_ANY_CHECKSUM'):
        from keras.utils import data_utils
        data_utils.validate_file = lambda *args, **kwargs: True

script = sys.argv[1]
sys.argv = sys.argv[1:]
try:
    install()
    runpy.run_path(script, run_name='__main__')
except FirstStepDone:
    report('ok')
except SystemExit as e:
    if e.code not in (None, 0):
        report('needs-input', 'exit %%r' %% (e.code,))
    report('no-training')
except BaseException as e:
    text = '%%s: %%s' %% (type(e).__name__, e)
    from keras.utils.data_utils import DownloadError
    if isinstance(e, DownloadError) or 'URL fetch failure' in text:
        report('needs-download', text)
    if (isinstance(e, ImportError) and 'tensorflow' in str(e) or
            'only run with the TensorFlow backend' in str(e)):
        report('needs-tensorflow', text)
    if isinstance(e, ModuleNotFoundError) and not (e.name or '').startswith('keras'):
        report('needs-package', text)
    tb = traceback.extract_tb(e.__traceback__)
    raised_by_script = bool(tb) and os.path.abspath(tb[-1].filename) == os.path.abspath(script)
    if (isinstance(e, (FileNotFoundError, IndexError)) and 'sys.argv' in traceback.format_exc()
            or isinstance(e, FileNotFoundError) and raised_by_script
            or isinstance(e, OSError) and 'no such file' in str(e)):
        report('needs-input', text)
    where = ['%%s:%%d' %% (os.path.basename(f.filename), f.lineno) for f in tb[-3:]]
    report('fail', text + ' at ' + ' < '.join(reversed(where)))
report('no-training')
''' % {'mark': MARK}


def extract_examples(keras_git, dest):
    names = subprocess.check_output(['git', '--git-dir', keras_git, 'ls-tree', '--name-only',
                                     TAG, 'examples/'], universal_newlines=True).split()
    scripts = []
    for name in names:
        if not name.endswith('.py'):
            continue
        text = subprocess.check_output(['git', '--git-dir', keras_git, 'show',
                                        '%s:%s' % (TAG, name)])
        path = os.path.join(dest, os.path.basename(name))
        with open(path, 'wb') as f:
            f.write(text)
        scripts.append(path)
    return sorted(scripts)


# ------------------------------------------------------------------ synthetic datasets
def _sequences(rng, n, vocab, low=20, high=200):
    seqs = np.empty(n, dtype=object)
    for i in range(n):
        seqs[i] = [int(v) for v in rng.randint(1, vocab, rng.randint(low, high))]
    return seqs


def _word_index(rng, size):
    return {'w%d' % i: i for i in range(1, size + 1)}


def synthesize(datasets_dir, workdir, seed=0):
    """Files of the real formats and shapes, random contents."""
    rng = np.random.RandomState(seed)
    os.makedirs(datasets_dir, exist_ok=True)

    def images(n, shape):
        return rng.randint(0, 256, (n,) + shape).astype('uint8')

    np.savez(os.path.join(datasets_dir, 'mnist.npz'),
             x_train=images(60000, (28, 28)), y_train=rng.randint(0, 10, 60000).astype('uint8'),
             x_test=images(10000, (28, 28)), y_test=rng.randint(0, 10, 10000).astype('uint8'))
    fashion = os.path.join(datasets_dir, 'fashion-mnist')
    os.makedirs(fashion, exist_ok=True)
    for prefix, n in (('train', 60000), ('t10k', 10000)):
        with gzip.open(os.path.join(fashion, '%s-labels-idx1-ubyte.gz' % prefix), 'wb') as f:
            f.write(b'\x00' * 8 + rng.randint(0, 10, n).astype('uint8').tobytes())
        with gzip.open(os.path.join(fashion, '%s-images-idx3-ubyte.gz' % prefix), 'wb') as f:
            f.write(b'\x00' * 16 + images(n, (28, 28)).tobytes())
    cifar = os.path.join(datasets_dir, 'cifar-10-batches-py')
    os.makedirs(cifar, exist_ok=True)
    for name in ['data_batch_%d' % i for i in range(1, 6)] + ['test_batch']:
        with open(os.path.join(cifar, name), 'wb') as f:
            pickle.dump({b'data': images(10000, (3072,)),
                         b'labels': [int(v) for v in rng.randint(0, 10, 10000)]}, f)
    np.savez(os.path.join(datasets_dir, 'imdb.npz'),
             x_train=_sequences(rng, 25000, 88000), y_train=rng.randint(0, 2, 25000),
             x_test=_sequences(rng, 25000, 88000), y_test=rng.randint(0, 2, 25000))
    with open(os.path.join(datasets_dir, 'imdb_word_index.json'), 'w') as f:
        json.dump(_word_index(rng, 88000), f)
    np.savez(os.path.join(datasets_dir, 'reuters.npz'),
             x=_sequences(rng, 11228, 30000), y=rng.randint(0, 46, 11228))
    with open(os.path.join(datasets_dir, 'reuters_word_index.json'), 'w') as f:
        json.dump(_word_index(rng, 30000), f)
    words = ['the', 'will', 'to', 'power', 'and', 'of', 'truth', 'is', 'a', 'free', 'spirit']
    with open(os.path.join(datasets_dir, 'nietzsche.txt'), 'w') as f:
        f.write(' '.join(words[i] for i in rng.randint(0, len(words), 120000)))
    os.makedirs(os.path.join(workdir, 'fra-eng'), exist_ok=True)
    with open(os.path.join(workdir, 'fra-eng', 'fra.txt'), 'w') as f:
        for i in range(12000):
            f.write('Go %d.\tVa %d !\n' % (i % 97, i % 89))


# ------------------------------------------------------------------ running
def run_one(python, bootstrap, script, workdir, keras_home, any_checksum, timeout):
    env = dict(os.environ)
    env.pop('PYTHONPATH', None)
    env.update(KERAS_HOME=keras_home, MPLBACKEND='Agg', PYTHONPATH=ROOT,
               PYTHONUNBUFFERED='1', TF_CPP_MIN_LOG_LEVEL='2')
    if any_checksum:
        env['KERAS2_EXAMPLES_ANY_CHECKSUM'] = '1'
    start = time.time()
    try:
        proc = subprocess.run([python, bootstrap, script], cwd=workdir, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, timeout=timeout,
                              universal_newlines=True)
    except subprocess.TimeoutExpired:
        return 'timeout', 'no training step within %ds' % timeout, time.time() - start
    for line in reversed(proc.stderr.splitlines()):
        if line.startswith(MARK):
            outcome, _, detail = line[len(MARK):].partition(' ')
            return outcome, detail.strip(), time.time() - start
    tail = (proc.stderr.strip().splitlines() or ['exit %d' % proc.returncode])[-1]
    return 'fail', 'crashed: ' + tail[:300], time.time() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--keras-git', required=True, help='git directory of keras-team/keras')
    parser.add_argument('--python', default=sys.executable)
    parser.add_argument('--synthetic-data', action='store_true')
    parser.add_argument('--only', nargs='+', help='example names (without .py)')
    parser.add_argument('--jobs', type=int, default=2)
    parser.add_argument('--timeout', type=int, default=300)
    parser.add_argument('--json', help='write the outcomes to this file')
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix='keras2-examples-') as tmp:
        src = os.path.join(tmp, 'examples')
        os.makedirs(src)
        scripts = extract_examples(args.keras_git, src)
        if args.only:
            scripts = [s for s in scripts if os.path.basename(s)[:-3] in set(args.only)]
        keras_home = os.path.join(tmp, 'keras_home')
        os.makedirs(keras_home)
        if args.synthetic_data:
            synthesize(os.path.join(keras_home, 'datasets'), src)
        bootstrap = os.path.join(tmp, 'bootstrap.py')
        with open(bootstrap, 'w') as f:
            f.write(BOOTSTRAP)
        results = {}
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            futures = {pool.submit(run_one, args.python, bootstrap, s, src, keras_home,
                                   args.synthetic_data, args.timeout): s for s in scripts}
            for fut in concurrent.futures.as_completed(futures):
                name = os.path.basename(futures[fut])[:-3]
                outcome, detail, seconds = fut.result()
                results[name] = {'outcome': outcome, 'detail': detail,
                                 'seconds': round(seconds, 1)}
                print('%-36s %-17s %5.0fs  %s' % (name, outcome, seconds, detail[:140]),
                      flush=True)
    counts = {}
    for r in results.values():
        counts[r['outcome']] = counts.get(r['outcome'], 0) + 1
    print('\n' + ', '.join('%s %d' % kv for kv in sorted(counts.items())) +
          ' (of %d examples)' % len(results))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump({'synthetic_data': args.synthetic_data, 'results': results}, f, indent=1,
                      sort_keys=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
