// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion;

import dev.loopwire.loop.NativeBlock;
import dev.loopwire.loop.UringCompletion;
import dev.loopwire.loop.UringHandler;
import dev.loopwire.loop.UringPort;
import dev.loopwire.loop.UringRegistration;
import java.io.FileOutputStream;
import java.io.IOException;

/**
 * A pipe whose read end is registered with a loop's {@link UringPort} and keeps one READ in
 * flight: the I/O in progress the loop tests close, fail and reap. Records what its handler is
 * told. Create and {@link #start} it on the loop thread.
 */
class Recorder implements UringHandler {

    volatile int reads;
    volatile int closedCalls;
    private int[] pipe;
    private UringPort port;
    private UringRegistration registration;
    private NativeBlock buffer;

    /** Opens the pipe, registers its read end and submits a READ; loop thread. */
    Recorder start(UringPort uringPort) throws IOException {
        port = uringPort;
        pipe = port.posix().pipe(0);
        registration = port.register(pipe[0], this);
        buffer = registration.allocate(64);
        read();
        return this;
    }

    private void read() {
        registration.prepare(UringPort.OP_READ).addr(buffer, 0).len(64).offset(-1).tag(1).submit();
    }

    /** Writes one byte into the pipe, from any thread: the READ completes. */
    void poke() throws IOException {
        try (FileOutputStream out = new FileOutputStream("/proc/self/fd/" + pipe[1])) {
            out.write(1);
        }
    }

    /** Whether the registration is open. */
    boolean isOpen() {
        return registration.isOpen();
    }

    /** What a subclass does with a completed READ; the default reads again. */
    void received(int result) {
        if (result > 0 && registration.isOpen()) {
            read();
        }
    }

    @Override
    public void complete(UringRegistration r, UringCompletion completion) {
        if (completion.result() > 0) {
            reads++;
        }
        received(completion.result());
    }

    @Override
    public void unregistered(UringRegistration r) {
        closedCalls++;
        try {
            port.posix().close(pipe[0]);
            port.posix().close(pipe[1]);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
