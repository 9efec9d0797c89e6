#!/usr/bin/env bash
# Side by side: phare's weighting estimators (benches/weighting.rs: Weighting::fit, IPW with
# normalised weights, regression adjustment, AIPW) vs statsmodels' TreatmentEffect (statsmodels
# 0.15, BSD-3-Clause; benches/compare/weighting_peers.py) on SIMULATED data of each size N: the
# design of crates/phare-causal/tests/reference/weighting_timing.py (simulate(N, seed = 20261129
# + N): x1..x3 ~ N(0, 1), x4 ~ Bernoulli(0.4), x5 ~ U(0, 2), logistic propensity, linear outcome
# with the heterogeneous effect 2 + x1 + 0.5 x4, population ATE 2.2), written once per size to a
# temporary CSV by Python and read by both tools; a fingerprint of the seven columns as read,
# printed by both, confirms they see the same doubles. Both tools run in this one script, so the
# ratios are measured under the same machine load.
#
#   nice benches/compare/weighting.sh [PYTHON] [N...]
#
# PYTHON has statsmodels, pandas and numpy (default /root/venv-weight/bin/python); N defaults to
# 10000 100000 1000000. ESTIMANDS (default "ate"; "ate att" adds the ATT: statsmodels has it for
# ipw and ra only). Times exclude reading the file; each estimator runs in its own process per tool.
#   phare: Weighting::fit from the polars frame (columns out of the frame, logit propensity score,
#     outcome models, estimate, influence-function SE, weights, balance table), REPEAT (default 5)
#     fits.
#   statsmodels, from the pandas frame: the design matrix, sm.Logit(...).fit(),
#     TreatmentEffect(sm.OLS(y, X), d, results_select=...) (fits both per-arm OLS), then
#     - `full`: te.ipw()/ra()/aipw(): estimate + GMM standard errors (Nelder-Mead, numerical
#       derivatives): PEER_REPEAT (default 3) runs up to 100,000 rows, LARGE_PEER_REPEAT
#       (default 1) above — the like-for-like comparison (both tools return an estimate and an SE);
#     - `points`: te.<m>(return_results=False): closed-form estimate only, no SE (less work than
#       phare's fit), POINTS_REPEAT (default 3) runs.
# FULL=0 skips the `full` variant (minutes at 10^6 rows); STEPS=1 adds phare's rough time
# breakdown (`--steps` of benches/weighting.rs) for each size.
# The table shows MEDIAN times. Output: the raw CSV lines of both tools (`tool,case,n,estimator,
# estimand,variant,best_s,median_s,first_s,runs,peak_rss_mib,estimate,se,fp`), then the table:
# estimator, n, phare s, statsmodels s with SEs, ratio, statsmodels closed form s, ratio, the
# estimates' difference in phare standard errors, the SEs' relative difference, same data.
set -euo pipefail
cd "$(dirname "$0")/../.."
py=${1:-/root/venv-weight/bin/python}
shift || true
sizes=("${@:-10000 100000 1000000}")
estimands=${ESTIMANDS:-ate}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "# $("$py" -c 'from importlib.metadata import version as v; print("statsmodels", v("statsmodels"), "numpy", v("numpy"), "scipy", v("scipy"), "pandas", v("pandas"))')"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/phare-target}"
# Built once; every case then runs this one executable, so the whole comparison measures one
# build even if the sources change while it runs (cargo bench per case would rebuild).
exe=$(cargo bench --profile dev --bench weighting --no-run --message-format=json 2>/dev/null \
  | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1 || true)
[[ -x "$exe" ]] || { echo "building benches/weighting.rs failed" >&2; exit 1; }
echo "# phare bench executable: $exe (built $(date -r "$exe" -Is))"
echo "# start $(date -Is), cpus (nproc): $(nproc), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
out="$tmp/out.csv"
no_full=()
[[ "${FULL:-1}" == 0 ]] && no_full=(--no-full)
echo "tool,case,n,estimator,estimand,variant,best_s,median_s,first_s,runs,peak_rss_mib,estimate,se,fp"
: >"$out"
for n in ${sizes[@]}; do
  case_name="sim$n"
  "$py" benches/compare/weighting_peers.py write "$n" "$tmp/sim.csv"
  if (( n <= 100000 )); then full_rep=${PEER_REPEAT:-3}; else full_rep=${LARGE_PEER_REPEAT:-1}; fi
  if [[ "${STEPS:-0}" == 1 ]]; then
    "$exe" --read "$tmp/sim.csv" --case "$case_name" --estimator ipw --repeat "${REPEAT:-5}" --steps | grep '^#'
  fi
  for estimand in $estimands; do
    for m in ipw ra aipw; do
      echo "# $(date -Is) $case_name $m $estimand, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
      "$exe" --read "$tmp/sim.csv" --case "$case_name" --estimator "$m" --estimand "$estimand" \
        --repeat "${REPEAT:-5}" | grep '^phare' | tee -a "$out"
      "$py" benches/compare/weighting_peers.py run "$tmp/sim.csv" --case "$case_name" --estimator "$m" \
        --estimand "$estimand" --repeat-full "$full_rep" --repeat-points "${POINTS_REPEAT:-3}" "${no_full[@]}" \
        | tee -a "$out"
    done
  done
done
echo
"$py" benches/compare/weighting_peers.py table "$out"
echo
echo "# end $(date -Is), cpus (nproc): $(nproc), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
