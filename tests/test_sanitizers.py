"""The C kernel under ThreadSanitizer: two threads train the same weights (tests/c/test_train.c).

The AddressSanitizer/UBSan build of the same C tests is the default target of tests/c/Makefile,
run by test_corpus_file.py::test_c_level_tests_under_sanitizers. Here: ``make -C tests/c tsan``,
which fails on any data race other than the Hogwild weight updates listed in tests/c/tsan.supp.
"""
import os
import shutil
import subprocess

import pytest

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "c")


def _cc_supports_tsan(tmp_path):
    cc = os.environ.get("CC", "cc")
    if shutil.which(cc) is None or shutil.which("make") is None:
        return False
    src = tmp_path / "probe.c"
    src.write_text("#include <pthread.h>\nint main(void) { return 0; }\n")
    exe = tmp_path / "probe"
    build = subprocess.run([cc, "-fsanitize=thread", str(src), "-o", str(exe), "-lpthread"],
                           capture_output=True)
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
