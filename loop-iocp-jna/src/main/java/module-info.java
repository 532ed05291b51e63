/**
 * The completion loop: one thread driving one native completion queue through JNA, offering
 * {@link dev.loopwire.loop.CompletionPort} and {@link dev.loopwire.loop.Timers}. Backends: Linux
 * io_uring and Windows IOCP.
 *
 * @provides dev.loopwire.loop.spi.EventLoopProvider
 */
module dev.loopwire.loop.iocp {
    requires transitive dev.loopwire.loop;
    requires com.sun.jna;
    requires com.sun.jna.platform;
    requires static com.google.auto.service; // Only needed at compile time, for @AutoService.

    // JNA reads JNA Structure subclasses by reflection; the IOCP mappings live here.
    opens dev.loopwire.loop.iocp.internal.windows to com.sun.jna;

}
