"""Files and data feeding: get_file (cached downloads), Sequence and the enqueuers.

`get_file` keeps downloads under `<cache_dir>/<cache_subdir>/` (cache_dir defaults to
`$KERAS_HOME`, else `~/.keras`) and validates them by md5/sha256.  The enqueuers run a
`Sequence` (`OrderedEnqueuer`, batches in order) or a generator (`GeneratorEnqueuer`)
on worker threads, or on worker processes when `use_multiprocessing=True`, and hand the
batches to the consumer through a bounded queue.  Exceptions raised by user code in a
worker are re-raised in the consumer by `get()`.
"""
import hashlib
import multiprocessing
import multiprocessing.pool
import os
import queue
import random
import signal
import tarfile
import threading
import time
import warnings
import zipfile
from urllib.error import HTTPError, URLError
from urllib.request import urlopen

import numpy as np

from .generic_utils import Progbar


class WorkerDiedError(RuntimeError):
    """A data worker process of `fit_generator` & co. died while preparing a batch."""


class DownloadError(OSError):
    """A file could not be downloaded (the message says where to put it by hand)."""


def _keras_home():
    from ..backend.config import keras_home
    return keras_home()


# ---------------------------------------------------------------------------
# hashing, archives, downloads
# ---------------------------------------------------------------------------
def _algorithm(algorithm, file_hash=None):
    """'sha256' or 'md5': `algorithm`, where 'auto' means sha256 for a 64-character
    `file_hash` and md5 otherwise."""
    if algorithm == 'auto':
        return 'sha256' if file_hash is not None and len(str(file_hash)) == 64 else 'md5'
    return algorithm


def _hash_file(fpath, algorithm='sha256', chunk_size=65535):
    """Hex digest of the file at `fpath` ('sha256', 'md5', or 'auto' meaning sha256)."""
    if algorithm == 'auto':
        algorithm = 'sha256'
    if algorithm not in ('sha256', 'md5'):
        raise ValueError("hash_algorithm must be 'md5', 'sha256' or 'auto', got %r"
                         % (algorithm,))
    hasher = hashlib.sha256() if algorithm == 'sha256' else hashlib.md5()
    with open(fpath, 'rb') as f:
        for chunk in iter(lambda: f.read(chunk_size), b''):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(fpath, file_hash, algorithm='auto', chunk_size=65535):
    """Whether the file at `fpath` has hash `file_hash`.

    `algorithm` is 'md5', 'sha256' or 'auto' (sha256 for a 64-character hash, else md5).

    # Arguments
        fpath: the path of the file.
        file_hash: the expected hash (SHA-256 or MD5, hexadecimal).
        algorithm: `"sha256"`, `"md5"` or `"auto"` (chosen from the length of `file_hash`).
        chunk_size: bytes read at a time.

    # Returns
        A boolean: whether the file matches the hash.
    """
    if algorithm not in ('auto', 'md5', 'sha256'):
        raise ValueError("validate_file: algorithm must be 'md5', 'sha256' or 'auto', got %r"
                         % (algorithm,))
    return _hash_file(fpath, _algorithm(algorithm, file_hash), chunk_size) == \
        str(file_hash).lower()


def _is_within(directory, target):
    directory = os.path.realpath(directory)
    target = os.path.realpath(target)
    return os.path.commonpath([directory, target]) == directory


def _extract_archive(file_path, path='.', archive_format='auto'):
    """Extract a tar(.gz/.bz2) or zip archive into `path`; True when it was extracted.

    `archive_format`: 'auto' (= ['tar', 'zip']), 'tar', 'zip', a list of those, or None.
    Members that would land outside `path` are refused.
    """
    if archive_format is None:
        return False
    if archive_format == 'auto':
        archive_format = ['tar', 'zip']
    if isinstance(archive_format, str):
        archive_format = [archive_format]
    for fmt in archive_format:
        if fmt == 'tar':
            is_match, opener = tarfile.is_tarfile, tarfile.open
        elif fmt == 'zip':
            is_match, opener = zipfile.is_zipfile, zipfile.ZipFile
        else:
            raise ValueError("archive_format: expected 'auto', 'tar', 'zip', a list of "
                             "those or None, got %r" % (fmt,))
        if not is_match(file_path):
            continue
        with opener(file_path) as archive:
            names = archive.getnames() if fmt == 'tar' else archive.namelist()
            for name in names:
                if not _is_within(path, os.path.join(path, name)):
                    raise ValueError('Refusing to extract %s: member %r would be written '
                                     'outside %s' % (file_path, name, path))
            try:
                archive.extractall(path)
            except (tarfile.TarError, RuntimeError, KeyboardInterrupt, OSError):
                # leave nothing half-extracted behind
                for name in names:
                    target = os.path.join(path, name)
                    if os.path.isfile(target):
                        os.remove(target)
                raise
        return True
    return False


