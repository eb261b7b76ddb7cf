/* lang.h — the operator's language for everything a person reads (lists, summaries, report.md).
 *
 * Retention teams read the lists in their own language (issue 14: a Chinese operator's agents read
 * Chinese), so every text an agent or analyst sees comes from a table indexed by cs_lang: stage,
 * phase, queue and action names, reasons, column headers. Chosen by `--lang zh|en` (the site's
 * default in jobs/site.conf). Machine-read files (SCORES.h5, the model file, summary.json keys) stay
 * in English whatever the language. Pure: no MPI, no files.
 */
#ifndef CS_LANG_H
#define CS_LANG_H

typedef enum { LANG_EN = 0, LANG_ZH = 1, LANG_N = 2 } cs_lang;

/* "en" -> LANG_EN, "zh" -> LANG_ZH; -1 for anything else (the caller names the option). */
int lang_parse(const char *s);

/* "en" or "zh". */
const char *lang_code(cs_lang l);

#endif
