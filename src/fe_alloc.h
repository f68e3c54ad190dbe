/* fe_alloc.h — memory for large arrays read or written all over. */
#ifndef FE_ALLOC_H
#define FE_ALLOC_H

#include <stddef.h>

/* malloc for a large array accessed at random: a block of 2 MiB or more is aligned to 2 MiB
 * and asked for transparent huge pages on Linux (one page fault and one TLB entry per 2 MiB
 * instead of 512; a random access on 4 KiB pages mostly misses the TLB, and a page walk is
 * costly under virtualisation). A hint only: where the system refuses, the memory is plain.
 * free() frees the block and realloc() resizes it. */
void *fe_alloc_big(size_t bytes);

#endif
