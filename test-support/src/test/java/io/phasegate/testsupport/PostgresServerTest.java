package io.phasegate.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.Test;

class PostgresServerTest {

    @Test
    void startsRealServerAndRoundTripsARow() throws Exception {
        int port;
        try (PostgresServer server = PostgresServer.start()) {
            port = server.port();
            String url = server.createDatabase("pg_roundtrip");
            assertEquals(server.jdbcUrl("pg_roundtrip"), url);
            if (System.getenv(PostgresServer.ENV_URL) == null) {
                assertEquals("jdbc:postgresql://127.0.0.1:" + port + "/pg_roundtrip", url);
            }
            try (Connection c = DriverManager.getConnection(url, server.username(), server.password())) {
                assertTrue(c.getMetaData().getDatabaseProductName().contains("PostgreSQL"));
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE item (id BIGINT PRIMARY KEY, name TEXT NOT NULL, payload JSONB)");
                }
                try (PreparedStatement insert = c.prepareStatement(
                        "INSERT INTO item (id, name, payload) VALUES (?, ?, ?::jsonb)")) {
                    insert.setLong(1, 42L);
                    insert.setString(2, "gate");
                    insert.setString(3, "{\"phase\": 1}");
                    assertEquals(1, insert.executeUpdate());
                }
                try (Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT id, name, payload->>'phase' FROM item")) {
                    assertTrue(rs.next());
                    assertEquals(42L, rs.getLong(1));
                    assertEquals("gate", rs.getString(2));
                    assertEquals("1", rs.getString(3));
                    assertFalse(rs.next());
                }
                try (Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SHOW max_connections")) {
                    assertTrue(rs.next());
                    if (System.getenv(PostgresServer.ENV_URL) == null) {
                        assertEquals("200", rs.getString(1));
                    }
                }
            }

            // createDatabase gives a fresh, empty database even when connections to the old one are open
            try (Connection stale = server.connect("pg_roundtrip")) {
                server.createDatabase("pg_roundtrip");
                assertThrows(SQLException.class, () -> stale.createStatement().executeQuery("SELECT 1"));
            }
            try (Connection c = server.connect("pg_roundtrip");
                 ResultSet rs = c.createStatement().executeQuery(
                         "SELECT count(*) FROM information_schema.tables WHERE table_name = 'item'")) {
                assertTrue(rs.next());
                assertEquals(0, rs.getInt(1));
            }
        }
        if (System.getenv(PostgresServer.ENV_URL) == null) {
            try (Socket socket = new Socket()) {
                assertThrows(java.io.IOException.class,
                        () -> socket.connect(new InetSocketAddress("127.0.0.1", port), 1000),
                        "server should be stopped after close()");
            }
        }
    }

    @Test
    void sharedInstanceIsStartedOnceAndSurvivesClose() throws Exception {
        PostgresServer shared = PostgresServer.shared();
        assertSame(shared, PostgresServer.shared());
        shared.close(); // ignored for the shared instance
        String url = shared.createDatabase("pg_shared_a");
        shared.createDatabase("pg_shared_b");
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

    @Test
    void rejectsUnsafeDatabaseNames() {
        PostgresServer shared = PostgresServer.shared();
        assertThrows(IllegalArgumentException.class, () -> shared.createDatabase("x\"; DROP DATABASE postgres"));
        assertThrows(IllegalArgumentException.class, () -> shared.createDatabase(""));
    }
}
