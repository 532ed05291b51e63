// SPDX-License-Identifier: Apache-2.0
/*
 * echo-client: the load client of the loopwire UDP echo harness.
 *
 * Keeps a window of W datagrams in flight against an echo server on 127.0.0.1:
 * every echo frees its window slot and the slot's next datagram goes out.
 * Each datagram carries (sequence, slot) so a lost or late echo is recognised;
 * a slot whose datagram is not back within --timeout-ms is counted as a loss and
 * reopened. The run is a warm-up followed by a measured interval bounded by
 * --seconds and by --count (datagrams sent while measuring). Round trips are taken with CLOCK_MONOTONIC.
 *
 * With --peers P > 1 the window is spread over P client sockets, each bound to its own port:
 * the window stays the total in flight (shared, so rows at the same window put the same load on
 * the server), and each datagram goes out from the next peer in turn (send per datagram, so the
 * server sees a different sender on every consecutive datagram and every peer comes back once
 * per P datagrams); echoes are read from all sockets with epoll + recvmmsg, and an echo that
 * arrives on another socket than the one its datagram left from counts as corrupt. With
 * --peers 1 (the default) the client is the single connected socket with sendmmsg/recvmmsg.
 *
 * Output: one CSV row on stdout (see --header), a human summary on stderr.
 * With --server-pid, the server's utime+stime from /proc/<pid>/stat is sampled at
 * the start and end of the measured interval.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define MAX_WINDOW 4096
#define MAX_PEERS 4096
#define MAX_DATAGRAM 65507
#define HEADER_BYTES 16
#define MAGIC 0x4c6f5770u /* "LoWp" */

static const char *CSV_HEADER =
    "window,size,echoes,seconds,echoes_per_s,p50_ns,p99_ns,losses,late,corrupt,server_cpu_s,client_cpu_s,peers";

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) {
    (void) sig;
    stop_requested = 1;
}

struct slot {
    uint64_t seq;
    uint64_t sent_ns;
    int in_flight;
    int peer; /* the socket it left from, where its echo must come back */
};

static int fds[MAX_PEERS];

static struct slot slots[MAX_WINDOW];
static int free_slots[MAX_WINDOW];
static int free_count;

static unsigned char send_buf[BATCH][MAX_DATAGRAM];
static unsigned char recv_buf[BATCH][MAX_DATAGRAM];

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
        fprintf(stderr, "echo-client: bad value '%s' for %s: expected a number in [%g, %g]\n", value, name, min, max);
        exit(2);
    }
    return v;
}

static void fill_payload(unsigned char *p, size_t size, uint64_t seq, uint32_t slot) {
    uint32_t magic = MAGIC;
    memcpy(p, &seq, 8);
    memcpy(p + 8, &slot, 4);
    memcpy(p + 12, &magic, 4);
    for (size_t i = HEADER_BYTES; i < size; i++) {
        p[i] = (unsigned char) (seq + i);
    }
}

static int payload_intact(const unsigned char *p, size_t len, size_t size, uint64_t *seq, uint32_t *slot) {
    uint32_t magic;
    if (len != size) {
        return 0;
    }
    memcpy(seq, p, 8);
    memcpy(slot, p + 8, 4);
    memcpy(&magic, p + 12, 4);
    if (magic != MAGIC) {
        return 0;
    }
    for (size_t i = HEADER_BYTES; i < size; i++) {
        if (p[i] != (unsigned char) (*seq + i)) {
            return 0;
        }
    }
    return 1;
}

static int compare_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of a sorted array. */
static uint32_t percentile(const uint32_t *sorted, size_t n, double pct) {
    if (n == 0) {
        return 0;
    }
    size_t rank = (size_t) ceil(pct / 100.0 * (double) n);
    return sorted[rank == 0 ? 0 : rank - 1];
}

static void usage(void) {
    fprintf(stderr,
            "usage: echo-client --port N [--host 127.0.0.1] [--window W] [--size BYTES] [--seconds S]\n"
            "                   [--warmup S] [--count N] [--timeout-ms MS] [--server-pid PID]\n"
            "                   [--socket-buffer BYTES] [--peers P] | --header | --help\n");
}

