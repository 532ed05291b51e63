// SPDX-License-Identifier: Apache-2.0
/*
 * tcp-server-c: the reference TCP echo server of the loopwire TCP harness.
 *
 * One thread, one level-triggered epoll set, non-blocking sockets bound to 127.0.0.1.
 * Each connection owns a buffer (--buffer, 64 KiB by default): what is read goes in
 * at the tail, what is written goes out from the head, so every byte read is echoed in
 * order. Reading stops while the buffer is full and writing interest is on only while
 * the buffer holds bytes the socket did not take (back-pressure, as a careful C
 * programmer would write it, and what the Java servers do with their write queues).
 * Interest changes cost an epoll_ctl, so the mask is changed only when it differs.
 *
 * Usage: tcp-server-c [--port N] [--bind 127.0.0.1] [--buffer BYTES] [--backlog N]
 * Prints "ready <port>" on stdout once listening; exits 0 on SIGINT/SIGTERM.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_EVENTS 256
#define ACCEPTS_PER_EVENT 64

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) {
    (void) sig;
    stop_requested = 1;
}

struct conn {
    int fd;
    unsigned int events; /* the interest currently registered */
    int eof;             /* the peer's FIN has been read */
    size_t head, tail;   /* bytes [head, tail) of buf are read and not yet written */
    unsigned char buf[];
};

static long parse_long(const char *name, const char *value, long min, long max) {
    char *end;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max) {
        fprintf(stderr, "tcp-server-c: bad value '%s' for %s: expected an integer in [%ld, %ld]\n",
                value, name, min, max);
        exit(2);
    }
    return v;
}

static unsigned long long accepted, closed_clean, closed_error, accept_errors, echoed_bytes;

static void close_conn(int ep, struct conn *c, int error) {
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c);
    if (error) {
        closed_error++;
    } else {
        closed_clean++;
    }
}

/* Registers the interest the buffer's state asks for, if it changed. */
static int update_interest(int ep, struct conn *c, size_t capacity) {
    unsigned int want = 0;
    if (!c->eof && c->tail < capacity) {
        want |= EPOLLIN;
    }
    if (c->tail > c->head) {
        want |= EPOLLOUT;
    }
    if (want == c->events) {
        return 0;
    }
    struct epoll_event ev = {.events = want, .data.ptr = c};
    if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) != 0) {
        return -1;
    }
    c->events = want;
    return 0;
}

/* Writes what the buffer holds; returns -1 on a socket error. */
static int flush_conn(struct conn *c) {
    while (c->tail > c->head) {
        ssize_t w = send(c->fd, c->buf + c->head, c->tail - c->head, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
        }
        c->head += (size_t) w;
        echoed_bytes += (unsigned long long) w;
    }
    c->head = c->tail = 0;
    return 0;
}

/*
 * Serves one readiness event: writes what is pending, then reads while there is room (a
 * bounded number of times, so one busy connection cannot starve the others), writing after
 * each read. Returns 1 once the peer's FIN has come and everything read is written back (the
 * connection is then closed), -1 on an error, 0 to go on.
 */
static int serve_conn(struct conn *c, size_t capacity, unsigned int ready) {
    if (ready & EPOLLERR) {
        return -1;
    }
    if (flush_conn(c) < 0) {
        return -1;
    }
    for (int round = 0; round < 16 && !c->eof && (ready & (EPOLLIN | EPOLLHUP)) && c->tail < capacity; round++) {
        size_t room = capacity - c->tail;
        ssize_t r = recv(c->fd, c->buf + c->tail, room, 0);
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                break;
            }
            return -1;
        }
        if (r == 0) {
            c->eof = 1; /* the peer is done sending; it may still read what we echo */
            break;
        }
        c->tail += (size_t) r;
        if (flush_conn(c) < 0) {
            return -1;
        }
        if ((size_t) r < room) {
            break; /* the socket is drained; level-triggered epoll reports it again if more came */
        }
    }
    if (c->tail == c->head && c->eof) {
        return 1;
    }
    if (ready & EPOLLHUP) {
        return -1; /* both directions are gone and bytes are left: nothing more can be delivered */
    }
    return 0;
}

