import contextlib
import io
import re

import pytest

from keras.utils import Progbar
from keras.utils import generic_utils


class FakeStream(io.StringIO):
    def __init__(self, tty=False):
        super().__init__()
        self._tty = tty

    def isatty(self):
        return self._tty


@contextlib.contextmanager
def captured(tty=False):
    # redirect inside the test body: pytest re-installs its sys.stdout for each phase
    s = FakeStream(tty=tty)
    with contextlib.redirect_stdout(s):
        yield s


def test_non_tty_one_line_per_update():
    with captured() as stream:
        bar = Progbar(4, width=10, interval=0)
        for i in range(1, 5):
            bar.update(i, values=[('loss', float(i))])
        lines = stream.getvalue().split('\n')
        # each draw starts with a newline; the last one ends with one
        assert lines[0] == ''
        assert lines[1].startswith('1/4 [=>........] - ETA: ')
        assert lines[2].startswith('2/4 [====>.....] - ETA: ')
        assert lines[3].startswith('3/4 [======>...] - ETA: ')
        assert re.match(r'^4/4 \[==========\] - \d+s \d+us/step - loss: 2\.5000$', lines[4]), lines[4]
        assert lines[5] == ''
        assert '\r' not in stream.getvalue()


def test_weighted_average_and_stateful():
    with captured() as stream:
        bar = Progbar(10, interval=0, stateful_metrics=['acc'])
        bar.update(2, [('loss', 1.0), ('acc', 0.1)])   # 2 steps of loss 1
        bar.update(10, [('loss', 2.0), ('acc', 0.75)])  # 8 steps of loss 2
        last = stream.getvalue().rstrip('\n').split('\n')[-1]
        # (2*1 + 8*2) / 10 = 1.8; stateful value shown as given
        assert 'loss: 1.8000' in last
        assert 'acc: 0.7500' in last
        assert last.startswith('10/10 [==============================]')


def test_small_values_use_exponent():
    with captured() as stream:
        bar = Progbar(1, interval=0)
        bar.update(1, [('lr', 1e-5)])
        assert 'lr: 1.0000e-05' in stream.getvalue()


def test_add():
    with captured() as stream:
        bar = Progbar(6, width=6, interval=0)
        bar.add(3)
        bar.add(3)
        lines = stream.getvalue().split('\n')
        assert lines[1].startswith('3/6 [==>...]')
        assert lines[2].startswith('6/6 [======]')


def test_verbose2_prints_only_at_end():
    with captured() as stream:
        bar = Progbar(3, verbose=2)
        bar.update(1, [('loss', 3.0)])
        bar.update(2, [('loss', 1.0)])
        assert stream.getvalue() == ''
        bar.update(3, [('loss', 2.0)])
        out = stream.getvalue()
        assert re.match(r'^ - \d+s - loss: 2\.0000\n$', out), out


def test_verbose0_silent():
    with captured() as stream:
        bar = Progbar(3, verbose=0)
        for i in range(4):
            bar.update(i, [('loss', 1.0)])
        assert stream.getvalue() == ''


def test_interval_throttles(monkeypatch):
    with captured() as stream:
        clock = [100.0]
        monkeypatch.setattr(generic_utils.time, 'time', lambda: clock[0])
        bar = Progbar(100, interval=10)
        bar.update(1)          # first draw (last update at time 0)
        bar.update(2)          # same time: throttled
        clock[0] += 20
        bar.update(3)          # drawn
        bar.update(100)        # the final step is always drawn
        lines = [l for l in stream.getvalue().split('\n') if l]
        assert [l.split('/')[0].strip() for l in lines] == ['1', '3', '100']


def test_unknown_target_and_eta_format(monkeypatch):
    with captured() as stream:
        bar = Progbar(None, interval=0)
        bar.update(5)
        assert '      5/Unknown' in stream.getvalue()
        clock = [0.0]
        monkeypatch.setattr(generic_utils.time, 'time', lambda: clock[0])
        bar = Progbar(1000, interval=0)
        clock[0] = 10.0
        bar.update(1)  # 10 s/step, 999 steps left
        assert 'ETA: 2:46:30' in stream.getvalue()


def test_tty_redraws_in_place(monkeypatch):
    s = FakeStream(tty=True)
    with contextlib.redirect_stdout(s):
        bar = Progbar(2, width=4, interval=0)
        bar.update(1)
        bar.update(2)
    out = s.getvalue()
    assert out.count('\r') == 2
    assert out.endswith('\n')
    assert '\b' in out


def test_array_values():
    with captured() as stream:
        import numpy as np
        bar = Progbar(2, interval=0)
        bar.update(1, [('loss', np.float32(1.0))])
        bar.update(2, [('loss', np.array(3.0))])
        assert 'loss: 2.0000' in stream.getvalue()


def test_transpose_shape():
    from keras.utils.generic_utils import transpose_shape
    assert transpose_shape((2, 3, 4, 5), 'channels_first', [1, 2]) == (2, 5, 3, 4)
    assert transpose_shape([2, 3, 5], 'channels_last', [1]) == [2, 3, 5]
    assert transpose_shape([2, 3, 5], 'channels_first', [1]) == [2, 5, 3]
    with pytest.raises(ValueError):
        transpose_shape((1, 2), 'nchw', [1])
