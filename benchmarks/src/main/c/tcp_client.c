// SPDX-License-Identifier: Apache-2.0
/*
 * tcp-client: the load client of the loopwire TCP harness. One thread, one level-triggered
 * epoll set, non-blocking sockets to an echo server on 127.0.0.1.
 *
 * --mode rr (request/response): each of --connections N connections sends a message of
 *   --size bytes (64), waits for the whole echo, checks it byte for byte, and sends the next.
 *   Reports messages/s and the round trip's p50/p99 from a log-linear histogram (HDR-like:
 *   128 sub-buckets per power of two, under 1.6% error), timed per message with CLOCK_MONOTONIC
 *   from the send to the read that completes its echo.
 * --mode bulk: each connection (1 by default) writes --chunk bytes (64 KiB) whenever its socket
 *   takes them and reads the echo back concurrently. Reports MiB/s echoed (bytes read back),
 *   every byte checked against the pattern it was sent with.
 *
 * Phases: connect (at most --connect-batch connects in flight, each bounded by
 * --connect-timeout-ms), warm-up, measured interval, drain (the messages in flight come back,
 * bounded by --timeout-ms), then a clean close: shutdown(SHUT_WR), read to EOF (bounded), close.
 * Every wait is bounded, so the client ends even against a server that stalls or hangs.
 * Errors are counted and reported, never hidden: connects that failed or timed out, socket
 * errors, corrupt echoes, stalls (a message not echoed within --timeout-ms) and connections
 * the server did not close after our FIN.
 *
 * With --server-pid, the server's utime+stime (/proc/<pid>/stat) is read at the start and end
 * of the measured interval.
 *
 * Output: one CSV row on stdout (see --header), a human summary on stderr. Exit status 0;
 * 4 if any error was counted (the row is still printed); 1 if the run could not happen
 * (nothing connected, a system call failed); 2 for a bad argument.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_EVENTS 256
#define HEADER_BYTES 16
#define MAGIC 0x4c6f5774u /* "LoWt" */
#define PATTERN_PERIOD 251 /* a prime, so the bulk pattern never lines up with a chunk */
#define IO_PER_EVENT 16

static const char *CSV_HEADER =
    "mode,connections,size,messages,bytes,seconds,messages_per_s,mib_per_s,p50_ns,p99_ns,"
    "connect_errors,io_errors,corrupt,stalls,unclean_closes,server_cpu_s,client_cpu_s";

enum state { CONNECTING, OPEN, SHUTTING, DONE };

struct conn {
    int fd;
    enum state state;
    unsigned int events;
    uint32_t id;
    uint64_t started_ns; /* connect started; in rr, the current message was sent */
    /* rr: the message in flight */
    uint64_t seq;
    size_t out_off, in_off;
    int in_flight, stalled;
    unsigned char *out, *in;
    /* bulk: bytes written and read back */
    uint64_t tx, rx;
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) {
    (void) sig;
    stop_requested = 1;
}

/* Options and counters (one thread: plain globals). */
static int bulk_mode;
static long size = 64, chunk = 64 * 1024;
static int ep;
static int measuring;
static unsigned char *pattern, *bulk_in;
static uint64_t messages, bytes_echoed, connect_errors, io_errors, corrupt, stalls, unclean_closes;

/* --- the histogram: 128 exact values, then 64 sub-buckets per power of two ------------------------- */

#define SUB_BITS 6
#define BUCKETS ((64 - SUB_BITS) * (1 << SUB_BITS) + (1 << SUB_BITS))
static uint64_t histogram[BUCKETS];
static uint64_t recorded;

static int bucket_of(uint64_t v) {
    if (v < (2u << SUB_BITS)) {
        return (int) v;
    }
    int e = 63 - __builtin_clzll(v); /* >= SUB_BITS + 1 */
    int shift = e - SUB_BITS;
    return shift * (1 << SUB_BITS) + (int) (v >> shift);
}