int main(int argc, char **argv) {
    long port = 0, buffer = 64 * 1024, backlog = 1024;
    const char *bind_host = "127.0.0.1";
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--port") == 0) {
            port = parse_long("--port", argv[++i], 0, 65535);
        } else if (i + 1 < argc && strcmp(argv[i], "--bind") == 0) {
            bind_host = argv[++i];
        } else if (i + 1 < argc && strcmp(argv[i], "--buffer") == 0) {
            buffer = parse_long("--buffer", argv[++i], 1, 1L << 26);
        } else if (i + 1 < argc && strcmp(argv[i], "--backlog") == 0) {
            backlog = parse_long("--backlog", argv[++i], 1, 65535);
        } else {
            fprintf(stderr, "tcp-server-c: unknown argument '%s'; usage: tcp-server-c "
                            "[--port N] [--bind 127.0.0.1] [--buffer BYTES] [--backlog N]\n", argv[i]);
            return 2;
        }
    }
    struct sockaddr_in local;
    memset(&local, 0, sizeof local);
    local.sin_family = AF_INET;
    local.sin_port = htons((unsigned short) port);
    if (inet_pton(AF_INET, bind_host, &local.sin_addr) != 1 || (ntohl(local.sin_addr.s_addr) >> 24) != 127) {
        fprintf(stderr, "tcp-server-c: bad --bind '%s': only an IPv4 loopback address (127.0.0.1) is allowed\n",
                bind_host);
        return 2;
    }

    /*
     * SIGTERM/SIGINT stay blocked except inside epoll_pwait, so a signal can never land between
     * the flag check and the wait (no SA_RESTART: the wait returns EINTR).
     */
    sigset_t blocked, during_wait;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGTERM);
    sigaddset(&blocked, SIGINT);
    sigprocmask(SIG_BLOCK, &blocked, &during_wait);
    sigdelset(&during_wait, SIGTERM);
    sigdelset(&during_wait, SIGINT);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (lfd < 0) {
        perror("tcp-server-c: socket");
        return 1;
    }
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(lfd, (struct sockaddr *) &local, sizeof local) != 0 || listen(lfd, (int) backlog) != 0) {
        fprintf(stderr, "tcp-server-c: bind/listen %s:%ld: %s\n", bind_host, port, strerror(errno));
        close(lfd);
        return 1;
    }
    socklen_t local_len = sizeof local;
    getsockname(lfd, (struct sockaddr *) &local, &local_len);

    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) {
        perror("tcp-server-c: epoll_create1");
        return 1;
    }
    /* data.ptr NULL marks the listening socket. */
    struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev);
    int accepting = 1;
    printf("ready %d\n", ntohs(local.sin_port));
    fflush(stdout);

    struct epoll_event events[MAX_EVENTS];
    size_t capacity = (size_t) buffer;
    int status = 0, timeout = -1;
    while (!stop_requested) {
        int n = epoll_pwait(ep, events, MAX_EVENTS, timeout, &during_wait);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            perror("tcp-server-c: epoll_pwait");
            status = 1;
            break;
        }
        if (!accepting) {
            /* Accepting was paused after EMFILE/ENFILE/ENOMEM: try again after the pause. */
            accepting = 1;
            timeout = -1;
            epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev);
        }
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            if (c == NULL) {
                for (int k = 0; k < ACCEPTS_PER_EVENT; k++) {
                    int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (fd < 0) {
                        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED) {
                            break;
                        }
                        accept_errors++;
                        fprintf(stderr, "tcp-server-c: accept: %s; pausing accepts for 100 ms\n", strerror(errno));
                        epoll_ctl(ep, EPOLL_CTL_DEL, lfd, NULL);
                        accepting = 0;
                        timeout = 100;
                        break;
                    }
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    struct conn *nc = malloc(sizeof *nc + capacity);
                    if (nc == NULL) {
                        close(fd);
                        accept_errors++;
                        continue;
                    }
                    nc->fd = fd;
                    nc->head = nc->tail = 0;
                    nc->eof = 0;
                    nc->events = EPOLLIN;
                    struct epoll_event cev = {.events = EPOLLIN, .data.ptr = nc};
                    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev) != 0) {
                        close(fd);
                        free(nc);
                        accept_errors++;
                        continue;
                    }
                    accepted++;
                }
                continue;
            }
            int r = serve_conn(c, capacity, events[i].events);
            if (r == 0 && update_interest(ep, c, capacity) != 0) {
                r = -1;
            }
            if (r != 0) {
                close_conn(ep, c, r < 0);
            }
        }
    }
    close(lfd);
    close(ep);
    fprintf(stderr, "tcp-server-c: stopped; %llu accepted, %llu closed at the peer's FIN, %llu closed on an error, "
                    "%llu accept errors, %llu bytes echoed\n",
            accepted, closed_clean, closed_error, accept_errors, echoed_bytes);
    return status;
}