def _download(origin, fpath, timeout=30):
    """Stream `origin` into `fpath` (through a temporary file), with a progress bar."""
    tmp_path = fpath + '.part'
    try:
        with urlopen(origin, timeout=timeout) as response:
            total = response.headers.get('Content-Length') if hasattr(response, 'headers') else None
            total = int(total) if total else None
            progbar = Progbar(total) if total else None
            done = 0
            with open(tmp_path, 'wb') as out:
                while True:
                    chunk = response.read(1 << 16)
                    if not chunk:
                        break
                    out.write(chunk)
                    done += len(chunk)
                    if progbar is not None:
                        progbar.update(min(done, total))
        os.replace(tmp_path, fpath)
    except BaseException:
        if os.path.exists(tmp_path):
            os.remove(tmp_path)
        raise


def get_file(fname, origin, untar=False, md5_hash=None, file_hash=None,
             cache_subdir='datasets', hash_algorithm='auto', extract=False,
             archive_format='auto', cache_dir=None):
    """Download a file from `origin` unless a valid copy is already cached.

    # Arguments
        fname: file name in the cache (an absolute path is used as is).
        origin: URL of the file (http(s)://, ftp:// or file://).
        untar: deprecated; `fname` names the extracted folder and the archive is
            stored as `fname + '.tar.gz'`.
        md5_hash: deprecated, use `file_hash`.
        file_hash: expected md5 or sha256 hex digest of the file.
        cache_subdir: subfolder of `cache_dir` (absolute paths allowed).
        hash_algorithm: 'md5', 'sha256' or 'auto'.
        extract: extract the archive (tar or zip) next to it.
        archive_format: 'auto', 'tar', 'zip' or None.
        cache_dir: root of the cache; `$KERAS_HOME` or `~/.keras` when None.

    # Returns
        Path of the file (or of the extracted folder with `untar=True`).

    # Raises
        DownloadError (an OSError) when the file is missing or fails its hash check and
        cannot be downloaded; the message names the URL and the exact path where a copy
        of the file can be placed by hand.
    """
    if not isinstance(fname, str) or not fname:
        raise ValueError('get_file: fname must be a non-empty file name, got %r' % (fname,))
    if cache_dir is None:
        cache_dir = _keras_home()
    if md5_hash is not None and file_hash is None:
        file_hash = md5_hash
        hash_algorithm = 'md5'
    datadir_base = os.path.expanduser(cache_dir)
    os.makedirs(datadir_base, exist_ok=True)
    if not os.access(datadir_base, os.W_OK):
        datadir_base = os.path.join('/tmp', '.keras')
    datadir = os.path.join(datadir_base, cache_subdir)
    os.makedirs(datadir, exist_ok=True)

    if untar:
        untar_fpath = os.path.join(datadir, fname)
        fpath = untar_fpath + '.tar.gz'
    else:
        fpath = os.path.join(datadir, fname)

    download = True
    if os.path.exists(fpath):
        download = False
        if file_hash is not None and not validate_file(fpath, file_hash, hash_algorithm):
            print('A local file was found, but it seems to be incomplete or outdated '
                  'because the %s file hash does not match the original value of %s, so '
                  'we will re-download the data.'
                  % (_algorithm(hash_algorithm, file_hash), file_hash))
            download = True
    elif untar and os.path.isdir(untar_fpath):
        # the extracted folder is there already (e.g. placed by hand)
        return untar_fpath

    if download:
        print('Downloading data from', origin)
        try:
            _download(origin, fpath)
        except (HTTPError, URLError, OSError, ValueError) as e:
            if isinstance(e, HTTPError):
                reason = 'HTTP error %s: %s' % (e.code, e.msg)
            elif isinstance(e, URLError):
                reason = str(e.reason)
            else:
                reason = '%s: %s' % (type(e).__name__, e)
            hint = ''
            if file_hash is not None:
                hint = ' (its %s hash must be %s)' % (_algorithm('auto', file_hash),
                                                      file_hash)
            error = DownloadError(
                'Could not download %s (%s). If there is no network access, download '
                'the file elsewhere and place it at %s%s, then call again.'
                % (origin, reason, fpath, hint))
            error.reason = reason
            raise error from None
        if file_hash is not None and not validate_file(fpath, file_hash, hash_algorithm):
            os.remove(fpath)
            raise DownloadError('The file downloaded from %s does not have the expected hash '
                                '%s; it was removed from %s.' % (origin, file_hash, fpath))

    if untar:
        if not os.path.exists(untar_fpath):
            _extract_archive(fpath, datadir, archive_format='tar')
        return untar_fpath
    if extract:
        _extract_archive(fpath, datadir, archive_format)
    return fpath


