/* version.c — the version string, with the git commit baked in at configure time. */
#include "cmd.h"

const char *cmd_version(void) { return "churnscore " CS_VERSION " (git " CS_GIT ")"; }
