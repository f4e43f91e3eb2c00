/*
 * faulty-disk-server: serves one image file through FUSE as <mountpoint>/disk.img and fails reads of
 * "bad" 512-byte sectors with EIO, the way a disk with media errors (or pmem with poison) does.
 * Part of the daxguard plugin-api test kit; FaultyDisk.java compiles and drives it.
 *
 *   faulty-disk-server [--fail-whole-requests] <backing-image> <mountpoint>
 *
 * Control protocol: one command per line on stdin, exactly one reply line on stdout per command, so the
 * Java side knows the change is in force when the reply arrives (a FUSE read that starts afterwards sees it).
 *   poison <sector> <count>   -> "ok"            mark sectors bad
 *   clear <sector> <count>    -> "ok"            mark sectors good (data untouched)
 *   list                      -> "ok S N S N..." runs of bad sectors, ascending
 *   anything else / bad range -> "error <why>"
 * Before the first command the server prints "ready" once the mount exists.
 * End of stdin (the test JVM exited or crashed) stops the server: it detaches the mount and closes
 * /dev/fuse, so the kernel aborts the connection and a loop device still on the file gets errors
 * instead of hanging forever.
 *
 * Semantics, per request the kernel sends:
 *   read:  if the first sector of the request is bad -> EIO; if a later sector is bad -> a short read
 *          that stops at the bad sector (the loop driver completes the good part and retries from the bad
 *          sector, which then fails: like a SCSI medium error, where the good prefix is completed and the
 *          failed request starts at the bad LBA). With --fail-whole-requests any bad sector fails the whole
 *          request with EIO, like NVMe, which reports no partial completion: the kernel's "I/O error" line
 *          then names the start of the request, which may precede the bad sector.
 *   write: a bad sector the write covers completely is cleared after the data is written (pmem clears
 *          poison on write; a disk reallocates). A write covering only part of a bad sector fails with EIO
 *          and writes nothing (a device could not read-modify-write it). The loop driver only sends whole
 *          512-byte sectors, so this only matters for writers of disk.img itself.
 * The file is opened with direct_io, so the FUSE page cache never answers a read on the server's behalf.
 */
#define FUSE_USE_VERSION 31
#define _GNU_SOURCE
#include <fuse.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SECTOR 512ULL
#define FILE_NAME "disk.img"
#define FILE_PATH "/" FILE_NAME

static int backing_fd = -1;
static uint64_t image_size;
static uint64_t sector_count;
static uint64_t *bad;              /* one bit per sector; guarded by bad_lock */
static pthread_mutex_t bad_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_t fuse_thread;
static struct fuse *fuse;
static int fail_whole_requests;
/* Set by the FUSE thread before it tears the session down; the control thread then leaves fuse alone. */
static int fuse_finished;
static pthread_mutex_t finish_lock = PTHREAD_MUTEX_INITIALIZER;

static int is_bad(uint64_t s) { return (bad[s / 64] >> (s % 64)) & 1; }

static void set_range(uint64_t start, uint64_t count, int value) {
    for (uint64_t s = start; s < start + count; s++) {
        if (value) bad[s / 64] |= 1ULL << (s % 64);
        else bad[s / 64] &= ~(1ULL << (s % 64));
    }
}

/* First bad sector in [start, end), or end when there is none. Caller holds bad_lock. */
static uint64_t first_bad(uint64_t start, uint64_t end) {
    for (uint64_t s = start; s < end; s++) {
        if ((s % 64) == 0 && bad[s / 64] == 0) {
            s += 63;
            continue;
        }
        if (is_bad(s)) return s;
    }
    return end;
}

static int fd_getattr(const char *path, struct stat *st, struct fuse_file_info *fi) {
    (void) fi;
    memset(st, 0, sizeof *st);
    if (strcmp(path, "/") == 0) {
        st->st_mode = S_IFDIR | 0755;
        st->st_nlink = 2;
        return 0;
    }
    if (strcmp(path, FILE_PATH) == 0) {
        /* An inode number of this server's own (use_ino, below): otherwise every faulty disk's image has FUSE's
           first node id on a reused anonymous device number, and two disks made one after another on one loop
           device look like one disk to whoever identifies a loop device's disk by its backing file. */
        st->st_ino = (ino_t) getpid();
        st->st_mode = S_IFREG | 0600;
        st->st_nlink = 1;
        st->st_size = (off_t) image_size;
        st->st_blocks = (blkcnt_t) (image_size / SECTOR);
        return 0;
    }
    return -ENOENT;
}

static int fd_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
                      struct fuse_file_info *fi, enum fuse_readdir_flags flags) {
    (void) off; (void) fi; (void) flags;
    if (strcmp(path, "/") != 0) return -ENOENT;
    fill(buf, ".", NULL, 0, 0);
    fill(buf, "..", NULL, 0, 0);
    fill(buf, FILE_NAME, NULL, 0, 0);
    return 0;
}

