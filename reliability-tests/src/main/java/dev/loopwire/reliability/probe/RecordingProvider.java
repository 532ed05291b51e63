package dev.loopwire.reliability.probe;

import com.google.auto.service.AutoService;
import dev.loopwire.loop.Availability;
import dev.loopwire.loop.Capability;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.TransportKey;
import dev.loopwire.transport.spi.TransportProvider;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts every call the registry makes, so tests can prove what inspection does not run. */
@AutoService(TransportProvider.class)
public final class RecordingProvider implements TransportProvider<Probe> {

    /** Instances made (by discovery). */
    public static final AtomicInteger CONSTRUCTED = new AtomicInteger();
    /** Calls to {@link #create}. */
    public static final AtomicInteger CREATED = new AtomicInteger();

    public RecordingProvider() {
        CONSTRUCTED.incrementAndGet();
    }

    @Override
    public TransportKey<Probe> key() {
        return Probe.KEY;
    }

    @Override
    public Set<Class<? extends Capability>> requires() {
        return Set.of();
    }

    @Override
    public Availability availability() {
        return Availability.available();
    }

    @Override
    public Probe create(EventLoop loop) {
        CREATED.incrementAndGet();
        return new Probe() { };
    }
}
