"""Ctrl-C during training stops within seconds, leaves no worker process behind and leaves
the model usable; a data worker process that dies raises an error instead of a hang. Each
case runs a training loop in a child process (its own process group, as a terminal's)."""
import os
import queue
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

pytestmark = pytest.mark.skipif(not hasattr(os, 'killpg'), reason='needs POSIX signals')

CHILD = textwrap.dedent('''
    import os, sys, time
    import numpy as np
    from keras.models import Sequential
    from keras.layers import Dense
    from keras.utils import Sequence
    from keras.callbacks import Callback
    mode = sys.argv[1]
    model = Sequential([Dense(2, input_shape=(3,))])
    model.compile('sgd', 'mse')

    def gen():
        while True:
            time.sleep(0.01)
            yield np.ones((4, 3), 'float32'), np.ones((4, 2), 'float32')

    class Seq(Sequence):
        def __len__(self):
            return 1000

        def __getitem__(self, i):
            if mode == 'worker-dies' and i == 3:
                os.kill(os.getpid(), 9)
            time.sleep(0.01)
            return np.ones((4, 3), 'float32'), np.ones((4, 2), 'float32')

    class Started(Callback):
        # says when the first batch has trained (it only reads the logs, so the loop
        # dispatches batches as it would without it)
        _chunk_safe = True
        _batch_hooks_read_logs_only = True

        def on_batch_end(self, batch, logs=None):
            if batch == 0:
                print('training', flush=True)

    cbs = [Started()]
    print('ready', flush=True)
    try:
        if mode == 'arrays':
            x = np.ones((200000, 3), 'float32')
            model.fit(x, np.ones((200000, 2), 'float32'), epochs=100, batch_size=4, verbose=0,
                      callbacks=cbs)
        elif mode == 'generator-threads':
            model.fit_generator(gen(), steps_per_epoch=10000, epochs=10, workers=2, verbose=0,
                                callbacks=cbs)
        elif mode == 'generator-processes':
            model.fit_generator(gen(), steps_per_epoch=10000, epochs=10, workers=2,
                                use_multiprocessing=True, verbose=0, callbacks=cbs)
        else:
            model.fit_generator(Seq(), epochs=10, workers=2, use_multiprocessing=True,
                                verbose=0, callbacks=cbs)
    except KeyboardInterrupt:
        assert np.isfinite(model.get_weights()[0]).all()
        assert model.predict(np.ones((2, 3))).shape == (2, 2)
        print('interrupted, model usable', flush=True)
    except Exception as e:
        print('error:', type(e).__name__, e, flush=True)
    ''')


def _interactive_sigint():
    # the child's Ctrl-C handling as in a terminal: a test run started in the background
    # (`cmd &` in a script) ignores SIGINT, and its children would inherit that
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(mode):
    return subprocess.Popen([sys.executable, '-c', CHILD, mode], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=_interactive_sigint)


def _group_members(pgid):
    out = subprocess.run(['ps', '-eo', 'pid=,pgid='], capture_output=True, text=True).stdout
    return [line.split()[0] for line in out.splitlines() if line.split()[1:] == [str(pgid)]]


def _first_lines(proc, n, timeout):
    """The child's first `n` stdout lines, each awaited at most `timeout` seconds (on a
    loaded machine starting JAX and compiling the first step can take a while). A thread
    reads exactly those lines, so the rest stays for `communicate`."""
    lines = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(proc.stdout.readline().strip())
                                              for _ in range(n)], daemon=True)
    reader.start()
    got = []
    for _ in range(n):
        try:
            got.append(lines.get(timeout=timeout))
        except queue.Empty:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            pytest.fail('the child printed %r, then nothing within %d s' % (got, timeout))
    return got


def _finish(proc, timeout):
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail('the training loop did not stop within %d s' % timeout)
    return out, err


@pytest.mark.parametrize('mode', ['arrays', 'generator-threads', 'generator-processes',
                                  'sequence-processes'])
def test_ctrl_c_stops_training_promptly(mode):
    proc = _start(mode)
    assert _first_lines(proc, 2, 120) == ['ready', 'training']
    time.sleep(1)                         # well inside the training loop
    start = time.time()
    os.killpg(proc.pid, signal.SIGINT)    # what Ctrl-C in a terminal does
    out, err = _finish(proc, timeout=20)
    assert time.time() - start < 10
    assert 'interrupted, model usable' in out, out + err
    time.sleep(0.5)
    assert _group_members(proc.pid) == []     # no orphaned worker process
    assert 'KeyboardInterrupt' not in err     # workers ignore Ctrl-C; the parent handles it


def test_a_worker_process_that_dies_is_an_error_not_a_hang():
    proc = _start('worker-dies')
    out, err = _finish(proc, timeout=60)
    assert 'error: WorkerDiedError' in out and 'died while preparing a batch' in out, out + err
    time.sleep(0.5)
    assert _group_members(proc.pid) == []