# ---------------------------------------------------------------------------
# Sequence
# ---------------------------------------------------------------------------
class Sequence(object):
    """Base class for datasets indexed by batch: implement `__getitem__` and `__len__`.

    `__getitem__(index)` returns the complete batch number `index` (inputs, targets[,
    sample weights]); `__len__` is the number of batches per epoch; `on_epoch_end` is
    called after every epoch (e.g. to reshuffle).  Sequences are safe for multiple
    workers: every batch is requested exactly once per epoch.

    # Example
    ```python
    import numpy as np
    from keras.utils import Sequence
    from keras.models import Sequential
    from keras.layers import Dense

    class Batches(Sequence):
        def __init__(self, x, y, batch_size):
            self.x, self.y, self.batch_size = x, y, batch_size

        def __len__(self):
            return int(np.ceil(len(self.x) / float(self.batch_size)))

        def __getitem__(self, idx):
            rows = slice(idx * self.batch_size, (idx + 1) * self.batch_size)
            return self.x[rows], self.y[rows]

    model = Sequential([Dense(1, input_shape=(4,))])
    model.compile('sgd', 'mse')
    model.fit_generator(Batches(np.random.random((50, 4)), np.random.random((50, 1)), 16),
                        epochs=2, verbose=0)
    ```
    """

    def __getitem__(self, index):
        """The batch number `index`: what a subclass implements.

        # Arguments
            index: position of the batch in the Sequence.

        # Returns
            A batch, `(x, y)` or `(x, y, sample_weight)`.
        """
        raise NotImplementedError('%s must implement __getitem__(index)'
                                  % type(self).__name__)

    def __len__(self):
        """The number of batches in the Sequence: what a subclass implements."""
        raise NotImplementedError('%s must implement __len__()' % type(self).__name__)

    def on_epoch_end(self):
        """Called at the end of every epoch."""
        pass

    def __iter__(self):
        """Iterates over the batches in order."""
        for i in range(len(self)):
            yield self[i]


# Sequences/generators shared with the workers, by uid.  Worker processes receive the
# dict through `init_pool` / `init_pool_generator` (pool initializer).
_SHARED_SEQUENCES = {}
_GENERATOR_LOCKS = {}
_COUNTER_LOCK = threading.Lock()
_UID_COUNTER = [0]


def _next_uid():
    with _COUNTER_LOCK:
        _UID_COUNTER[0] += 1
        return _UID_COUNTER[0]


def init_pool(seqs):
    """Pool initializer: install the shared sequences in a worker process.

    # Arguments
        seqs: the table of Sequences shared with the worker processes.
    """
    global _SHARED_SEQUENCES
    _SHARED_SEQUENCES = seqs


def get_index(uid, i):
    """Batch `i` of the shared sequence `uid` (runs in a worker).

    # Arguments
        uid: the identifier of the Sequence in the workers' shared table.
        i: the index of the batch.

    # Returns
        The batch `i` of that Sequence.
    """
    return _SHARED_SEQUENCES[uid][i]


def init_pool_generator(gens, random_seed=None):
    """Pool initializer for generators: install them and seed numpy/random per worker.

    # Arguments
        gens: the table of generators shared with the worker processes.
        random_seed: the base seed of the workers' random generators (`None`: unseeded).
    """
    global _SHARED_SEQUENCES
    _SHARED_SEQUENCES = gens
    if random_seed is not None:
        ident = multiprocessing.current_process().ident or 0
        seed = (int(random_seed) + ident) % (2 ** 32)
        np.random.seed(seed)
        random.seed(seed)


