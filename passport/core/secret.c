/* Secret files: read, or created once with random bytes under O_EXCL. */
#include "core/secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
    if (access(path, F_OK) == 0) return read_secret(path, out, n, err);
    /* written whole under a temporary name, then linked into place: a racing process sees
     * either no file or the complete one, and link() lets only one of them win */
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid()) >= (int)sizeof tmp) {
        perr_set(err, "%s: path too long", path);
        return false;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        perr_set(err, "%s: %s", tmp, strerror(errno));
        return false;
    }
    unsigned char fresh[SECRET_MAX];
    rand_bytes(fresh, n);
    bool ok = fchmod(fd, 0600) == 0 && write(fd, fresh, n) == (ssize_t)n && fsync(fd) == 0;
    if (close(fd) != 0) ok = false;
    if (!ok) perr_set(err, "%s: %s", tmp, strerror(errno));
    memset(fresh, 0, sizeof fresh);
    if (ok && link(tmp, path) != 0 && errno != EEXIST) {
        perr_set(err, "%s: %s", path, strerror(errno));
        ok = false;
    }
    unlink(tmp);
    return ok && read_secret(path, out, n, err); /* ours, or the racing winner's */
}
