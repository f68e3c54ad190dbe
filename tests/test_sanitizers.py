"""The C kernel under ThreadSanitizer: two threads train the same weights (tests/c/test_train.c);
and the Python-facing corpus path run against an AddressSanitizer build of the extensions.

The AddressSanitizer/UBSan build of the same C tests is the default target of tests/c/Makefile,
run by test_corpus_file.py::test_c_level_tests_under_sanitizers. Here: ``make -C tests/c tsan``,
which fails on any data race other than the Hogwild weight updates listed in tests/c/tsan.supp.
"""

import os
import shutil
import subprocess
import sys

import pytest

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "c")


def _cc_supports_tsan(tmp_path):
    cc = os.environ.get("CC", "cc")
    if shutil.which(cc) is None or shutil.which("make") is None:
        return False
    src = tmp_path / "probe.c"
    src.write_text("#include <pthread.h>\nint main(void) { return 0; }\n")
    exe = tmp_path / "probe"
    build = subprocess.run(
        [cc, "-fsanitize=thread", str(src), "-o", str(exe), "-lpthread"], capture_output=True
    )
    # some kernels' address-space layouts make the TSan runtime refuse to start
    return build.returncode == 0 and subprocess.run([str(exe)], capture_output=True).returncode == 0


@pytest.mark.timeout(900)
def test_kernel_under_thread_sanitizer(tmp_path):
    if not _cc_supports_tsan(tmp_path):
        pytest.skip("the C compiler cannot build and run -fsanitize=thread programs here")
    proc = subprocess.run(["make", "-C", HERE, "tsan"], capture_output=True, text=True, timeout=880)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-6000:]
    assert "ThreadSanitizer" not in out, out[-6000:]
    assert "1 passed, 0 failed" in out
    assert "test_two_threads" in out and "test_stop_from_another_thread" in out


def _libasan():
    cc = os.environ.get("CC", "cc")
    if shutil.which(cc) is None:
        return None
    proc = subprocess.run([cc, "-print-file-name=libasan.so"], capture_output=True, text=True)
    path = proc.stdout.strip()
    return path if proc.returncode == 0 and os.path.isabs(path) and os.path.exists(path) else None


@pytest.mark.timeout(900)
def test_python_corpus_path_under_address_sanitizer(tmp_path):
    """The extensions built with AddressSanitizer, then the token-list counting and encoding
    tests (whose tokens are created while they are iterated, so any pointer the C side keeps
    into a token it does not own is a use-after-free that ASan reports) and the file-reader
    tests run against that build."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    libasan = _libasan()
    if libasan is None or not os.path.exists(os.path.join(root, "setup.py")):
        pytest.skip("needs the source checkout and a C compiler with libasan")
    build = tmp_path / "asan"
    for name in ("fastembed_core", "src"):
        shutil.copytree(
            os.path.join(root, name),
            build / name,
            ignore=shutil.ignore_patterns("*.so", "*.c", "__pycache__", "build")
            if name == "fastembed_core"
            else None,
        )
    for name in ("setup.py", "pyproject.toml", "README.md"):
        shutil.copy(os.path.join(root, name), build / name)
    flags = "-fsanitize=address -fno-omit-frame-pointer"
    env = dict(os.environ, CFLAGS=flags, LDFLAGS=flags, FASTEMBED_DEBUG="1")
    proc = subprocess.run(
        [sys.executable, "setup.py", "-q", "build_ext", "--inplace"],
        cwd=build,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    env = dict(
        os.environ,
        PYTHONPATH=str(build),
        LD_PRELOAD=libasan,
        ASAN_OPTIONS="detect_leaks=0:abort_on_error=0:exitcode=99",
    )
    where = subprocess.run(
        [sys.executable, "-c", "import fastembed_core._corpus as c; print(c.__file__)"],
        cwd=build,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert where.stdout.strip().startswith(str(build)), where.stdout + where.stderr
    tests = [
        os.path.join(root, "tests", t) for t in ("test_vocab_iterable.py", "test_corpus_file.py")
    ]
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-k",
            "not sanitizers and not gensim",
            *tests,
        ],
        cwd=build,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = proc.stdout + proc.stderr
    assert "AddressSanitizer" not in out, out[-6000:]
    # exit code 99: ASan found an error (its report may be lost with pytest's capture)
    assert proc.returncode == 0, f"exit code {proc.returncode}\n" + out[-6000:]
    assert " passed" in out
