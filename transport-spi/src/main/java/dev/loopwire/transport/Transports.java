package dev.loopwire.transport;

public final class Transports {
}
