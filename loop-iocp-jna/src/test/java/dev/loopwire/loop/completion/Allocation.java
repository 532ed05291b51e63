// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion;

import java.lang.reflect.Method;

/**
 * Bytes allocated by the calling thread, from {@code com.sun.management.ThreadMXBean}, reached
 * reflectively because the module under test does not read {@code jdk.management}.
 */
final class Allocation {

    private static final Object BEAN;
    private static final Method ALLOCATED;

    static {
        try {
            Class<?> factory = Class.forName("java.lang.management.ManagementFactory");
            BEAN = factory.getMethod("getThreadMXBean").invoke(null);
            ALLOCATED = Class.forName("com.sun.management.ThreadMXBean").getMethod("getThreadAllocatedBytes", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Allocation() {
    }

    static long ofCurrentThread() {
        try {
            return (Long) ALLOCATED.invoke(BEAN, Thread.currentThread().getId());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
