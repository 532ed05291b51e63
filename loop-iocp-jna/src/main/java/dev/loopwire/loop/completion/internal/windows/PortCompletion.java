// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.windows;

import dev.loopwire.loop.IocpCompletion;
import dev.loopwire.loop.IocpFunction;
import java.io.IOException;

/** The one loop-owned {@link IocpCompletion}, refilled for each completion. Loop thread only. */
final class PortCompletion implements IocpCompletion {

    long operationId;
    IocpFunction function;
    long tag;
    int bytes;
    int error;
    int addressLength;

    @Override
    public long operationId() {
        return operationId;
    }

    @Override
    public IocpFunction function() {
        return function;
    }

    @Override
    public long tag() {
        return tag;
    }

    @Override
    public int bytes() {
        return bytes;
    }

    @Override
    public int error() {
        return error;
    }

    @Override
    public boolean isSuccess() {
        return error == 0;
    }

    @Override
    public boolean isCancelled() {
        return error == ERROR_OPERATION_ABORTED;
    }

    @Override
    public IOException exception() {
        return error == 0 ? null : IocpErrors.exception(function, error);
    }

    @Override
    public int addressLength() {
        return addressLength;
    }

    @Override
    public String toString() {
        return "IocpCompletion[" + function + " tag=" + tag + " bytes=" + bytes
                + (error == 0 ? "" : " error=" + IocpErrors.describe(error)) + "]";
    }
}
