package io.phasegate.e2e;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.phasegate.testsupport.FreePorts;
import io.phasegate.testsupport.H2TestServer;
import io.phasegate.testsupport.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The whole Phasegate system as real OS processes: command-service, query-service and api-gateway, started from
 * their repackaged jars against a throw-away database (an H2 server or PostgreSQL), with their own free ports and a
 * temporary data directory. Closing it stops the processes and deletes the data directory.
 */
public final class PhasegateSystem implements AutoCloseable {

    /** The storage modes this harness can run (SPEC §1, storage modes). */
    public enum Mode {
        EMBEDDED, POSTGRES;

        String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final String DEMO_ORG = "demo";
    static final String DEV_ISSUER = "phasegate-dev-issuer";
    static final String AUDIENCE = "phasegate";

    private static final Duration READY_TIMEOUT =
            Duration.ofSeconds(Long.getLong("phasegate.e2e.ready-timeout-seconds", 120));
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
    private static final int LOG_TAIL_LINES = 60;
    private static final List<String> SERVICES = List.of("command-service", "query-service", "api-gateway");

    private final Mode mode;
    private final Path root;
    private final String version;
    private final Path dataDir;
    private final Path logDir;
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final Map<String, String> tokens = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final Thread shutdownHook;
    private String jdbcUrl;
    private String dbUser;
    private String dbPassword;
    private String postgresDatabase;
    private boolean closed;

    private final Map<String, String> extraEnv;
    /** The environment the services were started with (kept for restarts). */
    private final Map<String, String> env = new LinkedHashMap<>();

