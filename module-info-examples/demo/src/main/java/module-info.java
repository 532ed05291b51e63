/**
 * The demo the README runs: lists the event loops and transport providers loopwire found on
 * the module path, and what each transport key resolves to on each available loop.
 */
module com.example.demo {
    requires dev.loopwire.transport;
}
