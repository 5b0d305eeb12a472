"""dseval's in-sandbox runner for Python solutions, judged with LiveCodeBench's semantics.

One process judges one generation against all of its tests and stops at the first failure, the way
lcb_runner's testing_util does (LiveCodeBench @ 28fef95, reproduced behaviour by behaviour, including its
quirks, so that reproduced numbers mean the same thing):

* both problem types run with LCB's star-import preamble and sys.setrecursionlimit(50000);
* stdin problems: a trailing `if __name__ == '__main__':` block is unwrapped, every non-import top-level
  statement is moved into a function that each test calls with stdin mocked exactly as LCB mocks it (the
  original sys.stdin object gets read/readline/readlines patched, then sys.stdin is replaced by a reader whose
  buffer.readline always returns the first line), and stdout captured; the comparison is LCB's: strip, split
  lines, strip each, equal line counts, then per line exact text or else whitespace-split Decimal lists;
* call-based problems: `Solution()` when the code mentions "class Solution", arguments are the test input's
  lines parsed as JSON, a returned tuple counts as a list, equality is Python's exact ==;
* per test a SIGALRM timeout (whole seconds); the compile step gets the same alarm;
* LCB's reliability_guard: the same os/shutil/subprocess/builtins functions are set to None.

Protocol: stdin carries one JSON header line, then the tests as JSON ({"inputs": [...], "outputs": [...]}).
Records go to fd 3 as JSON lines tagged with the header's nonce: "ready" once the payload is read (before any
untrusted code runs), one "test" per finished test, and a final "result". fds 0-2 are /dev/null while the
solution runs. Verdicts: AC, WA, TLE, RE, MLE, CE (syntax/indentation error), OLE (captured output over the
limit); `lcb` holds what lcb_runner would have recorded (True; False for a wrong call-based answer; -2 wrong,
-3 timeout, -4 error; -1 for every test when the program takes its judge down).
"""
import builtins
import io
import json
import os
import signal
import sys
import time

PROTO_FD = 3
TRUNCATE = 300

# LCB's preamble: the same modules in the same order (later star-imports shadow earlier names).
_PREAMBLE_MODULES = ("string re datetime collections heapq bisect copy math random statistics itertools "
                     "functools operator io sys json").split()
PREAMBLE = (
    "".join(f"from {m} import *\n" for m in _PREAMBLE_MODULES + ["builtins", "typing"])
    + "".join(f"import {m}\n" for m in _PREAMBLE_MODULES)
    + "sys.setrecursionlimit(50000)\n"
)


class TimeoutException(Exception):
    pass


class OutputLimitExceeded(BaseException):
    """Raised by the capture sink; a BaseException so `except Exception` in a solution cannot hide it."""


def _on_alarm(signum, frame):
    raise TimeoutException


def _is_timeout(exc):
    # LCB classifies by the exception's repr, so any exception whose repr names it counts as a timeout.
    return "timeoutexception" in repr(exc).lower()


