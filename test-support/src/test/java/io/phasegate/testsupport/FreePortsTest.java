package io.phasegate.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

import org.junit.jupiter.api.Test;

class FreePortsTest {

    @Test
    void findsDistinctBindablePorts() throws Exception {
        int a = FreePorts.find();
        int b = FreePorts.find();
        assertNotEquals(a, b);
        assertTrue(a > 0 && a < 65536);
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), a));
            assertEquals(a, socket.getLocalPort());
        }
    }
}
