"""A save that fails (file too large, no space) raises an OSError naming the file and the
cause, keeps the previous file and leaves no temporary file; temporaries left by a killed
writer are removed by the next successful save."""
import os
import subprocess
import sys

import numpy as np
import pytest

from keras.layers import Dense
from keras.models import Sequential, load_model
from python_process import run_python


def _files(directory):
    return sorted(os.listdir(str(directory)))


@pytest.mark.skipif(not hasattr(os, 'fork') or sys.platform == 'darwin',
                    reason='RLIMIT_FSIZE fault injection needs a POSIX system')
def test_file_too_large_keeps_the_old_file(tmp_path):
    path = tmp_path / 'model.h5'
    small = Sequential([Dense(2, input_shape=(3,))])
    small.save(str(path))
    before = path.read_bytes()
    code = '''
        import resource, signal, sys
        from keras.layers import Dense
        from keras.models import Sequential
        model = Sequential([Dense(2000, input_shape=(1000,))])   # ~8 MB of weights
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # a failed write, not a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))
        try:
            model.save(sys.argv[1])
        except OSError as e:
            print('OSError', e.errno, e)
        '''
    out = run_python(code, path, timeout=120)
    assert 'OSError 27' in out.stdout, out.stdout + out.stderr
    assert str(path) in out.stdout and 'File too large' in out.stdout
    assert path.read_bytes() == before                       # the old model is intact
    assert _files(tmp_path) == ['model.h5']                  # no temporary left
    assert load_model(str(path)).get_weights()[0].shape == (3, 2)


def test_stale_temporaries_of_dead_writers_are_removed(tmp_path):
    path = tmp_path / 'w.h5'
    # a temporary of a process that no longer exists, and one of this process's parent
    proc = subprocess.Popen([sys.executable, '-c', 'pass'])
    proc.wait()
    dead = tmp_path / ('.w.h5.%d-%s.tmp' % (proc.pid, 'a' * 32))
    alive = tmp_path / ('.w.h5.%d-%s.tmp' % (os.getppid(), 'b' * 32))
    dead.write_bytes(b'partial')
    alive.write_bytes(b'in progress')
    model = Sequential([Dense(2, input_shape=(3,))])
    model.save_weights(str(path))
    assert not dead.exists() and alive.exists()
    other = Sequential([Dense(2, input_shape=(3,))])
    other.load_weights(str(path))
    np.testing.assert_array_equal(other.get_weights()[0], model.get_weights()[0])


def test_errors_of_the_model_itself_are_not_turned_into_write_errors(tmp_path):
    class Broken(Dense):
        def get_config(self):
            raise RuntimeError('cannot describe myself')
    model = Sequential([Broken(2, input_shape=(3,))])
    with pytest.raises(RuntimeError, match='cannot describe myself'):
        model.save(str(tmp_path / 'm.h5'))
    assert _files(tmp_path) == []
