/* Logging to standard error: one line per event, with a UTC timestamp and a level. */
#ifndef PASSPORT_CORE_LOG_H
#define PASSPORT_CORE_LOG_H

void log_info(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
void log_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

#endif
