# mt_add_unit_test(<name> SOURCES ... LIBS ...): a Catch2 v2 executable registered with CTest.
if(MT_BUILD_TESTS)
    add_library(mt_catch_main OBJECT ${CMAKE_CURRENT_LIST_DIR}/catch_main.cpp)
    target_link_libraries(mt_catch_main PUBLIC Catch2::Catch2)
endif()

# A test case whose name Catch cannot match back (a ';' splits it in CMake, '[' starts a tag) would run nothing
# and pass: make "no test ran" a failure.
set(MT_CATCH_ARGS --warn NoTests)

function(mt_add_test name)
    cmake_parse_arguments(ARG "" "LABEL" "SOURCES;LIBS" ${ARGN})
    add_executable(${name} ${ARG_SOURCES} $<TARGET_OBJECTS:mt_catch_main>)
    target_link_libraries(${name} PRIVATE Catch2::Catch2 ${ARG_LIBS})
    if(NOT ARG_LABEL)
        set(ARG_LABEL unit)
    endif()
    if(ARG_LABEL STREQUAL "e2e")
        # Every e2e test records its HTTP exchanges; the OpenAPI contract check (tests/contract) runs after them.
        catch_discover_tests(${name} EXTRA_ARGS ${MT_CATCH_ARGS} PROPERTIES LABELS ${ARG_LABEL}
                             FIXTURES_SETUP mt_e2e_exchanges)
    else()
        catch_discover_tests(${name} EXTRA_ARGS ${MT_CATCH_ARGS} PROPERTIES LABELS ${ARG_LABEL})
    endif()
endfunction()
