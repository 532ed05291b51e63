// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.echo;

/** loopwire's echo server on the completion loop (io_uring here), for the harness's server list. */
public final class LoopwireCompletionEchoServer extends LoopwireEchoServer {

    /** Creates the server; nothing is opened before {@link #start()}. */
    public LoopwireCompletionEchoServer(EchoOptions options) {
        super(options, "completion");
    }

    /** Runs the server as a process; see {@link EchoMain}. */
    public static void main(String[] args) {
        EchoMain.run(args, LoopwireCompletionEchoServer::new);
    }
}
