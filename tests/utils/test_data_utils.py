import hashlib
import tarfile
import threading
import time
import zipfile

import numpy as np
import pytest

from keras.utils import data_utils
from keras.utils.data_utils import (get_file, validate_file, _hash_file, Sequence,
                                    OrderedEnqueuer, GeneratorEnqueuer, DownloadError)


@pytest.fixture
def src(tmp_path):
    path = tmp_path / 'src' / 'payload.txt'
    path.parent.mkdir()
    path.write_bytes(b'keras payload\n' * 100)
    return path


def _digests(path):
    data = path.read_bytes()
    return hashlib.md5(data).hexdigest(), hashlib.sha256(data).hexdigest()


def test_hash_and_validate(src):
    md5, sha = _digests(src)
    assert _hash_file(str(src)) == sha
    assert _hash_file(str(src), 'md5') == md5
    assert validate_file(str(src), md5)
    assert validate_file(str(src), sha)
    assert validate_file(str(src), sha, algorithm='sha256')
    assert not validate_file(str(src), '0' * 32)
    assert not validate_file(str(src), md5, algorithm='sha256')


def test_get_file_file_url_and_cache(src, tmp_path):
    md5, sha = _digests(src)
    cache = tmp_path / 'cache'
    path = get_file('payload.txt', src.as_uri(), file_hash=sha, cache_dir=str(cache))
    assert path == str(cache / 'datasets' / 'payload.txt')
    assert open(path, 'rb').read() == src.read_bytes()
    # cached: the origin is not used again
    src.unlink()
    assert get_file('payload.txt', src.as_uri(), md5_hash=md5, cache_dir=str(cache)) == path
    assert get_file('payload.txt', src.as_uri(), cache_subdir='datasets',
                    cache_dir=str(cache)) == path


def test_get_file_keras_home(monkeypatch, tmp_path, src):
    monkeypatch.setenv('KERAS_HOME', str(tmp_path / 'kh'))
    path = get_file('p.txt', src.as_uri(), cache_subdir='models')
    assert path == str(tmp_path / 'kh' / 'models' / 'p.txt')


def test_get_file_bad_cached_hash_redownloads(src, tmp_path):
    md5, _ = _digests(src)
    target = tmp_path / 'c' / 'datasets' / 'payload.txt'
    target.parent.mkdir(parents=True)
    target.write_bytes(b'corrupt')
    path = get_file('payload.txt', src.as_uri(), file_hash=md5, cache_dir=str(tmp_path / 'c'))
    assert validate_file(path, md5)


def test_get_file_offline_message(tmp_path):
    url = 'http://keras-test.invalid/data/missing.npz'
    t0 = time.time()
    with pytest.raises(DownloadError) as info:
        get_file('missing.npz', url, file_hash='a' * 32, cache_dir=str(tmp_path))
    assert time.time() - t0 < 20
    msg = str(info.value)
    assert url in msg
    assert str(tmp_path / 'datasets' / 'missing.npz') in msg
    assert 'a' * 32 in msg
    assert isinstance(info.value, OSError)
    assert not (tmp_path / 'datasets' / 'missing.npz').exists()
    assert not (tmp_path / 'datasets' / 'missing.npz.part').exists()


def test_get_file_missing_local_url(tmp_path):
    with pytest.raises(DownloadError, match='place it at'):
        get_file('x.bin', (tmp_path / 'nope.bin').as_uri(), cache_dir=str(tmp_path))


def test_get_file_wrong_hash_after_download(src, tmp_path):
    with pytest.raises(DownloadError, match='expected hash'):
        get_file('payload.txt', src.as_uri(), file_hash='0' * 64, cache_dir=str(tmp_path))
    assert not (tmp_path / 'datasets' / 'payload.txt').exists()


