#!/usr/bin/env bash
# Side by side: phare vs pyfixest on the same generated panels (SIMULATED, true slope of x1 = 0.5),
# two-way fixed effects (individual × year), CRV1 by individual. Both run in this one script, so the
# ratio is measured under the same machine load.
#
#   benches/compare/feols.sh [PYTHON] [ROWS...]
#
# PYTHON is an interpreter with pyfixest and pyarrow installed (default: python3); ROWS default
# 100000 1000000 5000000. Measured with pyfixest 0.60.0, pyarrow 26.0.1 (see docs/performance.md).
# Output: CSV lines `tool,rows,load_s,fit_s,peak_rss_mib,b_x1,se_x1`.
set -euo pipefail
cd "$(dirname "$0")/../.."
py=${1:-python3}
shift || true
sizes=("${@:-100000 1000000 5000000}")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/phare-target}"
cargo bench --profile dev --bench feols_panel --no-run -q 2>/dev/null
echo "tool,rows,load_s,fit_s,peak_rss_mib,b_x1,se_x1"
for n in ${sizes[@]}; do
  cargo bench --profile dev -q --bench feols_panel -- --rows "$n" --write "$tmp/panel.parquet" >/dev/null
  cargo bench --profile dev -q --bench feols_panel -- --read "$tmp/panel.parquet" | grep '^phare'
  "$py" benches/compare/feols_pyfixest.py "$tmp/panel.parquet"
done
