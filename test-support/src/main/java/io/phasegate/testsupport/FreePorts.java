package io.phasegate.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds free TCP ports on the loopback interface for test servers.
 *
 * <p>A port found here is free at the moment of the call; another process may still take it before
 * the caller binds it, so callers that start external servers should retry with a new port on a bind
 * failure. Within one JVM the same port is never handed out twice.
 */
public final class FreePorts {

    private static final int ATTEMPTS = 50;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();
    private static final InetAddress LOOPBACK = loopback();

    private FreePorts() {
    }

    /**
     * Returns a TCP port that is currently free on 127.0.0.1 and was not returned before by this JVM.
     *
     * @throws UncheckedIOException if no free port could be found
     */
    public static int find() {
        IOException last = null;
        for (int i = 0; i < ATTEMPTS; i++) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(LOOPBACK, 0), 1);
                int port = socket.getLocalPort();
                if (port > 0 && HANDED_OUT.add(port)) {
                    return port;
                }
            } catch (IOException e) {
                last = e;
            }
        }
        throw new UncheckedIOException("Could not find a free TCP port on the loopback interface",
                last != null ? last : new IOException("every port found was already handed out"));
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress("127.0.0.1", new byte[] {127, 0, 0, 1});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