    private PhasegateSystem(Mode mode, Map<String, String> extraEnv) {
        this.mode = mode;
        this.extraEnv = Map.copyOf(extraEnv);
        this.root = repositoryRoot();
        this.version = System.getProperty("phasegate.version", "0.1.0-SNAPSHOT");
        this.logDir = root.resolve("e2e-tests/target/e2e-logs");
        try {
            this.dataDir = Files.createTempDirectory("phasegate-e2e-" + mode.id() + "-");
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.shutdownHook = new Thread(this::killNow, "phasegate-e2e-shutdown-" + mode.id());
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts the three services in {@code mode} and waits until they are ready and the demo tokens exist. */
    public static PhasegateSystem start(Mode mode) {
        return start(mode, Map.of());
    }

    /** Like {@link #start(Mode)}, with more environment variables for all three services. */
    public static PhasegateSystem start(Mode mode, Map<String, String> extraEnv) {
        PhasegateSystem system = new PhasegateSystem(mode, extraEnv);
        try {
            system.startAll();
            return system;
        } catch (RuntimeException | Error e) {
            system.close();
            throw e;
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Start-up

    private void startAll() {
        long started = System.nanoTime();
        String unique = "e2e_" + mode.id() + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        switch (mode) {
            case EMBEDDED -> {
                H2TestServer h2 = H2TestServer.shared();
                jdbcUrl = h2.jdbcUrl(unique);
                dbUser = h2.username();
                dbPassword = h2.password();
            }
            case POSTGRES -> {
                PostgresServer postgres = PostgresServer.shared();
                postgresDatabase = unique;
                jdbcUrl = postgres.createDatabase(unique);
                dbUser = postgres.username();
                dbPassword = postgres.password();
            }
        }
        long databaseReady = System.nanoTime();
        for (String service : SERVICES) {
            ports.put(service, FreePorts.find());
        }
        ports.put("grpc", FreePorts.find());
        env.clear();
        env.put("PHASEGATE_STORAGE_MODE", mode.id());
        env.put("PHASEGATE_DB_URL", jdbcUrl);
        env.put("PHASEGATE_DB_USER", dbUser);
        env.put("PHASEGATE_DB_PASSWORD", dbPassword);
        env.put("PHASEGATE_DATA_DIR", dataDir.toString());
        env.put("PHASEGATE_COMMAND_PORT", String.valueOf(ports.get("command-service")));
        env.put("PHASEGATE_QUERY_PORT", String.valueOf(ports.get("query-service")));
        env.put("PHASEGATE_GATEWAY_PORT", String.valueOf(ports.get("api-gateway")));
        env.put("PHASEGATE_GRPC_PORT", String.valueOf(ports.get("grpc")));
        env.put("PHASEGATE_COMMAND_URL", commandUrl());
        env.put("PHASEGATE_QUERY_URL", queryUrl());
        env.put("PHASEGATE_DEV_ISSUER", "true");
        env.put("PHASEGATE_OPERATOR_ORG", DEMO_ORG);
        env.put("AXONIQ_UPDATE_CHECKER_DISABLED", "true");
        env.putAll(extraEnv);

        // The services read the gateway's internal public key lazily, so all three may start at once.
        for (String service : SERVICES) {
            try {
                Files.deleteIfExists(logFile(service)); // a restart appends to the log; a new system starts afresh
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            processes.put(service, launch(service, env));
        }
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        for (String service : SERVICES) {
            awaitReady(service, deadline);
        }
        awaitTokens(deadline);
        System.out.printf("[e2e] %s: database in %d ms, services ready in %d ms%n", mode.id(),
                (databaseReady - started) / 1_000_000, (System.nanoTime() - databaseReady) / 1_000_000);
    }

    private Process launch(String service, Map<String, String> env) {
        Path jar = root.resolve(service).resolve("target").resolve(service + "-" + version + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("Service jar " + jar + " does not exist; build it first with "
                    + "'mvn -pl " + service + " install -DskipTests'");
        }
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(javaBin, "-Xmx384m", "-XX:+UseSerialGC", "-jar", jar.toString())
                .directory(dataDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile(service).toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Map<String, String> environment = builder.environment();
        // Never let the developer's own settings leak into the system under test.
        environment.keySet().removeIf(k -> k.startsWith("PHASEGATE_") || k.startsWith("AXON_")
                || k.startsWith("SPRING_") || k.equals("JAVA_TOOL_OPTIONS") || k.equals("JDK_JAVA_OPTIONS"));
        environment.putAll(env);
        try {
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start " + service + " from " + jar, e);
        }
    }

    private void awaitReady(String service, long deadline) {
        URI readiness = URI.create(baseUrl(service) + "/actuator/health/readiness");
        Process process = processes.get(service);
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(service + " (" + mode.id() + ") exited with code "
                        + process.exitValue() + " before it was ready\n" + logTail(service));
            }
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(readiness)
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
                last = "HTTP " + response.statusCode() + " " + response.body();
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for " + service, e);
            }
            sleep(250);
        }
        throw new IllegalStateException(service + " (" + mode.id() + ") was not ready within "
                + READY_TIMEOUT.toSeconds() + " s (last: " + last + ")\n" + logTail(service));
    }

    private void awaitTokens(long deadline) {
        Path file = dataDir.resolve("dev-tokens.env");
        List<String> names = List.of("PHASEGATE_ADMIN_TOKEN", "PHASEGATE_DEVELOPER_TOKEN", "PHASEGATE_AUDITOR_TOKEN",
                "PHASEGATE_VIEWER_TOKEN");
        while (System.nanoTime() < deadline) {
            if (Files.isRegularFile(file)) {
                Map<String, String> parsed = new LinkedHashMap<>();
                try {
                    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                        String trimmed = line.strip();
                        int eq = trimmed.indexOf('=');
                        if (trimmed.isEmpty() || trimmed.startsWith("#") || eq <= 0) {
                            continue;
                        }
                        parsed.put(trimmed.substring(0, eq), trimmed.substring(eq + 1));
                    }
                } catch (IOException e) {
                    // written right now; read again
                }
                if (names.stream().allMatch(n -> parsed.getOrDefault(n, "").split("\\.").length == 3)) {
                    names.forEach(n -> tokens.put(n, parsed.get(n)));
                    return;
                }
            }
            sleep(100);
        }
        throw new IllegalStateException("The gateway did not write the demo tokens to " + file + "\n"
                + logTail("api-gateway"));
    }

    // ------------------------------------------------------------------------------------------------
    // What tests use

    public Mode mode() {
        return mode;
    }

    public String gatewayUrl() {
        return baseUrl("api-gateway");
    }

    /** The gateway's gRPC port (plaintext HTTP/2 on 127.0.0.1). */
    public int grpcPort() {
        return ports.get("grpc");
    }

    public String commandUrl() {
        return baseUrl("command-service");
    }

    public String queryUrl() {
        return baseUrl("query-service");
    }

    private String baseUrl(String service) {
        return "http://127.0.0.1:" + ports.get(service);
    }

    public String adminToken() {
        return tokens.get("PHASEGATE_ADMIN_TOKEN");
    }

    public String developerToken() {
        return tokens.get("PHASEGATE_DEVELOPER_TOKEN");
    }

    public String auditorToken() {
        return tokens.get("PHASEGATE_AUDITOR_TOKEN");
    }

    public String viewerToken() {
        return tokens.get("PHASEGATE_VIEWER_TOKEN");
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Rows in the event store ({@code eventstore.domain_event_entry}). */
    public long countEvents() {
        try (Connection connection = DriverManager.getConnection(jdbcUrl, dbUser, dbPassword);
             Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT COUNT(*) FROM eventstore.domain_event_entry")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not count the events in " + jdbcUrl + ": " + e.getMessage(), e);
        }
    }

    /** Events of a type (simple class name) for an aggregate in the event store. */
    public long countEvents(String aggregateId, String eventType) {
        try (Connection connection = DriverManager.getConnection(jdbcUrl, dbUser, dbPassword);
             PreparedStatement statement = connection.prepareStatement("SELECT COUNT(*) FROM "
                     + "eventstore.domain_event_entry WHERE aggregate_identifier = ? AND payload_type LIKE ?")) {
            statement.setString(1, aggregateId);
            statement.setString(2, "%." + eventType);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not count the events in " + jdbcUrl + ": " + e.getMessage(), e);
        }
    }

    /**
     * Every place in the database where {@code needle} occurs: each column of each row of each table in the
     * Phasegate schemas (event store, command, query, Axon infrastructure), binary columns read as UTF-8 text, as
     * {@code schema.table.column} entries. For planted-secret scans.
     */
    public List<String> scanDatabase(String needle) {
        List<String> hits = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(jdbcUrl, dbUser, dbPassword)) {
            List<String[]> tables = new ArrayList<>();
            try (ResultSet rs = connection.getMetaData().getTables(null, null, "%", new String[] {"TABLE"})) {
                while (rs.next()) {
                    String schema = rs.getString("TABLE_SCHEM");
                    if (schema != null && !schema.equalsIgnoreCase("INFORMATION_SCHEMA")
                            && !schema.equalsIgnoreCase("pg_catalog")) {
                        tables.add(new String[] {schema, rs.getString("TABLE_NAME")});
                    }
                }
            }
            if (tables.size() < 5) {
                throw new IllegalStateException("Only " + tables.size() + " tables to scan in " + jdbcUrl);
            }
            for (String[] table : tables) {
                String name = "\"" + table[0] + "\".\"" + table[1] + "\"";
                try (Statement statement = connection.createStatement();
                     ResultSet rs = statement.executeQuery("SELECT * FROM " + name)) {
                    int columns = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        for (int i = 1; i <= columns; i++) {
                            String text = columnText(rs, i);
                            if (text != null && text.contains(needle)) {
                                hits.add(table[0] + "." + table[1] + "." + rs.getMetaData().getColumnName(i));
                            }
                        }
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not scan " + jdbcUrl + ": " + e.getMessage(), e);
        }
        return hits;
    }

    private static String columnText(ResultSet rs, int column) throws SQLException {
        Object value = rs.getObject(column);
        if (value == null) {
            return null;
        }
        if (value instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        if (value instanceof java.sql.Blob blob) {
            return new String(blob.getBytes(1, (int) blob.length()), StandardCharsets.UTF_8);
        }
        if (value instanceof java.sql.Clob clob) {
            return clob.getSubString(1, (int) clob.length());
        }
        return String.valueOf(value);
    }

    /** The services' log files that contain {@code needle}. */
    public List<String> scanLogs(String needle) {
        List<String> hits = new ArrayList<>();
        for (String service : SERVICES) {
            try {
                if (Files.isRegularFile(logFile(service))
                        && Files.readString(logFile(service), StandardCharsets.ISO_8859_1).contains(needle)) {
                    hits.add(logFile(service).toString());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return hits;
    }

    /** Runs one SQL query that answers a single number (a count). */
    public long queryForLong(String sql, Object... parameters) {
        try (Connection connection = DriverManager.getConnection(jdbcUrl, dbUser, dbPassword);
             PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Query failed on " + jdbcUrl + ": " + e.getMessage(), e);
        }
    }

    /**
     * A phase token signed with command-service's own phase-token key (from the data directory), with any claims:
     * for tokens the service would never issue (expired, for another task).
     */
    public String mintPhaseToken(String agentId, String taskId, String phase, long generation, Instant issuedAt,
                                 Instant expiresAt) {
        ECKey key = privateKey(dataDir.resolve("keys/phase-tokens.json"));
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer("phasegate-command")
                .audience("phasegate-agents")
                .subject(agentId)
                .claim("task_id", taskId)
                .claim("phase", phase)
                .claim("gen", generation)
                .issueTime(Date.from(issuedAt))
                .notBeforeTime(Date.from(issuedAt))
                .expirationTime(Date.from(expiresAt))
                .jwtID(UUID.randomUUID().toString())
                .build();
        return sign(key, new JOSEObjectType("phase+jwt"), claims);
    }

    /**
     * A user token signed with the development issuer's key (as the gateway's demo tokens are), for any
     * organisation, subject and roles.
     */
    public String mintUserToken(String subject, String orgId, List<String> roles) {
        ECKey key = privateKey(dataDir.resolve("keys/dev-issuer.json"));
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(DEV_ISSUER)
                .audience(AUDIENCE)
                .subject(subject)
                .claim("org", orgId)
                .claim("roles", roles)
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofHours(1))))
                .jwtID(UUID.randomUUID().toString())
                .build();
        return sign(key, JOSEObjectType.JWT, claims);
    }

    /** The development issuer's signing key (private), for hand-made user tokens. */
    public ECKey devIssuerKey() {
        return privateKey(dataDir.resolve("keys/dev-issuer.json"));
    }

    /** Command-service's phase-token signing key (private), for hand-made phase tokens. */
    public ECKey phaseTokenKey() {
        return privateKey(dataDir.resolve("keys/phase-tokens.json"));
    }

    /**
     * An internal identity token signed with the gateway's own internal key, as only the gateway should produce;
     * used to show that the gateway replaces such a header instead of trusting it.
     */
    public String mintInternalToken(String subject, String orgId, List<String> roles) {
        ECKey key = privateKey(dataDir.resolve("keys/internal-signing.json"));
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer("phasegate-gateway")
                .audience("phasegate-services")
                .subject(subject)
                .claim("org", orgId)
                .claim("roles", roles)
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(Duration.ofSeconds(60))))
                .jwtID(UUID.randomUUID().toString())
                .build();
        return sign(key, new JOSEObjectType("phasegate-internal+jwt"), claims);
    }

    private static ECKey privateKey(Path file) {
        try {
            JWK jwk = JWKSet.parse(Files.readString(file)).getKeys().get(0);
            return jwk.toECKey();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.text.ParseException e) {
            throw new IllegalStateException("Not a JWK set: " + file, e);
        }
    }

    private static String sign(ECKey key, JOSEObjectType type, JWTClaimsSet claims) {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).type(type)
                .keyID(key.getKeyID()).build(), claims);
        try {
            jwt.sign(new ECDSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("Cannot sign a test token", e);
        }
        return jwt.serialize();
    }

    public Path logFile(String service) {
        return logDir.resolve(mode.id() + "-" + service + ".log");
    }

    /** The last lines of a service's log, for failure messages. */
    public String logTail(String service) {
        try {
            List<String> lines = Files.readAllLines(logFile(service), StandardCharsets.UTF_8);
            List<String> tail = lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size());
            return "--- last " + tail.size() + " lines of " + logFile(service) + " ---\n" + String.join("\n", tail);
        } catch (IOException | RuntimeException e) {
            return "(no log " + logFile(service) + ": " + e + ")";
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Shut-down

    /**
     * Stops one service the hard way ({@code kill -9}) and starts it again with the same environment, waiting until it
     * is ready.
     */
    public synchronized void restart(String service) {
        Process process = processes.get(service);
        if (process == null) {
            throw new IllegalArgumentException("No service " + service);
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        processes.put(service, launch(service, env));
        awaitReady(service, System.nanoTime() + READY_TIMEOUT.toNanos());
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long stopping = System.nanoTime();
        try {
            stopProcesses();
            System.out.printf("[e2e] %s: services stopped in %d ms%n", mode.id(),
                    (System.nanoTime() - stopping) / 1_000_000);
            if (postgresDatabase != null) {
                try {
                    PostgresServer.shared().dropDatabase(postgresDatabase);
                } catch (RuntimeException e) {
                    System.err.println("[e2e] could not drop database " + postgresDatabase + ": " + e);
                }
            }
            deleteRecursively(dataDir);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook runs anyway
            }
        }
    }

    private void stopProcesses() {
        List<Process> running = new ArrayList<>(processes.values());
        running.forEach(Process::destroy);
        long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
        for (Process process : running) {
            long left = Math.max(0, deadline - System.nanoTime());
            try {
                if (!process.waitFor(left, TimeUnit.NANOSECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    /** Shutdown hook: the JVM is exiting; do not leave services behind. */
    private void killNow() {
        for (Process process : processes.values()) {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }

    private static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            System.err.println("[e2e] could not delete " + dir + ": " + e);
        }
    }

    private static Path repositoryRoot() {
        String property = System.getProperty("phasegate.root");
        if (property != null && !property.isBlank()) {
            return Path.of(property).toAbsolutePath().normalize();
        }
        // Run from an IDE: the working directory is the module or the repository root.
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("command-service")) && Files.isDirectory(p.resolve("e2e-tests"))) {
                return p;
            }
        }
        throw new IllegalStateException("Cannot find the repository root; set -Dphasegate.root");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }

    @Override
    public String toString() {
        return "PhasegateSystem[" + mode.id() + ", gateway " + gatewayUrl() + ", data " + dataDir + "]";
    }
}
