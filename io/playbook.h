/* playbook.h — the next action of a listed subscriber, from a file the site edits.
 *
 * A list says who to call; the playbook says what to do (issue 14, seeds 003 and 004): a welcome call
 * and first-bill check in onboarding, value-added services in growth, a high-value bundle in
 * maturity, a renewal offer in decline, a competitor-matching offer by a senior agent on an alarm,
 * an account manager for the top tier, collections for arrears, a bill review for a high bill. The
 * operator changes these without a new build, so they live in a text file (jobs/playbook.conf,
 * installed beside site.conf; a bare `churnscore score` uses the copy built into the binary) whose
 * format docs/formats.md describes: `action` lines (code, channel, channel for subscribers who
 * prefer online channels, English and Chinese text), `rule` lines (stage x phase x queue x tier ->
 * action, wildcards, first match wins) and one optional `online` line (the indicator that tells an
 * e-channel preference, seed 004). playbook_parse refuses a file that could give a row no action or
 * an action nobody defined, before anything is scored. playbook_lookup is a table look-up: pure.
 */
#ifndef CS_PLAYBOOK_H
#define CS_PLAYBOOK_H

#include "lang.h"
#include "queue.h"
#include "rules.h"

#include <stddef.h>
#include <stdint.h>

/* Tiers 0 (value unknown) to RULES_N_TIERS. */
#define PLAYBOOK_N_TIERS (RULES_N_TIERS + 1)
#define PLAYBOOK_MAX_ACTIONS 64
#define PLAYBOOK_MAX_CODE 32   /* bytes of an action code */
#define PLAYBOOK_MAX_TEXT 400  /* bytes of an action's text in one language */
#define PLAYBOOK_MAX_TAG_RULES 64

/* The channels an action may use. */
enum { PB_PHONE, PB_SMS, PB_APP, PB_STORE, PB_VISIT, PB_N_CHANNELS };

typedef struct {
    char code[PLAYBOOK_MAX_CODE + 1];
    int channel, online_channel;     /* PB_*: for everybody, for those who prefer online channels */
    char text[LANG_N][PLAYBOOK_MAX_TEXT + 1];
    size_t line;                     /* where it was defined */
} playbook_action;

typedef struct {
    char name[256];                  /* the file name messages use */
    size_t n_actions;
    playbook_action actions[PLAYBOOK_MAX_ACTIONS];
    int has_online;                  /* an `online INDICATOR MIN` line */
    char online_indicator[128];
    double online_min;
    /* the action of every combination, index into actions */
    unsigned char table[RULES_N_STAGES][RULES_N_PHASES][QUEUE_N][PLAYBOOK_N_TIERS];
    /* issue 17: rules keyed on a customer tag (a seventh field), checked before the table, in file
     * order; bit is the tag's bit once playbook_bind_tags found it (-1: not bound, never matches) */
    size_t n_tag_rules;
    struct {
        int stage, phase, queue, tier_lo, tier_hi; /* -1 for '*' */
        unsigned char action;
        char key[33];
        int bit;
        size_t line;
    } tag_rule[PLAYBOOK_MAX_TAG_RULES];
} playbook;

/* Parses a playbook from text[0..len) (name is the file name for messages). On success *out is
 * malloc'd (playbook_free). Errors, all CS_EDATA and naming "name:line": an unknown line kind, stage,
 * phase, queue, tier, channel or action code; a missing or extra field; an action defined twice or
 * a bad code or text (empty, not UTF-8, too long); more than PLAYBOOK_MAX_ACTIONS; a second online
 * line or a MIN that is not a finite number; and, naming the file and the combination, a hole: a
 * stage, phase, queue and tier that can occur (every one but retention with phase healthy, which is
 * no queue's) and that no rule covers. CS_ENOMEM. */
int playbook_parse(const char *text, size_t len, const char *name, playbook **out);

/* Reads path and parses it (CS_EIO when it cannot be read, then playbook_parse's errors). */
int playbook_read(const char *path, playbook **out);

/* The playbook built into the binary: jobs/playbook.conf as it was at build time (its name in
 * messages: "built-in playbook (jobs/playbook.conf)"). */
int playbook_builtin(playbook **out);

void playbook_free(playbook *pb); /* accepts NULL */

/* The action for a listed row (stage, phase, queue QUEUE_RETENTION..QUEUE_BILLING, tier 0..5);
 * NULL out of range. */
const playbook_action *playbook_lookup(const playbook *pb, int stage, int phase, int queue, int tier);

/* Binds the tag rules' keys to tag bits: key_bit(arg, key) returns the bit, -1 for a tag that exists
 * but is not computed on this snapshot (the rule is then off; *n_off counts them), -2 for no such
 * tag (CS_EDATA naming the playbook's file and line). */
int playbook_bind_tags(playbook *pb, int (*key_bit)(void *arg, const char *key), void *arg, size_t *n_off);

/* playbook_lookup, but a row with tag bits `tags` first meets the tag rules (first match wins). */
const playbook_action *playbook_lookup_tagged(const playbook *pb, int stage, int phase, int queue, int tier,
                                              uint64_t tags);

/* 1 when value means a preference for online channels (the online line's MIN or more; never without
 * an online line, never for NaN). */
int playbook_online(const playbook *pb, double value);

/* A channel's name in the file ("phone") and for people, in a language ("电话外呼"). */
const char *playbook_channel_name(int channel);
const char *playbook_channel_label(int channel, cs_lang lang);

#endif
