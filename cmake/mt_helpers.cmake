# mt_add_unit_test(<name> SOURCES ... LIBS ...): a Catch2 v2 executable registered with CTest.
add_library(mt_catch_main OBJECT ${CMAKE_CURRENT_LIST_DIR}/catch_main.cpp)
target_link_libraries(mt_catch_main PUBLIC Catch2::Catch2)

function(mt_add_test name)
    cmake_parse_arguments(ARG "" "LABEL" "SOURCES;LIBS" ${ARGN})
    add_executable(${name} ${ARG_SOURCES} $<TARGET_OBJECTS:mt_catch_main>)
    target_link_libraries(${name} PRIVATE Catch2::Catch2 ${ARG_LIBS})
    if(NOT ARG_LABEL)
        set(ARG_LABEL unit)
    endif()
    catch_discover_tests(${name} PROPERTIES LABELS ${ARG_LABEL})
endfunction()
