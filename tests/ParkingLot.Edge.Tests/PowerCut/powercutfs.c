// powercutfs: a FUSE pass-through file system that models a power cut for the power-loss test
// (tests/ParkingLot.Edge.Tests/PowerCut/PowerLossTests.cs).
//
//   powercutfs <backing-dir> <mountpoint> [fuse options]
//
// File data written through the mount is held in memory per file until the file is fsync'd or
// fdatasync'd; only then is the whole file written to <backing-dir> and fsync'd there. SIGUSR1 is
// the power cut: every byte not yet synced is discarded and every later write fails with EIO, so
// <backing-dir> holds exactly what a disk would still hold after the power came back. SIGUSR2
// toggles "disk full": while it is on, every write, truncate, create and fsync fails with ENOSPC
// (the ledger's safe-mode test). Directory
// operations (create, unlink, rename, mkdir) go to <backing-dir> at once: the model is about file
// data, which is what SQLite's synchronous setting decides. Single-threaded (-s) by design.
//
// Built by test.sh: gcc -O2 -Wall powercutfs.c $(pkg-config --cflags --libs fuse3) -o powercutfs
#define FUSE_USE_VERSION 31
#define _GNU_SOURCE
#include <fuse.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <unistd.h>

struct image {
    char *path;          // path inside the mount ("/data/ledger.db-wal")
    char *data;
    size_t size, cap;
    struct image *next;
};

static char backing[PATH_MAX];
static struct image *images;
static volatile sig_atomic_t cut;
static volatile sig_atomic_t full;

static void real(char *out, const char *path) { snprintf(out, PATH_MAX, "%s%s", backing, path); }

static struct image *find(const char *path) {
    for (struct image *i = images; i; i = i->next)
        if (strcmp(i->path, path) == 0) return i;
    return NULL;
}

static void drop(const char *path) {
    for (struct image **p = &images; *p; p = &(*p)->next) {
        if (strcmp((*p)->path, path) == 0) {
            struct image *gone = *p;
            *p = gone->next;
            free(gone->path);
            free(gone->data);
            free(gone);
            return;
        }
    }
}

static void drop_all(void) {
    while (images) drop(images->path);
}

static int reserve(struct image *i, size_t size) {
    if (size <= i->cap) return 0;
    size_t cap = i->cap ? i->cap : 4096;
    while (cap < size) cap *= 2;
    char *data = realloc(i->data, cap);
    if (!data) return -ENOMEM;
    memset(data + i->cap, 0, cap - i->cap);
    i->data = data;
    i->cap = cap;
    return 0;
}

// The unsynced image of a file, loaded from the backing file on first use.
static int image_of(const char *path, struct image **out) {
    struct image *i = find(path);
    if (!i) {
        char r[PATH_MAX];
        real(r, path);
        int fd = open(r, O_RDONLY);
        if (fd < 0) return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0) { int e = -errno; close(fd); return e; }
        i = calloc(1, sizeof *i);
        if (!i) { close(fd); return -ENOMEM; }
        i->path = strdup(path);
        int e = reserve(i, (size_t)st.st_size + 1);
        if (e) { close(fd); free(i->path); free(i); return e; }
        size_t done = 0;
        while (done < (size_t)st.st_size) {
            ssize_t n = pread(fd, i->data + done, (size_t)st.st_size - done, (off_t)done);
            if (n <= 0) break;
            done += (size_t)n;
        }
        close(fd);
        i->size = done;
        i->next = images;
        images = i;
    }
    *out = i;
    return 0;
}

static void check_cut(void) {
    if (cut == 1) {
        drop_all();
        cut = 2;
    }
}

static void on_cut(int sig) { (void)sig; if (!cut) cut = 1; }
static void on_full(int sig) { (void)sig; full = !full; }

static int fs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi) {
    (void)fi;
    check_cut();
    char r[PATH_MAX];
    real(r, path);
    if (lstat(r, st) < 0) return -errno;
    struct image *i = find(path);
    if (i) st->st_size = (off_t)i->size;
    return 0;
}

static int fs_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off, struct fuse_file_info *fi, enum fuse_readdir_flags flags) {
    (void)off; (void)fi; (void)flags;
    char r[PATH_MAX];
    real(r, path);
    DIR *d = opendir(r);
    if (!d) return -errno;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) fill(buf, e->d_name, NULL, 0, 0);
    closedir(d);
    return 0;
}

