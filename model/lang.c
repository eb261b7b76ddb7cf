/* lang.c — the language codes (see lang.h). */
#include "lang.h"

#include <string.h>

int lang_parse(const char *s)
{
    if (!s) return -1;
    if (strcmp(s, "en") == 0) return LANG_EN;
    if (strcmp(s, "zh") == 0) return LANG_ZH;
    return -1;
}

const char *lang_code(cs_lang l)
{
    return l == LANG_ZH ? "zh" : "en";
}
