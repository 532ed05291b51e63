// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.benchmarks.echo;

/** loopwire's echo server on the selector loop, for the harness's server list. */
public final class LoopwireSelectorEchoServer extends LoopwireEchoServer {

    /** Creates the server; nothing is opened before {@link #start()}. */
    public LoopwireSelectorEchoServer(EchoOptions options) {
        super(options, "selector");
    }

    /** Runs the server as a process; see {@link EchoMain}. */
    public static void main(String[] args) {
        EchoMain.run(args, LoopwireSelectorEchoServer::new);
    }
}
