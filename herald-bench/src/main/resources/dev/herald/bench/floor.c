/*
 * The kernel's floor for fan-out: CPU time of write(2) of small frames to many loopback TCP sockets.
 *
 *   floor <sockets> <frame_bytes> <frames_per_write> <rounds> <rounds_per_sec|0> <writer_cpu|-1> <reader_cpu|-1>
 *         <reader_polls: 0|1>
 *
 * Opens <sockets> loopback connections, forks a reader (pinned to reader_cpu) that drains every accepted socket
 * with epoll (sleeping in epoll_wait, or with reader_polls=1 spinning on epoll_wait(0) so that no write ever has
 * to wake it: the write's cost without the cross-CPU wake-up), and in the writer (pinned to writer_cpu) writes one buffer of frame_bytes * frames_per_write bytes to
 * every socket per round: paced at rounds_per_sec (as a server sending 10 publications a second would), or back to
 * back when 0. Prints one JSON line with the writer's CPU time per write (thread CPU clock; user/system split from
 * getrusage). Bounded: at most 100000 rounds, and the reader exits when every socket is closed or after 600 s.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what) { perror(what); exit(2); }

static void pin(int cpu) {
    if (cpu < 0) return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) die("sched_setaffinity");
}

static double now_s(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double tv_s(struct timeval tv) { return tv.tv_sec + tv.tv_usec / 1e6; }

int main(int argc, char **argv) {
    if (argc != 9) {
        fprintf(stderr, "usage: floor sockets frame_bytes frames_per_write rounds rounds_per_sec writer_cpu reader_cpu"
                        " reader_polls\n");
        return 2;
    }
    int polls = atoi(argv[8]);
    int n = atoi(argv[1]), frame = atoi(argv[2]), per_write = atoi(argv[3]), rounds = atoi(argv[4]);
    double rps = atof(argv[5]);
    int writer_cpu = atoi(argv[6]), reader_cpu = atoi(argv[7]);
    if (n < 1 || n > 9000 || frame < 1 || per_write < 1 || frame * per_write > 65536 || rounds < 1 || rounds > 100000) {
        fprintf(stderr, "bad arguments\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0) die("socket");
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, (struct sockaddr *) &addr, sizeof addr) != 0) die("bind");
    if (listen(lfd, 4096) != 0) die("listen");
    socklen_t alen = sizeof addr;
    getsockname(lfd, (struct sockaddr *) &addr, &alen);

    int *cfd = calloc(n, sizeof(int)), *sfd = calloc(n, sizeof(int));
    for (int i = 0; i < n; i++) {
        cfd[i] = socket(AF_INET, SOCK_STREAM, 0);
        if (cfd[i] < 0) die("socket");
        int one = 1;
        setsockopt(cfd[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (connect(cfd[i], (struct sockaddr *) &addr, sizeof addr) != 0) die("connect");
        sfd[i] = accept(lfd, NULL, NULL);
        if (sfd[i] < 0) die("accept");
    }
    close(lfd);

    pid_t child = fork();
    if (child < 0) die("fork");
    if (child == 0) {
        pin(reader_cpu);
        alarm(600);
        for (int i = 0; i < n; i++) close(cfd[i]);
        int ep = epoll_create1(0);
        for (int i = 0; i < n; i++) {
            struct epoll_event ev = {.events = EPOLLIN, .data.fd = sfd[i]};
            epoll_ctl(ep, EPOLL_CTL_ADD, sfd[i], &ev);
        }
        int open = n;
        char buf[65536];
        struct epoll_event evs[512];
        while (open > 0) {
            int k = epoll_wait(ep, evs, 512, polls ? 0 : -1);
            if (k < 0 && errno == EINTR) continue;
            if (k < 0) die("epoll_wait");
            for (int j = 0; j < k; j++) {
                ssize_t r = read(evs[j].data.fd, buf, sizeof buf);
                if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
                    epoll_ctl(ep, EPOLL_CTL_DEL, evs[j].data.fd, NULL);
                    close(evs[j].data.fd);
                    open--;
                }
            }
        }
        _exit(0);
    }
    for (int i = 0; i < n; i++) close(sfd[i]);
    pin(writer_cpu);

    int len = frame * per_write;
    char *out = malloc(len);
    for (int i = 0; i < len; i++) out[i] = 'a' + i % 26;
    /* one unmeasured round warms the sockets and caches */
    for (int i = 0; i < n; i++) if (write(cfd[i], out, len) != len) die("write");
    usleep(200000);

    struct rusage ru0, ru1;
    getrusage(RUSAGE_SELF, &ru0);
    double cpu0 = now_s(CLOCK_THREAD_CPUTIME_ID), wall0 = now_s(CLOCK_MONOTONIC);
    long writes = 0;
    for (int r = 0; r < rounds; r++) {
        if (rps > 0) {
            double due = wall0 + r / rps;
            double wait = due - now_s(CLOCK_MONOTONIC);
            if (wait > 0) {
                struct timespec ts = {(time_t) wait, (long) ((wait - (time_t) wait) * 1e9)};
                nanosleep(&ts, NULL);
            }
        }
        for (int i = 0; i < n; i++) {
            if (write(cfd[i], out, len) != len) die("write");
            writes++;
        }
    }
    double cpu1 = now_s(CLOCK_THREAD_CPUTIME_ID), wall1 = now_s(CLOCK_MONOTONIC);
    getrusage(RUSAGE_SELF, &ru1);
    double user = tv_s(ru1.ru_utime) - tv_s(ru0.ru_utime), sys = tv_s(ru1.ru_stime) - tv_s(ru0.ru_stime);
    double cpu = cpu1 - cpu0;
    for (int i = 0; i < n; i++) close(cfd[i]);
    int status;
    waitpid(child, &status, 0);
    printf("{\"sockets\":%d,\"frame_bytes\":%d,\"frames_per_write\":%d,\"rounds\":%d,\"rounds_per_sec\":%g,"
           "\"writes\":%ld,\"wall_s\":%.3f,\"cpu_s\":%.4f,\"cpu_us_per_write\":%.3f,\"cpu_us_per_frame\":%.3f,"
           "\"user_share\":%.3f,\"sys_share\":%.3f}\n",
           n, frame, per_write, rounds, rps, writes, wall1 - wall0, cpu, cpu * 1e6 / writes,
           cpu * 1e6 / writes / per_write, user + sys > 0 ? user / (user + sys) : 0, user + sys > 0 ? sys / (user + sys) : 0);
    return 0;
}
