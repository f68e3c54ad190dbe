/* posix_memalign and madvise(MADV_HUGEPAGE) are outside strict C99 in glibc's headers */
#if defined(__linux__) && !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE
#endif

#include "fe_alloc.h"

#include <stdlib.h>

#ifdef __linux__
#include <sys/mman.h>
#endif

#if defined(__linux__) && defined(MADV_HUGEPAGE)
#define HUGE_PAGE ((size_t)2 << 20)
#endif

void *fe_alloc_big(size_t bytes)
{
#ifdef HUGE_PAGE
    if (bytes >= HUGE_PAGE) {
        void *p = NULL;
        if (posix_memalign(&p, HUGE_PAGE, bytes) != 0) return NULL;
        madvise(p, bytes, MADV_HUGEPAGE); /* only a hint: nothing to do if refused */
        return p;
    }
#endif
    return malloc(bytes > 0 ? bytes : 1);
}
