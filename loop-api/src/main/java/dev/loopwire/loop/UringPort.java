// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop;

/**
 * The capability to drive Linux io_uring directly: any module registers a file descriptor it
 * owns (a socket, pipe or file), submits any io_uring operation on it, and receives every
 * completion on the loop thread. It is the completion-side counterpart of {@link FdReadiness},
 * and the capability loopwire's own completion transports are written against.
 *
 * <p>Operations name their memory only as loop-allocated {@link NativeBlock}s or direct
 * {@link java.nio.ByteBuffer}s, never as raw addresses: the loop pins every block and buffer an
 * operation names until that operation's final completion has been reaped (a multishot
 * operation's last {@link UringCompletion#hasMore() F_MORE}-less completion, a
 * {@code SEND_ZC}'s {@linkplain UringCompletion#isNotification() notification}), so the kernel
 * never writes memory that was freed. Provided buffers come from shared
 * {@linkplain #bufferGroup(int) groups}, one per loop and size class, backed by Java-owned
 * memory: a view kept past its callback may show newer bytes, but never crashes the JVM.
 *
 * <p>What stays inside the loop: the rings, the {@code user_data} encoding (each operation id
 * carries a generation, so a stale completion never reaches a newer operation), the ring setup
 * flags, {@code io_uring_register}, and the loop's wake-up eventfd.
 *
 * <p><b>Lifecycle.</b> A {@link UringRegistration} lives from {@link #register} until its
 * handler's {@link UringHandler#unregistered} has run; only then may the owner close the fd.
 * When the loop closes, each open registration's handler learns it in
 * {@link UringHandler#loopClosing}, on the loop thread, before the loop releases anything.
 * After the loop's forced-close timeout, memory still pinned by operations in flight is leaked
 * deliberately (and logged), never freed while the kernel may write it.
 *
 * <p><b>Concurrency.</b> Every method of this facet, of its registrations, submissions, blocks
 * and buffer groups must be called on the loop thread (hand work over with
 * {@link EventLoop#execute}); a call from another thread throws {@link IllegalStateException}
 * naming the thread. The exceptions, safe from any thread: {@link #supports},
 * {@link #allocatedBytes()} and the {@link #posix()} calls (plain system calls). Handlers run on
 * the loop thread.
 */
public interface UringPort extends Capability {

    // Opcodes (include/uapi/linux/io_uring.h), the ones transports use most; any other opcode
    // number is accepted too if the kernel supports it.
    /** Opcode {@code IORING_OP_NOP}: does nothing and completes, for tests and wake-ups. */
    int OP_NOP = 0;
    /** Opcode {@code IORING_OP_READV}: {@code readv(2)} into an iovec array. */
    int OP_READV = 1;
    /** Opcode {@code IORING_OP_WRITEV}: {@code writev(2)} from an iovec array. */
    int OP_WRITEV = 2;
    /** Opcode {@code IORING_OP_FSYNC}: {@code fsync(2)}. */
    int OP_FSYNC = 3;
    /** Opcode {@code IORING_OP_POLL_ADD}: completes when the fd is ready for the poll mask. */
    int OP_POLL_ADD = 6;
    /** Opcode {@code IORING_OP_SENDMSG}: {@code sendmsg(2)} of a {@code msghdr}. */
    int OP_SENDMSG = 9;
    /**
     * Opcode {@code IORING_OP_RECVMSG}: {@code recvmsg(2)} into a {@code msghdr}; multishot with
     * {@link #RECV_MULTISHOT}.
     */
    int OP_RECVMSG = 10;
    /**
     * Opcode {@code IORING_OP_TIMEOUT}: completes after a {@code timespec}, or after a count of
     * completions.
     */
    int OP_TIMEOUT = 11;
    /**
     * Opcode {@code IORING_OP_ACCEPT}: {@code accept4(2)}; multishot with
     * {@link #ACCEPT_MULTISHOT}.
     */
    int OP_ACCEPT = 13;
    /** Opcode {@code IORING_OP_CONNECT}: {@code connect(2)} to a {@code sockaddr}. */
    int OP_CONNECT = 16;
    /** Opcode {@code IORING_OP_OPENAT}: {@code openat(2)}. */
    int OP_OPENAT = 18;
    /** Opcode {@code IORING_OP_CLOSE}: {@code close(2)} (not for an fd still registered here). */
    int OP_CLOSE = 19;
    /** Opcode {@code IORING_OP_READ}: {@code read(2)} into one buffer. */
    int OP_READ = 22;
    /** Opcode {@code IORING_OP_WRITE}: {@code write(2)} from one buffer. */
    int OP_WRITE = 23;
    /** Opcode {@code IORING_OP_SEND}: {@code send(2)} from one buffer. */
    int OP_SEND = 26;
    /**
     * Opcode {@code IORING_OP_RECV}: {@code recv(2)} into one buffer or a provided buffer;
     * multishot with {@link #RECV_MULTISHOT}.
     */
    int OP_RECV = 27;
    /** Opcode {@code IORING_OP_SHUTDOWN}: {@code shutdown(2)}. */
    int OP_SHUTDOWN = 34;
    /** Opcode {@code IORING_OP_SOCKET}: {@code socket(2)}; the result is the new fd. */
    int OP_SOCKET = 45;
    /**
     * Opcode {@code IORING_OP_URING_CMD}: a command passed to the fd's driver (socket options, for
     * instance).
     */
    int OP_URING_CMD = 46;
    /**
     * Opcode {@code IORING_OP_SEND_ZC}: zero-copy {@code send(2)}; the buffer stays pinned until
     * the {@link #CQE_F_NOTIF} completion.
     */
    int OP_SEND_ZC = 47;
    /**
     * Opcode {@code IORING_OP_SENDMSG_ZC}: zero-copy {@code sendmsg(2)}; memory stays pinned until
     * the {@link #CQE_F_NOTIF} completion.
     */
    int OP_SENDMSG_ZC = 48;
    /**
     * Opcode {@code IORING_OP_BIND}: {@code bind(2)} (Linux 6.11 and later; check with
     * {@link #supports}).
     */
    int OP_BIND = 56;
    /**
     * Opcode {@code IORING_OP_LISTEN}: {@code listen(2)} (Linux 6.11 and later; check with
     * {@link #supports}).
     */
    int OP_LISTEN = 57;

