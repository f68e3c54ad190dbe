#!/bin/sh
# Runs every fuzz target for SECONDS each (default 60) with atheris/libFuzzer.
#
#   fuzz/run.sh [SECONDS] [TARGET ...]
#
# Seeds come from fuzz/make_seeds.py (regenerated each run); the growing corpus of each target
# is kept in fuzz/corpus/TARGET and inputs that fail in fuzz/findings/. Exits non-zero if any
# target found something.
set -u
here=$(cd "$(dirname "$0")" && pwd)
seconds=${1:-60}
[ $# -gt 0 ] && shift
python=${PYTHON:-python}
targets=${*:-$($python -c "import sys; sys.path.insert(0, '$here'); import harnesses; print(' '.join(harnesses.TARGETS))")}

rm -rf "$here/seeds"
$python "$here/make_seeds.py" "$here/seeds" >/dev/null || exit 2
mkdir -p "$here/findings"
failed=""
for t in $targets; do
    mkdir -p "$here/corpus/$t"
    echo "== $t: ${seconds}s"
    if $python "$here/fuzz.py" "$t" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 \
            -print_final_stats=1 -artifact_prefix="$here/findings/$t-" \
            "$here/corpus/$t" "$here/seeds/$t" 2>"$here/findings/$t.log"; then
        tail -n 12 "$here/findings/$t.log" | grep -E "stat::number_of_executed_units|stat::peak_rss_mb|cov:" | tail -n 3
    else
        echo "   FINDING in $t: see $here/findings/$t.log"
        failed="$failed $t"
    fi
done
if [ -n "$failed" ]; then
    echo "findings in:$failed"
    exit 1
fi
echo "no findings"
