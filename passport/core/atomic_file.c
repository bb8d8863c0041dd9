/* SPDX-License-Identifier: EUPL-1.2 */
/* Atomic file writes (see atomic_file.h): mkstemp beside the target, write, fchmod, fsync,
 * rename (replace) or link + unlink (no replace), fsync of the folder. */
#include "core/atomic_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"

#define TEMP_MARK ".tmp-"

/* The folder part of path ("." when it has none), new string. */
static char *dir_of(const char *path) {
    const char *slash = strrchr(path, '/');
    if (!slash) return xstrdup(".");
    if (slash == path) return xstrdup("/");
    return xstrndup(path, (size_t)(slash - path));
}

bool atomic_file_sync_dir(const char *path, perr *err) {
    char *dir = dir_of(path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    bool ok = fd >= 0 && fsync(fd) == 0;
    if (!ok) perr_set(err, "cannot flush the folder %s: %s", dir, strerror(errno));
    if (fd >= 0) close(fd);
    free(dir);
    return ok;
}

/* Tests only: PASSPORT_TEST_ATOMIC_PAUSE_MS makes every write wait that long between the
 * complete temporary file and its rename, so that a test can kill the process there. */
static void test_pause(void) {
    const char *ms = getenv("PASSPORT_TEST_ATOMIC_PAUSE_MS");
    long n = ms ? strtol(ms, NULL, 10) : 0;
    if (n > 0 && n <= 60000) {
        struct timespec t = {n / 1000, (n % 1000) * 1000000L};
        nanosleep(&t, NULL);
    }
}

/* err for a failed step on path: the words an operator acts on for the usual causes. */
static void fail_msg(perr *err, const char *what, const char *path, int e) {
    if (e == ENOSPC || e == EDQUOT) perr_set(err, "the disk is full: cannot %s %s", what, path);
    else if (e == EROFS || e == EACCES || e == EPERM)
        perr_set(err, "the data folder is read-only or not writable by this user: cannot %s %s (%s)", what, path, strerror(e));
    else perr_set(err, "cannot %s %s: %s", what, path, strerror(e));
}

static bool write_all(int fd, const void *data, size_t len) {
    const char *p = data;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        p += w;
        len -= (size_t)w;
    }
    return true;
}

int atomic_file_open(const char *path, unsigned mode, char **tmp, perr *err) {
    char *dir = dir_of(path);
    const char *slash = strrchr(path, '/');
    buf t = BUF_INIT;
    buf_printf(&t, "%s/.%s" TEMP_MARK "XXXXXX", dir, slash ? slash + 1 : path);
    free(dir);
    int fd = mkstemp(t.data);
    if (fd < 0 || fchmod(fd, (mode_t)mode) != 0) {
        int e = errno;
        if (fd >= 0) {
            close(fd);
            unlink(t.data);
        }
        fail_msg(err, "create a file beside", path, e);
        buf_free(&t);
        errno = e;
        return -1;
    }
    *tmp = buf_detach(&t);
    return fd;
}

void atomic_file_abandon(int fd, char *tmp) {
    if (fd >= 0) close(fd);
    if (tmp) unlink(tmp);
    free(tmp);
}

bool atomic_file_commit(int fd, char *tmp, const char *path, bool replace, perr *err) {
    bool ok = fsync(fd) == 0;
    int saved = errno;
    if (close(fd) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (!ok) {
        fail_msg(err, "write", path, saved);
        goto fail;
    }
    test_pause();
    if (replace) {
        if (rename(tmp, path) != 0) {
            saved = errno;
            fail_msg(err, "rename into", path, saved);
            goto fail;
        }
    } else {
        if (link(tmp, path) != 0) {
            saved = errno;
            if (saved == EEXIST) perr_set(err, "%s already exists", path);
            else fail_msg(err, "link", path, saved);
            goto fail;
        }
        unlink(tmp);
    }
    free(tmp);
    return atomic_file_sync_dir(path, err);
fail:
    unlink(tmp);
    free(tmp);
    errno = saved;
    return false;
}

bool atomic_file_write(const char *path, const void *data, size_t len, unsigned mode, bool replace, perr *err) {
    char *tmp = NULL;
    int fd = atomic_file_open(path, mode, &tmp, err);
    if (fd < 0) return false;
    if (!write_all(fd, data, len)) {
        int e = errno;
        fail_msg(err, "write", path, e);
        atomic_file_abandon(fd, tmp);
        errno = e;
        return false;
    }
    return atomic_file_commit(fd, tmp, path, replace, err);
}

int atomic_file_warn_leftovers(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (atomic_file_is_temp(e->d_name)) {
            log_error("warning: %s/%s: a temporary file left by a crash, ignored (it may be deleted)", dir, e->d_name);
            n++;
        }
    closedir(d);
    return n;
}

bool atomic_file_is_temp(const char *name) {
    const char *m = name[0] == '.' ? strstr(name, TEMP_MARK) : NULL;
    return m && strlen(m) == strlen(TEMP_MARK) + 6;
}
