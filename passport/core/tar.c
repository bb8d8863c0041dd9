/* SPDX-License-Identifier: EUPL-1.2 */
/* ustar headers of 512 bytes, content padded to 512, two zero blocks at the end, the whole
 * stream through zlib's gz* functions. */
#include "core/tar.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/buf.h"

#define BLOCK 512
#define CHUNK 65536

struct tar_writer {
    gzFile gz;
};

struct tar_reader {
    gzFile gz;
    unsigned long long left; /* content bytes of the current entry not read yet */
    unsigned long long pad;  /* padding after them */
};

/* Writes v in octal on width-1 digits and a NUL into field (callers keep v in range). */
static void octal(char *field, size_t width, unsigned long long v) {
    field[width - 1] = '\0';
    for (size_t i = width - 1; i-- > 0; v >>= 3) field[i] = (char)('0' + (v & 7));
}

static unsigned header_sum(const unsigned char *h) {
    unsigned sum = 0;
    for (int i = 0; i < BLOCK; i++) sum += (i >= 148 && i < 156) ? ' ' : h[i];
    return sum;
}

static bool put(tar_writer *w, const void *data, size_t len, perr *err) {
    if (len && gzwrite(w->gz, data, (unsigned)len) != (int)len) {
        int e;
        const char *msg = gzerror(w->gz, &e);
        return perr_set(err, "archive: cannot write: %s", e == Z_ERRNO ? strerror(errno) : msg);
    }
    return true;
}

static bool header(tar_writer *w, const char *name, char type, unsigned mode, unsigned long long size,
                   long long mtime, perr *err) {
    if (strlen(name) >= 100) return perr_set(err, "archive: name too long: %s", name);
    if (size >= 1ULL << 33) return perr_set(err, "archive: %s is larger than 8 GiB", name);
    unsigned char h[BLOCK] = {0};
    memcpy(h, name, strlen(name));
    octal((char *)h + 100, 8, mode & 07777);
    octal((char *)h + 108, 8, 0);
    octal((char *)h + 116, 8, 0);
    octal((char *)h + 124, 12, size);
    octal((char *)h + 136, 12, (unsigned long long)(mtime > 0 ? mtime : 0));
    h[156] = (unsigned char)type;
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    snprintf((char *)h + 148, 8, "%06o", header_sum(h));
    h[155] = ' ';
    return put(w, h, BLOCK, err);
}

static bool pad(tar_writer *w, unsigned long long size, perr *err) {
    static const unsigned char zero[BLOCK];
    size_t n = (size_t)(size % BLOCK);
    return n == 0 || put(w, zero, BLOCK - n, err);
}

tar_writer *tar_create(int fd, perr *err) {
    int dupfd = dup(fd);
    gzFile gz = dupfd >= 0 ? gzdopen(dupfd, "wb6") : NULL;
    if (!gz) {
        if (dupfd >= 0) close(dupfd);
        perr_set(err, "archive: cannot start compressing: %s", strerror(errno));
        return NULL;
    }
    tar_writer *w = xcalloc(1, sizeof *w);
    w->gz = gz;
    return w;
}

bool tar_add_dir(tar_writer *w, const char *name, unsigned mode, long long mtime, perr *err) {
    char n[101];
    if (snprintf(n, sizeof n, "%s/", name) >= (int)sizeof n) return perr_set(err, "archive: name too long: %s", name);
    return header(w, n, '5', mode, 0, mtime, err);
}

bool tar_add(tar_writer *w, const char *name, unsigned mode, long long mtime, const void *data, size_t len,
             perr *err) {
    return header(w, name, '0', mode, len, mtime, err) && put(w, data, len, err) && pad(w, len, err);
}

bool tar_add_file(tar_writer *w, const char *name, const char *path, perr *err) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        int e = errno;
        if (fd >= 0) close(fd);
        return perr_set(err, "archive: cannot read %s: %s", path, strerror(e));
    }
    bool ok = header(w, name, '0', (unsigned)st.st_mode, (unsigned long long)st.st_size, (long long)st.st_mtime, err);
    unsigned long long left = (unsigned long long)st.st_size;
    char *chunk = xmalloc(CHUNK);
    while (ok && left > 0) {
        ssize_t r = read(fd, chunk, left < CHUNK ? (size_t)left : CHUNK);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            ok = perr_set(err, "archive: %s changed size while being read", path);
            break;
        }
        ok = put(w, chunk, (size_t)r, err);
        left -= (unsigned long long)r;
    }
    free(chunk);
    close(fd);
    return ok && pad(w, (unsigned long long)st.st_size, err);
}

