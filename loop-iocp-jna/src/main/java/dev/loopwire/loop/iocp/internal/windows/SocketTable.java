package dev.loopwire.loop.iocp.internal.windows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The live sockets of an {@link IocpDriver}, indexed by completion key. Keys start at 1 (0 is the
 * wake-up key) and are reused only after a socket is {@link #remove}d, that is once every
 * completion it could receive has been reaped, so a late completion can never reach a newer
 * socket under an old key.
 *
 * <p><b>Thread-safety.</b> Confined to the driver's owner thread.
 */
final class SocketTable {

    private IocpSocket[] byKey = new IocpSocket[16];
    private int[] freeKeys = new int[16];
    private int freeKeyCount;
    private int nextKey = 1;
    private int size;

    /** A key for a socket about to be added; give it back with {@link #release} if that fails. */
    int reserve() {
        if (freeKeyCount > 0) {
            return freeKeys[--freeKeyCount];
        }
        int key = nextKey++;
        if (key >= byKey.length) {
            byKey = Arrays.copyOf(byKey, byKey.length * 2);
        }
        return key;
    }

    void release(int key) {
        if (freeKeyCount == freeKeys.length) {
            freeKeys = Arrays.copyOf(freeKeys, freeKeys.length * 2);
        }
        freeKeys[freeKeyCount++] = key;
    }

    void add(IocpSocket socket) {
        byKey[socket.key()] = socket;
        size++;
    }

    void remove(IocpSocket socket) {
        byKey[socket.key()] = null;
        release(socket.key());
        size--;
    }

    /** The socket with completion key {@code key}, or {@code null}. */
    IocpSocket get(long key) {
        return key > 0 && key < byKey.length ? byKey[(int) key] : null;
    }

    /** The sockets in the table, in key order. */
    List<IocpSocket> all() {
        List<IocpSocket> out = new ArrayList<>(size);
        for (IocpSocket s : byKey) {
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    int size() {
        return size;
    }

    void clear() {
        Arrays.fill(byKey, null);
        size = 0;
    }
}
