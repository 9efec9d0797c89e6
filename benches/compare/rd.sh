#!/usr/bin/env bash
# Side by side: phare's regression discontinuity (benches/rd.rs) vs rdrobust 2.1.1 (PyPI, GPL,
# called only as a black box through rdrobust(y, x); benches/compare/rd_peers.py), the default
# call on both sides: mserd bandwidth, local linear, triangular kernel, nearest-neighbour variance,
# conventional and robust bias-corrected inference. Cases: the Senate data
# (datasets/gpl/rdrobust_senate.csv, vote on margin, n = 1,297 after dropping missing votes) and
# SIMULATED data of each size N (the design of crates/phare-causal/tests/reference/rd_generate.py,
# simulate(N, seed = 20261129 + N), true jump 0.5; written once to a temporary CSV by Python and
# read by both tools, the fingerprints of the x and y columns as read are checked equal). Both tools
# run in this one script, so ratios are measured under the same machine load.
#
#   nice benches/compare/rd.sh [PYTHON] [N...]
#
# PYTHON has rdrobust 2.1.1, numpy and pandas (default /root/venv-rd/bin/python); N defaults to
# 10000 100000 1000000. Repeats per case (each tool in one process, reading excluded; the table
# shows the BEST time): REPEAT (default 5) for phare and PEER_REPEAT (default 5) for rdrobust up
# to 10,000 rows, 5 and 3 up to 100,000, LARGE_REPEAT (default 3) and LARGE_PEER_REPEAT (default 1)
# above. STEPS=1 adds phare's rough time breakdown (`--steps` of benches/rd.rs) for each case.
# Output: the raw CSV lines of both tools (`tool,case,n,best_s,median_s,first_s,peak_rss_mib,
# est_cl,se_cl,est_rb,se_rb,h_left,h_right,b_left,b_right,fp_x,fp_y`), then a table:
# case, n, phare s, rdrobust s, ratio (rdrobust / phare), the largest relative difference of the
# point estimates (conventional and robust bias-corrected), of the bandwidths (h and b, both
# sides) and of the standard errors, and whether both read the same data.
set -euo pipefail
cd "$(dirname "$0")/../.."
py=${1:-/root/venv-rd/bin/python}
shift || true
sizes=("${@:-10000 100000 1000000}")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "# rdrobust $("$py" -c 'from importlib.metadata import version as v; print(v("rdrobust"), "numpy", v("numpy"), "pandas", v("pandas"))')"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/phare-target}"
# Built once; every case then runs this one executable, so the whole comparison measures one
# build even if the sources change while it runs (cargo bench per case would rebuild).
exe=$(cargo bench --profile dev --bench rd --no-run --message-format=json 2>/dev/null \
  | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1 || true)
[[ -x "$exe" ]] || { echo "building benches/rd.rs failed" >&2; exit 1; }
echo "# phare bench executable: $exe (built $(date -r "$exe" -Is))"
echo "# start $(date -Is), cpus (nproc): $(nproc), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
steps=()
[[ "${STEPS:-0}" == 1 ]] && steps=(--steps)
bench() { "$exe" "$@"; }
out="$tmp/out.csv"
header="tool,case,n,best_s,median_s,first_s,peak_rss_mib,est_cl,se_cl,est_rb,se_rb,h_left,h_right,b_left,b_right,fp_x,fp_y"
echo "$header"
: >"$out"
run_case() { # case data(senate|csv) phare_repeat peer_repeat
  local case=$1 data=$2 rep=$3 peer_rep=$4
  local res
  if [[ "$data" == senate ]]; then
    res=$(bench --senate --repeat "$rep" "${steps[@]}")
  else
    res=$(bench --read "$data" --case "$case" --repeat "$rep" "${steps[@]}")
  fi
  grep -v '^phare' <<<"$res" || true
  grep '^phare' <<<"$res" | tee -a "$out"
  "$py" benches/compare/rd_peers.py run "$data" "$peer_rep" --case "$case" | grep '^rdrobust' | tee -a "$out"
}
run_case senate senate "${REPEAT:-5}" "${PEER_REPEAT:-5}"
for n in ${sizes[@]}; do
  case_name="sim$n"
  "$py" benches/compare/rd_peers.py write "$n" "$tmp/sim.csv"
  if (( n <= 10000 )); then
    run_case "$case_name" "$tmp/sim.csv" "${REPEAT:-5}" "${PEER_REPEAT:-5}"
  elif (( n <= 100000 )); then
    run_case "$case_name" "$tmp/sim.csv" "${REPEAT:-5}" 3
  else
    run_case "$case_name" "$tmp/sim.csv" "${LARGE_REPEAT:-3}" "${LARGE_PEER_REPEAT:-1}"
  fi
done
echo
echo "| case | n | phare s (best) | rdrobust s (best) | rdrobust / phare | estimates rel. diff | h, b rel. diff | SEs rel. diff | same data |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
awk -F, '
  function rel(a, b) { d = a - b; if (d < 0) d = -d; m = (b < 0 ? -b : b); return m > 0 ? d / m : d }
  function maxrel(i, j,   k, r, v) { r = 0; for (k = i; k <= j; k++) { v = rel(ph[c, k], pe[c, k]); if (v > r) r = v }; return r }
  { c = $2; if (!(c in seen)) { seen[c] = 1; order[++nc] = c }
    for (k = 1; k <= NF; k++) { if ($1 == "phare") ph[c, k] = $k; else pe[c, k] = $k } }
  END { for (i = 1; i <= nc; i++) { c = order[i]
          if (!((c, 1) in ph) || !((c, 1) in pe)) { printf "| %s | missing a tool |\n", c; continue }
          n = (ph[c, 3] == pe[c, 3]) ? ph[c, 3] : ph[c, 3] " vs " pe[c, 3]
          printf "| %s | %s | %.4f | %.4f | %.1f× | %.1e | %.1e | %.1e | %s |\n", c, n, ph[c, 4], pe[c, 4],
            pe[c, 4] / ph[c, 4], (maxrel(8, 8) > maxrel(10, 10) ? maxrel(8, 8) : maxrel(10, 10)), maxrel(12, 15),
            (maxrel(9, 9) > maxrel(11, 11) ? maxrel(9, 9) : maxrel(11, 11)),
            ((ph[c, 16] "") == (pe[c, 16] "") && (ph[c, 17] "") == (pe[c, 17] "")) ? "yes" : "NO" } }' "$out"
echo
echo "# end $(date -Is), cpus (nproc): $(nproc), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