def next_sample(uid):
    """Next item of the shared generator `uid` (runs in a worker).

    # Arguments
        uid: the identifier of the generator in the workers' shared table.

    # Returns
        The next item of that generator.
    """
    lock = _GENERATOR_LOCKS.get(uid)
    if lock is None:
        return next(_SHARED_SEQUENCES[uid])
    with lock:
        return next(_SHARED_SEQUENCES[uid])


class _Exhausted(object):
    """Returned by a worker when the generator is exhausted (StopIteration)."""


def _next_sample_or_end(uid):
    try:
        return next_sample(uid)
    except StopIteration:
        return _Exhausted


_POLL = 0.05


class SequenceEnqueuer(object):
    """Base class of the enqueuers: runs `sequence` on workers while the consumer reads.

    Usage:
        enqueuer = OrderedEnqueuer(seq)
        enqueuer.start(workers=4, max_queue_size=10)
        batches = enqueuer.get()
        for _ in range(n):
            batch = next(batches)
        enqueuer.stop()

    # Arguments
        sequence: a `keras.utils.Sequence`.
        use_multiprocessing: whether the workers are processes (`True`) or threads.
    """

    def __init__(self, sequence, use_multiprocessing=False):
        self.sequence = sequence
        self.use_multiprocessing = bool(use_multiprocessing)
        self.uid = _next_uid()
        self.workers = 0
        self.executor_fn = None
        self.queue = None
        self.run_thread = None
        self.stop_signal = None

    def is_running(self):
        """Whether the enqueuer's workers are running.

        # Returns
            A boolean.
        """
        return self.stop_signal is not None and not self.stop_signal.is_set()

    def start(self, workers=1, max_queue_size=10):
        """Start the handler thread and `workers` workers (threads, or processes with
        use_multiprocessing=True); at most `max_queue_size` batches are prepared ahead.

        # Arguments
            workers: number of workers.
            max_queue_size: the largest number of batches prepared ahead.
        """
        if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) \
                or workers < 0:
            raise ValueError('start: workers must be an integer >= 0, got %r' % (workers,))
        if self.is_running():
            raise RuntimeError('start: this enqueuer is already running; call stop() first')
        workers = max(1, int(workers))
        self.workers = workers
        if self.use_multiprocessing:
            self.executor_fn = self._get_executor_init(workers)
        else:
            self.executor_fn = lambda _: multiprocessing.pool.ThreadPool(workers)
        self.queue = queue.Queue(max(1, int(max_queue_size)) if max_queue_size else 0)
        self.stop_signal = threading.Event()
        self.run_thread = threading.Thread(target=self._guarded_run, daemon=True,
                                           name='keras-enqueuer-%d' % self.uid)
        self.run_thread.start()

    def _get_executor_init(self, workers):
        raise NotImplementedError

    def _send_sequence(self):
        _SHARED_SEQUENCES[self.uid] = self.sequence

    def _put(self, item):
        """Put into the queue unless stopped; False when stopped."""
        while not self.stop_signal.is_set():
            try:
                self.queue.put(item, timeout=_POLL)
                return True
            except queue.Full:
                continue
        return False

    def _guarded_run(self):
        try:
            self._run()
        except BaseException as e:  # surface handler-thread errors in get()
            self._put(_Failure(e))

    def _run(self):
        raise NotImplementedError

    def _next_from_queue(self):
        """Next queued item; None once the enqueuer stopped and the queue is empty."""
        while True:
            try:
                return self.queue.get(timeout=_POLL)
            except queue.Empty:
                if not self.is_running() or not self.run_thread.is_alive():
                    try:
                        return self.queue.get_nowait()
                    except queue.Empty:
                        return None

    def _queued_values(self, keep, on_request=None):
        """Yield the values of the queued tasks for which `keep(value)` is true, in queue
        order, until stop(); a task's exception is re-raised here (and the enqueuer stops).
        `on_request` is called each time the consumer asks for the next item."""
        try:
            while self.is_running():
                if on_request is not None:
                    on_request()
                item = self._next_from_queue()
                if item is None:
                    break
                try:
                    if isinstance(item, _Failure):
                        raise item.error
                    value = self._result(item)
                finally:
                    _task_done(self.queue)
                if keep(value):
                    yield value
        except BaseException:
            self.stop()
            raise
        self.stop()

    def _watch_workers(self, executor):
        """Remember the worker processes of `executor` (the handler thread calls this)."""
        workers = getattr(executor, '_pool', None) or []
        self._workers = (executor, {w.pid for w in workers if getattr(w, 'pid', None)})

    def _result(self, task):
        """The value of a queued task; a `WorkerDiedError` if a worker process died (killed
        or crashed: the pool replaces it, but the task it ran never completes)."""
        while not task.ready():
            task.wait(_POLL)
            executor, pids = getattr(self, '_workers', (None, set()))
            if pids and not task.ready():
                alive = {w.pid for w in (getattr(executor, '_pool', None) or [])}
                lost = sorted(pids - alive)
                if lost:
                    raise WorkerDiedError(
                        'A data worker process (pid %s) died while preparing a batch (killed '
                        'or crashed, e.g. out of memory); its batch is lost. Check the '
                        'generator or Sequence, or use use_multiprocessing=False to see its '
                        'error.' % ', '.join(str(p) for p in lost))
        return task.get()

    def stop(self, timeout=None):
        """Stop the workers and wait (at most `timeout` seconds) for the handler thread.

        # Arguments
            timeout: the longest wait for the handler thread, in seconds (`None`: no limit).
        """
        if self.stop_signal is None:
            return
        self.stop_signal.set()
        if self.queue is not None:
            with self.queue.mutex:
                self.queue.queue.clear()
                self.queue.unfinished_tasks = 0
                self.queue.not_full.notify_all()
        if self.run_thread is not None and self.run_thread is not threading.current_thread():
            self.run_thread.join(timeout)
        _SHARED_SEQUENCES.pop(self.uid, None)
        _GENERATOR_LOCKS.pop(self.uid, None)

    def __del__(self):
        try:
            if self.is_running():
                self.stop(timeout=1)
        except Exception:
            pass

    def get(self):
        """Generator of the prepared items (batches), until stop()."""
        raise NotImplementedError


