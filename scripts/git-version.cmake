# Run at every build (cmake -P, from the cs_git_version target in CMakeLists.txt): writes
# OUT = <build>/cs_git.h with the current `git describe`, touching it only when the text changes, so
# --version and the model file's story name the commit the binary was built from, not the one cmake
# was configured at, and nothing recompiles when the commit is the same.
execute_process(COMMAND git describe --always --dirty --tags
  WORKING_DIRECTORY ${SRC} OUTPUT_VARIABLE git OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT git)
  set(git "unknown")
endif()
set(text "#define CS_GIT \"${git}\"\n")
set(old "")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
endif()
if(NOT old STREQUAL text)
  file(WRITE ${OUT} "${text}")
endif()
