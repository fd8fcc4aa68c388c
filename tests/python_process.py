"""Running Python source in a fresh interpreter, for the tests of what happens when a process
starts (backend selection, XLA flags, imports), exits, or runs the other backend.

The child imports this tree's `keras` (the project root goes first on its PYTHONPATH)."""
import os
import subprocess
import sys
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_python(code, *args, env=None, unset=(), timeout=300, check=True, cwd=None):
    """Run `code` (dedented) as `python -c code args...` and return the `CompletedProcess`
    (text stdout and stderr).

    `env`: variables set over a copy of this process' environment, after removing those
    named in `unset`. With `check`, a non-zero exit status fails the test, showing the end
    of the child's stderr."""
    environ = dict(os.environ)
    for name in unset:
        environ.pop(name, None)
    environ.update(env or {})
    environ['PYTHONPATH'] = os.pathsep.join(
        p for p in (ROOT, environ.get('PYTHONPATH', '')) if p)
    done = subprocess.run([sys.executable, '-c', textwrap.dedent(code)] + [str(a) for a in args],
                          env=environ, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)
    if check:
        assert done.returncode == 0, 'the child exited with status %d:\n%s' % (
            done.returncode, done.stderr[-3000:])
    return done
