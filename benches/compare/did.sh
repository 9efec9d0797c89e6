#!/usr/bin/env bash
# Side by side: phare vs csdid, Callaway–Sant'Anna (doubly robust, never-treated comparison) plus
# the dynamic aggregation on the same generated panels (SIMULATED, 20 periods), with and without
# 999 multiplier-bootstrap draws. Both run in this one script, so ratios are measured under the
# same machine load.
#
#   REPEAT=5 benches/compare/did.sh [PYTHON] [UNITS...]
#
# PYTHON has csdid and pyarrow installed (default python3); UNITS default 500 5000. Each tool
# estimates REPEAT times (default 5) in one process; fit_s is the median, first_s the first call.
# Output: CSV lines `tool,units,bootstrap,fit_s,first_s,peak_rss_mib,att_dynamic,se_dynamic`.
set -euo pipefail
cd "$(dirname "$0")/../.."
py=${1:-python3}
shift || true
sizes=("${@:-500 5000}")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/phare-target}"
cargo bench --profile dev --bench did_cs --no-run -q 2>/dev/null
repeat=${REPEAT:-5}
echo "tool,units,bootstrap,fit_s,first_s,peak_rss_mib,att_dynamic,se_dynamic"
for n in ${sizes[@]}; do
  cargo bench --profile dev -q --bench did_cs -- --units "$n" --write "$tmp/panel.parquet" >/dev/null
  for b in 0 999; do
    cargo bench --profile dev -q --bench did_cs -- --read "$tmp/panel.parquet" --bootstrap "$b" --repeat "$repeat" | grep '^phare'
    "$py" benches/compare/did_csdid.py "$tmp/panel.parquet" "$b" "$repeat" | grep '^csdid'
  done
done