static int fd_open(const char *path, struct fuse_file_info *fi) {
    if (strcmp(path, FILE_PATH) != 0) return -ENOENT;
    fi->direct_io = 1;   /* every read reaches us: no stale page cache after poisoning */
    fi->keep_cache = 0;
    return 0;
}

static int fd_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi) {
    (void) path; (void) fi;
    if (off < 0 || (uint64_t) off >= image_size) return 0;
    if ((uint64_t) off + size > image_size) size = image_size - (uint64_t) off;
    if (size == 0) return 0;
    uint64_t first = (uint64_t) off / SECTOR;
    uint64_t end = ((uint64_t) off + size + SECTOR - 1) / SECTOR;
    pthread_mutex_lock(&bad_lock);
    uint64_t hit = first_bad(first, end);
    pthread_mutex_unlock(&bad_lock);
    if (hit == first || (hit < end && fail_whole_requests)) return -EIO;
    if (hit < end) size = hit * SECTOR - (uint64_t) off;
    size_t done = 0;
    while (done < size) {
        ssize_t n = pread(backing_fd, buf + done, size - done, off + (off_t) done);
        if (n < 0) return -errno;
        if (n == 0) { memset(buf + done, 0, size - done); done = size; break; }
        done += (size_t) n;
    }
    return (int) done;
}

static int fd_write(const char *path, const char *buf, size_t size, off_t off, struct fuse_file_info *fi) {
    (void) path; (void) fi;
    if (off < 0 || (uint64_t) off + size > image_size) return -ENOSPC;
    if (size == 0) return 0;
    uint64_t first = (uint64_t) off / SECTOR;
    uint64_t end = ((uint64_t) off + size + SECTOR - 1) / SECTOR;
    uint64_t whole_first = ((uint64_t) off + SECTOR - 1) / SECTOR;
    uint64_t whole_end = ((uint64_t) off + size) / SECTOR;
    /* Held across the write so a concurrent "poison" cannot be cleared by a write that started earlier. */
    pthread_mutex_lock(&bad_lock);
    if ((first < whole_first && is_bad(first)) || (end > whole_end && end - 1 >= first && is_bad(end - 1))) {
        pthread_mutex_unlock(&bad_lock);
        return -EIO;
    }
    size_t done = 0;
    while (done < size) {
        ssize_t n = pwrite(backing_fd, buf + done, size - done, off + (off_t) done);
        if (n < 0) {
            int e = errno;
            pthread_mutex_unlock(&bad_lock);
            return -e;
        }
        done += (size_t) n;
    }
    if (whole_end > whole_first) set_range(whole_first, whole_end - whole_first, 0);
    pthread_mutex_unlock(&bad_lock);
    return (int) done;
}

static int fd_fsync(const char *path, int datasync, struct fuse_file_info *fi) {
    (void) path; (void) datasync; (void) fi;
    return fdatasync(backing_fd) < 0 ? -errno : 0;
}

static int fd_flush(const char *path, struct fuse_file_info *fi) {
    (void) path; (void) fi;
    return 0;
}

/* Discard from the loop device arrives as a hole punch. It does not clear poison: nothing was written. */
static int fd_fallocate(const char *path, int mode, off_t off, off_t len, struct fuse_file_info *fi) {
    (void) path; (void) fi;
    if ((uint64_t) off + (uint64_t) len > image_size && !(mode & FALLOC_FL_KEEP_SIZE)) return -EOPNOTSUPP;
    return fallocate(backing_fd, mode, off, len) < 0 ? -errno : 0;
}

static void *fd_init(struct fuse_conn_info *conn, struct fuse_config *cfg) {
    (void) conn;
    cfg->use_ino = 1; /* st_ino as fd_getattr gives it */
    return NULL;
}

static const struct fuse_operations operations = {
    .init = fd_init,
    .getattr = fd_getattr,
    .readdir = fd_readdir,
    .open = fd_open,
    .read = fd_read,
    .write = fd_write,
    .flush = fd_flush,
    .fsync = fd_fsync,
    .fallocate = fd_fallocate,
};

static int parse_range(const char *line, const char *verb, uint64_t *start, uint64_t *count, char *why, size_t why_size) {
    char extra;
    if (sscanf(line + strlen(verb), " %" SCNu64 " %" SCNu64 " %c", start, count, &extra) != 2) {
        snprintf(why, why_size, "usage: %s <sector> <count>", verb);
        return 0;
    }
    if (*count == 0 || *start >= sector_count || *count > sector_count - *start) {
        snprintf(why, why_size, "sectors %" PRIu64 "+%" PRIu64 " are outside the image (%" PRIu64 " sectors)",
                 *start, *count, sector_count);
        return 0;
    }
    return 1;
}

