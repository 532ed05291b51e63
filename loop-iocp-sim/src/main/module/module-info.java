// SPDX-License-Identifier: Apache-2.0
/**
 * A simulated Windows completion port and loopback network behind the completion loop's IOCP
 * backend, so that the IOCP code and the transports written on {@link dev.loopwire.loop.IocpPort}
 * are tested on any system ({@link dev.loopwire.loop.completion.sim.SimulatedIocp}). Unpublished:
 * tests only.
 */
module dev.loopwire.loop.completion.sim {
    requires transitive dev.loopwire.loop.completion;
    requires com.sun.jna;

    exports dev.loopwire.loop.completion.sim;
}
