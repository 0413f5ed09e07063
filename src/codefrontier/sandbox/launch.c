/*
 * cf-launch: run one untrusted executable under limits and report what it used.
 *
 * Started by the zygote (inside the worker's bubblewrap sandbox) with the test's
 * stdin/stdout/stderr already on fds 0/1/2 and a report descriptor on fd 3. It
 * clones the target into fresh user and PID namespaces (so every process the target
 * starts dies with it; a new IPC namespace too, so no System V object outlives it),
 * applies rlimits, executes it, watches its CPU clock and the
 * wall clock, and writes one line of key=value pairs to fd 3.
 *
 * Why a separate small C program: a child forked from the (large) Python zygote
 * would carry the zygote's peak RSS into the target's ru_maxrss across execve; a
 * child forked from this tiny static process reports the target's own peak.
 *
 * With a run cgroup (-G, -C) the target joins it before it executes, and the CPU watched
 * is that of every process of the run. With namespaces, the target also gets its own
 * mount namespace: its own /proc (-R), a private tmpfs as its working directory (-T) and at
 * /dev/shm (-S), the worker's cgroup covered (-H), its user mapped (-U).
 *
 * Before the target executes, the child reports setup problems on a close-on-exec pipe:
 * the report says setup=started when execve succeeded, setup=exec_failed (or exec_nomem
 * when the kernel refused it for memory) with errno, or setup=failed where=WHAT.
 *
 * Usage: cf-launch [options] -- PROGRAM [ARGS...]
 *   -c CPU_US     CPU limit in microseconds (the target is killed a little after it)
 *   -w WALL_US    wall-clock backstop in microseconds
 *   -m BYTES      RLIMIT_AS (0 = unlimited)
 *   -f BYTES      RLIMIT_FSIZE (output cap)
 *   -p N          RLIMIT_NPROC (processes and threads)
 *   -n N          RLIMIT_NOFILE
 *   -d DIR        working directory
 *   -x FD         execute the file open on FD (a sealed memfd) instead of PROGRAM's path
 *   -e KEY=VALUE  environment variable (repeatable); the environment is otherwise empty
 *   -F SRC:DST    give the target descriptor SRC as DST (repeatable; SRC >= 9 > DST >= 3)
 *   -N            do not create namespaces (fallback isolation)
 *   -P            also a new network namespace (when the sandbox has none of its own)
 *   -U UID:GID    map this user and group in the target's user namespace
 *   -T BYTES:INODES  a private tmpfs as the working directory (-d)
 *   -S BYTES      a private tmpfs at /dev/shm
 *   -R            a /proc of the target's own PID namespace
 *   -H DIR        cover DIR with an empty read-only tmpfs (repeatable)
 *   -G FILE       write the target into this cgroup.procs file before it executes (repeatable)
 *   -C KIND:FILE  the run cgroup's CPU counter (KIND ns: cpuacct.usage; stat: cpu.stat)
 *   -I NAME:FD    write the file open on FD into the working directory as NAME (repeatable)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

#define MAX_ENV 64
#define MAX_FWD 16
#define MAX_LIST 8
#define EXEC_FAILED 127

/* What the child tells the parent on the setup pipe before it executes the target. */
struct setup_error {
    int stage; /* 1 = setup step failed, 2 = execve failed */
    int err;
    char where[24];
};

static int setup_pipe = -1;

static void setup_fail(int stage, const char *where) {
    struct setup_error e;
    memset(&e, 0, sizeof e);
    e.stage = stage;
    e.err = errno;
    strncpy(e.where, where, sizeof e.where - 1);
    if (write(setup_pipe, &e, sizeof e) < 0) { /* nothing more to do */ }
    _exit(EXEC_FAILED);
}

