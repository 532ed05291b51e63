// SPDX-License-Identifier: Apache-2.0
/**
 * A third party's use of loopwire's raw io_uring capability: compiled against
 * {@code dev.loopwire.loop} alone (no JNA, no loop implementation), run on whatever loop offers
 * {@link dev.loopwire.loop.UringPort}. Its tests drive pipes, NOPs and timeouts, cancel and
 * close, exactly as a new transport would.
 */
module com.example.uringtest {
    requires transitive dev.loopwire.loop; // its exported RecordingHandler implements UringHandler

    exports com.example.uringtest;
}
