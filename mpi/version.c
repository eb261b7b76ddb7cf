/* version.c — the version string, with the git commit of the build (cs_git.h, written at every
 * build by scripts/git-version.cmake). */
#include "cmd.h"
#include "cs_git.h"

const char *cmd_version(void) { return "churnscore " CS_VERSION " (git " CS_GIT ")"; }