static int fs_mkdir(const char *path, mode_t mode) { char r[PATH_MAX]; real(r, path); return mkdir(r, mode) < 0 ? -errno : 0; }
static int fs_rmdir(const char *path) { char r[PATH_MAX]; real(r, path); return rmdir(r) < 0 ? -errno : 0; }
static int fs_unlink(const char *path) { char r[PATH_MAX]; real(r, path); drop(path); return unlink(r) < 0 ? -errno : 0; }
static int fs_chmod(const char *path, mode_t mode, struct fuse_file_info *fi) { (void)fi; char r[PATH_MAX]; real(r, path); return chmod(r, mode) < 0 ? -errno : 0; }
static int fs_chown(const char *path, uid_t u, gid_t g, struct fuse_file_info *fi) { (void)fi; char r[PATH_MAX]; real(r, path); return lchown(r, u, g) < 0 ? -errno : 0; }
static int fs_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi) { (void)fi; char r[PATH_MAX]; real(r, path); return utimensat(AT_FDCWD, r, tv, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0; }
static int fs_access(const char *path, int mask) { char r[PATH_MAX]; real(r, path); return access(r, mask) < 0 ? -errno : 0; }
static int fs_mknod(const char *path, mode_t mode, dev_t dev) { char r[PATH_MAX]; real(r, path); return mknod(r, mode, dev) < 0 ? -errno : 0; }

static int fs_rename(const char *from, const char *to, unsigned int flags) {
    if (flags) return -EINVAL;
    char a[PATH_MAX], b[PATH_MAX];
    real(a, from);
    real(b, to);
    if (rename(a, b) < 0) return -errno;
    drop(to);
    struct image *i = find(from);
    if (i) { free(i->path); i->path = strdup(to); }
    return 0;
}

static int fs_open(const char *path, struct fuse_file_info *fi) {
    check_cut();
    char r[PATH_MAX];
    real(r, path);
    int fd = open(r, fi->flags & ~(O_TRUNC | O_CREAT | O_EXCL));
    if (fd < 0) return -errno;
    close(fd);
    if (fi->flags & O_TRUNC) {
        if (cut) return -EIO;
        if (full) return -ENOSPC;
        struct image *i;
        int e = image_of(path, &i);
        if (e) return e;
        i->size = 0;
    }
    return 0;
}

static int fs_create(const char *path, mode_t mode, struct fuse_file_info *fi) {
    (void)fi;
    check_cut();
    if (full) return -ENOSPC;
    char r[PATH_MAX];
    real(r, path);
    int fd = open(r, O_CREAT | O_WRONLY, mode);
    if (fd < 0) return -errno;
    close(fd);
    return 0;
}

static int fs_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi) {
    (void)fi;
    check_cut();
    struct image *i = find(path);
    if (i) {
        if ((size_t)off >= i->size) return 0;
        size_t n = i->size - (size_t)off < size ? i->size - (size_t)off : size;
        memcpy(buf, i->data + off, n);
        return (int)n;
    }
    char r[PATH_MAX];
    real(r, path);
    int fd = open(r, O_RDONLY);
    if (fd < 0) return -errno;
    ssize_t n = pread(fd, buf, size, off);
    int e = errno;
    close(fd);
    return n < 0 ? -e : (int)n;
}

static int fs_write(const char *path, const char *buf, size_t size, off_t off, struct fuse_file_info *fi) {
    (void)fi;
    check_cut();
    if (cut) return -EIO;
    if (full) return -ENOSPC;
    struct image *i;
    int e = image_of(path, &i);
    if (e) return e;
    e = reserve(i, (size_t)off + size);
    if (e) return e;
    memcpy(i->data + off, buf, size);
    if ((size_t)off + size > i->size) i->size = (size_t)off + size;
    return (int)size;
}

static int fs_truncate(const char *path, off_t size, struct fuse_file_info *fi) {
    (void)fi;
    check_cut();
    if (cut) return -EIO;
    if (full) return -ENOSPC;
    struct image *i;
    int e = image_of(path, &i);
    if (e) return e;
    e = reserve(i, (size_t)size + 1);
    if (e) return e;
    if ((size_t)size > i->size) memset(i->data + i->size, 0, (size_t)size - i->size);
    i->size = (size_t)size;
    return 0;
}

// fsync and fdatasync: the file's whole image becomes durable in the backing directory.
static int fs_fsync(const char *path, int datasync, struct fuse_file_info *fi) {
    (void)datasync; (void)fi;
    check_cut();
    if (cut) return -EIO;
    if (full) return -ENOSPC;
    struct image *i = find(path);
    if (!i) return 0;
    char r[PATH_MAX];
    real(r, path);
    int fd = open(r, O_WRONLY);
    if (fd < 0) return -errno;
    size_t done = 0;
    while (done < i->size) {
        ssize_t n = pwrite(fd, i->data + done, i->size - done, (off_t)done);
        if (n < 0) { int e = -errno; close(fd); return e; }
        done += (size_t)n;
    }
    if (ftruncate(fd, (off_t)i->size) < 0 || fsync(fd) < 0) { int e = -errno; close(fd); return e; }
    close(fd);
    drop(path);
    return 0;
}

static int fs_fsyncdir(const char *path, int datasync, struct fuse_file_info *fi) { (void)path; (void)datasync; (void)fi; return cut ? -EIO : 0; }
static int fs_flush(const char *path, struct fuse_file_info *fi) { (void)path; (void)fi; return 0; }
static int fs_statfs(const char *path, struct statvfs *st) { char r[PATH_MAX]; real(r, path); return statvfs(r, st) < 0 ? -errno : 0; }

static const struct fuse_operations ops = {
    .getattr = fs_getattr, .readdir = fs_readdir, .mkdir = fs_mkdir, .rmdir = fs_rmdir,
    .unlink = fs_unlink, .rename = fs_rename, .chmod = fs_chmod, .chown = fs_chown,
    .utimens = fs_utimens, .access = fs_access, .mknod = fs_mknod, .open = fs_open,
    .create = fs_create, .read = fs_read, .write = fs_write, .truncate = fs_truncate,
    .fsync = fs_fsync, .fsyncdir = fs_fsyncdir, .flush = fs_flush, .statfs = fs_statfs,
};

int main(int argc, char *argv[]) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s <backing-dir> <mountpoint> [fuse options]\n", argv[0]);
        return 2;
    }
    if (!realpath(argv[1], backing)) { perror(argv[1]); return 2; }
    signal(SIGUSR1, on_cut);
    signal(SIGUSR2, on_full);
    // fuse_main gets: program, mountpoint, foreground, single-threaded, no attribute caching.
    char *args[64];
    int n = 0;
    args[n++] = argv[0];
    args[n++] = argv[2];
    args[n++] = "-f";
    args[n++] = "-s";
    args[n++] = "-o";
    args[n++] = "attr_timeout=0,entry_timeout=0,negative_timeout=0";
    for (int i = 3; i < argc && n < 63; i++) args[n++] = argv[i];
    args[n] = NULL;
    return fuse_main(n, args, &ops, NULL);
}