def test_get_file_untar_and_extract(src, tmp_path):
    archive = tmp_path / 'arch.tar.gz'
    with tarfile.open(archive, 'w:gz') as tar:
        tar.add(src, arcname='folder/payload.txt')
    cache = tmp_path / 'cache'
    path = get_file('folder', archive.as_uri(), untar=True, cache_dir=str(cache))
    assert path == str(cache / 'datasets' / 'folder')
    assert (cache / 'datasets' / 'folder' / 'payload.txt').read_bytes() == src.read_bytes()

    zpath = tmp_path / 'arch.zip'
    with zipfile.ZipFile(zpath, 'w') as z:
        z.write(src, arcname='zipped/payload.txt')
    path = get_file('arch.zip', zpath.as_uri(), extract=True, cache_dir=str(cache))
    assert path == str(cache / 'datasets' / 'arch.zip')
    assert (cache / 'datasets' / 'zipped' / 'payload.txt').exists()


def test_extract_refuses_path_traversal(src, tmp_path):
    archive = tmp_path / 'evil.tar'
    with tarfile.open(archive, 'w') as tar:
        tar.add(src, arcname='../escaped.txt')
    out = tmp_path / 'out'
    out.mkdir()
    with pytest.raises(ValueError, match='outside'):
        data_utils._extract_archive(str(archive), str(out))
    assert not (tmp_path / 'escaped.txt').exists()


# ---------------------------------------------------------------------------
class Batches(Sequence):
    def __init__(self, n=12, fail_at=None, delay=0.0):
        self.n = n
        self.fail_at = fail_at
        self.delay = delay
        self.epochs = 0

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if self.delay:
            time.sleep(self.delay * ((i * 7) % 3))  # out-of-order completion
        if i == self.fail_at:
            raise KeyError('bad batch %d' % i)
        return np.full((2, 2), i + 100 * self.epochs)

    def on_epoch_end(self):
        self.epochs += 1


def test_sequence_base():
    seq = Batches(3)
    assert [b[0, 0] for b in seq] == [0, 1, 2]
    with pytest.raises(NotImplementedError):
        len(Sequence())


@pytest.mark.parametrize('use_mp', [False, True])
def test_ordered_enqueuer_in_order(use_mp):
    seq = Batches(12, delay=0.002)
    enq = OrderedEnqueuer(seq, use_multiprocessing=use_mp)
    enq.start(workers=3, max_queue_size=4)
    gen = enq.get()
    first = [int(next(gen)[0, 0]) for _ in range(12)]
    second = [int(next(gen)[0, 0]) for _ in range(12)]
    enq.stop()
    assert first == list(range(12))
    # on_epoch_end ran in the parent and the workers see the updated sequence
    assert second == [100 + i for i in range(12)]
    assert not enq.is_running()


class CountedBatches(Batches):
    def __init__(self, n):
        super(CountedBatches, self).__init__(n)
        self.fetched = []

    def __getitem__(self, i):
        self.fetched.append(i)
        return super(CountedBatches, self).__getitem__(i)


def test_ordered_enqueuer_starts_a_pass_only_when_asked():
    seq = CountedBatches(4)
    enq = OrderedEnqueuer(seq)
    enq.start(workers=2, max_queue_size=10)
    gen = enq.get()
    got = [int(next(gen)[0, 0]) for _ in range(8)]    # two whole passes
    time.sleep(0.5)
    # nothing of a third pass was prepared: nobody asked for it
    assert got == [0, 1, 2, 3, 100, 101, 102, 103]
    assert len(seq.fetched) == 8
    assert int(next(gen)[0, 0]) == 200     # asking starts it
    enq.stop()


def test_validation_sequence_is_read_once_per_epoch():
    from keras.models import Sequential
    from keras.layers import Dense

    class XY(Sequence):
        def __init__(self, n):
            self.n, self.reads = n, 0

        def __len__(self):
            return self.n

        def __getitem__(self, i):
            self.reads += 1
            return np.ones((2, 3)), np.ones((2, 1))
    model = Sequential([Dense(1, input_shape=(3,))])
    model.compile('sgd', 'mse')
    val = XY(6)
    model.fit_generator(XY(3), epochs=4, validation_data=val, verbose=0)
    time.sleep(0.3)
    assert val.reads == 6 * 4


