// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.tcp;

/** loopwire's TCP echo server on the completion loop (io_uring here: the io_uring provider), for the harness's list. */
public final class LoopwireCompletionTcpEchoServer extends LoopwireTcpEchoServer {

    /** Creates the server; nothing is opened before {@link #start()}. */
    public LoopwireCompletionTcpEchoServer(TcpEchoOptions options) {
        super(options, "completion");
    }

    /** Runs the server as a process; see {@link TcpEchoMain}. */
    public static void main(String[] args) {
        TcpEchoMain.run(args, LoopwireCompletionTcpEchoServer::new);
    }
}