/* The middle of the bucket's range (its only value for the exact buckets). */
static uint64_t value_of(int b) {
    if (b < (2 << SUB_BITS)) {
        return (uint64_t) b;
    }
    int shift = b / (1 << SUB_BITS) - 1;
    uint64_t m = (uint64_t) (b % (1 << SUB_BITS) + (1 << SUB_BITS));
    return (m << shift) + ((1ull << shift) >> 1);
}

static void record(uint64_t ns) {
    histogram[bucket_of(ns)]++;
    recorded++;
}

/* Nearest rank: the smallest recorded value with at least pct% of the values at or below it. */
static uint64_t percentile(double pct) {
    if (recorded == 0) {
        return 0;
    }
    uint64_t rank = (uint64_t) ((pct / 100.0) * (double) recorded + 0.999999);
    if (rank == 0) {
        rank = 1;
    }
    uint64_t seen = 0;
    for (int b = 0; b < BUCKETS; b++) {
        seen += histogram[b];
        if (seen >= rank) {
            return value_of(b);
        }
    }
    return value_of(BUCKETS - 1);
}

/* --- helpers ------------------------------------------------------------------------------------------ */

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

static double process_cpu_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* utime + stime of a whole process (all threads) in seconds, or -1 if unreadable. */
static double server_cpu_s(long pid) {
    if (pid <= 0) {
        return -1;
    }
    char path[64], line[4096];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return -1;
    }
    size_t n = fread(line, 1, sizeof line - 1, f);
    fclose(f);
    line[n] = '\0';
    /* The command name may contain spaces and parentheses: fields start after the last ')'. */
    char *p = strrchr(line, ')');
    unsigned long utime, stime;
    if (p == NULL || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2) {
        return -1;
    }
    return (double) (utime + stime) / (double) sysconf(_SC_CLK_TCK);
}

static double parse_number(const char *name, const char *value, double min, double max) {
    char *end;
    errno = 0;
    double v = strtod(value, &end);
    if (errno != 0 || *end != '\0' || !(v >= min && v <= max)) {
        fprintf(stderr, "tcp-client: bad value '%s' for %s: expected a number in [%g, %g]\n", value, name, min, max);
        exit(2);
    }
    return v;
}

static void set_interest(struct conn *c, unsigned int want) {
    if (c->events == want) {
        return;
    }
    struct epoll_event ev = {.events = want, .data.ptr = c};
    if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) == 0) {
        c->events = want;
    }
}

static void fail_conn(struct conn *c, const char *what, int err) {
    if (io_errors < 5) {
        fprintf(stderr, "tcp-client: connection %u: %s: %s\n", c->id, what, strerror(err));
    }
    io_errors++;
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    c->fd = -1;
    c->state = DONE;
    c->in_flight = 0;
}

/* --- request/response ------------------------------------------------------------------------------- */

static void fill_message(struct conn *c) {
    uint32_t magic = MAGIC;
    memcpy(c->out, &c->seq, 8);
    memcpy(c->out + 8, &c->id, 4);
    memcpy(c->out + 12, &magic, 4);
    for (long i = HEADER_BYTES; i < size; i++) {
        c->out[i] = (unsigned char) (c->seq * 31 + (uint64_t) i);
    }
}

/* Sends what is left of the current message; level-triggered EPOLLOUT only while a send is partial. */
static void rr_send(struct conn *c) {
    while (c->out_off < (size_t) size) {
        ssize_t w = send(c->fd, c->out + c->out_off, (size_t) size - c->out_off, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                set_interest(c, EPOLLIN | EPOLLOUT);
                return;
            }
            fail_conn(c, "send", errno);
            return;
        }
        c->out_off += (size_t) w;
    }
    set_interest(c, EPOLLIN);
}

static void rr_next(struct conn *c, uint64_t now) {
    c->seq++;
    fill_message(c);
    c->out_off = 0;
    c->in_off = 0;
    c->in_flight = 1;
    c->stalled = 0;
    c->started_ns = now;
    rr_send(c);
}