def test_ordered_enqueuer_shuffle():
    enq = OrderedEnqueuer(Batches(20), shuffle=True)
    enq.start(workers=2)
    gen = enq.get()
    got = [int(next(gen)[0, 0]) for _ in range(20)]
    enq.stop()
    assert sorted(got) == list(range(20))


@pytest.mark.parametrize('use_mp', [False, True])
def test_ordered_enqueuer_propagates_errors(use_mp):
    enq = OrderedEnqueuer(Batches(6, fail_at=3), use_multiprocessing=use_mp)
    enq.start(workers=2, max_queue_size=2)
    gen = enq.get()
    got = [int(next(gen)[0, 0]) for _ in range(3)]
    assert got == [0, 1, 2]
    with pytest.raises(KeyError, match='bad batch 3'):
        next(gen)
    assert not enq.is_running()
    enq.stop()


def test_enqueuer_stop_with_full_queue_does_not_hang():
    enq = OrderedEnqueuer(Batches(50))
    enq.start(workers=2, max_queue_size=2)
    gen = enq.get()
    next(gen)
    time.sleep(0.05)
    t0 = time.time()
    enq.stop()
    assert time.time() - t0 < 5
    assert not enq.run_thread.is_alive()


def test_enqueuer_len_error_surfaces():
    class Broken(Sequence):
        def __len__(self):
            raise RuntimeError('no length')

        def __getitem__(self, i):
            return i
    enq = OrderedEnqueuer(Broken())
    enq.start()
    with pytest.raises(RuntimeError, match='no length'):
        next(enq.get())


def _counting_gen(n):
    for i in range(n):
        yield i


@pytest.mark.parametrize('workers', [1, 3])
def test_generator_enqueuer_threads(workers):
    enq = GeneratorEnqueuer(_counting_gen(30))
    enq.start(workers=workers, max_queue_size=5)
    got = list(enq.get())
    assert not enq.is_running()
    if workers == 1:
        assert got == list(range(30))
    assert sorted(got) == list(range(30))


def test_generator_enqueuer_infinite_and_stop():
    def forever():
        i = 0
        while True:
            yield i
            i += 1
    enq = GeneratorEnqueuer(forever(), random_seed=1)
    enq.start(workers=2, max_queue_size=3)
    gen = enq.get()
    vals = [next(gen) for _ in range(10)]
    enq.stop()
    assert sorted(vals) == list(range(10))


def test_generator_enqueuer_processes():
    def random_batches():
        while True:
            yield np.random.rand(2)
    enq = GeneratorEnqueuer(random_batches(), use_multiprocessing=True, random_seed=3)
    enq.start(workers=2, max_queue_size=4)
    gen = enq.get()
    vals = [next(gen) for _ in range(6)]
    enq.stop()
    assert all(v.shape == (2,) for v in vals)


def test_generator_enqueuer_propagates_errors():
    def failing():
        yield 1
        raise ValueError('generator failed')
    enq = GeneratorEnqueuer(failing())
    enq.start(workers=1)
    gen = enq.get()
    assert next(gen) == 1
    with pytest.raises(ValueError, match='generator failed'):
        next(gen)
    assert not enq.is_running()


def test_generator_enqueuer_legacy_seed_kwarg():
    enq = GeneratorEnqueuer(_counting_gen(2), seed=5)
    assert enq.random_seed == 5
    with pytest.raises(TypeError):
        GeneratorEnqueuer(_counting_gen(2), bogus=1)


def test_no_leaked_threads():
    before = threading.active_count()
    for _ in range(3):
        enq = OrderedEnqueuer(Batches(4))
        enq.start(workers=2)
        gen = enq.get()
        [next(gen) for _ in range(4)]
        enq.stop()
    time.sleep(0.2)
    assert threading.active_count() <= before + 2
