// SPDX-License-Identifier: Apache-2.0
package dev.loopwire.loop.completion.internal.windows;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Loads the mapping classes without initializing them (which would bind the Windows DLLs) and
 * checks that every native method has the signature its Win32 prototype needs on Win64: 64-bit
 * {@code long} for handles, sockets and pointers, {@code int} for DWORD/ULONG/int/BOOL.
 */
class MappingLinkTest {

    private static Class<?> load(String simpleName) throws ClassNotFoundException {
        return Class.forName(MappingLinkTest.class.getPackageName() + "." + simpleName, false,
                MappingLinkTest.class.getClassLoader());
    }

    private static String signatures(Class<?> type) {
        Set<String> out = new TreeSet<>();
        for (Method m : type.getDeclaredMethods()) {
            if (Modifier.isNative(m.getModifiers())) {
                assertThat(m + " is static", Modifier.isStatic(m.getModifiers()), is(true));
                out.add(m.getReturnType().getName() + " " + m.getName() + Arrays.stream(m.getParameterTypes())
                        .map(Class::getName).collect(Collectors.joining(",", "(", ")")));
            }
        }
        return String.join("\n", out);
    }

    @Test
    void kernel32Mappings() throws Exception {
        assertThat(signatures(load("Kernel32Ex")), is(String.join("\n",
                "int CancelIoEx(long,long)",
                "int CloseHandle(long)",
                "int GetOverlappedResult(long,long,long,int)",
                "int GetQueuedCompletionStatusEx(long,long,int,long,int,int)",
                "int PostQueuedCompletionStatus(long,int,long,long)",
                "int ReadFile(long,long,int,long,long)",
                "int SetFileCompletionNotificationModes(long,byte)",
                "int WriteFile(long,long,int,long,long)",
                "long CreateIoCompletionPort(long,long,long,int)")));
    }

    @Test
    void winsockMappings() throws Exception {
        assertThat(signatures(load("Ws2_32")), is(String.join("\n",
                "int WSACleanup()",
                "int WSAGetLastError()",
                "int WSAGetOverlappedResult(long,long,long,int,long)",
                "int WSAIoctl(long,int,long,int,long,int,long,long,long)",
                "int WSARecv(long,long,int,long,long,long,long)",
                "int WSARecvFrom(long,long,int,long,long,long,long,long,long)",
                "int WSASend(long,long,int,long,int,long,long)",
                "int WSASendTo(long,long,int,long,int,long,int,long,long)",
                "int WSAStartup(short,long)",
                "int bind(long,long,int)",
                "int closesocket(long)",
                "int connect(long,long,int)",
                "int getpeername(long,long,long)",
                "int getsockname(long,long,long)",
                "int getsockopt(long,int,int,long,long)",
                "int listen(long,int)",
                "int setsockopt(long,int,int,long,int)",
                "int shutdown(long,int)",
                "long WSASocketW(int,int,int,long,int,int)")));
    }

    @Test
    void driverClassesLinkWithoutTouchingNativeCode() throws Exception {
        for (String name : new String[] {"IocpDriver", "IocpDriver$RawCompletions",
                "IocpProbe", "WinLayout", "SockaddrCodec", "WinsockErrors", "OperationAbortedException"}) {
            Class<?> type = load(name);
            assertThat(type.getDeclaredMethods().length > 0 || type.getDeclaredFields().length > 0, is(true));
        }
        assertThat(WinLayout.OP_SIZE, is(192));
        assertThat(Ws2_32.SIO_UDP_CONNRESET, is(0x9800000C));
        // _WSAIORW(IOC_WS2, 6) = IOC_INOUT (0xC0000000) | IOC_WS2 (0x08000000) | 6
        assertThat(Ws2_32.SIO_GET_EXTENSION_FUNCTION_POINTER, is(0xC0000000 | 0x08000000 | 6));
    }
}
