// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.internal;

import dev.loopwire.loop.EventLoop;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The close hooks of one loop, in the order they were added. Shared by loopwire's loops through
 * a qualified export; not an API.
 *
 * <p><b>Lifecycle.</b> Hooks are kept until {@link #runAll} runs them (once, when the loop
 * closes) or they are cancelled. A hook added after {@code runAll} is not kept: the loop runs it
 * as a task ({@link Entry#isKept()} is {@code false}).
 *
 * <p><b>Concurrency.</b> {@link #add} and {@link Entry#cancel()} may be called from any thread;
 * a cancelled hook leaves the set at once, so that endpoints that open and close for the whole
 * life of a loop do not pile up. {@link #runAll} runs on the loop thread only.
 */
public final class CloseHooks {

    private static final int WAITING = 0;
    private static final int DONE = 1;
    private static final int CANCELLED = 2;

    private final LinkedHashSet<Entry> entries = new LinkedHashSet<>(); // guarded by this
    private boolean ran; // guarded by this

    /**
     * Adds a hook; if the hooks already ran, the caller must run the entry as a task.
     *
     * @param hook what to run when the loop closes; never {@code null}
     * @return the hook's entry; {@link Entry#isKept()} says whether the set keeps it
     */
    public Entry add(Runnable hook) {
        Entry entry = new Entry(Objects.requireNonNull(hook, "hook"));
        synchronized (this) {
            if (!ran) {
                entries.add(entry);
                entry.kept = true;
            }
        }
        return entry;
    }

    /**
     * Runs every hook in the order added, hooks added meanwhile included, passing what each
     * throws to {@code onError}. If {@code onError} throws, the hooks not yet run stay for the
     * next call. Loop thread only.
     *
     * @param onError receives each {@code Throwable} a hook throws, usually the loop's exception
     *     handler
     */
    public void runAll(Consumer<Throwable> onError) {
        while (true) {
            Entry next;
            synchronized (this) {
                Iterator<Entry> it = entries.iterator();
                if (!it.hasNext()) {
                    ran = true;
                    return;
                }
                next = it.next();
                it.remove();
            }
            next.run(onError);
        }
    }

    /**
     * Hooks waiting to run; any thread.
     *
     * @return the count, 0 or more
     */
    public synchronized int size() {
        return entries.size();
    }

    private synchronized void remove(Entry entry) {
        entries.remove(entry);
    }

    /** One hook and its handle. */
    public final class Entry implements EventLoop.CloseHook {
        private final Runnable hook;
        private final AtomicInteger state = new AtomicInteger(WAITING);
        private volatile boolean kept;

        private Entry(Runnable hook) {
            this.hook = hook;
        }

        /**
         * Whether the set keeps the hook for {@link #runAll}; if not, run it as a task.
         *
         * @return {@code true} if {@link #runAll} will run the hook
         */
        public boolean isKept() {
            return kept;
        }

        /**
         * Runs the hook unless it was cancelled or already ran; loop thread only.
         *
         * @param onError receives what the hook throws
         */
        public void run(Consumer<Throwable> onError) {
            if (state.compareAndSet(WAITING, DONE)) {
                try {
                    hook.run();
                } catch (Throwable t) {
                    onError.accept(t);
                }
            }
        }

        @Override
        public boolean cancel() {
            if (state.compareAndSet(WAITING, CANCELLED)) {
                remove(this);
                return true;
            }
            return false;
        }

        @Override
        public String toString() {
            int s = state.get();
            return "CloseHook[" + (s == WAITING ? "waiting" : s == DONE ? "ran" : "cancelled") + "]";
        }
    }
}
