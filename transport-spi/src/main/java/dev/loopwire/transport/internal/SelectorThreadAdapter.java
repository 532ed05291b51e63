// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.transport.internal;

import dev.loopwire.loop.Capability;
import dev.loopwire.loop.EventLoop;
import dev.loopwire.loop.FdReadiness;
import dev.loopwire.loop.UringPort;
import com.google.auto.service.AutoService;
import dev.loopwire.transport.spi.CapabilityAdapter;
import java.util.Set;

/**
 * Offers {@link FdReadiness} on a completion loop: a {@link java.nio.channels.Selector} runs on a
 * helper thread and hands each readiness event to the loop, where the handler runs. It is the
 * workaround asyncio users copied into Tornado, anyio and pyzmq for years, registered once here.
 *
 * <p>It requires {@link UringPort} on purpose: only a loop on a real kernel completion queue
 * gets it. On an arbitrary loop (a deterministic test loop offering {@code Timers}, say) a
 * hidden selector thread would be a surprise, not a help, so requiring {@code Timers} or nothing
 * would be wrong. The IOCP completion loop ({@code IocpPort}) is not adapted yet: a
 * {@code requires()} set means all of its capabilities, so it would need an adapter of its own,
 * worth adding once that loop runs on Windows. Each event costs a
 * thread hand-off and a selector wake-up to re-arm, so a provider native to the loop's own
 * capabilities is always ranked first.
 */
@SuppressWarnings("rawtypes") // @AutoService cannot name the generic service type exactly; it is not used raw.
@AutoService(CapabilityAdapter.class)
public final class SelectorThreadAdapter implements CapabilityAdapter<FdReadiness> {

    @Override
    public Class<FdReadiness> offers() {
        return FdReadiness.class;
    }

    @Override
    public Set<Class<? extends Capability>> requires() {
        return Set.of(UringPort.class);
    }

    @Override
    public FdReadiness adapt(EventLoop loop) {
        return new SelectorThreadReadiness(loop);
    }
}
