# Helpers that keep every module built the same way.

set(STYRMIN_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough)
if(STYRMIN_WERROR)
  list(APPEND STYRMIN_WARNINGS -Werror)
endif()

if(STYRMIN_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "STYRMIN_FUZZ needs clang (use the `fuzz` preset)")
  endif()
  # Coverage instrumentation for everything; fuzz targets add the libFuzzer main.
  add_compile_options(-fsanitize=fuzzer-no-link)
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

# styrmin_discover_gtests(TARGET LABELS ... [ENVIRONMENT ...] [FIXTURES_REQUIRED ...]
#                         [TIMEOUT seconds]): registers each GoogleTest case of TARGET with CTest.
# gtest_discover_tests flattens list-valued PROPERTIES (CMake 3.25), so the properties are set
# from a second CTest include file over the discovered TEST_LIST instead.
function(styrmin_discover_gtests target)
  cmake_parse_arguments(ARG "" "TIMEOUT" "LABELS;ENVIRONMENT;FIXTURES_REQUIRED" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  gtest_discover_tests(${target} TEST_LIST ${target}_TESTS DISCOVERY_TIMEOUT 30)
  set(props "LABELS [==[${ARG_LABELS}]==] TIMEOUT ${ARG_TIMEOUT}")
  if(ARG_ENVIRONMENT)
    string(APPEND props " ENVIRONMENT [==[${ARG_ENVIRONMENT}]==]")
  endif()
  if(ARG_FIXTURES_REQUIRED)
    string(APPEND props " FIXTURES_REQUIRED [==[${ARG_FIXTURES_REQUIRED}]==]")
  endif()
  set(file "${CMAKE_CURRENT_BINARY_DIR}/${target}_properties.cmake")
  file(WRITE "${file}" "if(${target}_TESTS)\n  set_tests_properties(\${${target}_TESTS} PROPERTIES ${props})\nendif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${file}")
endfunction()

# styrmin_unit_test(NAME SOURCES ... DEPS ... LABELS ...): a GoogleTest binary whose cases are
# registered with CTest one by one, labelled `unit` plus the given labels.
function(styrmin_unit_test name)
  if(STYRMIN_FUZZ)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${STYRMIN_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  styrmin_discover_gtests(${name} LABELS unit ${ARG_LABELS} TIMEOUT 60)
endfunction()

include(GoogleTest)
