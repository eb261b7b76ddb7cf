/* queue.c — the queue rule, its band and key, and the queue names (see queue.h). */
#include "queue.h"

#include "rules.h"

#include <math.h>
#include <string.h>

int queue_of(unsigned signals, int phase, double pvol, double pinv, double cutoff)
{
    if (signals & RULES_SIG_SUSP_HIGH_BILL) return QUEUE_BILLING;
    if (signals & RULES_SIG_SUSP_ARREARS) return QUEUE_COLLECTIONS;
    /* false for a NaN pinv (types unknown) */
    if (pinv >= cutoff && pinv > pvol) return QUEUE_COLLECTIONS;
    if (phase != RULES_HEALTHY) return QUEUE_RETENTION;
    return QUEUE_NONE;
}

int queue_band(int queue, unsigned signals, int phase)
{
    switch (queue) {
    case QUEUE_RETENTION: return phase == RULES_ALARM;
    case QUEUE_COLLECTIONS: return (signals & RULES_SIG_SUSP_ARREARS) != 0;
    case QUEUE_BILLING: return 1;
    default: return 0;
    }
}

double queue_prob(int queue, double prob, double pvol, double pinv)
{
    switch (queue) {
    case QUEUE_RETENTION: return pvol;
    case QUEUE_COLLECTIONS: return isnan(pinv) ? prob : pinv;
    case QUEUE_BILLING: return prob;
    default: return NAN;
    }
}

double queue_key(int queue, int by_value, double qprob, double value_at_risk)
{
    switch (queue) {
    case QUEUE_RETENTION: return by_value ? value_at_risk : qprob;
    case QUEUE_COLLECTIONS: return qprob;
    case QUEUE_BILLING: return value_at_risk;
    default: return NAN;
    }
}

static const char *const queue_names[QUEUE_N] = {"none", "retention", "collections", "billing"};

const char *queue_name(int queue)
{
    return queue >= 0 && queue < QUEUE_N ? queue_names[queue] : "?";
}

int queue_parse(const char *s)
{
    for (int q = QUEUE_RETENTION; s && q < QUEUE_N; q++)
        if (strcmp(s, queue_names[q]) == 0) return q;
    return -1;
}

const char *queue_label(int queue, cs_lang lang)
{
    /* zh: 挽留 (retention), 催缴 (collections: dunning), 账单核查 (bill check), as seed 000 names the
     * teams' work */
    static const char *const l[LANG_N][QUEUE_N] = {
        {"none", "retention", "collections", "billing check"},
        {"无", "挽留", "催缴", "账单核查"},
    };
    if (queue < 0 || queue >= QUEUE_N) return "?";
    return l[lang == LANG_ZH ? LANG_ZH : LANG_EN][queue];
}