/* Reads the echo; when it is whole and right, counts it and (if sending goes on) sends the next. */
static void rr_read(struct conn *c, int keep_sending) {
    for (;;) {
        if (!c->in_flight) {
            /* Bytes nobody asked for: the server sent more than it received. */
            unsigned char extra[256];
            ssize_t r = recv(c->fd, extra, sizeof extra, 0);
            if (r > 0) {
                corrupt++;
                fail_conn(c, "bytes beyond the echo", EPROTO);
            } else if (r == 0) {
                fail_conn(c, "the server closed the connection", ECONNRESET);
            } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                fail_conn(c, "recv", errno);
            }
            return;
        }
        ssize_t r = recv(c->fd, c->in + c->in_off, (size_t) size - c->in_off, 0);
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                fail_conn(c, "recv", errno);
            }
            return;
        }
        if (r == 0) {
            fail_conn(c, "the server closed the connection before echoing", ECONNRESET);
            return;
        }
        c->in_off += (size_t) r;
        if (c->in_off < (size_t) size) {
            continue;
        }
        uint64_t now = now_ns();
        if (memcmp(c->in, c->out, (size_t) size) != 0) {
            corrupt++;
            fail_conn(c, "the echo differs from the message", EPROTO);
            return;
        }
        c->in_flight = 0;
        if (measuring) {
            messages++;
            bytes_echoed += (uint64_t) size;
            record(now - c->started_ns);
        }
        if (!keep_sending) {
            return;
        }
        rr_next(c, now);
        return; /* the next echo cannot be there yet */
    }
}

/* --- bulk ------------------------------------------------------------------------------------------ */

static void bulk_write(struct conn *c) {
    for (int i = 0; i < IO_PER_EVENT; i++) {
        ssize_t w = send(c->fd, pattern + c->tx % PATTERN_PERIOD, (size_t) chunk, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                fail_conn(c, "send", errno);
            }
            return;
        }
        c->tx += (uint64_t) w;
        if (w < chunk) {
            return;
        }
    }
}

static void bulk_read(struct conn *c) {
    for (int i = 0; i < IO_PER_EVENT; i++) {
        ssize_t r = recv(c->fd, bulk_in, (size_t) chunk, 0);
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                fail_conn(c, "recv", errno);
            }
            return;
        }
        if (r == 0) {
            fail_conn(c, "the server closed the connection before echoing everything", ECONNRESET);
            return;
        }
        if (c->rx + (uint64_t) r > c->tx || memcmp(bulk_in, pattern + c->rx % PATTERN_PERIOD, (size_t) r) != 0) {
            corrupt++;
            fail_conn(c, "the echo differs from what was sent", EPROTO);
            return;
        }
        c->rx += (uint64_t) r;
        if (measuring) {
            bytes_echoed += (uint64_t) r;
        }
        if (r < chunk) {
            return;
        }
    }
}

/* --- main ------------------------------------------------------------------------------------------ */

static void usage(void) {
    fprintf(stderr,
            "usage: tcp-client --port N [--host 127.0.0.1] [--mode rr|bulk] [--connections N] [--size BYTES]\n"
            "                  [--chunk BYTES] [--seconds S] [--warmup S] [--timeout-ms MS]\n"
            "                  [--connect-batch N] [--connect-timeout-ms MS] [--server-pid PID]\n"
            "                  | --header | --help\n");
}

/* Waits for events until `until` at the latest (and at most 10 ms); returns how many came. */
static int wait_events(struct epoll_event *events, uint64_t until) {
    uint64_t now = now_ns();
    int timeout = until > now ? (int) ((until - now + 999999) / 1000000) : 0;
    if (timeout > 10) {
        timeout = 10; /* wake up regularly: stalls, signals and phase ends are checked between waits */
    }
    int n = epoll_wait(ep, events, MAX_EVENTS, timeout);
    if (n < 0) {
        if (errno != EINTR) {
            perror("tcp-client: epoll_wait");
            exit(1);
        }
        return 0;
    }
    return n;
}