    // SQE flags (the sqe's flags byte).
    /** SQE flag {@code IOSQE_IO_LINK}: the next entry starts only after this one succeeds. */
    int SQE_IO_LINK = 1 << 2;
    /**
     * SQE flag {@code IOSQE_IO_HARDLINK}: the next entry starts after this one, whatever its
     * result.
     */
    int SQE_IO_HARDLINK = 1 << 3;
    /** SQE flag {@code IOSQE_ASYNC}: issue from a kernel worker instead of trying inline first. */
    int SQE_ASYNC = 1 << 4;
    /**
     * SQE flag {@code IOSQE_BUFFER_SELECT}: take the buffer from a provided-buffer group (set by
     * {@link UringSubmission#bufferGroup}).
     */
    int SQE_BUFFER_SELECT = 1 << 5;
    /** SQE flag {@code IOSQE_CQE_SKIP_SUCCESS}: post no completion if the operation succeeds. */
    int SQE_CQE_SKIP_SUCCESS = 1 << 6;

    // Op flags used with the operations above.
    /** {@code ioprio} flag of RECV / RECVMSG: one submission, a completion per message. */
    int RECV_MULTISHOT = 1 << 1;
    /** {@code ioprio} flag of ACCEPT: one submission, a completion per connection. */
    int ACCEPT_MULTISHOT = 1;
    /** TIMEOUT op flag: the timespec is an absolute time. */
    int TIMEOUT_ABS = 1;

    // CQE flags.
    /** The completion names a provided buffer; its id is in the upper 16 bits of the flags. */
    int CQE_F_BUFFER = 1;
    /** More completions of the same operation will follow. */
    int CQE_F_MORE = 1 << 1;
    /** A zero-copy send's notification: the kernel no longer reads the buffer. */
    int CQE_F_NOTIF = 1 << 3;

    /**
     * Registers a file descriptor the caller owns.
     *
     * <p>The loop never closes the fd: it stays the caller's, to close in
     * {@link UringHandler#unregistered} (or later). Pass {@code -1} for a registration that
     * names no fd (timeouts, NOPs, sockets created by {@link #OP_SOCKET}); any number of those may
     * exist.
     *
     * <p>While the loop closes it still accepts registrations on its thread as long as it turns:
     * from a close hook, or from a task or timer run while closing. A registration made after the
     * open ones heard {@link UringHandler#loopClosing} hears it too, on the loop thread, once the
     * call that registered it has returned. Only when the loop stops turning (it cancels what is
     * left and releases its queue) is registering refused.
     *
     * @param fd an open file descriptor, or {@code -1}
     * @param handler receives the registration's completions; never {@code null}
     * @return the registration; never {@code null}
     * @throws IllegalArgumentException if {@code fd} is already registered on this loop (its
     *     message names the fd; close that registration first), or is below {@code -1}
     * @throws IllegalStateException if not on the loop thread, or the loop has stopped turning at
     *     the end of its close
     */
    UringRegistration register(int fd, UringHandler handler);

    /**
     * Whether this kernel supports an opcode, from one {@code IORING_REGISTER_PROBE} per JVM,
     * cached.
     *
     * @param opcode an io_uring opcode such as {@link #OP_READ}
     * @return {@code false} for an opcode the kernel lacks or a number out of range
     */
    boolean supports(int opcode);

    /**
     * The shared provided-buffer group of this loop for a size class: every registration that
     * asks for buffers of at most {@code bufferSize} bytes gets the same group (one per loop and
     * size class, not one per socket). Created on first use; released when the loop closes.
     *
     * @param bufferSize the largest message the caller needs to receive in one buffer, 1 to
     *     {@value UringBufferGroup#MAX_BUFFER_SIZE}
     * @return the group; never {@code null}
     * @throws IllegalArgumentException if {@code bufferSize} is out of range
     * @throws UnsupportedOperationException if the kernel refuses provided-buffer rings (the
     *     message carries the errno)
     */
    UringBufferGroup bufferGroup(int bufferSize);

    /**
     * Bytes of memory allocated through this loop and not yet released: blocks, buffer groups
     * and the loop's own operation memory. Any thread; for tests and monitoring.
     *
     * @return the byte count, 0 or more; a snapshot that may change as soon as it is read
     */
    long allocatedBytes();

    /**
     * Synchronous POSIX calls on file descriptors (socket, pipe, options, bind, listen,
     * names, shutdown, close), so that a transport needs no native binding of its own.
     *
     * @return the calls, usable from any thread; never null
     */
    PosixCalls posix();
}