int main(int argc, char **argv) {
    long port = -1, window = 1, size = 64, server_pid = 0, socket_buffer = 1 << 20, peers = 1;
    double seconds = 5, warmup = 1, timeout_ms = 200;
    uint64_t max_count = 50000000;
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
            fprintf(stderr, "echo-client: unknown argument or missing value: '%s'\n", a);
            usage();
            return 2;
        } else if (strcmp(a, "--port") == 0) {
            port = (long) parse_number(a, v, 1, 65535);
        } else if (strcmp(a, "--host") == 0) {
            host = v;
        } else if (strcmp(a, "--window") == 0) {
            window = (long) parse_number(a, v, 1, MAX_WINDOW);
        } else if (strcmp(a, "--size") == 0) {
            size = (long) parse_number(a, v, HEADER_BYTES, MAX_DATAGRAM);
        } else if (strcmp(a, "--seconds") == 0) {
            seconds = parse_number(a, v, 0.01, 3600);
        } else if (strcmp(a, "--warmup") == 0) {
            warmup = parse_number(a, v, 0, 3600);
        } else if (strcmp(a, "--count") == 0) {
            max_count = (uint64_t) parse_number(a, v, 1, 1e10);
        } else if (strcmp(a, "--timeout-ms") == 0) {
            timeout_ms = parse_number(a, v, 1, 60000);
        } else if (strcmp(a, "--server-pid") == 0) {
            server_pid = (long) parse_number(a, v, 1, 1e9);
        } else if (strcmp(a, "--peers") == 0) {
            peers = (long) parse_number(a, v, 1, MAX_PEERS);
        } else if (strcmp(a, "--socket-buffer") == 0) {
            socket_buffer = (long) parse_number(a, v, 4096, 1 << 30);
        } else {
            fprintf(stderr, "echo-client: unknown argument '%s'\n", a);
            usage();
            return 2;
        }
        i++;
    }
    if (port < 0) {
        fprintf(stderr, "echo-client: --port is required\n");
        usage();
        return 2;
    }
    struct sockaddr_in server;
    memset(&server, 0, sizeof server);
    server.sin_family = AF_INET;
    server.sin_port = htons((unsigned short) port);
    if (inet_pton(AF_INET, host, &server.sin_addr) != 1 || (ntohl(server.sin_addr.s_addr) >> 24) != 127) {
        fprintf(stderr, "echo-client: bad --host '%s': only an IPv4 loopback address (127.0.0.1) is allowed\n", host);
        return 2;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    struct rlimit files;
    if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < (rlim_t) peers + 16) {
        files.rlim_cur = files.rlim_max < (rlim_t) peers + 16 ? files.rlim_max : (rlim_t) peers + 16;
        setrlimit(RLIMIT_NOFILE, &files);
    }
    int epfd = -1;
    if (peers > 1) {
        epfd = epoll_create1(EPOLL_CLOEXEC);
        if (epfd < 0) {
            perror("echo-client: epoll_create1");
            return 1;
        }
    }
    for (long p = 0; p < peers; p++) {
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | (peers > 1 ? SOCK_NONBLOCK : 0), 0);
        if (fd < 0) {
            fprintf(stderr, "echo-client: socket %ld of %ld: %s (raise ulimit -n?)\n", p + 1, peers, strerror(errno));
            return 1;
        }
        fds[p] = fd;
        int buf = (int) socket_buffer;
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
        /* Wake up regularly to expire lost datagrams and to end the phases on time. */
        struct timeval tick = {.tv_sec = 0, .tv_usec = 5 * 1000};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof tick);
        struct sockaddr_in any_local = {.sin_family = AF_INET};
        any_local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (bind(fd, (struct sockaddr *) &any_local, sizeof any_local) != 0
            || connect(fd, (struct sockaddr *) &server, sizeof server) != 0) {
            fprintf(stderr, "echo-client: bind/connect to %s:%ld: %s\n", host, port, strerror(errno));
            return 1;
        }
        if (epfd >= 0) {
            struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t) p};
            if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
                perror("echo-client: epoll_ctl");
                return 1;
            }
        }
    }
    int fd = fds[0];
    long next_peer = 0;
    static struct epoll_event ready[BATCH];
    int ready_count = 0, ready_next = 0;

    size_t rtt_capacity = 1 << 20, rtt_count = 0;
    uint32_t *rtts = malloc(rtt_capacity * sizeof *rtts);
    if (rtts == NULL) {
        perror("echo-client: malloc");
        return 1;
    }

    static struct mmsghdr out[BATCH], in[BATCH];
    static struct iovec out_iov[BATCH], in_iov[BATCH];
    int out_slot[BATCH];
    for (int i = 0; i < BATCH; i++) {
        out_iov[i].iov_base = send_buf[i];
        out[i].msg_hdr.msg_iov = &out_iov[i];
        out[i].msg_hdr.msg_iovlen = 1;
        in_iov[i].iov_base = recv_buf[i];
        in_iov[i].iov_len = MAX_DATAGRAM;
        in[i].msg_hdr.msg_iov = &in_iov[i];
        in[i].msg_hdr.msg_iovlen = 1;
    }
    for (long s = window - 1; s >= 0; s--) {
        free_slots[free_count++] = (int) s;
    }

    uint64_t timeout_ns = (uint64_t) (timeout_ms * 1e6);
    uint64_t next_seq = 1, echoes = 0, losses = 0, late = 0, corrupt = 0, misrouted = 0, sent_measured = 0;
    uint64_t start = now_ns();
    uint64_t measure_start = 0, measure_end = start + (uint64_t) (warmup * 1e9);
    int measuring = 0, status = 0;
    double server_cpu_start = -1, client_cpu_start = 0;
    uint64_t next_scan = start + timeout_ns / 4;

    for (;;) {
        uint64_t now = now_ns();
        if (!measuring && now >= measure_end) {
            measuring = 1;
            echoes = losses = late = corrupt = misrouted = sent_measured = 0;
            rtt_count = 0;
            server_cpu_start = server_cpu_s(server_pid);
            client_cpu_start = process_cpu_s();
            measure_start = now_ns();
            measure_end = measure_start + (uint64_t) (seconds * 1e9);
            continue;
        }
        /* --count bounds the datagrams sent while measuring; the run ends when the last is back or lost. */
        int count_reached = measuring && sent_measured >= max_count;
        if (stop_requested || (measuring && now >= measure_end) || (count_reached && free_count == window)) {
            break;
        }

        while (free_count > 0 && !count_reached) {
            int k = free_count < BATCH ? free_count : BATCH;
            if (measuring && max_count - sent_measured < (uint64_t) k) {
                k = (int) (max_count - sent_measured);
            }
            uint64_t sent_at = now_ns();
            for (int i = 0; i < k; i++) {
                int s = free_slots[--free_count];
                slots[s].seq = next_seq++;
                slots[s].sent_ns = sent_at;
                slots[s].in_flight = 1;
                slots[s].peer = (int) ((next_peer + i) % peers);
                out_slot[i] = s;
                fill_payload(send_buf[i], (size_t) size, slots[s].seq, (uint32_t) s);
                out_iov[i].iov_len = (size_t) size;
            }
            int r;
            if (peers == 1) {
                r = sendmmsg(fd, out, (unsigned int) k, 0);
            } else {
                /* One datagram per peer in turn: a batch per socket would let the server see one sender k times. */
                for (r = 0; r < k; r++) {
                    if (send(fds[slots[out_slot[r]].peer], send_buf[r], (size_t) size, 0) < 0) {
                        break;
                    }
                }
                if (r == 0) {
                    r = -1;
                }
                next_peer = (next_peer + r) % peers;
            }
            int done = r < 0 ? 0 : r;
            if (measuring) {
                sent_measured += (uint64_t) done;
                count_reached = sent_measured >= max_count;
            }
            /* Unsent datagrams give their slots back; they go out on the next round. */
            for (int i = k - 1; i >= done; i--) {
                slots[out_slot[i]].in_flight = 0;
                free_slots[free_count++] = out_slot[i];
            }
            if (r < 0) {
                if (errno == ECONNREFUSED) {
                    fprintf(stderr, "echo-client: nothing listens on %s:%ld (ECONNREFUSED)\n", host, port);
                    status = 3;
                    goto done;
                }
                if (errno != EINTR && errno != EAGAIN && errno != ENOBUFS) {
                    perror("echo-client: sendmmsg");
                    status = 1;
                    goto done;
                }
                break;
            }
            if (done < k) {
                break;
            }
        }

    receive:
        for (int i = 0; i < BATCH; i++) {
            in[i].msg_hdr.msg_name = NULL;
            in[i].msg_hdr.msg_namelen = 0;
            in[i].msg_hdr.msg_flags = 0;
        }
        int n, from = 0;
        if (peers == 1) {
            n = recvmmsg(fd, in, BATCH, MSG_WAITFORONE, NULL);
        } else {
            /* Level-triggered: one batch from each socket epoll_wait found ready, all before the loss scan. */
            if (ready_next == ready_count) {
                ready_count = epoll_wait(epfd, ready, BATCH, 5);
                ready_next = 0;
                if (ready_count < 0) {
                    ready_count = 0;
                    if (errno != EINTR) {
                        perror("echo-client: epoll_wait");
                        status = 1;
                        goto done;
                    }
                }
            }
            if (ready_next < ready_count) {
                from = (int) ready[ready_next++].data.u32;
                n = recvmmsg(fds[from], in, BATCH, MSG_DONTWAIT, NULL);
            } else {
                n = -1;
                errno = EAGAIN;
            }
        }
        now = now_ns();
        if (n < 0) {
            if (errno == ECONNREFUSED) {
                fprintf(stderr, "echo-client: nothing listens on %s:%ld (ECONNREFUSED)\n", host, port);
                status = 3;
                goto done;
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                perror("echo-client: recvmmsg");
                status = 1;
                goto done;
            }
            n = 0;
        }
        for (int i = 0; i < n; i++) {
            uint64_t seq;
            uint32_t s;
            if (!payload_intact(recv_buf[i], in[i].msg_len, (size_t) size, &seq, &s) || s >= (uint32_t) window) {
                corrupt++;
                continue;
            }
            if (!slots[s].in_flight || slots[s].seq != seq) {
                late++; /* its slot already timed out and moved on */
                continue;
            }
            if (slots[s].peer != from) {
                corrupt++; /* echoed to another peer than the sender */
                misrouted++;
                continue;
            }
            if (measuring) {
                if (rtt_count == rtt_capacity) {
                    rtt_capacity *= 2;
                    uint32_t *grown = realloc(rtts, rtt_capacity * sizeof *rtts);
                    if (grown == NULL) {
                        perror("echo-client: realloc");
                        status = 1;
                        goto done;
                    }
                    rtts = grown;
                }
                uint64_t rtt = now - slots[s].sent_ns;
                rtts[rtt_count++] = rtt > UINT32_MAX ? UINT32_MAX : (uint32_t) rtt;
                echoes++;
            }
            slots[s].in_flight = 0;
            free_slots[free_count++] = (int) s;
        }

        if (peers > 1 && ready_next < ready_count) {
            goto receive; /* the other ready sockets, before expiring what they may hold */
        }
        if (now >= next_scan) {
            for (long s = 0; s < window; s++) {
                if (slots[s].in_flight && now - slots[s].sent_ns >= timeout_ns) {
                    if (measuring) {
                        losses++;
                    }
                    slots[s].in_flight = 0;
                    free_slots[free_count++] = (int) s;
                }
            }
            next_scan = now + timeout_ns / 4;
        }
    }

