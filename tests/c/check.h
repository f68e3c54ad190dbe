/* check.h — the assertion helpers of the C tests: count every check, report each failure
 * with its place, and let main() print the totals ("N passed, M failed"). */
#ifndef FE_TEST_CHECK_H
#define FE_TEST_CHECK_H

#include <stdio.h>

static int n_checks, n_failed;

#define CHECK(cond) check((cond), #cond, __FILE__, __LINE__)
#define CHECK_EQ(a, b) check_eq((long long)(a), (long long)(b), #a " == " #b, __FILE__, __LINE__)

static int check(int ok, const char *what, const char *file, int line)
{
    n_checks++;
    if (!ok) {
        n_failed++;
        fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
    }
    return ok;
}

static int check_eq(long long a, long long b, const char *what, const char *file, int line)
{
    n_checks++;
    if (a != b) {
        n_failed++;
        fprintf(stderr, "%s:%d: check failed: %s (%lld != %lld)\n", file, line, what, a, b);
    }
    return a == b;
}

#endif
