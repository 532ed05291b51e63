// SPDX-License-Identifier: Apache-2.0
/*
 * echo-server-c: the reference UDP echo server of the loopwire echo harness.
 *
 * One thread, one blocking socket bound to 127.0.0.1: recvmmsg takes up to 64
 * datagrams (waiting for the first only), sendmmsg returns them to their senders.
 * It is what a careful C programmer would write without io_uring, so every Java
 * server is compared against it at the same window.
 *
 * Usage: echo-server-c [--port N] [--bind 127.0.0.1] [--socket-buffer BYTES]
 * Prints "ready <port>" on stdout once bound; exits 0 on SIGINT/SIGTERM.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define BATCH 64
#define MAX_DATAGRAM 65536

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) {
    (void) sig;
    stop_requested = 1;
}

static unsigned char buffers[BATCH][MAX_DATAGRAM];

static long parse_long(const char *name, const char *value, long min, long max) {
    char *end;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max) {
        fprintf(stderr, "echo-server-c: bad value '%s' for %s: expected an integer in [%ld, %ld]\n",
                value, name, min, max);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv) {
    long port = 0;
    long socket_buffer = 1 << 20;
    const char *bind_host = "127.0.0.1";
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--port") == 0) {
            port = parse_long("--port", argv[++i], 0, 65535);
        } else if (i + 1 < argc && strcmp(argv[i], "--bind") == 0) {
            bind_host = argv[++i];
        } else if (i + 1 < argc && strcmp(argv[i], "--socket-buffer") == 0) {
            socket_buffer = parse_long("--socket-buffer", argv[++i], 4096, 1L << 30);
        } else {
            fprintf(stderr, "echo-server-c: unknown argument '%s'; usage: echo-server-c "
                            "[--port N] [--bind 127.0.0.1] [--socket-buffer BYTES]\n", argv[i]);
            return 2;
        }
    }

    struct sockaddr_in local;
    memset(&local, 0, sizeof local);
    local.sin_family = AF_INET;
    local.sin_port = htons((unsigned short) port);
    if (inet_pton(AF_INET, bind_host, &local.sin_addr) != 1 || (ntohl(local.sin_addr.s_addr) >> 24) != 127) {
        fprintf(stderr, "echo-server-c: bad --bind '%s': only an IPv4 loopback address (127.0.0.1) is allowed\n",
                bind_host);
        return 2;
    }

    /* No SA_RESTART: a signal makes the blocked recvmmsg return EINTR. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        perror("echo-server-c: socket");
        return 1;
    }
    int size = (int) socket_buffer;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    /* A signal that lands between the flag check and recvmmsg would otherwise block forever. */
    struct timeval tick = {.tv_sec = 0, .tv_usec = 200 * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tick, sizeof tick);
    if (bind(fd, (struct sockaddr *) &local, sizeof local) != 0) {
        fprintf(stderr, "echo-server-c: bind %s:%ld: %s\n", bind_host, port, strerror(errno));
        close(fd);
        return 1;
    }
    socklen_t local_len = sizeof local;
    getsockname(fd, (struct sockaddr *) &local, &local_len);
    printf("ready %d\n", ntohs(local.sin_port));
    fflush(stdout);

    static struct mmsghdr in[BATCH], out[BATCH];
    static struct iovec in_iov[BATCH], out_iov[BATCH];
    static struct sockaddr_in peers[BATCH];
    unsigned long long echoed = 0, send_failures = 0;
    int status = 0;

    while (!stop_requested) {
        for (int i = 0; i < BATCH; i++) {
            in_iov[i].iov_base = buffers[i];
            in_iov[i].iov_len = MAX_DATAGRAM;
            memset(&in[i].msg_hdr, 0, sizeof in[i].msg_hdr);
            in[i].msg_hdr.msg_name = &peers[i];
            in[i].msg_hdr.msg_namelen = sizeof peers[i];
            in[i].msg_hdr.msg_iov = &in_iov[i];
            in[i].msg_hdr.msg_iovlen = 1;
        }
        int n = recvmmsg(fd, in, BATCH, MSG_WAITFORONE, NULL);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) {
                continue;
            }
            perror("echo-server-c: recvmmsg");
            status = 1;
            break;
        }
        for (int i = 0; i < n; i++) {
            out_iov[i].iov_base = buffers[i];
            out_iov[i].iov_len = in[i].msg_len;
            memset(&out[i].msg_hdr, 0, sizeof out[i].msg_hdr);
            out[i].msg_hdr.msg_name = &peers[i];
            out[i].msg_hdr.msg_namelen = in[i].msg_hdr.msg_namelen;
            out[i].msg_hdr.msg_iov = &out_iov[i];
            out[i].msg_hdr.msg_iovlen = 1;
        }
        int sent = 0, failed = 0;
        while (sent < n) {
            int r = sendmmsg(fd, out + sent, (unsigned int) (n - sent), 0);
            if (r < 0) {
                if (errno == EINTR && !stop_requested) {
                    continue;
                }
                /* e.g. ECONNREFUSED from an earlier ICMP: drop the first datagram, keep the rest. */
                if (errno != EINTR) {
                    send_failures++;
                    failed++;
                    sent++;
                    continue;
                }
                break;
            }
            sent += r;
        }
        echoed += (unsigned long long) (sent - failed);
    }
    close(fd);
    fprintf(stderr, "echo-server-c: stopped; %llu datagrams echoed, %llu send failures\n", echoed, send_failures);
    return status;
}
