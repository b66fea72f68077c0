// mt-xls-rows --xls-rows FILE DISPLAY_NAME: the child side of OpenXlsIsolated as a stand-alone tool (the tests
// point OpenXlsIsolated at it; the workers re-execute themselves instead).
#include "mt/ingest/xls_isolated.hpp"

int main(int argc, char** argv) { return mt::ingest::RunXlsRowsChild(argc, argv); }
