package dev.loopwire.reliability.probe;

import dev.loopwire.loop.TransportKey;

/** A transport that does nothing; its key is owned by this module. */
public interface Probe {

    /** The probe's key. */
    TransportKey<Probe> KEY = TransportKey.of("dev.loopwire.reliability.probe", Probe.class);
}
