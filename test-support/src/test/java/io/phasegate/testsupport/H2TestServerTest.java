package io.phasegate.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

import org.junit.jupiter.api.Test;

class H2TestServerTest {

    @Test
    void startsTcpServerAndRoundTripsARow() throws Exception {
        int port;
        Path baseDir;
        try (H2TestServer server = H2TestServer.start()) {
            port = server.port();
            baseDir = server.baseDir();
            assertTrue(port > 0);
            String url = server.jdbcUrl("h2_roundtrip");
            assertEquals("jdbc:h2:tcp://127.0.0.1:" + port + "/h2_roundtrip", url);
            try (Connection c = DriverManager.getConnection(url, server.username(), server.password())) {
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE item (id BIGINT PRIMARY KEY, name VARCHAR(100) NOT NULL)");
                }
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO item (id, name) VALUES (?, ?)")) {
                    insert.setLong(1, 42L);
                    insert.setString(2, "gate");
                    assertEquals(1, insert.executeUpdate());
                }
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id, name FROM item")) {
                    assertTrue(rs.next());
                    assertEquals(42L, rs.getLong(1));
                    assertEquals("gate", rs.getString(2));
                    assertFalse(rs.next());
                }
            }
            assertTrue(Files.exists(baseDir.resolve("h2_roundtrip.mv.db")));
        }
        assertFalse(Files.exists(baseDir), "base directory should be deleted after close()");
        try (Socket socket = new Socket()) {
            assertThrows(java.io.IOException.class,
                    () -> socket.connect(new InetSocketAddress("127.0.0.1", port), 1000));
        }
    }

    @Test
    void sharedInstanceIsStartedOnceAndSurvivesClose() throws Exception {
        H2TestServer shared = H2TestServer.shared();
        assertSame(shared, H2TestServer.shared());
        shared.close(); // ignored for the shared instance
        String url = shared.jdbcUrl("h2_shared") + ";MODE=PostgreSQL";
        try (Connection c = DriverManager.getConnection(url, shared.username(), shared.password());
             Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (v INT)");
            s.execute("INSERT INTO t VALUES (7)");
            try (ResultSet rs = s.executeQuery("SELECT v FROM t")) {
                assertTrue(rs.next());
                assertEquals(7, rs.getInt(1));
            }
        }
    }
}
