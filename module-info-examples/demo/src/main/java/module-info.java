// SPDX-License-Identifier: Apache-2.0
/**
 * The demo the README runs ({@code bash demo.sh}): lists the event loops and transport providers
 * loopwire found on the module path, shows how each transport key resolves on each available
 * loop, echoes over UDP and TCP on the default loop, runs the third-party heartbeat transport on every available loop, and shows the rogue
 * module refused.
 *
 * <p>The loops and the rogue module are not required here: they are found through
 * {@link java.util.ServiceLoader}, as in a user's application.
 */
module com.example.demo {
    requires dev.loopwire.transport.udp;
    requires dev.loopwire.transport.tcp;
    requires com.example.heartbeat;
    requires com.example.simloop; // to move the simulated loop's virtual clock
}
