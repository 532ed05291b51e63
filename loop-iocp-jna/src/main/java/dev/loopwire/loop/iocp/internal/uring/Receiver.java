package dev.loopwire.loop.iocp.internal.uring;

/**
 * How a socket keeps receives submitted: {@link MultishotReceiver} where the kernel has
 * provided-buffer rings, else {@link PostedReceivers}.
 *
 * <p>Loop thread only.
 */
interface Receiver {

    /** Registers the ops and submits the first receives. */
    void start();

    /** Submits receives again where none is in flight (after one ended while open). */
    void rearm();

    /** Releases every op and buffer; the socket has no receive in flight any more. */
    void free();

    /** What this receiver is, for people. */
    String kind();
}
