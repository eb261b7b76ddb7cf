#!/bin/bash
# The boosted trees beside xgboost's hist method on the same rows, columns and cores, in the same run:
# generates N subscribers (default 800 000), trains `churnscore train --model-kind gbm --inputs raw`
# with 1 and 2 ranks and fits xgboost (tree_method hist) with nthread 1 and 2, interleaved, and prints
# the trees stage's seconds (the train summary's "trees": the in-memory sample pass, binning and the
# 300 trees) beside xgboost's fit time (xgb.train alone; DMatrix building and binning not included,
# which favours xgboost) and their ratio, with both holdout AUCs.
#   scripts/bench-trees.sh [N] [DIR]
# Same rows: the training rows of churnscore's holdout split (idhash_unit(id, SALT_HOLDOUT) >= 0.2,
# recomputed here in numpy; --gbm-rows is raised so the trees use every training row), and both AUCs
# are on the same holdout rows. Same columns: the model file's design columns (logit/names without
# the intercept: 32 screened raw indicators, 7 signals, the onboarding and contract-ending flags and
# the brand dummies, 43 at the default size) taken as raw values from the snapshot (churnscore
# standardises and imputes them, which moves no tree split; xgboost sends NaN its own way). Same
# model: 300 rounds, depth 4, eta 0.05, lambda 1, 64 bins, min_child_weight 1e-3 (churnscore's
# minimum hessian; its 20-row minimum has no xgboost twin), logistic loss from the base rate.
# Needs /usr/bin/python3 with h5py, numpy, xgboost, sklearn (Debian python3-xgboost 1.7.4 here).
# Other jobs on the machine change every figure: the script prints the load average it ran under.
set -euo pipefail
N=${1:-800000}
DIR=${2:-/tmp/cs-bench-trees}
CS=${CHURNSCORE:-$(dirname "$0")/../build/churnscore}
PY=${PYTHON:-/usr/bin/python3}
. "$(dirname "$0")/mpi-env.sh"
mkdir -p "$DIR"
F="$DIR/bench-trees-$N.h5"
[ -e "$F" ] || mpirun --oversubscribe -n 2 "$CS" generate --out "$F" --subscribers "$N" --quiet
cat "$F" > /dev/null   # warm page cache
GBM_ROWS=$(( N < 4194304 ? (N > 4096 ? N : 4096) : 4194304 ))
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A CT CA XT XA
for R in 1 2; do
  out=$(mpirun --oversubscribe -n $R "$CS" train --in "$F" --model "$DIR/model-$R.h5" --quiet \
        --model-kind gbm --inputs raw --gbm-rows $GBM_ROWS 2>&1) || { echo "$out" >&2; exit 1; }
  CT[$R]=$(echo "$out" | sed -n 's/.*[ ,]trees \([0-9.]*\) s.*/\1/p')
  CA[$R]=$(echo "$out" | sed -n 's/^  holdout  *n=[0-9]* AUC \([0-9.]*\).*/\1/p')
  xo=$("$PY" - "$F" "$DIR/model-$R.h5" $R <<'PY'
import sys, time
import h5py, numpy as np, xgboost as xgb
from sklearn.metrics import roc_auc_score
snap, model, nthread = sys.argv[1], sys.argv[2], int(sys.argv[3])
s, m = h5py.File(snap, "r")["subscribers"], h5py.File(model, "r")
feat = [x.decode() for x in s["feature_names"][:]]
names = [x.decode() for x in m["logit/names"][:]][1:]
X0, y, ids, brand = s["features"][:], s["churned"][:], s["id"][:], s["brand"][:]
cols = []
for nm in names:
    if nm == "onboarding":
        t = X0[:, feat.index("tenure_months")]
        cols.append(((~np.isnan(t)) & (t <= m.attrs["onboarding_months"])).astype(np.float32))
    elif nm == "contract_ending":
        t = X0[:, feat.index("contract_months_left")]
        cols.append(((~np.isnan(t)) & (t >= 0) & (t <= m.attrs["contract_ending_months"])).astype(np.float32))
    elif nm.startswith("brand") and nm[5:].isdigit():
        cols.append((brand == int(nm[5:])).astype(np.float32))
    else:
        cols.append(X0[:, feat.index(nm)])
X = np.ascontiguousarray(np.stack(cols, axis=1))
# churnscore's holdout: idhash_unit(id, SALT_HOLDOUT) < 0.2 (model/idhash.h, mpi/salts.h)
with np.errstate(over="ignore"):
    x = (ids ^ np.uint64(0x686f6c646f7574)) + np.uint64(0x9e3779b97f4a7c15)
    x ^= x >> np.uint64(30); x *= np.uint64(0xbf58476d1ce4e5b9)
    x ^= x >> np.uint64(27); x *= np.uint64(0x94d049bb133111eb)
    x ^= x >> np.uint64(31)
hold = (x >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0) < 0.2
lab = (y == 0) | (y == 1)
tr, ho = lab & ~hold, lab & hold
d = xgb.DMatrix(X[tr], label=y[tr].astype(np.float32), nthread=nthread)
par = {"objective": "binary:logistic", "tree_method": "hist", "max_depth": 4, "eta": 0.05,
       "lambda": 1.0, "alpha": 0.0, "gamma": 0.0, "max_bin": 64, "min_child_weight": 1e-3,
       "nthread": nthread, "base_score": float(y[tr].mean()), "verbosity": 0}
t0 = time.perf_counter()
b = xgb.train(par, d, num_boost_round=300)
fit = time.perf_counter() - t0
p = b.predict(xgb.DMatrix(X[ho], nthread=nthread))
print(f"{fit:.2f} {roc_auc_score(y[ho], p):.4f} {tr.sum()} {X.shape[1]}")
PY
)
  read -r XT[$R] XA[$R] XR XC <<< "$xo"
  echo "== $R rank(s) / $R thread(s), $XR training rows x $XC columns: churnscore trees ${CT[$R]} s" \
       "(holdout AUC ${CA[$R]}), xgboost hist ${XT[$R]} s (AUC ${XA[$R]}), ratio" \
       "$(echo "scale=2; ${CT[$R]} / ${XT[$R]}" | bc)x"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
