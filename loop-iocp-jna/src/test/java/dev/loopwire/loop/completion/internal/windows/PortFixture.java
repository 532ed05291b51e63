// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.windows;

import dev.loopwire.loop.IocpCompletion;
import dev.loopwire.loop.IocpFunction;
import dev.loopwire.loop.IocpHandler;
import dev.loopwire.loop.IocpRegistration;
import dev.loopwire.loop.WinsockCalls;
import dev.loopwire.loop.completion.internal.LoopContext;
import dev.loopwire.loop.completion.sim.SimulatedOverlapped;
import dev.loopwire.loop.completion.sim.SimulatedWinApi;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * An {@link IocpBackend} on a {@link SimulatedWinApi}, driven turn by turn on the test thread,
 * which is its loop thread; what handlers throw lands in {@link #failures}.
 */
final class PortFixture implements AutoCloseable {

    final SimulatedWinApi api = new SimulatedWinApi();
    final SimulatedOverlapped sim = api.overlapped;
    final IocpBackend backend;
    final LoopIocpPort port;
    final List<Throwable> failures = new ArrayList<>();
    private final Thread owner = Thread.currentThread();

    PortFixture() throws IOException {
        backend = new IocpBackend(api);
        backend.attach(new LoopContext() {
            @Override
            public String name() {
                return "iocp-test";
            }

            @Override
            public boolean inLoop() {
                return Thread.currentThread() == owner;
            }

            @Override
            public void handle(Throwable error) {
                failures.add(error);
            }
        });
        port = backend.port();
    }

    /** One loop turn that does not wait. */
    void turn() throws IOException {
        backend.await(0);
    }

    long tcpSocket() throws IOException {
        return port.winsock().socket(WinsockCalls.AF_INET, WinsockCalls.SOCK_STREAM, WinsockCalls.IPPROTO_TCP);
    }

    @Override
    public void close() {
        backend.close();
    }

    /** A handler that writes down what it is told, one line per event. */
    static class Recorder implements IocpHandler {
        final List<String> events = new ArrayList<>();
        final List<Long> ids = new ArrayList<>();
        final List<IOException> exceptions = new ArrayList<>();
        int addressLength;
        int unregistered;

        @Override
        public void complete(IocpRegistration registration, IocpCompletion c) {
            events.add(c.function() + " tag=" + c.tag() + " bytes=" + c.bytes() + " error=" + c.error()
                    + (c.isCancelled() ? " cancelled" : ""));
            ids.add(c.operationId());
            exceptions.add(c.exception());
            addressLength = c.addressLength();
        }

        @Override
        public void unregistered(IocpRegistration registration) {
            unregistered++;
            events.add("unregistered");
        }

        String last() {
            return events.isEmpty() ? "nothing" : events.get(events.size() - 1);
        }
    }

    static String ok(IocpFunction function, long tag, int bytes) {
        return function + " tag=" + tag + " bytes=" + bytes + " error=0";
    }
}