bool tar_finish(tar_writer *w, perr *err) {
    if (!w) return false;
    static const unsigned char zero[2 * BLOCK];
    bool ok = put(w, zero, sizeof zero, err);
    int rc = gzclose(w->gz);
    if (ok && rc != Z_OK) ok = perr_set(err, "archive: cannot finish writing: %s", rc == Z_ERRNO ? strerror(errno) : "zlib error");
    free(w);
    return ok;
}

tar_reader *tar_open(const char *path, perr *err) {
    gzFile gz = gzopen(path, "rb");
    if (!gz) {
        perr_set(err, "archive: cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    gzbuffer(gz, CHUNK);
    tar_reader *r = xcalloc(1, sizeof *r);
    r->gz = gz;
    return r;
}

static bool get(tar_reader *r, void *out, size_t len, perr *err) {
    int n = gzread(r->gz, out, (unsigned)len);
    if (n == (int)len) return true;
    int e;
    const char *msg = gzerror(r->gz, &e);
    return perr_set(err, "archive: truncated or damaged (%s)", e != Z_OK ? msg : "unexpected end");
}

static bool skip(tar_reader *r, unsigned long long n, perr *err) {
    char chunk[4096];
    while (n > 0) {
        size_t k = n < sizeof chunk ? (size_t)n : sizeof chunk;
        if (!get(r, chunk, k, err)) return false;
        n -= k;
    }
    return true;
}

/* The number in an octal field (NUL or space terminated); false when it holds anything else. */
static bool parse_octal(const unsigned char *f, size_t width, unsigned long long *v) {
    *v = 0;
    size_t i = 0;
    while (i < width && f[i] == ' ') i++;
    for (; i < width && f[i] >= '0' && f[i] <= '7'; i++) *v = *v * 8 + (unsigned)(f[i] - '0');
    return i == width || f[i] == '\0' || f[i] == ' ';
}

int tar_next(tar_reader *r, tar_entry *e, perr *err) {
    if (!skip(r, r->left + r->pad, err)) return -1;
    r->left = r->pad = 0;
    unsigned char h[BLOCK];
    if (!get(r, h, BLOCK, err)) return -1;
    bool zero = true;
    for (int i = 0; i < BLOCK && zero; i++) zero = h[i] == 0;
    if (zero) return 0;
    unsigned long long sum, size, mode;
    if (!parse_octal(h + 148, 8, &sum) || sum != header_sum(h) || !parse_octal(h + 124, 12, &size) ||
        !parse_octal(h + 100, 8, &mode)) {
        perr_set(err, "archive: damaged entry header");
        return -1;
    }
    memset(e, 0, sizeof *e);
    char name[101] = {0}, prefix[156] = {0};
    memcpy(name, h, 100);
    if (!memcmp(h + 257, "ustar", 5)) memcpy(prefix, h + 345, 155);
    buf full = BUF_INIT;
    buf_printf(&full, "%s%s%s", prefix, prefix[0] ? "/" : "", name);
    snprintf(e->name, sizeof e->name, "%s", buf_cstr(&full));
    buf_free(&full);
    size_t n = strlen(e->name);
    while (n > 0 && e->name[n - 1] == '/') e->name[--n] = '\0';
    e->type = h[156] ? (char)h[156] : '0';
    e->mode = (unsigned)mode;
    e->size = e->type == '5' ? 0 : size;
    r->left = size;
    r->pad = (BLOCK - size % BLOCK) % BLOCK;
    return 1;
}

bool tar_read_to_fd(tar_reader *r, int fd, perr *err) {
    char *chunk = xmalloc(CHUNK);
    bool ok = true;
    while (ok && r->left > 0) {
        size_t k = r->left < CHUNK ? (size_t)r->left : CHUNK;
        ok = get(r, chunk, k, err);
        for (size_t off = 0; ok && off < k;) {
            ssize_t w = write(fd, chunk + off, k - off);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) ok = perr_set(err, "cannot write: %s", strerror(errno));
            else off += (size_t)w;
        }
        if (ok) r->left -= k;
    }
    free(chunk);
    return ok;
}

void tar_close(tar_reader *r) {
    if (!r) return;
    gzclose(r->gz);
    free(r);
}