done:;
    uint64_t end = now_ns();
    double elapsed = measuring ? (double) (end - measure_start) / 1e9 : 0;
    double server_cpu = -1;
    if (measuring && server_cpu_start >= 0) {
        double server_cpu_end = server_cpu_s(server_pid);
        server_cpu = server_cpu_end >= 0 ? server_cpu_end - server_cpu_start : -1;
    }
    double client_cpu = measuring ? process_cpu_s() - client_cpu_start : 0;
    qsort(rtts, rtt_count, sizeof *rtts, compare_u32);
    uint32_t p50 = percentile(rtts, rtt_count, 50), p99 = percentile(rtts, rtt_count, 99);
    double rate = elapsed > 0 ? (double) echoes / elapsed : 0;
    printf("%ld,%ld,%llu,%.3f,%.0f,%u,%u,%llu,%llu,%llu,%.3f,%.3f,%ld\n", window, size, (unsigned long long) echoes,
           elapsed, rate, p50, p99, (unsigned long long) losses, (unsigned long long) late,
           (unsigned long long) corrupt, server_cpu, client_cpu, peers);
    fflush(stdout);
    fprintf(stderr, "echo-client: window %ld, %ld peer%s: %llu echoes in %.3f s = %.0f/s, p50 %u ns, p99 %u ns, "
                    "%llu lost, %llu late, %llu corrupt (%llu to the wrong peer)%s\n",
            window, peers, peers == 1 ? "" : "s", (unsigned long long) echoes, elapsed, rate, p50, p99,
            (unsigned long long) losses, (unsigned long long) late, (unsigned long long) corrupt,
            (unsigned long long) misrouted, stop_requested ? " (interrupted)" : "");
    free(rtts);
    for (long p = 0; p < peers; p++) {
        close(fds[p]);
    }
    if (epfd >= 0) {
        close(epfd);
    }
    if (status == 0 && stop_requested) {
        status = 130;
    }
    return status;
}
