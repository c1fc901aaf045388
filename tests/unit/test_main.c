/* test_main.c - runs the front-end unit tests (CUnit, basic interface).
 *
 * Exit status: 0 when every test passed, 1 when a test or a suite failed,
 * 2 on a CUnit error (the registry could not be built or run). */
#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

#include <stdio.h>

#include "test_util.h"

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS) {
        fprintf(stderr, "test_frontend: cannot initialise CUnit: %s\n", CU_get_error_msg());
        return 2;
    }
    CU_ErrorCode (*const suites[])(void) = {
        sp_test_register_lexer,
        sp_test_register_parser,
        sp_test_register_check,
        sp_test_register_plan,
        sp_test_register_builtins,
        sp_test_register_runtime,
        sp_test_register_checkpoint,
        sp_test_register_stats,
        sp_test_register_weblog,
        sp_test_register_project,
    };
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++) {
        if (suites[i]() != CUE_SUCCESS) {
            fprintf(stderr, "test_frontend: cannot register a suite: %s\n", CU_get_error_msg());
            CU_cleanup_registry();
            return 2;
        }
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_ErrorCode rc = CU_basic_run_tests();
    unsigned failed_tests = CU_get_number_of_tests_failed();
    unsigned failures = CU_get_number_of_failures();
    unsigned failed_suites = CU_get_number_of_suites_failed();
    CU_ErrorCode err = CU_get_error();
    CU_cleanup_registry();
    if (rc != CUE_SUCCESS || err != CUE_SUCCESS) {
        fprintf(stderr, "test_frontend: CUnit error: %d\n", (int)(rc != CUE_SUCCESS ? rc : err));
        return 2;
    }
    return failed_tests || failures || failed_suites ? 1 : 0;
}