static int write_file(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* CPU seconds used so far by every process of the run cgroup (-1 when unreadable). */
static double cgroup_cpu_s(const char *kind, const char *path) {
    char buf[4096];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1.0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return -1.0;
    buf[n] = 0;
    if (strcmp(kind, "ns") == 0) return strtoull(buf, NULL, 10) / 1e9;
    char *p = strstr(buf, "usage_usec ");
    return p ? strtoull(p + 11, NULL, 10) / 1e6 : -1.0;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* CPU seconds used so far by the whole process `pid` (all its threads). */
static double process_cpu_s(pid_t pid) {
    clockid_t clk = ((~(clockid_t)pid) << 3) | 2; /* MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED) */
    struct timespec ts;
    if (clock_gettime(clk, &ts) != 0) return -1.0;
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void set_limit(int resource, rlim_t soft, rlim_t hard) {
    struct rlimit rl = {soft, hard};
    setrlimit(resource, &rl);
}

int main(int argc, char **argv) {
    long long cpu_us = 1000000, wall_us = 3000000;
    long nproc = 8, nofile = 64;
    unsigned long long as_bytes = 0, fsize = 64ull << 20;
    const char *workdir = NULL;
    int exe_fd = -1, namespaces = 1, netns = 0, opt, own_proc = 0;
    char *envp[MAX_ENV + 1];
    int nenv = 0, fwd_src[MAX_FWD], fwd_dst[MAX_FWD], nfwd = 0;
    const char *map_ids = NULL, *hide[MAX_LIST], *cgroup_procs[MAX_LIST], *cpu_counter = NULL;
    char *input_names[MAX_LIST];
    int input_fds[MAX_LIST], ninput = 0;
    int nhide = 0, ncgroup = 0;
    unsigned long long tmpfs_bytes = 0, tmpfs_inodes = 0, shm_bytes = 0;
    char cpu_kind[8] = "";

    while ((opt = getopt(argc, argv, "+c:w:m:f:p:n:d:x:e:F:NPU:T:S:RH:G:C:I:")) != -1) {
        switch (opt) {
        case 'c': cpu_us = atoll(optarg); break;
        case 'w': wall_us = atoll(optarg); break;
        case 'm': as_bytes = strtoull(optarg, NULL, 10); break;
        case 'f': fsize = strtoull(optarg, NULL, 10); break;
        case 'p': nproc = atol(optarg); break;
        case 'n': nofile = atol(optarg); break;
        case 'd': workdir = optarg; break;
        case 'x': exe_fd = atoi(optarg); break;
        case 'e': if (nenv < MAX_ENV) envp[nenv++] = optarg; break;
        case 'F':
            if (nfwd < MAX_FWD && sscanf(optarg, "%d:%d", &fwd_src[nfwd], &fwd_dst[nfwd]) == 2) nfwd++;
            break;
        case 'N': namespaces = 0; break;
        case 'P': netns = 1; break;
        case 'U': map_ids = optarg; break;
        case 'T': sscanf(optarg, "%llu:%llu", &tmpfs_bytes, &tmpfs_inodes); break;
        case 'S': shm_bytes = strtoull(optarg, NULL, 10); break;
        case 'R': own_proc = 1; break;
        case 'H': if (nhide < MAX_LIST) hide[nhide++] = optarg; break;
        case 'G': if (ncgroup < MAX_LIST) cgroup_procs[ncgroup++] = optarg; break;
        case 'I': {
            char *colon = strrchr(optarg, ':');
            if (colon && ninput < MAX_LIST) {
                *colon = 0;
                input_names[ninput] = optarg;
                input_fds[ninput++] = atoi(colon + 1);
            }
            break;
        }
        case 'C': {
            const char *colon = strchr(optarg, ':');
            if (colon && colon - optarg < (long)sizeof cpu_kind) {
                memcpy(cpu_kind, optarg, colon - optarg);
                cpu_kind[colon - optarg] = 0;
                cpu_counter = colon + 1;
            }
            break;
        }
        default: return 2;
        }
    }
    envp[nenv] = NULL;
    if (optind >= argc) return 2;
    char **target_argv = argv + optind;

    FILE *report = fdopen(3, "w");
    if (!report) return 3;
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* the zygote died: so do we (and, through us, the target) */
    prctl(PR_SET_DUMPABLE, 0);

    int setup_fds[2];
    if (pipe2(setup_fds, O_CLOEXEC) != 0) {
        fprintf(report, "status=error errno=%d where=pipe\n", errno);
        return 0;
    }
    unsigned long flags = SIGCHLD;
    if (namespaces) flags |= CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWNS | (netns ? CLONE_NEWNET : 0);
    double start = now_s();
    pid_t pid = (pid_t)syscall(SYS_clone, flags, 0, 0, 0, 0);
    if (pid < 0) {
        fprintf(report, "status=error errno=%d where=clone\n", errno);
        return 0;
    }
    if (pid == 0) {
        /* The setup pipe far above every descriptor the target is given. */
        setup_pipe = fcntl(setup_fds[1], F_DUPFD_CLOEXEC, 64);
        close(setup_fds[1]);
        close(setup_fds[0]);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        /* Its own session and process group: as PID 1 of its namespace the target sees
         * getppid() == 0, and kill(0, sig) would otherwise reach the zygote's group. */
        setsid();
        /* Into the run cgroup first: every process the target makes is counted from its start. */
        for (int i = 0; i < ncgroup; i++)
            if (write_file(cgroup_procs[i], "0") != 0) setup_fail(1, "cgroup");
        if (namespaces) {
            char text[64];
            unsigned uid = 65534, gid = 65534;
            if (map_ids) sscanf(map_ids, "%u:%u", &uid, &gid);
            prctl(PR_SET_DUMPABLE, 1); /* its own /proc files, to write its maps */
            snprintf(text, sizeof text, "%u %u 1", uid, uid);
            if (map_ids && write_file("/proc/self/uid_map", text) != 0) setup_fail(1, "uid_map");
            if (map_ids && write_file("/proc/self/setgroups", "deny") != 0) setup_fail(1, "setgroups");
            snprintf(text, sizeof text, "%u %u 1", gid, gid);
            if (map_ids && write_file("/proc/self/gid_map", text) != 0) setup_fail(1, "gid_map");
            if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) setup_fail(1, "mount-private");
            char opts[96];
            if (tmpfs_bytes && workdir) {
                snprintf(opts, sizeof opts, "size=%llu,nr_inodes=%llu,mode=0755", tmpfs_bytes, tmpfs_inodes);
                if (mount("tmpfs", workdir, "tmpfs", MS_NOSUID | MS_NODEV, opts) != 0) setup_fail(1, "mount-scratch");
            }
            if (shm_bytes && access("/dev/shm", F_OK) == 0) {
                snprintf(opts, sizeof opts, "size=%llu,nr_inodes=1024,mode=1777", shm_bytes);
                if (mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, opts) != 0) setup_fail(1, "mount-shm");
            }
            if (own_proc && mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
                setup_fail(1, "mount-proc");
            for (int i = 0; i < nhide; i++)
                if (mount("tmpfs", hide[i], "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                          "size=4096,nr_inodes=2,mode=0555") != 0)
                    setup_fail(1, "mount-hide");
        }
        /* Whole seconds, rounded up, plus a margin: the watcher below kills on time;
         * this only stops a target whose threads outrun the watcher's polling. */
        rlim_t cpu_soft = (rlim_t)((cpu_us + 999999) / 1000000 + 1);
        set_limit(RLIMIT_CPU, cpu_soft, cpu_soft + 1);
        if (as_bytes) set_limit(RLIMIT_AS, as_bytes, as_bytes);
        set_limit(RLIMIT_FSIZE, fsize, fsize);
        set_limit(RLIMIT_NPROC, nproc, nproc);
        set_limit(RLIMIT_NOFILE, nofile, nofile);
        set_limit(RLIMIT_CORE, 0, 0);
        set_limit(RLIMIT_STACK, RLIM_INFINITY, RLIM_INFINITY);
        set_limit(RLIMIT_MEMLOCK, 0, 0);
        set_limit(RLIMIT_MSGQUEUE, 0, 0);
        if (workdir && chdir(workdir) != 0) setup_fail(1, "chdir");
        /* The run's files, written into its own scratch (before RLIMIT_FSIZE applies: they are
         * the judge's, not the program's output). */
        for (int i = 0; i < ninput; i++) {
            int out = open(input_names[i], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
            if (out < 0) setup_fail(1, "input-file");
            off_t offset = 0;
            struct stat st;
            if (fstat(input_fds[i], &st) != 0) setup_fail(1, "input-file");
            while (offset < st.st_size) {
                ssize_t sent = sendfile(out, input_fds[i], &offset, st.st_size - offset);
                if (sent <= 0) setup_fail(1, "input-file");
            }
            close(out);
            close(input_fds[i]);
        }
        prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        signal(SIGPIPE, SIG_DFL);
        signal(SIGXFSZ, SIG_DFL);
        /* Nothing but stdin/stdout/stderr, the forwarded descriptors (and the executable,
         * closed on exec) may reach the target. */
        int keep[3 + MAX_FWD + 1] = {0};
        for (int i = 0; i < nfwd; i++) {
            dup2(fwd_src[i], fwd_dst[i]);
            if (fwd_dst[i] < 3 + MAX_FWD) keep[fwd_dst[i]] = 1;
        }
        for (int fd = 3; fd < 3 + MAX_FWD; fd++)
            if (!keep[fd] && fd != exe_fd) close(fd);
        for (int fd = 3 + MAX_FWD; fd < 32; fd++)
            if (fd != exe_fd) close(fd);
        syscall(SYS_close_range, 32, setup_pipe - 1, 0); /* setup_pipe >= 64: it closes on exec */
        syscall(SYS_close_range, setup_pipe + 1, ~0U, 0);
        if (exe_fd >= 0) {
            fcntl(exe_fd, F_SETFD, FD_CLOEXEC);
            syscall(SYS_execveat, exe_fd, "", target_argv, envp, AT_EMPTY_PATH);
        } else {
            execve(target_argv[0], target_argv, envp);
        }
        setup_fail(2, "execve");
    }
    close(setup_fds[1]);

    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    double cpu_limit = cpu_us / 1e6, wall_limit = wall_us / 1e6;
    const char *killed = "none";
    for (;;) {
        double cpu = cpu_counter ? cgroup_cpu_s(cpu_kind, cpu_counter) : process_cpu_s(pid);
        double elapsed = now_s() - start;
        if (cpu > cpu_limit) { killed = "cpu"; break; }
        if (elapsed > wall_limit) { killed = "wall"; break; }
        double wait_s = cpu_limit - (cpu < 0 ? 0 : cpu) + 0.002;
        if (wait_s > wall_limit - elapsed) wait_s = wall_limit - elapsed + 0.001;
        if (wait_s < 0.001) wait_s = 0.001;
        if (pidfd >= 0) {
            struct pollfd pfd = {pidfd, POLLIN, 0};
            int r = poll(&pfd, 1, (int)(wait_s * 1000) + 1);
            if (r > 0) break;
        } else {
            /* No pidfd (old kernel): poll waitid without reaping. */
            siginfo_t si;
            si.si_pid = 0;
            if (waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid) break;
            usleep(1000);
        }
    }
    if (strcmp(killed, "none") != 0) kill(pid, SIGKILL); /* pid 1 of its namespace: all die */

    int status = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {
    }
    double wall = now_s() - start;
    if (!namespaces) kill(-pid, SIGKILL);
    struct setup_error e;
    memset(&e, 0, sizeof e);
    ssize_t got = read(setup_fds[0], &e, sizeof e);
    close(setup_fds[0]);
    double cpu_s = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    if (WIFEXITED(status))
        fprintf(report, "status=exited code=%d", WEXITSTATUS(status));
    else
        fprintf(report, "status=signaled signal=%d", WTERMSIG(status));
    fprintf(report, " cpu_s=%.6f wall_s=%.6f maxrss_kb=%ld killed=%s", cpu_s, wall, ru.ru_maxrss, killed);
    if (got == (ssize_t)sizeof e && e.stage == 2)
        fprintf(report, " setup=%s errno=%d", e.err == ENOMEM ? "exec_nomem" : "exec_failed", e.err);
    else if (got == (ssize_t)sizeof e)
        fprintf(report, " setup=failed where=%s errno=%d", e.where, e.err);
    else
        fprintf(report, " setup=started");
    fprintf(report, "\n");
    fclose(report);
    return 0;
}
