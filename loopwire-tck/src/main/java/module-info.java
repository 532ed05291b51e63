// SPDX-License-Identifier: Apache-2.0
/**
 * The conformance kit of loopwire: abstract JUnit 5 contract suites that a loop or a transport
 * extends with a few lines to prove it keeps the promises loopwire documents.
 *
 * <p>{@link dev.loopwire.tck.EventLoopContract} is for every loop,
 * {@link dev.loopwire.tck.FdReadinessContract} for loops that offer
 * {@link dev.loopwire.loop.FdReadiness}, {@link dev.loopwire.tck.DatagramContract} for every
 * loop (or provider) on which {@code Udp.bind} works, {@link dev.loopwire.tck.StreamContract}
 * for every loop (or provider) on which {@code Tcp.connect} and {@code Tcp.listen} work. The package is open so that JUnit can run
 * the inherited test methods from the extending module.
 */
// Hamcrest 3.0 is an automatic module; the kit requires it transitively on purpose, so that a
// suite's users need not declare it again.
@SuppressWarnings("requires-transitive-automatic")
open module dev.loopwire.tck {
    requires transitive dev.loopwire.transport.udp;
    requires transitive dev.loopwire.transport.tcp;
    requires jdk.net; // StreamContract checks the keep-alive tuning options
    requires transitive org.junit.jupiter.api;
    requires transitive org.junit.jupiter.params;
    requires transitive org.hamcrest;

    exports dev.loopwire.tck;

    // An FdReadinessContract subclass may test an adapter's facet, found with ServiceLoader (the
    // kit's own AdaptedReadinessContractTest does so for the selector-thread adapter).
    uses dev.loopwire.transport.spi.CapabilityAdapter;
}
