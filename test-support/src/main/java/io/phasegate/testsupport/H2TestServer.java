package io.phasegate.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Objects;
import java.util.regex.Pattern;

import org.h2.tools.Server;

/**
 * A throw-away H2 TCP server for integration tests, listening on a free port, with its database files
 * in a fresh temporary directory that is deleted when the server is closed.
 *
 * <p>Databases are created on first connection ({@code -ifNotExists}); the user is {@code sa} with an
 * empty password. Connection settings such as {@code ;MODE=PostgreSQL} can be appended to
 * {@link #jdbcUrl(String)}.
 *
 * <p>{@link #shared()} returns one lazily started instance per JVM, stopped by a shutdown hook; calling
 * {@link #close()} on that instance does nothing. Instances from {@link #start()} belong to the caller.
 */
public final class H2TestServer implements AutoCloseable {

    private static final Pattern DATABASE_NAME = Pattern.compile("(mem:)?[A-Za-z0-9_][A-Za-z0-9_\\-]{0,127}");

    private static H2TestServer shared;
    private static RuntimeException sharedFailure;

    private final Server server;
    private final Path baseDir;
    private final int port;
    private final boolean sharedInstance;
    private final Thread shutdownHook;
    private boolean stopped;

    private H2TestServer(Server server, Path baseDir, boolean sharedInstance) {
        this.server = server;
        this.baseDir = baseDir;
        this.port = server.getPort();
        this.sharedInstance = sharedInstance;
        this.shutdownHook = new Thread(this::stop, "phasegate-h2-test-server-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** The per-JVM instance, started on first use and stopped when the JVM exits. */
    public static synchronized H2TestServer shared() {
        if (shared != null) {
            return shared;
        }
        if (sharedFailure != null) {
            throw new IllegalStateException("The shared H2 test server failed to start earlier", sharedFailure);
        }
        try {
            shared = start(true);
            return shared;
        } catch (RuntimeException e) {
            sharedFailure = e;
            throw e;
        }
    }

    /** Starts a new server that the caller must {@link #close()}. */
    public static H2TestServer start() {
        return start(false);
    }

    private static H2TestServer start(boolean sharedInstance) {
        Path dir;
        try {
            dir = Files.createTempDirectory("phasegate-h2-");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create a temporary directory for the H2 test server", e);
        }
        try {
            Server server = Server.createTcpServer(
                    "-tcp", "-tcpPort", "0", "-tcpDaemon", "-ifNotExists", "-baseDir", dir.toString());
            server.start();
            return new H2TestServer(server, dir, sharedInstance);
        } catch (SQLException | RuntimeException e) {
            TempDirs.deleteQuietly(dir);
            throw new IllegalStateException("Could not start the H2 TCP test server: " + e.getMessage(), e);
        }
    }

    /**
     * {@code jdbc:h2:tcp://127.0.0.1:PORT/database}; the database is created on first connection, as a
     * file in {@link #baseDir()} (or in memory for a {@code mem:} name).
     */
    public String jdbcUrl(String database) {
        Objects.requireNonNull(database, "database");
        if (!DATABASE_NAME.matcher(database).matches()) {
            throw new IllegalArgumentException("Invalid H2 test database name '" + database
                    + "': use letters, digits, '_' and '-' only");
        }
        return "jdbc:h2:tcp://127.0.0.1:" + port + "/" + database;
    }

    public String username() {
        return "sa";
    }

    public String password() {
        return "";
    }

    public int port() {
        return port;
    }

    /** The directory that holds the database files. */
    public Path baseDir() {
        return baseDir;
    }

    /** Stops the server and deletes its files; does nothing for the {@link #shared()} instance. */
    @Override
    public void close() {
        if (sharedInstance) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook runs (or ran) anyway
        }
        stop();
    }

    private synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            server.stop();
        } finally {
            TempDirs.deleteQuietly(baseDir);
        }
    }

    @Override
    public String toString() {
        return "H2TestServer[127.0.0.1:" + port + ", baseDir=" + baseDir + "]";
    }
}