class _Failure(object):
    def __init__(self, error):
        self.error = error


def _terminate(executor, timeout=5.):
    """Terminate a worker pool within `timeout` seconds. `Pool.terminate` can block for good
    (it takes the task queue's lock, which a worker killed while waiting for a task never
    releases), so it runs on a daemon thread; if it has not finished in time, the worker
    processes are killed and the thread is left behind."""
    def terminate():
        try:
            executor.terminate()
        except Exception:
            pass
    thread = threading.Thread(target=terminate, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        for worker in getattr(executor, '_pool', None) or []:
            try:
                worker.kill()
            except Exception:
                pass


class OrderedEnqueuer(SequenceEnqueuer):
    """Runs a `Sequence` on workers and yields its batches in order, epoch after epoch.

    # Arguments
        sequence: a `keras.utils.Sequence`.
        use_multiprocessing: use worker processes instead of threads (the sequence is
            inherited by forked processes; elsewhere it must be picklable).
        shuffle: shuffle the batch order at every epoch.
    """

    def __init__(self, sequence, use_multiprocessing=False, shuffle=False):
        super(OrderedEnqueuer, self).__init__(sequence, use_multiprocessing)
        self.shuffle = shuffle

    def _get_executor_init(self, workers):
        def pool_fn(seqs):
            return _process_pool(workers, init_pool, (seqs,))
        return pool_fn

    def _wait_queue(self):
        """Wait until the consumer has taken every queued batch (or we are stopped)."""
        while not self.stop_signal.is_set():
            if self.queue.unfinished_tasks == 0:
                return
            time.sleep(0.01)

    def start(self, workers=1, max_queue_size=10):
        """Starts the workers (see `SequenceEnqueuer.start`).

        # Arguments
            workers: number of workers.
            max_queue_size: the largest number of batches prepared ahead.
        """
        self._requested = 0    # batches the consumer has asked for (see `_await_demand`)
        super(OrderedEnqueuer, self).start(workers, max_queue_size)

    def _await_demand(self, produced):
        """Wait until the consumer asks for more than the `produced` batches (or we are
        stopped): a new pass over the sequence starts only once it is wanted, so nothing is
        prepared after the last batch a caller takes (e.g. a validation sequence at the end
        of `fit_generator`)."""
        while not self.stop_signal.is_set():
            if self._requested > produced:
                return
            time.sleep(0.005)

    def _run(self):
        order = list(range(len(self.sequence)))
        self._send_sequence()
        produced = 0
        while True:
            if self.shuffle:
                random.shuffle(order)
            executor = self.executor_fn(_SHARED_SEQUENCES)
            self._watch_workers(executor)
            try:
                for i in order:
                    if self.stop_signal.is_set():
                        return
                    if not self._put(executor.apply_async(get_index, (self.uid, i))):
                        return
                    produced += 1
                self._wait_queue()
                if self.stop_signal.is_set():
                    return
                executor.close()
                executor.join()
            finally:
                _terminate(executor)
            self.sequence.on_epoch_end()
            self._send_sequence()
            order = list(range(len(self.sequence)))
            self._await_demand(produced)
            if self.stop_signal.is_set():
                return

    def get(self):
        """Yield the batches in order (forever, epoch after epoch) until stop().

        An exception raised by the sequence is re-raised here (and the enqueuer stops).
        """
        def requested():
            self._requested += 1
        yield from self._queued_values(lambda batch: batch is not None, on_request=requested)


class GeneratorEnqueuer(SequenceEnqueuer):
    """Runs a Python generator on workers and yields its items.

    With threads, the workers share the generator (its `next` is serialized by a lock);
    with `use_multiprocessing=True` every worker process runs its own copy of the
    generator, so items are not ordered and may repeat unless the generator is random
    (each worker reseeds numpy and `random` with `random_seed + worker id`).

    # Arguments
        sequence: a generator (or iterator).
        use_multiprocessing: use worker processes instead of threads.
        wait_time: deprecated, ignored.
        random_seed: seed for the workers' random generators (processes only).
    """

    def __init__(self, sequence, use_multiprocessing=False, wait_time=None,
                 random_seed=None, **kwargs):
        if 'seed' in kwargs:
            random_seed = kwargs.pop('seed')
        if 'generator' in kwargs:
            sequence = kwargs.pop('generator')
        if kwargs:
            raise TypeError('GeneratorEnqueuer: unexpected keyword arguments %s'
                            % sorted(kwargs))
        super(GeneratorEnqueuer, self).__init__(sequence, use_multiprocessing)
        self.random_seed = random_seed
        if wait_time is not None:
            warnings.warn('GeneratorEnqueuer: `wait_time` is not used anymore.',
                          DeprecationWarning, stacklevel=2)

    def _get_executor_init(self, workers):
        seed = self.random_seed

        def pool_fn(seqs):
            return _process_pool(workers, init_pool_generator, (seqs, seed))
        return pool_fn

    def _run(self):
        self._send_sequence()
        if not self.use_multiprocessing:
            _GENERATOR_LOCKS[self.uid] = threading.Lock()
        executor = self.executor_fn(_SHARED_SEQUENCES)
        self._watch_workers(executor)
        try:
            while not self.stop_signal.is_set() and not self._exhausted.is_set():
                if not self._put(executor.apply_async(_next_sample_or_end, (self.uid,))):
                    return
        finally:
            if self._exhausted.is_set() and not self.stop_signal.is_set():
                # let the tasks already queued finish: the consumer drains them
                executor.close()
                executor.join()
            _terminate(executor)

    def start(self, workers=1, max_queue_size=10):
        """Starts the workers (see `SequenceEnqueuer.start`).

        # Arguments
            workers: number of workers.
            max_queue_size: the largest number of batches prepared ahead.
        """
        self._exhausted = threading.Event()
        super(GeneratorEnqueuer, self).start(workers, max_queue_size)

    def get(self):
        """Yield the generator's items until it is exhausted or stop() is called.

        An exception raised by the generator is re-raised here (and the enqueuer stops).
        """
        yield from self._queued_values(self._keep_value)

    def _keep_value(self, value):
        if value is _Exhausted:
            # finite generator: no new requests, hand out what was already asked
            self._exhausted.set()
            return False
        return value is not None


def _task_done(q):
    try:
        q.task_done()
    except ValueError:  # the queue was cleared by stop()
        pass


def _worker_init(initializer, initargs):
    """Start of a worker process: Ctrl-C goes to the whole process group, and the parent
    handles it by stopping its enqueuer (which terminates the workers); a worker that took
    the interrupt itself would die mid-task and leave the parent waiting for its result."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    initializer(*initargs)


def _process_pool(workers, initializer, initargs):
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context('fork' if 'fork' in methods else None)
    return ctx.Pool(workers, initializer=_worker_init, initargs=(initializer, initargs))
