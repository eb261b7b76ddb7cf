/* reptext.c — the table of the report texts (reptext.h). */
#include "reptext.h"

static const char *const rt_table[RT_N][LANG_N] = {
#define RT_ROW(k, en, zh) [RT_##k] = {en, zh},
    RT_LIST(RT_ROW)
#undef RT_ROW
};

const char *rt(cs_lang l, rt_key k)
{
    if ((unsigned)k >= RT_N) return "";
    if ((unsigned)l >= LANG_N) l = LANG_EN;
    const char *s = rt_table[k][l];
    return s ? s : rt_table[k][LANG_EN];
}
