/* reptext.h — every text of the HTML reports (htmlrep.h), in English and in Chinese.
 *
 * A report is read in the operator's language (--lang, lang.h), so no report builder writes a
 * word of its own: each text is a key of the list below, with its English and its Chinese. The list
 * is the one place a translator reads and corrects; tests/unit/test_html.c checks that every key
 * has both. Keys ending in _FMT are printf formats (their %s count is the same in both languages).
 * Machine-read names (input names, file names, the model's story) stay as the files hold them.
 */
#ifndef CS_REPTEXT_H
#define CS_REPTEXT_H

#include "lang.h"

#define RT_LIST(X) \
    X(TRAIN_TITLE, "Churn model report", "流失模型报告") \
    X(MONTH_TITLE_FMT, "Churn scoring, month %s", "流失评分月报 %s") \
    X(EVAL_TITLE_FMT, "Evaluation of the lists of %s against %s", "%s 名单效果评估（对照 %s）") \
    X(ITEM, "item", "项目") \
    X(VALUE, "value", "内容") \
    X(MONTH, "month", "月份") \
    X(TRAINING_SNAPSHOT, "training snapshot", "训练快照") \
    X(SUBSCRIBERS, "subscribers", "用户数") \
    X(FITTED, "fitted", "用于拟合") \
    X(HELD_OUT, "held out", "留出验证") \
    X(SCORING_MODEL, "model that scores", "评分所用模型") \
    X(MODEL_GBM, "boosted trees", "梯度提升树") \
    X(MODEL_LOGIT, "logistic regression", "逻辑回归") \
    X(INPUTS, "inputs", "输入变量") \
    X(LOGISTIC_FIT, "logistic fit", "逻辑回归拟合") \
    X(DIAGNOSTICS, "numerical diagnostics", "数值诊断") \
    X(DIAG_NONE, "none: correlation well conditioned, factor analysis (where used) converged without Heywood cases, no separation in the logistic fit", "无：相关矩阵条件良好，因子分析（如使用）收敛且无 Heywood 情形，逻辑回归无分离") \
    X(IRLS_ITERATIONS, "IRLS iterations", "次 IRLS 迭代") \
    X(LOGLIK, "log-likelihood", "对数似然") \
    X(WARNING_CUTOFF, "warning cut-off", "预警阈值") \
    X(PROBABILITY_AT_LEAST, "churn probability at least", "流失概率不低于") \
    X(BUILT_BY, "built by", "生成程序") \
    X(OPTIONS, "every option in force", "全部训练参数") \
    X(HOLDOUT, "Holdout", "留出样本验证") \
    X(NO_HOLDOUT, "No holdout (--holdout 0): the model was not evaluated on subscribers it did not see.", \
      "没有留出样本（--holdout 0）：模型未在训练以外的用户上验证。") \
    X(NO_CURVES, "This model file holds no holdout curves (written by an older version).", \
      "此模型文件没有留出样本曲线（由旧版本生成）。") \
    X(EVALUATED, "subscribers evaluated", "验证用户数") \
    X(LEAVERS, "leavers", "流失用户") \
    X(ORACLE_AUC, "oracle AUC (true probabilities)", "理想 AUC（真实概率）") \
    X(TOP_DECILE_LIFT, "top-decile lift", "前10%提升度") \
    X(CAPTURE_5_10_20, "Share of the leavers in the top 5% / 10% / 20% of scores", \
      "评分最高的 5% / 10% / 20% 用户中覆盖的流失用户比例") \
    X(GAINS_LIFT_ROC_KS, "Gains, lift, ROC and KS", "累积增益、提升度、ROC 与 KS") \
    X(CUMULATIVE_GAINS, "Cumulative gains", "累积增益") \
    X(X_SHARE_CONTACTED, "subscribers contacted, highest scores first (%)", "按评分从高到低联系的用户比例（%）") \
    X(Y_SHARE_LEAVERS, "leavers reached (%)", "覆盖的流失用户比例（%）") \
    X(MODEL, "model", "模型") \
    X(PERFECT, "perfect", "理想") \
    X(RANDOM, "random", "随机") \
    X(CAP_GAINS, "Cumulative gains on the holdout: the share of all leavers among the subscribers " \
      "contacted first by score, with the random and the perfect line.", \
      "留出样本上的累积增益：按评分先联系的用户中覆盖全部流失用户的比例，对照随机线与理想线。") \
    X(CUMULATIVE_LIFT, "Cumulative lift", "累积提升度") \
    X(Y_LIFT, "lift (times the base rate)", "提升度（基准流失率的倍数）") \
    X(CAP_LIFT, "Cumulative lift: the churn rate among the subscribers contacted first over the base rate " \
      "(random = 1).", "累积提升度：先联系用户的流失率与整体流失率之比（随机 = 1）。") \
    X(X_FPR, "stayers flagged: false positive rate (%)", "被标记的留存用户：假阳性率（%）") \
    X(Y_TPR, "leavers flagged: true positive rate (%)", "被标记的流失用户：真阳性率（%）") \
    X(CAP_ROC, "ROC curve on the holdout at each percent of the scores; the area under it is the AUC.", \
      "留出样本的 ROC 曲线（按评分每 1% 一点）；曲线下面积即 AUC。") \
    X(Y_CUM_SHARE, "cumulative share (%)", "累积比例（%）") \
    X(LEAVERS_CUM, "leavers (true positive rate)", "流失用户（真阳性率）") \
    X(STAYERS_CUM, "stayers (false positive rate)", "留存用户（假阳性率）") \
    X(CAP_KS, "KS: the largest gap between the cumulative shares of leavers and stayers, and where it is.", \
      "KS：流失用户与留存用户累积比例的最大差距及其位置。") \
    X(DECILE, "decile (1 = highest scores)", "十分位（1 = 评分最高）") \
    X(CHURN_RATE, "churn rate", "流失率") \
    X(CUM_CAPTURE, "cumulative capture", "累积覆盖率") \
    X(LIFT, "lift", "提升度") \
    X(CUM_LIFT, "cumulative lift", "累积提升度") \
    X(GAINS_TABLE, "Gains table by score decile (holdout)", "按评分十分位的增益表（留出样本）") \
    X(FLAGGED, "flagged", "预警") \
    X(NOT_FLAGGED, "not flagged", "未预警") \
    X(TOTAL, "total", "合计") \
    X(CONFUSION_AT_CUTOFF, "Confusion matrix at the warning cut-off", "预警阈值下的混淆矩阵，阈值") \
    X(LEFT, "left", "流失") \
    X(STAYED, "stayed", "留存") \
    X(PRECISION, "precision", "精确率") \
    X(RECALL, "recall", "召回率") \
    X(FLAGGED_SHARE, "share flagged", "预警比例") \
    X(CALIBRATION, "Calibration", "校准") \
    X(X_PREDICTED, "mean predicted churn probability (%)", "平均预测流失概率（%）") \
    X(Y_OBSERVED, "observed churn rate (%)", "实际流失率（%）") \
    X(BY_DECILE, "score deciles", "评分十分位") \
    X(PERFECT_CALIBRATION, "perfect calibration", "理想校准") \
    X(CAP_CALIBRATION, "Predicted against observed churn per score decile of the holdout (the model has no " \
      "separate recalibration step: one curve).", \
      "留出样本每个评分十分位的预测与实际流失率（模型没有单独的再校准步骤，只有一条曲线）。") \
    X(CAP_CALIBRATION_STEP, "Predicted against observed churn per score decile of the holdout, after the " \
      "calibration step (solid) and before it (dotted); the deciles are the same rows.", \
      "留出样本每个评分十分位的预测与实际流失率：校准后（实线）与校准前（点线），十分位是同一批用户。") \
    X(BEFORE_CALIBRATION, "before calibration", "校准前") \
    X(DECILE_LOW_FIRST, "decile (1 = lowest scores)", "十分位（1 = 评分最低）") \
    X(MEAN_PREDICTED, "mean predicted", "平均预测") \
    X(OBSERVED, "observed", "实际") \
    X(LOGIT_SECTION, "Logistic model (scores)", "逻辑回归模型（用于评分）") \
    X(TREES_SECTION, "Boosted trees (score)", "梯度提升树（用于评分）") \
    X(LOGIT_CHALLENGER, "The logistic model it was compared with (not used for scoring)", \
      "对照的逻辑回归模型（未用于评分）") \
    X(COEFFICIENTS_95, "Coefficients with 95% intervals", "系数及 95% 置信区间") \
    X(X_COEF, "coefficient (log-odds per unit of the input)", "系数（每单位输入的对数几率）") \
    X(CAP_COEF, "Logistic coefficients (the intercept left out) with their 95% Wald intervals, " \
      "coefficient ± 1.96 standard errors.", "逻辑回归系数（不含截距）及 95% Wald 区间：系数 ± 1.96 倍标准误。") \
    X(INPUT, "input", "输入变量") \
    X(COEFFICIENT, "coefficient", "系数") \
    X(STD_ERROR, "std. error", "标准误") \
    X(INTERVAL_95, "95% interval", "95% 区间") \
    X(TREES, "trees", "树的数量") \
    X(DEPTH, "depth", "深度") \
    X(SPLITS, "split nodes", "分裂节点") \
    X(LEAVES_OF_TREES, "leaves", "叶节点") \
    X(NO_GAINS, "This model file holds no split gains (written by an older version): no importance.", \
      "此模型文件没有分裂增益（由旧版本生成），无法给出变量重要性。") \
    X(IMPORTANCE_GAIN, "Feature importance by gain", "按增益的变量重要性") \
    X(X_GAIN_SHARE, "share of the total split gain (%)", "占总分裂增益的比例（%）") \
    X(CAP_IMPORTANCE, "The inputs the trees split on most: each input's share of the gain of all splits " \
      "(the 20 largest).", "树分裂最多的输入变量：各变量占全部分裂增益的比例（前 20 个）。") \
    X(RANK, "rank", "排名") \
    X(GAIN_SHARE, "share of gain", "增益占比") \
    X(CHURN_TYPES, "Churn types", "流失类型") \
    X(NO_TYPES, "No churn-type models:", "没有流失类型模型：") \
    X(TYPES_TEXT, "Fitted:", "已拟合：") \
    X(TYPE_VOLUNTARY, "voluntary", "主动流失") \
    X(TYPE_INVOLUNTARY, "involuntary", "被动流失") \
    X(CAPTURE_5, "capture in the top 5%", "前 5% 覆盖率") \
    X(CAPTURE_10, "capture in the top 10%", "前 10% 覆盖率") \
    X(EXPECTED_OBSERVED, "expected / observed leavers", "预计 / 实际流失人数") \
    X(TYPES_CALIBRATION, "Calibration of each churn type", "各流失类型的校准") \
    X(CAP_TYPES_CALIBRATION, "Each type's predicted against observed rate per decile of its own probability " \
      "(holdout).", "各类型按其自身概率十分位的预测与实际流失率（留出样本）。") \
    X(TYPES_COEFFICIENTS, "Coefficients of the churn-type models", "流失类型模型的系数") \
    X(FACTOR_ANALYSIS, "Factor analysis", "因子分析") \
    X(EXTRACTION_ML, "Extraction: maximum likelihood (as stats::factanal); varimax rotation; regression scores.", \
      "提取方法：最大似然（同 stats::factanal）；方差最大化旋转；回归法因子得分。") \
    X(EXTRACTION_PA, "Extraction: iterated principal axis (as psych::fa, fm = \"pa\"); varimax rotation; " \
      "regression scores.", "提取方法：迭代主轴法（同 psych::fa, fm = \"pa\"）；方差最大化旋转；回归法因子得分。") \
    X(LOADINGS, "Rotated factor loadings", "旋转后的因子载荷") \
    X(HEAT_LEGEND, "blue: positive loading, red: negative; darker = larger |loading|; bold: |loading| ≥ 0.4", \
      "蓝色：正载荷，红色：负载荷；颜色越深绝对值越大；粗体：|载荷| ≥ 0.4") \
    X(CAP_LOADINGS, "Factor loadings of the screened indicators (rows) on the factors (columns).", \
      "筛选后指标（行）在各因子（列）上的载荷。") \
    X(FACTOR, "factor", "因子") \
    X(LABEL, "label", "标签") \
    X(SS_LOADINGS, "SS loadings", "载荷平方和") \
    X(PROPORTION_VARIANCE, "proportion of variance", "方差占比") \
    X(DRIFT_REFERENCE, "Drift reference", "漂移基准") \
    X(DRIFT_REFERENCE_TEXT, "Each month's scoring compares its population with these training deciles of the " \
      "score (and of every input): the population stability index (PSI) of the month report.", \
      "每月评分时将当月人群与以下训练期评分（及各输入变量）的十分位比较，得出月报中的人群稳定性指数（PSI）。") \
    X(BIN, "bin", "分箱") \
    X(SCORE_UP_TO, "score up to", "评分上限") \
    X(TRAINING_SHARE, "training share", "训练期占比") \
    X(SCREENING, "Screening", "指标筛选") \
    X(INDICATOR, "indicator", "指标") \
    X(MISSING, "missing", "缺失") \
    X(MEAN, "mean", "均值") \
    X(SD, "sd", "标准差") \
    X(MIN, "min", "最小值") \
    X(MAX, "max", "最大值") \
    X(MODE_SHARE, "mode share", "众数占比") \
    X(DECISION, "decision", "处理") \
    X(KEPT, "kept", "保留") \
    X(LISTS, "Lists", "名单") \
    X(AGAINST, "against", "对照") \
    X(ABSENT_MEANS_LEFT, "A listed subscriber absent from the outcome snapshot counts as a leaver.", \
      "名单中的用户若不在结果快照中，即视为已流失。") \
    X(LABEL_MEANS_LEFT, "A listed subscriber whose churned label is 1 in the outcome snapshot counts as caught.", \
      "名单中的用户若在结果快照中流失标记为 1，即视为命中。") \
    X(NO_POPULATION, "Recall and lift need the scored month's population (evaluate --previous SNAPSHOT).", \
      "召回率与提升度需要评分当月的全部用户（evaluate --previous SNAPSHOT）。") \
    X(EVAL_DEFINITIONS, "Precision: share of the listed who left. Recall: share of the region's leavers who " \
      "were listed. Lift: precision over the region's base rate.", \
      "精确率：名单中实际流失的比例。召回率：该地区流失用户中被列入名单的比例。提升度：精确率与该地区基准流失率之比。") \
    X(LISTED, "listed", "名单人数") \
    X(CAUGHT, "caught (left)", "命中（已流失）") \
    X(BASE_RATE, "base rate", "基准流失率") \
    X(PRECISION_BY_REGION, "Precision by region", "各地区精确率") \
    X(X_PRECISION, "listed subscribers who left (%)", "名单中流失的比例（%）") \
    X(CAP_EVAL_PRECISION, "Precision of last month's lists by region; the dashed line is all regions.", \
      "上月名单各地区的精确率；虚线为全部地区。") \
    X(RECALL_BY_REGION, "Recall by region", "各地区召回率") \
    X(X_RECALL, "leavers who were listed (%)", "流失用户被列入名单的比例（%）") \
    X(CAP_EVAL_RECALL, "Recall of last month's lists by region; the dashed line is all regions.", \
      "上月名单各地区的召回率；虚线为全部地区。") \
    X(LIFT_BY_REGION, "Lift by region", "各地区提升度") \
    X(X_LIFT, "precision over the base rate (times)", "精确率与基准流失率之比（倍）") \
    X(CAP_EVAL_LIFT, "Lift of last month's lists by region; the dashed line is all regions.", \
      "上月名单各地区的提升度；虚线为全部地区。") \
    X(REGION, "region", "地区") \
    X(ALARM_PRECISION, "alarm precision", "告警精确率") \
    X(WARNING_PRECISION, "warning precision", "预警精确率") \
    X(BY_REGION, "By region", "按地区") \
    X(ALL_REGIONS, "all regions", "全部地区") \
    X(PHASE, "phase", "阶段") \
    X(BY_PHASE, "By warning phase (all regions)", "按预警阶段（全部地区）") \
    X(PHASE_ALARM, "alarm", "告警") \
    X(PHASE_WARNING, "warning", "预警") \
    X(PHASE_HEALTHY, "healthy", "正常") \
    X(VALUE_TIER, "value tier", "价值等级") \
    X(BY_TIER, "By value tier (all regions)", "按价值等级（全部地区）") \
    X(TIER_UNKNOWN, "unknown", "未知") \
    X(NOT_IN_OUTCOMES, "listed subscribers not in the outcome snapshot (left out of precision)", \
      "不在结果快照中的名单用户（不计入精确率）") \
    X(COMPLETED, "completed", "完成时间") \
    X(SNAPSHOT, "snapshot", "快照") \
    X(TRAINED_IN, "trained in", "训练月份") \
    X(RETRAINED_THIS_MONTH, "retrained this month", "本月重新训练") \
    X(REUSED, "reused from an earlier month", "沿用以前月份的模型") \
    X(OUTPUTS, "outputs", "输出文件") \
    X(LISTS_OF, "the lists of", "名单月份") \
    X(NO_EVALUATION, "none (no earlier month's lists to evaluate)", "无（没有可评估的上月名单）") \
    X(EVALUATION, "evaluation", "效果评估") \
    X(STEPS, "steps", "步骤") \
    X(EXPECTED_LEAVERS, "expected leavers", "预计流失人数") \
    X(VALUE_AT_RISK, "value at risk", "风险价值") \
    X(VALIDATION_AUC, "validation AUC", "验证 AUC") \
    X(LISTS_BY_REGION, "Lists by region", "各地区名单") \
    X(LISTED_BY_REGION, "Listed subscribers", "名单人数") \
    X(EXPECTED_BY_REGION, "Expected leavers", "预计流失人数") \
    X(VALUE_BY_REGION, "Value at risk", "风险价值") \
    X(X_LISTED, "subscribers on the list", "名单用户数") \
    X(X_EXPECTED, "sum of churn probabilities (subscribers)", "流失概率之和（人）") \
    X(X_VALUE, "probability × monthly ARPU × horizon", "概率 × 月均 ARPU × 期限") \
    X(UPLIFT_NOT_KNOWN, "Uplift (leavers kept by the retention actions) is not measured: the lists have no " \
      "control group.", "挽留提升（因挽留措施而留下的用户）未测量：名单没有对照组。") \
    X(LISTS_BY_QUEUE, "Listed by queue (retention, collections, billing check) and region", \
      "按队列（挽留、催缴、账单核查）和地区的名单人数") \
    X(DRIFT, "Drift since the model was trained", "模型训练以来的人群漂移") \
    X(DRIFT_WARNING, "WARNING: the population stability index of some inputs exceeds 0.25: retrain the model.", \
      "警告：部分输入变量的人群稳定性指数超过 0.25，请重新训练模型。") \
    X(DRIFT_TEXT, "Population stability index (PSI) of the score and of every model input against the training " \
      "month: below 0.1 stable, 0.1 to 0.25 watch, above 0.25 retrain.", \
      "评分及各模型输入相对训练月份的人群稳定性指数（PSI）：低于 0.1 稳定，0.1 至 0.25 需关注，高于 0.25 需重新训练。") \
    X(SCORE_PROBABILITY, "churn probability (score)", "流失概率（评分）") \
    X(PSI_TITLE, "Population stability index", "人群稳定性指数") \
    X(X_PSI, "PSI (dashed: 0.1 watch, 0.25 retrain)", "PSI（虚线：0.1 关注，0.25 重新训练）") \
    X(CAP_PSI, "PSI of the score and of each input this month; inputs past a line are marked.", \
      "本月评分及各输入变量的 PSI；超过虚线的已标注。") \
    X(PSI_STABLE, "stable", "稳定") \
    X(PSI_WATCH, "watch", "关注") \
    X(PSI_RETRAIN, "retrain", "需重新训练") \
    X(STATUS, "status", "状态") \
    X(TREND, "Across the months", "历月趋势") \
    X(TREND_TEXT, "The completed months of the runs directory up to this one: validation AUC of the scored " \
      "month, lift of the lists it evaluated, PSI of the score and the largest of the inputs.", \
      "运行目录中截至本月的已完成月份：评分当月的验证 AUC、所评估名单的提升度、评分及输入变量中最大的 PSI。") \
    X(TREND_AUC, "Validation AUC by month", "各月验证 AUC") \
    X(X_MONTH, "month", "月份") \
    X(Y_AUC, "AUC", "AUC") \
    X(TREND_LIFT, "Lift of the evaluated lists by month", "各月名单提升度") \
    X(LIFT_OF_LISTS, "lift of last month's lists", "上月名单提升度") \
    X(TREND_PSI, "Drift (PSI) by month", "各月漂移（PSI）") \
    X(PSI_MAX_INPUT, "largest input PSI", "输入变量最大 PSI") \
    X(EVALUATION_SECTION, "Evaluation of last month's lists", "上月名单效果评估") \
    X(MODEL_TRAINED_THIS_MONTH, "Model trained this month", "本月训练的模型")

typedef enum {
#define RT_ENUM(k, en, zh) RT_##k,
    RT_LIST(RT_ENUM)
#undef RT_ENUM
    RT_N
} rt_key;

/* The text of key k in language l (English for an unknown language or key); never NULL. */
const char *rt(cs_lang l, rt_key k);

#endif
