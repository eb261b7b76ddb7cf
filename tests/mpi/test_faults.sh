#!/bin/bash
# The fault catalogue (issue 12): bad inputs, dangerous outputs and faults during a run, each stated
# as data — the exit code the README documents and a regular expression for the one message, which
# must name the file and what is wrong — and run at 1 and 3 ranks under a time limit. For every case
# and rank count the harness checks:
#   - the exact exit code (a timeout, 124, is a hang; 134/139 a crash);
#   - exactly one "churnscore: error" line on stderr (not one per rank), matching the case's regex
#     (cases that expect 0 match it against stdout + stderr instead and want no error line);
#   - nothing left behind or changed where the case writes: the names, types and md5 of every path
#     under the case's work directory, the shared inputs, the full and read-only file systems are
#     the same before and after (no NAME.tmp, no lock file, no partial list), apart from the paths a
#     case declares it may create (a command that must succeed, the .tmp of a killed rank);
#   - the md5 of every input file the command names, before and after (and of every shared input
#     once more at the end).
# Classes: data loss (outputs equal to, inside or containing inputs, through symbolic and hard
# links, read-only and immutable outputs, DIR.old holding a user's file, locked and concurrent
# outputs), silently wrong results (h5py-written files: odd integer widths and signedness, negative
# and out-of-range indices, fixed/vlen/space-padded strings, non-UTF-8 and duplicated names,
# Inf in labelled and unlabelled snapshots, constant indicators; option values that are not what
# they claim; CSV 1e400), crashes (disk full on a small tmpfs for model, scores, lists, report,
# snapshot, import and evaluation; inconsistent model files) and wrong exit codes (Inf in training,
# uint8 label 255, an integer month, a long CSV record, an unwritable --report, a rank killed with
# SIGKILL in train and in score: the job must end, non-zero, with nothing renamed into place).
#
#   CS_FAULTS_ONLY=REGEX    run only the cases whose name matches (grep -E)
#   CS_FAULTS_RANKS="1 3"   the rank counts
#   CS_FAULTS_LIMIT=90      seconds per run before it counts as a hang
#   CS_FAULTS_KEEP=1        keep going after a failed case (default: run all, then fail)
# The h5py files come from tests/mpi/faults_h5.py (/usr/bin/python3, Debian's python3-h5py). Cases
# that need root (tmpfs, read-only mounts, chattr) are reported SKIP without it.
source "$(dirname "$0")/common.sh"
SRC=${CS_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
PY=/usr/bin/python3
LIMIT=${CS_FAULTS_LIMIT:-90}
RANKS=${CS_FAULTS_RANKS:-"1 3"}
ONLY=${CS_FAULTS_ONLY:-}
IN=$T/in FULL=$T/full RO=$T/ro
mkdir -p "$IN" "$T/w"
export CS IN FULL RO SRC

# ---- fixtures (inputs: never to change) -------------------------------------------------------
N=20000      # 3 blocks of 8192 rows: at 3 ranks the last row (LAST) is read by rank 2 alone
LAST=$((N - 1))
run 2 "$CS" generate --out "$IN/s.h5" --subscribers $N --regions 4 --seed 3 --month 2026-10 --quiet || fail "generate"
run 2 "$CS" generate --follows "$IN/s.h5" --out "$IN/s2.h5" --quiet || fail "generate --follows"
run 2 "$CS" train --in "$IN/s.h5" --model "$IN/m.h5" --model-kind logit --quiet > /dev/null || fail "train"
run 2 "$CS" score --in "$IN/s.h5" --model "$IN/m.h5" --out "$IN/sc.h5" --lists "$IN/lists" --quiet > /dev/null || fail "score"
"$BUILD/snap2csv" "$IN/s.h5" "$IN/s.csv" || fail "snap2csv"
$PY "$SRC/tests/mpi/faults_h5.py" "$IN/s.h5" "$IN/m.h5" "$IN" || fail "faults_h5.py"
# a larger snapshot for the runs that must last long enough to be killed or overlapped
run 2 "$CS" generate --out "$IN/big.h5" --subscribers 300000 --regions 4 --seed 4 --quiet || fail "generate big"
# CSV extracts: 1e400 and inf in a numeric column, a bad UTF-8 region, a ragged row, a 17 MB record
csv_edit() { # csv_edit OUT AWK-PROGRAM: s.csv with its row LINE (1-based, header = 1) rewritten
  awk -F, -v OFS=, "$2" "$IN/s.csv" > "$IN/$1"
}
csv_edit big.csv 'NR==402{$4="1e400"}1'
csv_edit inf.csv 'NR==402{$4="inf"}1'
csv_edit ninf.csv 'NR==402{$4="-inf"}1'
csv_edit ragged.csv 'NR==402{$4=$4",7"}1'
csv_edit gbk.csv 'NR==402{$2="\xb9\xe3\xd6\xdd"}1'
# a 17 MB record: a quoted 17 MB text in a column the import ignores
{ head -1 "$IN/s.csv" | sed 's/$/,note/'; sed -n '2,400p' "$IN/s.csv" | sed 's/$/,ok/'
  sed -n '401p' "$IN/s.csv" | tr -d '\n'; printf ',"'; head -c 17000000 /dev/zero | tr '\0' 'x'; printf '"\n'
  sed -n '402,$p' "$IN/s.csv" | sed 's/$/,ok/'; } > "$IN/long.csv"
chmod -R a-w "$IN"   # (root ignores this; the checksums are what guard the inputs)
# a pristine copy: a case that damages a shared input fails, and the input is put back for the rest
cp -a "$IN" "$T/pristine"

# ---- file systems for disk full and read-only ---------------------------------------------------
ROOTFS=0
if [ "$(id -u)" = 0 ] && mkdir -p "$FULL" "$RO" && mount -t tmpfs -o size=512k tmpfs "$FULL" 2>/dev/null; then
  if mount -t tmpfs -o size=8m tmpfs "$RO" 2>/dev/null; then ROOTFS=1; else umount "$FULL"; fi
fi
cleanup() {
  [ -n "${HOLDER:-}" ] && kill "$HOLDER" 2>/dev/null
  if [ "$ROOTFS" = 1 ]; then umount "$FULL" 2>/dev/null; umount "$RO" 2>/dev/null; fi
  find "$T/w" -type f -exec chattr -i {} + 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT
if [ "$ROOTFS" = 1 ]; then
  # the full one: a filler takes every block, so the first page of any output fails (ENOSPC)
  dd if=/dev/zero of="$FULL/filler" bs=4k 2>/dev/null || true
  [ "$(df --output=avail -k "$FULL" | tail -1)" -le 4 ] || fail "tmpfs not full"
  # the read-only one: an earlier month's outputs, then remounted read-only
  cp "$IN/m.h5" "$RO/m.h5"; cp "$IN/sc.h5" "$RO/sc.h5"; cp -r "$IN/lists" "$RO/lists"
  mount -o remount,ro "$RO" || fail "remount ro"
fi

# ---- the catalogue --------------------------------------------------------------------------
# c NAME RC REGEX COMMAND: COMMAND is evaluated in a bash with $IN, $W (the case's fresh work
# directory), $NR (ranks), $FULL, $RO, and cs (= mpirun -n $NR churnscore). A function prep_NAME, if
# defined, runs first (in W, before the "before" checksums); ALLOW[NAME] is a regex of paths the run
# may create or change; NEED[NAME]=root marks the cases that need the file systems above.
declare -a ORDER=()
declare -A RC=() RE=() CMD=() ALLOW=() NEED=()
c() { ORDER+=("$1"); RC[$1]=$2; RE[$1]=$3; CMD[$1]=$4; }
SC='--model $IN/m.h5 --out $W/o.h5 --lists $W/L'     # the rest of a score command line
TR='--model $W/m.h5 --model-kind logit'                # the rest of a train command line

## data loss: outputs that are, lie inside or contain inputs (exit 1), through links too. The inputs
## are the case's own copies (own FILE...): on a build without the refusal they are overwritten.
own() { local f; for f in "$@"; do cp -r "$IN/$f" .; done; }
c out_is_in          1 'churnscore: error: .*s\.h5.*(same file|input)'        'cs score --in $W/s.h5 --model $W/m.h5 --out $W/s.h5 --lists $W/L'
prep_out_is_in() { own s.h5 m.h5; }
c out_is_model       1 'churnscore: error: .*m\.h5.*(same file|input)'        'cs score --in $W/s.h5 --model $W/m.h5 --out $W/m.h5 --lists $W/L'
prep_out_is_model() { own s.h5 m.h5; }
c model_is_in        1 'churnscore: error: .*s\.h5.*(same file|input)'        'cs train --in $W/s.h5 --model $W/s.h5 --model-kind logit'
prep_model_is_in() { own s.h5; }
c report_is_in       1 'churnscore: error: .*s\.h5.*(same file|input)'        'cs train --in $W/s.h5 --model $W/m.h5 --report $W/s.h5 --model-kind logit'
prep_report_is_in() { own s.h5; }
c model_is_report    1 'churnscore: error: .*m\.h5.*(same file|two outputs)'  'cs train --in $IN/s.h5 --model $W/m.h5 --report $W/m.h5 --model-kind logit'
c import_out_is_csv  1 'churnscore: error: .*s\.csv.*(same file|input)'       'cs import --csv $W/s.csv --out $W/s.csv --id id --label churned --positive yes'
prep_import_out_is_csv() { own s.csv; }
c import_out_is_like 1 'churnscore: error: .*s\.h5.*(same file|input)'        'cs import --csv $IN/s.csv --out $W/s.h5 --like $W/s.h5 --id id --label churned --positive yes'
prep_import_out_is_like() { own s.h5; }
c follows_is_out     1 'churnscore: error: .*s\.h5.*(same file|input)'        'cs generate --follows $W/s.h5 --out $W/s.h5'
prep_follows_is_out() { own s.h5; }
c out_link_to_in     1 'churnscore: error: .*link\.h5.*(same file|input)'     'cs score --in $W/s.h5 --model $IN/m.h5 --out $W/link.h5 --lists $W/L'
prep_out_link_to_in() { own s.h5; ln -s s.h5 link.h5; }
c out_hardlink_in    1 'churnscore: error: .*hard\.h5.*(same file|hard link|input)' 'cs score --in $W/s.h5 --model $IN/m.h5 --out $W/hard.h5 --lists $W/L'
prep_out_hardlink_in() { own s.h5; ln s.h5 hard.h5; }
c out_dirlink_in     1 'churnscore: error: .*s\.h5.*(same file|input)'        'cs score --in $W/data/s.h5 --model $IN/m.h5 --out $W/d/s.h5 --lists $W/L'
prep_out_dirlink_in() { mkdir data; cp "$IN/s.h5" data/; ln -s data d; }
c lists_contain_in   1 'churnscore: error: .*(contains|inside).*s\.h5'        'cs score --in $W/sub/s.h5 --model $IN/m.h5 --out $W/o.h5 --lists $W/sub'
prep_lists_contain_in() { mkdir sub; cp "$IN/s.h5" sub/s.h5; }
c lists_is_in        1 'churnscore: error: .*s\.h5.*(same file|input)'        'cs score --in $W/s.h5 --model $IN/m.h5 --out $W/o.h5 --lists $W/s.h5'
prep_lists_is_in() { own s.h5; }
c out_inside_lists   1 'churnscore: error: .*o\.h5.*(inside|lies in)'         'cs score --in $IN/s.h5 --model $IN/m.h5 --out $W/L/o.h5 --lists $W/L'
c eval_out_in_lists  1 'churnscore: error: .*ev.*(inside|lies in|input)'      'cs evaluate --lists $W/lists --outcomes $IN/s.h5 --out $W/lists/ev'
prep_eval_out_in_lists() { own lists; }
c lists_symlink      1 'churnscore: error: .*current.*symbolic link'          'cs score --in $IN/s.h5 --model $IN/m.h5 --out $W/o.h5 --lists $W/current'
prep_lists_symlink() { mkdir 2026-10; cp -r "$IN/lists" 2026-10/lists; ln -s 2026-10/lists current; }
## data loss: what is already there
c lists_old_userfile 0 'score: done|lists'                                    "cs score --in \$IN/s.h5 $SC"
prep_lists_old_userfile() { cp -r "$IN/lists" L; mkdir L.old; echo "my notes" > L.old/notes.txt; }
ALLOW[lists_old_userfile]='^W/(o\.h5|L)(/[^/]*)?$'
c lists_foreign_file 3 'churnscore: error: .*L.*(did not write|not churnscore|foreign|refus)' "cs score --in \$IN/s.h5 $SC"
prep_lists_foreign_file() { cp -r "$IN/lists" L; echo "keep me" > L/budget.xlsx; }
c lists_user_tmpdir  3 'churnscore: error: .*L\.tmp.*(did not write|exists)'  "cs score --in \$IN/s.h5 $SC"
prep_lists_user_tmpdir() { mkdir L.tmp; echo plan > L.tmp/plan.txt; }
c lock_held          3 'churnscore: error: .*m\.h5.*(another churnscore run|lock)' "cs train --in \$IN/s.h5 $TR"
c concurrent_train   3 'churnscore: error: .*m\.h5.*(another churnscore run|lock)' 'concurrent'
ALLOW[concurrent_train]='^W/(m\.h5|first\.(out|err))$'
c ro_dir_model       3 'churnscore: error: .*ro/m\.h5.*(read-only|cannot)'    'cs train --in $IN/s.h5 --model $RO/m.h5 --model-kind logit'
c ro_dir_scores      3 'churnscore: error: .*ro/sc\.h5.*(read-only|cannot)'   'cs score --in $IN/s.h5 --model $IN/m.h5 --out $RO/sc.h5 --lists $W/L'
c ro_dir_lists       3 'churnscore: error: .*ro/lists.*(read-only|cannot)'    'cs score --in $IN/s.h5 --model $IN/m.h5 --out $W/o.h5 --lists $RO/lists'
for k in ro_dir_model ro_dir_scores ro_dir_lists; do NEED[$k]=root; done
c immutable_out      3 'churnscore: error: .*o\.h5.*(not permitted|cannot|immutable|read-only)' "cs score --in \$IN/s.h5 $SC"
prep_immutable_out() { cp "$IN/sc.h5" o.h5 && chattr +i o.h5; }
NEED[immutable_out]=root

## silently wrong: integer widths and signedness (accepted when in range, refused when not)
c id_int64_neg       5 'churnscore: error: .*id_i64_neg\.h5: /subscribers/id row '$LAST'.*-7'      'cs inspect $IN/id_i64_neg.h5'
c id_int64_neg_score 5 'churnscore: error: .*id_i64_neg\.h5: /subscribers/id row '$LAST'.*-7'      "cs score --in \$IN/id_i64_neg.h5 $SC"
c id_int32_ok        0 '"subscribers": '$N                                                         'cs inspect $IN/id_i32.h5 --json'
c id_float           4 'churnscore: error: .*id_f64\.h5: /subscribers/id.*type'                    'cs inspect $IN/id_f64.h5'
c region_int8_neg    5 'churnscore: error: .*region_i8_neg\.h5: /subscribers/region row '$LAST'.*-1.*range' 'cs inspect $IN/region_i8_neg.h5'
c region_int8_neg_tr 5 'churnscore: error: .*region_i8_neg\.h5: /subscribers/region row '$LAST'.*-1' "cs train --in \$IN/region_i8_neg.h5 $TR"
c region_int64_ok    0 '"subscribers": '$N                                                         'cs inspect $IN/region_i64.h5 --json'
c region_uint32_big  5 'churnscore: error: .*region_u32_big\.h5: /subscribers/region row '$LAST'.*70000' 'cs inspect $IN/region_u32_big.h5'
c brand_int16_neg    5 'churnscore: error: .*brand_i16_neg\.h5: /subscribers/brand row '$LAST'.*-3'  "cs score --in \$IN/brand_i16_neg.h5 $SC"
c brand_uint64_ok    0 '"subscribers": '$N                                                         'cs inspect $IN/brand_u64.h5 --json'
c brand_uint64_big   5 'churnscore: error: .*brand_u64_big\.h5: /subscribers/brand row '$LAST'.*1099511627776' 'cs inspect $IN/brand_u64_big.h5'
c label_uint8_255    5 'churnscore: error: .*churned_u8_255\.h5: /subscribers/churned row '$LAST'.*255' "cs train --in \$IN/churned_u8_255.h5 $TR"
c label_int32_ok     0 '"subscribers": '$N                                                         'cs inspect $IN/churned_i32.h5 --json'
c label_int64_2      5 'churnscore: error: .*churned_i64_2\.h5: /subscribers/churned row '$LAST'.*2' 'cs inspect $IN/churned_i64_2.h5'
c label_float        4 'churnscore: error: .*churned_f32\.h5: /subscribers/churned.*type'          'cs inspect $IN/churned_f32.h5'
## silently wrong: string forms (accepted, padding removed) and wrong strings (refused)
c regions_fixed_S    0 '"name": "北京"'                          'cs inspect $IN/regions_S.h5 --json'
c regions_fixed_utf8 0 '"name": "江苏"'                          'cs inspect $IN/regions_U8.h5 --json'
c regions_spacepad   0 '"name": "上海",'                         'cs inspect $IN/regions_space.h5 --json'
c regions_vlen_ascii 0 '"name": "west"'                          'cs inspect $IN/regions_vlen_ascii.h5 --json'
c brands_spacepad    0 '"name": "[^" ]+",'                       'cs inspect $IN/brands_space.h5 --json'
c fnames_fixed_S     0 'contract_months_left'                    'cs inspect $IN/fnames_S.h5'
c month_fixed_S      0 '"month": "2026-10"'                      'cs inspect $IN/month_S.h5 --json'
c format_fixed_S     0 '"subscribers": '$N                       'cs inspect $IN/format_S.h5 --json'
c regions_gbk        4 'churnscore: error: .*regions_gbk\.h5: /regions/name row 3.*UTF-8'                  'cs inspect $IN/regions_gbk.h5'
c regions_gbk_score  4 'churnscore: error: .*regions_gbk\.h5: /regions/name row 3.*UTF-8'                  "cs score --in \$IN/regions_gbk.h5 $SC"
c fnames_latin1      4 'churnscore: error: .*fnames_latin1\.h5: /subscribers/feature_names row 45.*UTF-8'  'cs inspect $IN/fnames_latin1.h5'
c regions_duplicate  4 'churnscore: error: .*regions_dup\.h5: /regions/name row 2.*(repeat|duplicate|twice)' 'cs inspect $IN/regions_dup.h5'
c brands_duplicate   4 'churnscore: error: .*brands_dup\.h5: /brands/name row 1.*(repeat|duplicate|twice)'   "cs score --in \$IN/brands_dup.h5 $SC"
c fnames_duplicate   4 'churnscore: error: .*fnames_dup\.h5: /subscribers/feature_names.*(repeat|duplicate|twice|unique)' 'cs inspect $IN/fnames_dup.h5'
c month_integer      4 'churnscore: error: .*month_int\.h5: .*month.*(type|integer)'                        'cs inspect $IN/month_int.h5'
## silently wrong: non-finite and constant data (exit 5, row and column)
c inf_train          5 'churnscore: error: .*feat_inf\.h5: /subscribers/features row '$LAST' column 3.*inf'   "cs train --in \$IN/feat_inf.h5 $TR"
c ninf_train_gbm     5 'churnscore: error: .*feat_ninf\.h5: /subscribers/features row '$LAST' column 7.*inf'  'cs train --in $IN/feat_ninf.h5 --model $W/m.h5 --model-kind gbm --trees 5'
c inf_score_labelled 5 'churnscore: error: .*feat_inf\.h5: /subscribers/features row '$LAST' column 3.*inf'   "cs score --in \$IN/feat_inf.h5 $SC"
c inf_score_unlab    5 'churnscore: error: .*unl_inf\.h5: /subscribers/features row '$LAST' column 3.*inf'    "cs score --in \$IN/unl_inf.h5 $SC"
c ninf_score_unlab   5 'churnscore: error: .*unl_ninf\.h5: /subscribers/features row '$LAST' column 3.*inf'   "cs score --in \$IN/unl_ninf.h5 $SC"
c inf_inspect        5 'churnscore: error: .*feat_inf\.h5: /subscribers/features row '$LAST' column 3.*inf'   'cs inspect $IN/feat_inf.h5'
c constant_train     5 'churnscore: error: .*constant\.h5: .*constant'                                        "cs train --in \$IN/constant.h5 $TR"
c one_class_train    5 'churnscore: error: .*one_class\.h5: .*(one class|churn)'                              "cs train --in \$IN/one_class.h5 $TR"
c ctype_disagree_train 5 'churnscore: error: .*ctype_disagree\.h5: /subscribers/churn_type row '$LAST': [02] \((involuntary|stayed)\), but /subscribers/churned is [01]' "cs train --in \$IN/ctype_disagree.h5 $TR"
c ctype_disagree_score 5 'churnscore: error: .*ctype_disagree\.h5: /subscribers/churn_type row '$LAST': '      "cs score --in \$IN/ctype_disagree.h5 $SC"
c ctype_u8_255       5 'churnscore: error: .*ctype_u8_255\.h5: /subscribers/churn_type row '$LAST': value 255 \(must be 0 stayed, 1 voluntary or 2 involuntary\)' 'cs inspect $IN/ctype_u8_255.h5'
## silently wrong: option values (exit 1, naming the option and the value)
c opt_subscribers_1_9 1 "churnscore: error: .*--subscribers.*'?1\.9'?"       'cs generate --out $W/g.h5 --subscribers 1.9'
c opt_subscribers_neg 1 "churnscore: error: .*--subscribers.*'?-5'?"         'cs generate --out $W/g.h5 --subscribers -5'
c opt_regions_35      1 "churnscore: error: .*--regions.*'?35'?"             'cs generate --out $W/g.h5 --subscribers 100 --regions 35'
c opt_top_0_7         1 "churnscore: error: .*--top.*'?0\.7'?"               "cs score --in \$IN/s.h5 $SC --top 0.7"
c opt_top_nan         1 "churnscore: error: .*--top.*'?nan'?"                "cs score --in \$IN/s.h5 $SC --top nan"
c opt_top_inf         1 "churnscore: error: .*--top.*'?inf'?"                "cs score --in \$IN/s.h5 $SC --top inf"
c opt_top_negative    1 "churnscore: error: .*--top.*'?-3'?"                 "cs score --in \$IN/s.h5 $SC --top -3"
c opt_memory_0_1      1 "churnscore: error: .*--memory.*'?0\.1'?"            "cs score --in \$IN/s.h5 $SC --memory 0.1"
c opt_memory_nan      1 "churnscore: error: .*--memory.*'?nan'?"             "cs train --in \$IN/s.h5 $TR --memory nan"
c opt_block_rows_0_5  1 "churnscore: error: .*--block-rows.*'?0\.5'?"        'cs inspect $IN/s.h5 --block-rows 0.5'
c opt_trees_2_5       1 "churnscore: error: .*--trees.*'?2\.5'?"             "cs train --in \$IN/s.h5 $TR --trees 2.5"
c opt_factors_1_9     1 "churnscore: error: .*--factors.*'?1\.9'?"           "cs train --in \$IN/s.h5 $TR --factors 1.9"
c opt_l2_nan          1 "churnscore: error: .*--l2.*'?nan'?"                 "cs train --in \$IN/s.h5 $TR --l2 nan"
c opt_eta_inf         1 "churnscore: error: .*--eta.*'?inf'?"                "cs train --in \$IN/s.h5 $TR --eta inf"
c opt_holdout_1_5     1 "churnscore: error: .*--holdout"           "cs train --in \$IN/s.h5 $TR --holdout 1.5"
c opt_horizon_ninf    1 "churnscore: error: .*--horizon.*'?-inf'?"           "cs score --in \$IN/s.h5 $SC --horizon -inf"
c opt_seed_1e400      1 "churnscore: error: .*--seed.*'?1e400'?"             'cs generate --out $W/g.h5 --subscribers 100 --seed 1e400'
c opt_show_bad_0_1    1 "churnscore: error: .*--show-bad.*'?0\.1'?"          'cs import --csv $IN/s.csv --out $W/i.h5 --id id --label churned --positive yes --on-bad-row skip --show-bad 0.1'
## silently wrong: CSV values
c csv_1e400          5 'churnscore: error: .*big\.csv.*line 402.*column 4.*1e400'  'cs import --csv $IN/big.csv --out $W/i.h5 --id id --region region --brand brand --label churned --positive yes'
c csv_inf            5 'churnscore: error: .*inf\.csv.*line 402.*column 4.*inf'    'cs import --csv $IN/inf.csv --out $W/i.h5 --id id --region region --brand brand --label churned --positive yes'
c csv_ninf           5 'churnscore: error: .*ninf\.csv.*line 402.*column 4.*inf'   'cs import --csv $IN/ninf.csv --out $W/i.h5 --id id --region region --brand brand --label churned --positive yes'
c csv_ragged         5 'churnscore: error: .*ragged\.csv.*line 402'                'cs import --csv $IN/ragged.csv --out $W/i.h5 --id id --region region --brand brand --label churned --positive yes'
c csv_gbk_region     5 'churnscore: error: .*gbk\.csv.*line 402.*UTF-8'            'cs import --csv $IN/gbk.csv --out $W/i.h5 --id id --region region --brand brand --label churned --positive yes'
c csv_long_record    0 'import'                                                    'cs import --csv $IN/long.csv --out $W/i.h5 --id id --region region --brand brand --label churned --positive yes --ignore note'
ALLOW[csv_long_record]='^W/i\.h5$'

## crashes: disk full (exit 3, "no space left on device: PATH", never 134/139)
c full_model         3 'churnscore: error: no space left on device: .*full/m\.h5'     'cs train --in $IN/s.h5 --model $FULL/m.h5 --model-kind logit'
c full_report        3 'churnscore: error: no space left on device: .*full/r\.md'     'cs train --in $IN/s.h5 --model $W/m.h5 --model-kind logit --report $FULL/r.md'
c full_scores        3 'churnscore: error: no space left on device: .*full/o\.h5'     'cs score --in $IN/s.h5 --model $IN/m.h5 --out $FULL/o.h5 --lists $W/L'
c full_lists         3 'churnscore: error: no space left on device: .*full/L'         'cs score --in $IN/s.h5 --model $IN/m.h5 --out $W/o.h5 --lists $FULL/L'
c full_generate      3 'churnscore: error: no space left on device: .*full/g\.h5'     'cs generate --out $FULL/g.h5 --subscribers 20000'
c full_import        3 'churnscore: error: no space left on device: .*full/i\.h5'     'cs import --csv $IN/s.csv --out $FULL/i.h5 --id id --region region --brand brand --label churned --positive yes'
c full_evaluate      3 'churnscore: error: no space left on device: .*full/e'         'cs evaluate --lists $IN/lists --outcomes $IN/s.h5 --out $FULL/e'
for k in full_model full_report full_scores full_lists full_generate full_import full_evaluate; do NEED[$k]=root; done
## crashes: model files whose parts disagree (exit 4, naming the file and what disagrees)
c model_nbrands      4 'churnscore: error: .*model_nbrands\.h5: .*(n_brands|brand)'      "cs score --in \$IN/s.h5 --model \$IN/model_nbrands.h5 --out \$W/o.h5 --lists \$W/L"
c model_nbrands_insp 4 'churnscore: error: .*model_nbrands\.h5: .*(n_brands|brand)'      'cs inspect $IN/model_nbrands.h5'
c model_nbrands_low  4 'churnscore: error: .*model_nbrands0\.h5: .*(n_brands|brand)'     "cs score --in \$IN/s.h5 --model \$IN/model_nbrands0.h5 --out \$W/o.h5 --lists \$W/L"
c model_nfactors     4 'churnscore: error: .*model_nfactors\.h5: .*(n_factors|factor)'   "cs score --in \$IN/s.h5 --model \$IN/model_nfactors.h5 --out \$W/o.h5 --lists \$W/L"
c model_tenure_index 4 'churnscore: error: .*model_tenure\.h5: .*tenure'                 "cs score --in \$IN/s.h5 --model \$IN/model_tenure.h5 --out \$W/o.h5 --lists \$W/L"
c model_beta_nan     5 'churnscore: error: .*model_beta_nan\.h5: .*(beta|finite|nan)'    "cs score --in \$IN/s.h5 --model \$IN/model_beta_nan.h5 --out \$W/o.h5 --lists \$W/L"
c model_scale_zero   4 'churnscore: error: .*model_scale0\.h5: .*scale'                  "cs score --in \$IN/s.h5 --model \$IN/model_scale0.h5 --out \$W/o.h5 --lists \$W/L"
c model_no_beta      4 'churnscore: error: .*model_nobeta\.h5: .*beta.*missing'          "cs score --in \$IN/s.h5 --model \$IN/model_nobeta.h5 --out \$W/o.h5 --lists \$W/L"
c model_types_nan    5 'churnscore: error: .*model_types_nan\.h5: /types/voluntary/beta row 2: value nan is not finite' "cs score --in \$IN/s.h5 --model \$IN/model_types_nan.h5 --out \$W/o.h5 --lists \$W/L"
c model_types_short  4 'churnscore: error: .*model_types_short\.h5: /types/involuntary/beta has [0-9]+ values, expected [0-9]+' 'cs inspect $IN/model_types_short.h5'
## wrong exit codes: an unwritable --report (3, and no model written); a killed rank
c report_unwritable  3 'churnscore: error: .*nodir/r\.md'                    "cs train --in \$IN/s.h5 $TR --report \$W/nodir/r.md"
c kill_rank_train    137 'killed|signal 9|exited on signal'                  'killrank train --in $IN/big.h5 --model $W/m.h5 --block-rows 4096'
c kill_rank_score    137 'killed|signal 9|exited on signal'                  'killrank score --in $IN/big.h5 --model $IN/m.h5 --out $W/o.h5 --lists $W/L --block-rows 2048'
ALLOW[kill_rank_train]='\.(tmp|lock)(/.*)?$'
ALLOW[kill_rank_score]='\.(tmp|lock)(/.*)?$'

# ---- helpers the commands use -------------------------------------------------------------------
cs() { segv_once mpirun --oversubscribe -n "$NR" "$CS" "$@"; }
# killrank ARGS: starts churnscore ARGS, waits until it is mid-run (its first NAME.tmp exists), stops
# every rank, kills one (the last) with SIGKILL, lets the others go on, and returns mpirun's status
# (137: the job ended because a rank was killed). 99 if the run ended before it could be killed.
killrank() {
  mpirun --oversubscribe -n "$NR" "$CS" "$@" & local mp=$! i ranks
  for ((i = 0; i < 3000; i++)); do
    compgen -G "$W/*.tmp" > /dev/null && break
    # train writes its .tmp only at the end, but every command takes its outputs' locks once MPI
    # has started and before it reads: from then on it is mid-run (a quiet machine scores the
    # snapshot in a fraction of a second, so no waiting beyond that)
    compgen -G "$W/*.lock" > /dev/null && break
    kill -0 $mp 2> /dev/null || break
    sleep 0.01
  done
  ranks=$(pgrep -P $mp -x churnscore || true)
  [ -n "$ranks" ] || { wait $mp; echo "killrank: the run ended before a rank could be killed" >&2; return 99; }
  kill -STOP $ranks
  # an output in place (a name that is neither a temporary nor a lock) and no temporary: it finished
  if find "$W" -mindepth 1 -maxdepth 1 ! -name '.*' ! -name '*.tmp' ! -name '*.lock' | has . &&
     ! compgen -G "$W/*.tmp" > /dev/null; then
    kill -CONT $ranks; wait $mp; echo "killrank: outputs already in place: not mid-run" >&2; return 99
  fi
  kill -KILL "${ranks##*[[:space:]]}"
  kill -CONT $ranks 2> /dev/null
  wait $mp
}
# concurrent: a first train on the big snapshot holds W/m.h5; a second one on the same --model,
# started once the first holds its lock, must fail at once (its status is the case's); the first must
# still succeed and leave a model that inspect reads (else 98).
concurrent() {
  mpirun --oversubscribe -n "$NR" "$CS" train --in "$IN/big.h5" --model "$W/m.h5" --model-kind logit > "$W/first.out" 2> "$W/first.err" &
  local first=$! i rc=0 ranks
  # once the first holds its lock (or, on a build without locks, 1 s in) it is stopped while the
  # second tries, so that the two overlap whatever the machine's speed
  for ((i = 0; i < 100; i++)); do [ -e "$W/m.h5.lock" ] && break; sleep 0.01; done
  ranks=$(pgrep -P $first -x churnscore || true)
  [ -n "$ranks" ] && kill -STOP $ranks
  cs train --in "$IN/s.h5" --model "$W/m.h5" --model-kind logit || rc=$?
  [ -n "$ranks" ] && kill -CONT $ranks
  wait $first || { echo "concurrent: the first run failed" >&2; cat "$W/first.err" >&2; return 98; }
  mpirun -n 1 "$CS" inspect "$W/m.h5" > /dev/null 2>&1 || { echo "concurrent: the first run's model is unreadable" >&2; return 98; }
  return $rc
}
export -f cs segv_once killrank concurrent
unlock_lock_held() { kill "$HOLDER" 2> /dev/null; wait "$HOLDER" 2> /dev/null; HOLDER=; }

# ---- the harness ----------------------------------------------------------------------------
# state DIR...: one line per path (type, md5 of files, target of links), paths relative to $T
state() {
  local d p
  for d in "$@"; do
    [ -e "$d" ] || continue
    find "$d" -mindepth 1 | sort | while IFS= read -r p; do
      if [ -L "$p" ]; then echo "${p#$T/} -> $(readlink "$p")"
      elif [ -d "$p" ]; then echo "${p#$T/}/"
      else echo "${p#$T/} $(md5sum < "$p" | cut -c1-32)"; fi
    done
  done
}
# stat-only state of the shared inputs (every file, cheap) — md5 comes for the files a case names
istate() { find "$IN" -mindepth 1 -printf '%P %y %s %T@ %C@ %i\n' | sort; }
named_md5() {
  local f
  for f in $(grep -o '\$IN/[A-Za-z0-9_.]*' <<< "$1" | sort -u); do
    f=${f#\$IN/}
    [ -e "$IN/$f" ] && (cd "$IN" && find "$f" -type f -print0 | sort -z | xargs -0 -r md5sum)
  done
}
all_md5() { (cd "$IN" && find . -type f -print0 | sort -z | xargs -0 md5sum); }
ALL_BEFORE=$(all_md5)

declare -a ROWS=()
pass=0 failed=0 skipped=0
set +e +o pipefail   # the harness looks at every status itself (diff and grep "fail" when they differ)
for name in "${ORDER[@]}"; do
  if [ -n "$ONLY" ] && ! grep -qE -- "$ONLY" <<< "$name"; then continue; fi
  for NR in $RANKS; do
    export NR
    want=${RC[$name]} re=${RE[$name]} cmd=${CMD[$name]} allow=${ALLOW[$name]:-}
    if [ "${NEED[$name]:-}" = root ] && [ "$ROOTFS" != 1 ]; then
      ROWS+=("$(printf '%-22s %2s %5s %5s  SKIP  needs root (tmpfs, mount, chattr)' "$name" "$NR" "$want" -)")
      skipped=$((skipped + 1)); continue
    fi
    W=$T/w/$name.$NR; mkdir -p "$W"; export W
    if declare -F "prep_$name" > /dev/null; then (cd "$W" && "prep_$name") || fail "prep_$name"; fi
    # prep_lock_held starts its holder in a subshell: hold the lock here instead
    # (the subshell becomes the sleep that holds the lock on fd 9, so that killing HOLDER frees it; no
    # stray child keeps the lock, or this script's output pipe, open for 300 s)
    if [ "$name" = lock_held ]; then
      (exec 9> "$W/m.h5.lock" && flock 9 && exec sleep 300) < /dev/null > /dev/null 2>&1 & HOLDER=$!
      sleep 0.3
    fi
    before=$(state "$W" "$FULL" "$RO"); ibefore=$(istate); nbefore=$(named_md5 "$cmd")
    rc=0; t0=$(date +%s.%N)
    timeout -k 10 "$LIMIT" bash -c "cd \"\$W\" && $cmd" > "$T/out.txt" 2> "$T/err.txt" || rc=$?
    secs=$(printf '%.1f' "$(echo "$(date +%s.%N) - $t0" | bc)")
    [ "$name" = lock_held ] && unlock_lock_held
    after=$(state "$W" "$FULL" "$RO"); iafter=$(istate); nafter=$(named_md5 "$cmd")
    why=""
    nerr=$(grep -c '^churnscore: error' "$T/err.txt" || true)
    if [ "$rc" = 124 ] || [ "$rc" = 137 -a "$want" != 137 ]; then why="timed out after ${LIMIT}s (a hang)"
    elif [ "$rc" != "$want" ]; then why="exit $rc, expected $want"
    elif [ "$want" = 0 ]; then
      [ "$nerr" = 0 ] || why="error line(s) in a run that must succeed"
      [ -z "$why" ] && ! cat "$T/out.txt" "$T/err.txt" | has -E -- "$re" && why="output lacks /$re/"
    elif [ "$want" = 137 ]; then
      [ "$nerr" -le 1 ] || why="$nerr error lines"
      [ -z "$why" ] && ! grep -qiE -- "$re" "$T/err.txt" && why="stderr lacks /$re/"
    else
      if [ "$nerr" != 1 ]; then why="$nerr error lines, expected 1"
      elif ! grep '^churnscore: error' "$T/err.txt" | has -E -- "$re"; then why="message not /$re/"; fi
    fi
    # what changed where the case writes, less what it may create
    changed=$(diff <(echo "$before") <(echo "$after") | sed -n 's/^[<>] //p' | awk '{print $1}' | sort -u |
      sed "s|^w/$name.$NR/|W/|" | { if [ -n "$allow" ]; then grep -vE -- "$allow" || true; else cat; fi; })
    if [ -n "$changed" ]; then why="${why:+$why; }left or changed: $(echo $changed | cut -c1-160)"; fi
    [ "$ibefore" = "$iafter" ] || why="${why:+$why; }an input changed: $(diff <(echo "$ibefore") <(echo "$iafter") | sed -n 's/^> //p' | awk '{print $1}' | head -3 | tr '\n' ' ')"
    [ "$nbefore" = "$nafter" ] || why="${why:+$why; }md5 of an input changed"
    if [ "$ibefore" != "$iafter" ]; then chmod -R u+w "$IN"; rm -rf "$IN"; cp -a "$T/pristine" "$IN"; fi
    got="$rc"
    if [ -z "$why" ]; then res=ok; pass=$((pass + 1)); else res=FAIL; failed=$((failed + 1)); fi
    msg=$(grep -m1 '^churnscore: error' "$T/err.txt" | cut -c1-150 || true)
    ROWS+=("$(printf '%-22s %2s %5s %5s  %-4s  %5ss  %s' "$name" "$NR" "$want" "$got" "$res" "$secs" "${why:-$msg}")")
    echo "${ROWS[-1]}"
    if [ "$res" = FAIL ] && [ -n "${CS_FAULTS_VERBOSE:-}" ]; then sed 's/^/    | /' "$T/err.txt" | tail -15; fi
    # put back the shared file systems for the next case: remove what this one left there
    if [ "$ROOTFS" = 1 ]; then
      diff <(echo "$before") <(echo "$after") | sed -n 's/^> //p' | awk '{print $1}' | grep -E '^full/' |
        grep -v '^full/filler$' | sort -ur | while read -r p; do rm -rf "${T:?}/$p"; done
    fi
    find "$W" -exec chattr -i {} + 2> /dev/null || true
  done
done
[ "$ALL_BEFORE" = "$(all_md5)" ] || { failed=$((failed + 1)); ROWS+=("(all inputs)              md5 of the shared inputs changed during the run"); }
echo
echo "fault catalogue: ${#ORDER[@]} cases x ranks ($RANKS)${ONLY:+, only /$ONLY/}"
printf '%-22s %2s %5s %5s  %-4s  %6s  %s\n' case n want got res time "message or why it failed"
printf '%s\n' "${ROWS[@]}"
echo "passed $pass, failed $failed, skipped $skipped"
[ "$failed" = 0 ] || fail "$failed fault case(s) failed"
