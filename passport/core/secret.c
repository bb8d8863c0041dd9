/* SPDX-License-Identifier: EUPL-1.2 */
/* Secret files: read, or created once with random bytes (atomic_file_write, no replace). */
#include "core/secret.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/atomic_file.h"
#include "core/log.h"
#include "core/rand.h"

#define SECRET_MAX 256

/* Reads the whole secret of n bytes from path; false with err set otherwise. */
static bool read_secret(const char *path, unsigned char *out, size_t n, perr *err) {
    unsigned char tmp[SECRET_MAX + 1];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        perr_set(err, "%s: %s", path, strerror(errno));
        return false;
    }
    size_t got = 0;
    ssize_t r;
    while (got < sizeof tmp && (r = read(fd, tmp + got, sizeof tmp - got)) > 0) got += (size_t)r;
    close(fd);
    bool ok = got == n;
    if (ok) memcpy(out, tmp, n);
    else perr_set(err, "%s: %zu bytes instead of %zu (remove it to make a new secret)", path, got, n);
    memset(tmp, 0, sizeof tmp);
    return ok;
}

bool secret_file(const char *path, unsigned char *out, size_t n, perr *err) {
    if (n == 0 || n > SECRET_MAX) {
        perr_set(err, "secret of %zu bytes: 1 to %d", n, SECRET_MAX);
        return false;
    }
    struct stat st;
    if (stat(path, &st) == 0) {
        if (st.st_size != 0) return read_secret(path, out, n, err);
        /* an empty file is what a crash of an older, non-atomic writer left: never a secret */
        log_error("warning: %s is empty (left by a crash?): replaced by a new secret", path);
        unlink(path);
    }
    /* written whole under a temporary name, then linked into place: a racing process sees
     * either no file or the complete one, and only one of them wins */
    unsigned char fresh[SECRET_MAX];
    rand_bytes(fresh, n);
    perr why = {{0}};
    bool ok = atomic_file_write(path, fresh, n, 0600, false, &why);
    memset(fresh, 0, sizeof fresh);
    if (!ok && errno != EEXIST) {
        perr_set(err, "%s", why.msg);
        return false;
    }
    return read_secret(path, out, n, err); /* ours, or the racing winner's */
}