def _trunc(value, length=TRUNCATE):
    s = value if isinstance(value, str) else str(value)
    return s if len(s) <= length else s[: length // 2] + "...(truncated) ..." + s[-length // 2:]


class Protocol:
    def __init__(self, fd, nonce):
        self.fd = fd
        self.nonce = nonce

    def emit(self, record):
        record["k"] = self.nonce
        data = (json.dumps(record, default=str) + "\n").encode("utf-8", "backslashreplace")
        while data:
            data = data[os.write(self.fd, data):]


# ─────────────────────────── stdout capture (LCB's Capturing, with a size cap) ───────────────────────────

class _CaptureSink(io.RawIOBase):
    def __init__(self, limit):
        self.data = bytearray()
        self.limit = limit
        self.exceeded = False

    def writable(self):
        return True

    def write(self, b):
        if len(self.data) + len(b) > self.limit:
            self.exceeded = True
            raise OutputLimitExceeded()
        self.data += b
        return len(b)


class _CapturedStdout(io.TextIOWrapper):
    """Stands in for LCB's io.StringIO stdout: no .buffer, and close() fails the way LCB's patched close does."""

    @property
    def buffer(self):
        raise AttributeError("'_io.StringIO' object has no attribute 'buffer'")

    def close(self):
        raise TypeError("Capturing.__enter__.<locals>.<lambda>() missing 1 required positional argument: 'x'")


class Capture:
    def __init__(self, limit):
        self.sink = _CaptureSink(limit)
        self.stream = _CapturedStdout(io.BufferedWriter(self.sink), encoding="utf-8", errors="surrogatepass",
                                      newline="\n")

    def __enter__(self):
        self.saved = sys.stdout
        sys.stdout = self.stream
        return self

    def __exit__(self, *exc):
        sys.stdout = self.saved
        return False

    def value(self):
        try:
            self.stream.flush()
        except OutputLimitExceeded:
            pass
        return self.sink.data.decode("utf-8", "surrogatepass")


# ─────────────────────────── stdin mocking (LCB's call_method) ───────────────────────────

class _MockBuffer:
    def __init__(self, text):
        self.data = text.encode("utf-8")

    def read(self, *args):
        return self.data

    def readline(self, *args):
        return self.data.split(b"\n")[0] + b"\n"


class _MockStdin:
    def __init__(self, text):
        self.inputs = text
        self._stringio = io.StringIO(text)
        self.buffer = _MockBuffer(text)

    def read(self, *args):
        return self.inputs

    def readline(self, *args):
        return self._stringio.readline(*args)

    def readlines(self, *args):
        return self.inputs.split("\n")

    def __getattr__(self, name):
        return getattr(self._stringio, name)


class _MockOpen:
    """Minimal stand-in for unittest.mock.mock_open(read_data=text) (importing unittest.mock costs ~90 ms)."""

    def __init__(self, text):
        self.text = text

    def __call__(self, *args, **kwargs):
        return _MockFile(self.text)


class _MockFile(io.StringIO):
    def __exit__(self, *exc):
        return False


_NO_ATTR = object()


def call_with_stdin(method, text):
    """Runs `method()` with stdin mocked as LCB does; SystemExit ends the program normally."""
    lines = iter(text.split("\n"))
    real_stdin = sys.stdin
    patched = {
        "read": lambda *a: text,
        "readlines": lambda *a: text.split("\n"),
        "readline": lambda *a: next(lines),
    }
    saved = {name: real_stdin.__dict__.get(name, _NO_ATTR) for name in patched}
    for name, fn in patched.items():
        setattr(real_stdin, name, fn)
    saved_open = builtins.open
    sys.stdin = _MockStdin(text)
    builtins.open = _MockOpen(text)
    try:
        try:
            return method()
        except SystemExit:
            pass
    finally:
        builtins.open = saved_open
        sys.stdin = real_stdin
        for name, old in saved.items():
            if old is _NO_ATTR:
                real_stdin.__dict__.pop(name, None)
            else:
                setattr(real_stdin, name, old)


# ─────────────────────────── code preparation (LCB's clean_if_name / make_function) ───────────────────────────

def unwrap_main_guard(code):
    import ast  # only stdin problems need it; call-based runs skip the import
    try:
        tree = ast.parse(code)
        last = tree.body[-1]
        if isinstance(last, ast.If) and ast.unparse(last.test).strip() == "__name__ == '__main__'":
            code = ast.unparse(tree.body[:-1]) + "\n" + ast.unparse(last.body)
    except Exception:
        pass
    return code


def wrap_in_function(code):
    import ast
    try:
        tree = ast.parse(code)
        imports = [s for s in tree.body if isinstance(s, (ast.Import, ast.ImportFrom))]
        others = [s for s in tree.body if not isinstance(s, (ast.Import, ast.ImportFrom))]
        fn = ast.FunctionDef(
            name="wrapped_function",
            args=ast.arguments(posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[]),
            body=others, decorator_list=[], lineno=-1)
        return PREAMBLE + "\n" + ast.unparse(imports) + "\n" + ast.unparse(fn)
    except Exception:
        return code


def compile_solution(code, timeout):
    signal.alarm(timeout)
    try:
        module = type(sys)("tmp_sol", "")
        exec(code, module.__dict__)
        # LCB's heuristic: any mention of "class Solution" means a LeetCode-style class to instantiate.
        compiled = module.Solution() if "class Solution" in code else module
        assert compiled is not None
    finally:
        signal.alarm(0)
    return compiled


# ─────────────────────────── comparison (LCB's grade_stdio) ───────────────────────────

def _stripped_lines(text):
    return [line.strip() for line in text.strip().split("\n")]


def _decimals(line):
    from decimal import Decimal
    try:
        return True, [Decimal(tok) for tok in line.split()]
    except Exception:
        return False, []


def compare_stdout(output, expected):
    """None when the output matches, else the wrong-answer message LCB would give."""
    got, want = _stripped_lines(output), _stripped_lines(expected)
    if len(got) != len(want):
        return "Wrong answer: mismatched output length"
    for i, (g, w) in enumerate(zip(got, want)):
        if g == w:
            continue
        ok_g, dg = _decimals(g)
        ok_w, dw = _decimals(w)
        # A comparison that raises (signalling NaN) propagates, as in LCB.
        if not ok_g or not ok_w or dg != dw:
            return f"Wrong answer at output_line_idx={i}: {_trunc(g)} != {_trunc(w)}"
    return None


# ─────────────────────────── the judge loop ───────────────────────────

class Judge:
    def __init__(self, proto, header, tests):
        self.proto = proto
        self.code = header["code"]
        self.fn_name = header.get("fnName")
        self.timeout = int(header["timeout"])
        self.output_limit = int(header["outputLimit"])
        self.inputs = tests["inputs"]
        self.outputs = tests["outputs"]
        self.results = []
        self.reserve = bytearray(1 << 18)  # released on MemoryError so the report itself can be written

    def finish(self, verdict, message=None, lcb=None, **extra):
        record = {"ev": "result", "verdict": verdict, "lcb": self.results if lcb is None else lcb}
        if message is not None:
            record["message"] = _trunc(message, 1000)
        record.update(extra)
        self.proto.emit(record)

    def test_done(self, index, verdict, lcb, ms, **extra):
        self.results.append(lcb)
        record = {"ev": "test", "i": index, "verdict": verdict, "lcb": lcb, "ms": round(ms, 3)}
        record.update(extra)
        self.proto.emit(record)

    def classify(self, exc):
        if _is_timeout(exc):
            return "TLE", -3
        if isinstance(exc, MemoryError):
            self.reserve = None
            return "MLE", -4
        return "RE", -4

    def compile(self, code):
        """The compiled solution, or None after reporting why it could not be compiled (LCB records [-4])."""
        try:
            return compile_solution(code, self.timeout)
        except BaseException as e:  # noqa: BLE001 - SystemExit at import time counts as an error too
            if isinstance(e, (SyntaxError, IndentationError)):
                verdict = "CE"
            elif isinstance(e, KeyboardInterrupt):
                raise
            else:
                verdict = self.classify(e)[0]
            e.__traceback__ = None
            self.finish(verdict, f"Error during testing: {e!r}", lcb=[-4], stage="compile")
            return None

    def method(self, compiled, name):
        fn = getattr(compiled, name, None)
        if fn is None:
            self.finish("RE", f"Error during testing: the solution defines no {name}", lcb=[-4], stage="compile")
        return fn

    def run_stdin(self):
        compiled = self.compile(wrap_in_function(unwrap_main_guard(self.code)))
        if compiled is None:
            return
        method = self.method(compiled, "wrapped_function")
        if method is None:
            return
        for i, (given, expected) in enumerate(zip(self.inputs, self.outputs)):
            capture = Capture(self.output_limit)
            failure = None
            start = time.perf_counter()
            signal.alarm(self.timeout)
            with capture:
                try:
                    call_with_stdin(method, given)
                    signal.alarm(0)
                except OutputLimitExceeded:
                    signal.alarm(0)
                except Exception as e:  # noqa: BLE001 - LCB catches Exception, not BaseException
                    signal.alarm(0)
                    failure = self.classify(e) + (repr(e),)
                    e.__traceback__ = None
                finally:
                    signal.alarm(0)
            ms = (time.perf_counter() - start) * 1000
            if capture.sink.exceeded:
                self.test_done(i, "OLE", -2, ms)
                return self.finish("OLE", f"output over {self.output_limit} bytes")
            if failure:
                verdict, code, message = failure
                self.test_done(i, verdict, code, ms)
                return self.finish(verdict, message, input=_trunc(given), expected=_trunc(expected))
            output = capture.value()
            try:
                wrong = compare_stdout(output, expected)
            except Exception as e:  # noqa: BLE001 - LCB then records [-4] for the whole generation
                self.test_done(i, "WA", -4, ms)
                return self.finish("WA", f"Error during testing: {e!r}", lcb=[-4])
            if wrong:
                self.test_done(i, "WA", -2, ms)
                return self.finish("WA", wrong, output=_trunc(output), input=_trunc(given), expected=_trunc(expected))
            self.test_done(i, "AC", True, ms)
        self.finish("AC")

    def run_call(self):
        compiled = self.compile(PREAMBLE + "\n\n" + self.code)
        if compiled is None:
            return
        method = self.method(compiled, self.fn_name)
        if method is None:
            return
        try:
            args_per_test = [[json.loads(line) for line in given.split("\n")] for given in self.inputs]
            expected_per_test = [json.loads(out) for out in self.outputs]
        except Exception as e:  # noqa: BLE001
            return self.finish("RE", f"Error during testing: bad test data: {e!r}", lcb=[-4], stage="tests")
        for i, (args, expected) in enumerate(zip(args_per_test, expected_per_test)):
            start = time.perf_counter()
            signal.alarm(self.timeout)
            try:
                prediction = method(*args)
                signal.alarm(0)
                ms = (time.perf_counter() - start) * 1000
                if isinstance(prediction, tuple):
                    prediction = list(prediction)
                same = bool(prediction == expected)
            except Exception as e:  # noqa: BLE001
                signal.alarm(0)
                ms = (time.perf_counter() - start) * 1000
                verdict, code = self.classify(e)
                message = repr(e)
                e.__traceback__ = None
                self.test_done(i, verdict, code, ms)
                return self.finish(verdict, message, input=_trunc(args), expected=_trunc(expected))
            finally:
                signal.alarm(0)
            if not same:
                # LCB records the comparison's False here (not -2) for call-based problems.
                self.test_done(i, "WA", False, ms)
                return self.finish("WA", "Wrong Answer", output=_trunc(prediction), input=_trunc(args),
                                   expected=_trunc(expected))
            self.test_done(i, "AC", True, ms)
        self.finish("AC")


# LCB's reliability_guard nulls these module functions. The modules are patched when (if ever) a solution
# imports them rather than imported up front: importing shutil and subprocess costs ~10 ms per program.
_GUARDED_MODULES = {"shutil": ("rmtree", "move", "chown"), "subprocess": ("Popen",)}


class _GuardedLoader:
    def __init__(self, loader, names):
        self.loader = loader
        self.names = names

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        for name in self.names:
            setattr(module, name, None)


class _GuardImports:
    """A meta-path finder that hands out shutil and subprocess with LCB's guard applied."""

    def find_spec(self, name, path=None, target=None):
        if name not in _GUARDED_MODULES:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None and spec.loader is not None:
                spec.loader = _GuardedLoader(spec.loader, _GUARDED_MODULES[name])
                return spec
        return None


def reliability_guard():
    """LCB's reliability_guard (not a security boundary: the sandbox is; this keeps the semantics)."""
    import faulthandler
    faulthandler.disable()
    builtins.quit = None
    os.environ["OMP_NUM_THREADS"] = "1"
    for name in ("kill system putenv remove removedirs rmdir fchdir setuid fork forkpty killpg rename renames "
                 "truncate replace unlink fchmod fchown chmod chown chroot lchflags lchmod lchown getcwd "
                 "chdir").split():
        setattr(os, name, None)
    for module, names in _GUARDED_MODULES.items():
        if module in sys.modules:
            for name in names:
                setattr(sys.modules[module], name, None)
    sys.meta_path.insert(0, _GuardImports())
    builtins.help = None
    for name in ("ipdb", "joblib", "resource", "psutil", "tkinter"):
        sys.modules[name] = None


def close_inherited_fds(keep):
    """Closes every descriptor but 0-2 and `keep`: a descriptor the harness inherited (say, a directory)
    would otherwise be a way out of the sandbox's filesystem view."""
    try:
        fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        fds = range(3, 65536)
    for fd in fds:
        if fd > 2 and fd != keep:
            try:
                os.close(fd)
            except OSError:
                pass


def main():
    raw = sys.stdin.buffer.read()
    newline = raw.index(b"\n")
    header = json.loads(raw[:newline])
    tests = json.loads(raw[newline + 1:])
    del raw
    proto = Protocol(os.dup(PROTO_FD), header["nonce"])
    close_inherited_fds(keep=proto.fd)
    # The solution sees /dev/null on fds 0-2 and a fresh /dev/null reader as sys.stdin, like LCB's
    # multiprocessing child; anything it writes to the real stdout/stderr is discarded.
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)
    sys.stdin = open(os.devnull)
    sys.set_int_max_str_digits(int(header.get("intMaxStrDigits", 50000)))
    signal.signal(signal.SIGALRM, _on_alarm)
    judge = Judge(proto, header, tests)
    del tests
    reliability_guard()
    proto.emit({"ev": "ready"})
    try:
        judge.run_call() if judge.fn_name else judge.run_stdin()
    except BaseException as e:  # noqa: BLE001
        judge.reserve = None
        e.__traceback__ = None
        if isinstance(e, Exception) and not isinstance(e, MemoryError):
            proto.emit({"ev": "internal", "message": _trunc(f"runner failure: {e!r}", 1000)})
        else:
            # SystemExit/KeyboardInterrupt escaping a test kills LCB's worker, which then records -1 per test.
            verdict = "MLE" if isinstance(e, MemoryError) else "RE"
            judge.finish(verdict, f"the program ended the judge: {e!r}", lcb=[-1] * len(judge.inputs), stage="escaped")
    # Leave at once: threads the solution started must not keep the sandbox alive.
    os._exit(0)


if __name__ == "__main__":
    main()
