// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.tcp;

/** loopwire's TCP echo server on the selector loop (the readiness provider), for the harness's list. */
public final class LoopwireSelectorTcpEchoServer extends LoopwireTcpEchoServer {

    /** Creates the server; nothing is opened before {@link #start()}. */
    public LoopwireSelectorTcpEchoServer(TcpEchoOptions options) {
        super(options, "selector");
    }

    /** Runs the server as a process; see {@link TcpEchoMain}. */
    public static void main(String[] args) {
        TcpEchoMain.run(args, LoopwireSelectorTcpEchoServer::new);
    }
}
