# Run at build time (cmake -P, from the custom command in CMakeLists.txt): writes OUT, a C file that
# holds the bytes of IN as `const char NAME_text[]` (NUL-terminated) and `const size_t NAME_len`, so
# that a text the binary needs (jobs/playbook.conf, the built-in playbook) is the shipped file itself.
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" n)
math(EXPR len "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
# a line break every 32 bytes keeps the generated file readable by a compiler's diagnostics
string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){32})" "\\1\n" bytes "${bytes}")
file(WRITE ${OUT} "/* generated from ${IN} by scripts/embed-text.cmake: do not edit */\n#include <stddef.h>\n"
  "const char ${NAME}_text[] = {\n${bytes}0x00};\nconst size_t ${NAME}_len = ${len};\n")