static void reply_list(void) {
    pthread_mutex_lock(&bad_lock);
    fputs("ok", stdout);
    uint64_t s = 0;
    while (s < sector_count) {
        s = first_bad(s, sector_count);
        if (s == sector_count) break;
        uint64_t run = s;
        while (run < sector_count && is_bad(run)) run++;
        printf(" %" PRIu64 " %" PRIu64, s, run - s);
        s = run;
    }
    pthread_mutex_unlock(&bad_lock);
    fputc('\n', stdout);
}

/* The control thread: owns stdin and stdout; ends the process's FUSE loop when stdin ends. */
static void *control(void *unused) {
    (void) unused;
    char line[256];
    char why[160];
    while (fgets(line, sizeof line, stdin) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        uint64_t start, count;
        if (strncmp(line, "poison", 6) == 0 && (line[6] == ' ' || line[6] == '\0')) {
            if (parse_range(line, "poison", &start, &count, why, sizeof why)) {
                pthread_mutex_lock(&bad_lock);
                set_range(start, count, 1);
                pthread_mutex_unlock(&bad_lock);
                puts("ok");
            } else {
                printf("error %s\n", why);
            }
        } else if (strncmp(line, "clear", 5) == 0 && (line[5] == ' ' || line[5] == '\0')) {
            if (parse_range(line, "clear", &start, &count, why, sizeof why)) {
                pthread_mutex_lock(&bad_lock);
                set_range(start, count, 0);
                pthread_mutex_unlock(&bad_lock);
                puts("ok");
            } else {
                printf("error %s\n", why);
            }
        } else if (strcmp(line, "list") == 0) {
            reply_list();
        } else {
            printf("error unknown command \"%s\"\n", line);
        }
        fflush(stdout);
    }
    /* stdin ended: the owner is gone. Interrupt the FUSE loop's read of /dev/fuse (its SIGTERM handler
     * sets the exit flag and the read returns EINTR). */
    pthread_mutex_lock(&finish_lock);
    if (!fuse_finished) {
        fuse_exit(fuse);
        pthread_kill(fuse_thread, SIGTERM);
    }
    pthread_mutex_unlock(&finish_lock);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "--fail-whole-requests") == 0) {
        fail_whole_requests = 1;
        argv[1] = argv[0];
        argv++;
        argc--;
    }
    if (argc != 3) {
        fprintf(stderr, "usage: %s [--fail-whole-requests] <backing-image> <mountpoint>\n", argv[0]);
        return 2;
    }
    backing_fd = open(argv[1], O_RDWR | O_CLOEXEC);
    struct stat st;
    if (backing_fd < 0 || fstat(backing_fd, &st) < 0) {
        fprintf(stderr, "faulty-disk-server: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    if (st.st_size <= 0 || st.st_size % SECTOR != 0) {
        fprintf(stderr, "faulty-disk-server: %s: size %lld is not a positive multiple of 512\n", argv[1],
                (long long) st.st_size);
        return 1;
    }
    image_size = (uint64_t) st.st_size;
    sector_count = image_size / SECTOR;
    bad = calloc((sector_count + 63) / 64, sizeof *bad);
    if (bad == NULL) {
        fprintf(stderr, "faulty-disk-server: out of memory\n");
        return 1;
    }

    char *fuse_argv[] = {argv[0], "-o", "fsname=daxguard-faulty-disk,subtype=daxguard-faulty-disk", NULL};
    struct fuse_args args = FUSE_ARGS_INIT(3, fuse_argv);
    fuse = fuse_new(&args, &operations, sizeof operations, NULL);
    if (fuse == NULL) return 1;
    if (fuse_mount(fuse, argv[2]) != 0) {
        fuse_destroy(fuse);
        return 1;
    }
    if (fuse_set_signal_handlers(fuse_get_session(fuse)) != 0) {
        fuse_unmount(fuse);
        fuse_destroy(fuse);
        return 1;
    }
    fuse_thread = pthread_self();
    /* "ready" before the control thread starts, so it is the first line on stdout. */
    puts("ready");
    fflush(stdout);
    pthread_t control_thread;
    if (pthread_create(&control_thread, NULL, control, NULL) != 0) {
        fuse_unmount(fuse);
        fuse_destroy(fuse);
        return 1;
    }
    /* Single-threaded loop: the loop driver's I/O is served in order; the control thread only flips bits. */
    int result = fuse_loop(fuse);
    pthread_mutex_lock(&finish_lock);
    fuse_finished = 1;
    pthread_mutex_unlock(&finish_lock);
    fuse_remove_signal_handlers(fuse_get_session(fuse));
    fuse_unmount(fuse);   /* as root: umount2(MNT_DETACH); harmless when already unmounted */
    fuse_destroy(fuse);   /* closes /dev/fuse: the kernel aborts the connection */
    /* fuse_loop gives 0 after an unmount and the signal number after end of stdin or SIGTERM (the two race
     * when the owner unmounts, then closes stdin): both are a clean end. Only a negative errno is a failure. */
    return result < 0 ? 1 : 0;
}