int main(int argc, char **argv) {
    long port = -1, connections = 1, connect_batch = 100, server_pid = 0;
    double seconds = 5, warmup = 1, timeout_ms = 2000, connect_timeout_ms = 10000;
    const char *host = "127.0.0.1";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--header") == 0) {
            printf("%s\n", CSV_HEADER);
            return 0;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage();
            return 0;
        } else if (v == NULL) {
            fprintf(stderr, "tcp-client: unknown argument or missing value: '%s'\n", a);
            usage();
            return 2;
        } else if (strcmp(a, "--port") == 0) {
            port = (long) parse_number(a, v, 1, 65535);
        } else if (strcmp(a, "--host") == 0) {
            host = v;
        } else if (strcmp(a, "--mode") == 0) {
            if (strcmp(v, "rr") == 0) {
                bulk_mode = 0;
            } else if (strcmp(v, "bulk") == 0) {
                bulk_mode = 1;
            } else {
                fprintf(stderr, "tcp-client: bad value '%s' for --mode: expected rr or bulk\n", v);
                return 2;
            }
        } else if (strcmp(a, "--connections") == 0) {
            connections = (long) parse_number(a, v, 1, 100000);
        } else if (strcmp(a, "--size") == 0) {
            size = (long) parse_number(a, v, HEADER_BYTES, 1 << 20);
        } else if (strcmp(a, "--chunk") == 0) {
            chunk = (long) parse_number(a, v, 1, 1 << 24);
        } else if (strcmp(a, "--seconds") == 0) {
            seconds = parse_number(a, v, 0.01, 3600);
        } else if (strcmp(a, "--warmup") == 0) {
            warmup = parse_number(a, v, 0, 3600);
        } else if (strcmp(a, "--timeout-ms") == 0) {
            timeout_ms = parse_number(a, v, 1, 600000);
        } else if (strcmp(a, "--connect-batch") == 0) {
            connect_batch = (long) parse_number(a, v, 1, 100000);
        } else if (strcmp(a, "--connect-timeout-ms") == 0) {
            connect_timeout_ms = parse_number(a, v, 1, 600000);
        } else if (strcmp(a, "--server-pid") == 0) {
            server_pid = (long) parse_number(a, v, 1, 1e9);
        } else {
            fprintf(stderr, "tcp-client: unknown argument '%s'\n", a);
            usage();
            return 2;
        }
        i++;
    }
    if (port < 0) {
        fprintf(stderr, "tcp-client: --port is required\n");
        usage();
        return 2;
    }
    struct sockaddr_in server;
    memset(&server, 0, sizeof server);
    server.sin_family = AF_INET;
    server.sin_port = htons((unsigned short) port);
    if (inet_pton(AF_INET, host, &server.sin_addr) != 1 || (ntohl(server.sin_addr.s_addr) >> 24) != 127) {
        fprintf(stderr, "tcp-client: bad --host '%s': only an IPv4 loopback address (127.0.0.1) is allowed\n", host);
        return 2;
    }

    /* One descriptor per connection plus a few (stdio, epoll, /proc reads). */
    struct rlimit nofile;
    rlim_t needed = (rlim_t) connections + 16;
    getrlimit(RLIMIT_NOFILE, &nofile);
    if (nofile.rlim_cur < needed) {
        nofile.rlim_cur = nofile.rlim_max < needed ? nofile.rlim_max : needed;
        setrlimit(RLIMIT_NOFILE, &nofile);
        getrlimit(RLIMIT_NOFILE, &nofile);
        if (nofile.rlim_cur < needed) {
            fprintf(stderr, "tcp-client: --connections %ld needs %llu file descriptors, but the limit is %llu "
                            "(hard %llu); raise it with 'ulimit -n %llu' (as root if the hard limit is lower)\n",
                    connections, (unsigned long long) needed, (unsigned long long) nofile.rlim_cur,
                    (unsigned long long) nofile.rlim_max, (unsigned long long) needed);
            return 2;
        }
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    ep = epoll_create1(EPOLL_CLOEXEC);
    struct conn *conns = calloc((size_t) connections, sizeof *conns);
    unsigned char *buffers = bulk_mode ? NULL : malloc((size_t) connections * 2 * (size_t) size);
    pattern = malloc((size_t) chunk + PATTERN_PERIOD);
    bulk_in = malloc((size_t) chunk);
    if (ep < 0 || conns == NULL || (!bulk_mode && buffers == NULL) || pattern == NULL || bulk_in == NULL) {
        perror("tcp-client: setup");
        return 1;
    }
    for (long i = 0; i < (long) chunk + PATTERN_PERIOD; i++) {
        pattern[i] = (unsigned char) ((i % PATTERN_PERIOD) * 7 + 1);
    }
    for (long i = 0; i < connections; i++) {
        conns[i].fd = -1;
        conns[i].id = (uint32_t) i;
        conns[i].state = DONE;
        if (!bulk_mode) {
            conns[i].out = buffers + (size_t) i * 2 * (size_t) size;
            conns[i].in = conns[i].out + size;
        }
    }
    struct epoll_event events[MAX_EVENTS];
    int one = 1;

    /* Connect: at most connect_batch in flight, each bounded by the connect timeout. */
    uint64_t connect_timeout_ns = (uint64_t) (connect_timeout_ms * 1e6);
    uint64_t connect_start = now_ns();
    long started = 0, pending = 0, open_count = 0;
    while ((started < connections || pending > 0) && !stop_requested) {
        while (started < connections && pending < connect_batch) {
            struct conn *c = &conns[started++];
            c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            if (c->fd < 0) {
                if (connect_errors++ < 5) {
                    fprintf(stderr, "tcp-client: socket: %s\n", strerror(errno));
                }
                continue;
            }
            setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            c->started_ns = now_ns();
            int r = connect(c->fd, (struct sockaddr *) &server, sizeof server);
            if (r != 0 && errno != EINPROGRESS) {
                if (connect_errors++ < 5) {
                    fprintf(stderr, "tcp-client: connect to %s:%ld: %s\n", host, port, strerror(errno));
                }
                close(c->fd);
                c->fd = -1;
                continue;
            }
            c->state = CONNECTING;
            c->events = EPOLLOUT;
            struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = c};
            epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
            pending++;
        }
        int n = wait_events(events, now_ns() + 10000000);
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            if (c->state != CONNECTING) {
                continue;
            }
            int err = 0;
            socklen_t len = sizeof err;
            getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
            pending--;
            if (err != 0) {
                if (connect_errors++ < 5) {
                    fprintf(stderr, "tcp-client: connect to %s:%ld: %s\n", host, port, strerror(err));
                }
                epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
                close(c->fd);
                c->fd = -1;
                c->state = DONE;
                continue;
            }
            c->state = OPEN;
            open_count++;
            set_interest(c, 0);
        }
        uint64_t now = now_ns();
        for (long i = 0; i < started; i++) {
            struct conn *c = &conns[i];
            if (c->state == CONNECTING && now - c->started_ns > connect_timeout_ns) {
                if (connect_errors++ < 5) {
                    fprintf(stderr, "tcp-client: connect to %s:%ld: no answer within %.0f ms\n", host, port,
                            connect_timeout_ms);
                }
                epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
                close(c->fd);
                c->fd = -1;
                c->state = DONE;
                pending--;
            }
        }
    }
    if (connect_errors > 5) {
        fprintf(stderr, "tcp-client: ... %llu connect errors in all\n", (unsigned long long) connect_errors);
    }
    if (open_count == 0) {
        fprintf(stderr, "tcp-client: no connection to %s:%ld could be opened\n", host, port);
        return 1;
    }
    fprintf(stderr, "tcp-client: %ld of %ld connections open in %.0f ms\n", open_count, connections,
            (double) (now_ns() - connect_start) / 1e6);

    /* Start the load on every open connection. */
    uint64_t start = now_ns();
    for (long i = 0; i < connections; i++) {
        struct conn *c = &conns[i];
        if (c->state != OPEN) {
            continue;
        }
        if (bulk_mode) {
            set_interest(c, EPOLLIN | EPOLLOUT);
        } else {
            set_interest(c, EPOLLIN);
            rr_next(c, start);
        }
    }

    uint64_t timeout_ns = (uint64_t) (timeout_ms * 1e6);
    uint64_t measure_start = 0, measure_end = start + (uint64_t) (warmup * 1e9);
    uint64_t next_scan = start + 100000000;
    double server_cpu_start = -1, client_cpu_start = 0, server_cpu = -1, client_cpu = 0, elapsed = 0;
    for (;;) {
        uint64_t now = now_ns();
        if (!measuring && now >= measure_end) {
            measuring = 1;
            messages = bytes_echoed = 0;
            server_cpu_start = server_cpu_s(server_pid);
            client_cpu_start = process_cpu_s();
            measure_start = now_ns();
            measure_end = measure_start + (uint64_t) (seconds * 1e9);
            continue;
        }
        if (stop_requested || (measuring && now >= measure_end)) {
            break;
        }
        int n = wait_events(events, measure_end);
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            if (c->state != OPEN) {
                continue;
            }
            unsigned int ready = events[i].events;
            if (bulk_mode) {
                if (ready & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
                    bulk_read(c);
                }
                if (c->state == OPEN && (ready & EPOLLOUT)) {
                    bulk_write(c);
                }
            } else {
                if ((ready & EPOLLOUT) && c->out_off < (size_t) size) {
                    rr_send(c);
                }
                if (c->state == OPEN && (ready & (EPOLLIN | EPOLLERR | EPOLLHUP))) {
                    rr_read(c, 1);
                }
            }
        }
        if (!bulk_mode && now >= next_scan) {
            now = now_ns(); /* messages sent while handling the events above started after the old `now` */
            for (long i = 0; i < connections; i++) {
                struct conn *c = &conns[i];
                if (c->state == OPEN && c->in_flight && !c->stalled && now - c->started_ns >= timeout_ns) {
                    c->stalled = 1; /* counted once; TCP loses nothing, so the echo may still come */
                    if (measuring) {
                        stalls++;
                    }
                }
            }
            next_scan = now + 100000000;
        }
    }
    if (measuring) {
        elapsed = (double) (now_ns() - measure_start) / 1e9;
        double end_cpu = server_cpu_start >= 0 ? server_cpu_s(server_pid) : -1;
        server_cpu = end_cpu >= 0 ? end_cpu - server_cpu_start : -1;
        client_cpu = process_cpu_s() - client_cpu_start;
    }
    int was_measuring = measuring;
    measuring = 0;

    /* Drain: no new messages; what is in flight comes back (bounded by the timeout). */
    uint64_t drain_end = now_ns() + timeout_ns;
    for (;;) {
        long waiting = 0, not_counted = 0;
        for (long i = 0; i < connections; i++) {
            struct conn *c = &conns[i];
            if (c->state != OPEN) {
                continue;
            }
            if (bulk_mode ? c->rx < c->tx : c->in_flight) {
                waiting++;
                if (bulk_mode || !c->stalled) {
                    not_counted++; /* a message already counted as a stall is not counted twice */
                }
                set_interest(c, bulk_mode ? EPOLLIN : (c->out_off < (size_t) size ? EPOLLIN | EPOLLOUT : EPOLLIN));
            }
        }
        if (waiting == 0 || now_ns() >= drain_end || stop_requested) {
            if (waiting > 0) {
                fprintf(stderr, "tcp-client: %ld connections still waited for their echo after %.0f ms\n", waiting,
                        timeout_ms);
                stalls += (uint64_t) not_counted;
            }
            break;
        }
        int n = wait_events(events, drain_end);
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            if (c->state != OPEN) {
                continue;
            }
            if (bulk_mode) {
                bulk_read(c);
            } else {
                if ((events[i].events & EPOLLOUT) && c->out_off < (size_t) size) {
                    rr_send(c);
                }
                if (c->state == OPEN) {
                    rr_read(c, 0);
                }
            }
        }
    }

    /* Close cleanly: our FIN, then the server's (bounded); a connection it does not close is counted. */
    long shutting = 0;
    for (long i = 0; i < connections; i++) {
        struct conn *c = &conns[i];
        if (c->state == OPEN) {
            shutdown(c->fd, SHUT_WR);
            c->state = SHUTTING;
            set_interest(c, EPOLLIN);
            shutting++;
        }
    }
    uint64_t close_end = now_ns() + timeout_ns;
    while (shutting > 0 && now_ns() < close_end && !stop_requested) {
        int n = wait_events(events, close_end);
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            if (c->state != SHUTTING) {
                continue;
            }
            unsigned char sink[4096];
            ssize_t r;
            while ((r = recv(c->fd, sink, sizeof sink, 0)) > 0) {
                /* late bytes of a drained stall: not counted again */
            }
            if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
                if (r < 0) {
                    io_errors++; /* a reset instead of a FIN */
                }
                epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
                close(c->fd);
                c->fd = -1;
                c->state = DONE;
                shutting--;
            }
        }
    }
    for (long i = 0; i < connections; i++) {
        if (conns[i].fd >= 0) {
            close(conns[i].fd);
            if (conns[i].state == SHUTTING) {
                unclean_closes++;
            }
        }
    }

    uint64_t p50 = percentile(50), p99 = percentile(99);
    double msg_rate = elapsed > 0 ? (double) messages / elapsed : 0;
    double mib_rate = elapsed > 0 ? (double) bytes_echoed / elapsed / (1024.0 * 1024.0) : 0;
    uint64_t errors = connect_errors + io_errors + corrupt + stalls + unclean_closes;
    printf("%s,%ld,%ld,%llu,%llu,%.3f,%.0f,%.1f,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%.3f,%.3f\n",
           bulk_mode ? "bulk" : "rr", connections, bulk_mode ? chunk : size, (unsigned long long) messages,
           (unsigned long long) bytes_echoed, elapsed, msg_rate, mib_rate, (unsigned long long) p50,
           (unsigned long long) p99, (unsigned long long) connect_errors, (unsigned long long) io_errors,
           (unsigned long long) corrupt, (unsigned long long) stalls, (unsigned long long) unclean_closes,
           server_cpu, client_cpu);
    fflush(stdout);
    if (bulk_mode) {
        fprintf(stderr, "tcp-client: bulk x%ld: %.1f MiB/s echoed in %.3f s", connections, mib_rate, elapsed);
    } else {
        fprintf(stderr, "tcp-client: rr x%ld: %.0f messages/s in %.3f s, p50 %llu ns, p99 %llu ns", connections,
                msg_rate, elapsed, (unsigned long long) p50, (unsigned long long) p99);
    }
    fprintf(stderr, ", server CPU %.3f s, errors: %llu connect, %llu io, %llu corrupt, %llu stalls, %llu unclean "
                    "closes%s\n",
            server_cpu, (unsigned long long) connect_errors, (unsigned long long) io_errors,
            (unsigned long long) corrupt, (unsigned long long) stalls, (unsigned long long) unclean_closes,
            stop_requested ? " (interrupted)" : "");
    close(ep);
    if (stop_requested) {
        return 130;
    }
    if (!was_measuring) {
        return 1;
    }
    return errors > 0 ? 4 : 0;
}
