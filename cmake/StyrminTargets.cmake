# Helpers that keep every module built the same way.

set(STYRMIN_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough)
if(STYRMIN_WERROR)
  list(APPEND STYRMIN_WARNINGS -Werror)
endif()

if(STYRMIN_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# styrmin_module(NAME SOURCES ... DEPS ...): one library per module, styrmin::NAME.
# A module links only what it lists, so the folder tree stays the dependency graph.
function(styrmin_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(styrmin_${name} ${ARG_SOURCES})
  add_library(styrmin::${name} ALIAS styrmin_${name})
  target_include_directories(styrmin_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(styrmin_${name} PRIVATE ${STYRMIN_WARNINGS})
  target_link_libraries(styrmin_${name} PUBLIC ${ARG_DEPS})
endfunction()

# styrmin_unit_test(NAME SOURCES ... DEPS ... LABELS ...): a GoogleTest binary whose cases are
# registered with CTest one by one, labelled `unit` plus the given labels.
function(styrmin_unit_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${STYRMIN_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  gtest_discover_tests(${name} PROPERTIES LABELS "unit;${ARG_LABELS}" DISCOVERY_TIMEOUT 30)
endfunction()

include(GoogleTest)
