// SPDX-License-Identifier: Apache-2.0
/**
 * The completion loop: one thread driving one native completion queue through JNA, offering
 * {@link dev.loopwire.loop.Timers} and the raw capability of its mechanism
 * ({@link dev.loopwire.loop.UringPort}, {@link dev.loopwire.loop.IocpPort}), and no transport
 * of its own ({@link dev.loopwire.loop.completion.CompletionLoop}). Backends: Linux io_uring (raw syscalls and
 * mmap'd rings) and Windows IOCP (untested on the project's machines), behind the internal {@code CompletionBackend} seam.
 * {@link dev.loopwire.loop.completion.IoUring} and {@link dev.loopwire.loop.completion.Iocp} say whether
 * each can run here, and why not.
 *
 * @provides dev.loopwire.loop.spi.EventLoopProvider the {@code completion} loop, priority 10
 */
module dev.loopwire.loop.completion {
    requires transitive dev.loopwire.loop;
    requires com.sun.jna;
    requires static com.google.auto.service; // Only needed at compile time, for @AutoService.

    exports dev.loopwire.loop.completion;

    // JNA binds native methods and reads memory reflectively (native-facts, pitfall 2):
    // io_uring mappings on Linux, kernel32/ws2_32 mappings on Windows.
    opens dev.loopwire.loop.completion.internal.uring to com.sun.jna;
    opens dev.loopwire.loop.completion.internal.windows to com.sun.jna;

    provides dev.loopwire.loop.spi.EventLoopProvider with dev.loopwire.loop.completion.internal.CompletionLoopProvider;
}
