#!/usr/bin/env bash
# Side by side, WITH placebo inference: phare vs synthdid 0.10.1 (Python port of the R package) for
# synthetic DiD + the placebo standard error (200 replications), and phare vs pysyncon 1.7.0 for
# the Abadie–Diamond–Hainmueller synthetic control (every pre-period outcome a predictor, equal V)
# + the placebo-in-space test over every donor; on the bundled prop99 data (California from 1989,
# 38 donors × 31 years) and on a generated panel (SIMULATED factor model, DONORS donors + 1
# treated unit × PERIODS periods, treated over the last 10 periods, true effect −5). Both tools
# run in this one script, so ratios are measured under the same machine load.
#
#   REPEAT=3 SDID_REPS=20 SC_PLACEBOS=10 benches/compare/synth.sh [PYTHON] [DONORS] [PERIODS]
#
# PYTHON has synthdid, pysyncon, pandas and pyarrow installed (default python3); DONORS default
# 1000, PERIODS 40. phare fits REPEAT times (default 3) in one process, the peers PEER_REPEAT
# times (default 1); fit_s is the median, first_s the first call.
# The peers are too slow to run in full on the generated panel, so there they run a subset and
# the time is EXTRAPOLATED linearly (the note column says so and how): synthdid runs SDID_REPS
# placebo replications (default 20) scaled to 200, pysyncon the placebo test for SC_PLACEBOS
# donors (default 10) scaled to all donors; set SDID_REPS=200 SC_PLACEBOS=0 to run them in full.
# On prop99 every run is complete.
# Output: CSV lines `tool,dataset,method,fit_s,first_s,peak_rss_mib,att,se_or_p,note` (se_or_p:
# the placebo standard error for sdid, the permutation p-value for sc — pysyncon counts the
# placebos at least as extreme over all units, phare adds the treated unit to the count, so its
# p is 1/(N0+1) higher for the same ranking), then `# ratio` lines: peer fit_s / phare fit_s.
set -euo pipefail
cd "$(dirname "$0")/../.."
py=${1:-python3}
donors=${2:-1000}
periods=${3:-40}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/phare-target}"
cargo bench --profile dev --bench synth --no-run -q 2>/dev/null
repeat=${REPEAT:-3}
peer_repeat=${PEER_REPEAT:-1}
sdid_reps=${SDID_REPS:-20}
sc_placebos=${SC_PLACEBOS:-10}
bench() { cargo bench --profile dev -q --bench synth -- "$@"; }
cargo bench --profile dev -q --bench synth -- --donors "$donors" --periods "$periods" --write "$tmp/panel.parquet" >/dev/null
out="$tmp/out.csv"
echo "tool,dataset,method,fit_s,first_s,peak_rss_mib,att,se_or_p,note" | tee "$out"
bench --prop99 --method sdid --repeat "$repeat" | grep '^phare' | tee -a "$out"
"$py" benches/compare/synth_peers.py sdid datasets/prop99.csv "$peer_repeat" | grep '^synthdid' | tee -a "$out"
bench --prop99 --method sc --repeat "$repeat" | grep '^phare' | tee -a "$out"
"$py" benches/compare/synth_peers.py sc datasets/prop99.csv "$peer_repeat" | grep '^pysyncon' | tee -a "$out"
bench --read "$tmp/panel.parquet" --method sdid --repeat "$repeat" | grep '^phare' | tee -a "$out"
"$py" benches/compare/synth_peers.py sdid "$tmp/panel.parquet" "$peer_repeat" --reps "$sdid_reps" | grep '^synthdid' | tee -a "$out"
bench --read "$tmp/panel.parquet" --method sc --repeat "$repeat" | grep '^phare' | tee -a "$out"
"$py" benches/compare/synth_peers.py sc "$tmp/panel.parquet" "$peer_repeat" --placebos "$sc_placebos" | grep '^pysyncon' | tee -a "$out"
awk -F, 'NR > 1 { key = $2 "," $3; if ($1 == "phare") { ph[key] = $4 } else { peer[key] = $4; who[key] = $1; ext[key] = ($9 ~ /EXTRAPOLATED/) ? " (peer time extrapolated)" : "" } }
  END { for (k in peer) if (k in ph) printf "# ratio %s/phare %s: %.1fx%s\n", who[k], k, peer[k] / ph[k], ext[k] }' "$out" | sort
echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg), cpus: $(nproc)"
