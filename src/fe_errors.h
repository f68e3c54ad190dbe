/* fe_errors.h — the return codes of every kernel function, in one place so that any set of
 * kernel headers can be included together. 0 is success, positive codes are outcomes that are
 * not errors, negative codes are errors. */
#ifndef FE_ERRORS_H
#define FE_ERRORS_H

enum {
    FE_OK = 0,
    FE_STOPPED = 1, /* training: the stop flag was raised; the work is partial */
    FE_ERR_NOMEM = -1,
    FE_ERR_IO = -2,   /* open/read failed: sys_errno says why */
    FE_ERR_UTF8 = -3, /* invalid UTF-8 in strict mode */
    FE_ERR_TOKEN_TOO_LONG = -4,
    FE_ERR_CANCELLED = -5, /* the poll callback asked to stop */
    FE_ERR_ARG = -6        /* invalid argument or configuration */
};

#endif
