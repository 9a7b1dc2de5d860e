#!/usr/bin/env bash
# A release build of nomos optimised with a profile of its own runs (profile-guided
# optimisation). An instrumented build first runs a training workload: the shipped pack over
# generated resources of another seed than `nomos bench` measures by default, `nomos apply`
# over the sample workloads and the pack's own test suites. The final build then lays out
# and inlines code by what that workload ran.
#
# Usage: benches/pgo.sh            (prints the path of the optimised binary)
# Needs the toolchain's llvm-tools component, which the script adds with rustup.
set -euo pipefail
cd "$(dirname "$0")/.."

rustup component add llvm-tools >/dev/null 2>&1 || true
host=$(rustc -vV | sed -n 's/^host: //p')
profdata="$(rustc --print sysroot)/lib/rustlib/$host/bin/llvm-profdata"
if [ ! -x "$profdata" ]; then
    echo "error: $profdata not found: the toolchain's llvm-tools component is needed" \
        "(rustup component add llvm-tools)" >&2
    exit 1
fi
dir="$PWD/target/pgo"
rm -rf "$dir/profiles"

# RUSTFLAGS replaces the flags of .cargo/config.toml: they are passed here as well.
layout="-C llvm-args=-enable-ext-tsp-block-placement"

# Separate target directories: the flags differ from a plain release build's.
RUSTFLAGS="-Cprofile-generate=$dir/profiles $layout" \
    cargo build --release --locked --quiet --target-dir "$dir/generate"
trained="$dir/generate/release/nomos"
"$trained" bench --pods 2000 --seed 7 --json >/dev/null
"$trained" bench --pods 500 --seed 8 --emit "$dir/workloads.yaml" >/dev/null
"$trained" apply policies -r "$dir/workloads.yaml" >/dev/null || true
"$trained" apply policies -r examples/workloads.yaml >/dev/null || true
"$trained" test policies >/dev/null || true

"$profdata" merge -o "$dir/merged.profdata" "$dir/profiles"
RUSTFLAGS="-Cprofile-use=$dir/merged.profdata $layout" \
    cargo build --release --locked --quiet --target-dir "$dir/use"
echo "$dir/use/release/nomos"
