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
        EMBEDDED, POSTGRES,
        /**
         * Axon Server holds the events (and routes commands, queries and events); projections, tokens, sagas and
         * deadlines on PostgreSQL. Needs an Axon Server in development mode at {@link #axonServerAddress()}
         * ({@code -Dphasegate.e2e.axonserver} or {@code PHASEGATE_E2E_AXONSERVER}, host:grpc-port): tests in this
         * mode are skipped when none is configured. The harness purges the server's events before each start.
         */
        AXONSERVER;

        String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final String DEMO_ORG = "demo";
    static final String DEV_ISSUER = "phasegate-dev-issuer";
    static final String AUDIENCE = "phasegate";

    /** 120 s, or {@code -Dphasegate.e2e.ready-timeout-seconds} / {@code PHASEGATE_E2E_READY_TIMEOUT_SECONDS}. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(readyTimeoutSeconds());

    private static long readyTimeoutSeconds() {
        String value = System.getProperty("phasegate.e2e.ready-timeout-seconds",
                System.getenv("PHASEGATE_E2E_READY_TIMEOUT_SECONDS"));
        return value == null || value.isBlank() ? 120 : Long.parseLong(value.trim());
    }
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
    /** A PostgreSQL server the caller owns (see {@link #start(Mode, Map, PostgresServer)}); null: the shared one. */
    private PostgresServer dedicatedPostgres;

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
        if (mode == Mode.AXONSERVER) {
            assumeAxonServer();
        }
        PhasegateSystem system = new PhasegateSystem(mode, extraEnv);
        try {
            system.startAll();
            return system;
        } catch (RuntimeException | Error e) {
            system.close();
            throw e;
        }
    }

    /**
     * Like {@link #start(Mode, Map)} in the postgres mode, but on {@code postgres}, a server the caller started with
     * {@link PostgresServer#start()} and owns (and closes after this system) — for tests that stop and start the
     * database server, which must never happen to the shared one other tests use.
     */
    public static PhasegateSystem start(Map<String, String> extraEnv, PostgresServer postgres) {
        PhasegateSystem system = new PhasegateSystem(Mode.POSTGRES, extraEnv);
        system.dedicatedPostgres = java.util.Objects.requireNonNull(postgres, "postgres");
        try {
            system.startAll();
            return system;
        } catch (RuntimeException | Error e) {
            system.close();
            throw e;
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Axon Server (the axonserver mode)

    /**
     * The Axon Server gRPC address ({@code host:port}) for the axonserver mode, from the system property
     * {@code phasegate.e2e.axonserver} or the environment variable {@code PHASEGATE_E2E_AXONSERVER}; null if neither
     * is set.
     */
    public static String axonServerAddress() {
        String value = System.getProperty("phasegate.e2e.axonserver");
        if (value == null || value.isBlank()) {
            value = System.getenv("PHASEGATE_E2E_AXONSERVER");
        }
        return value == null || value.isBlank() ? null : value.trim();
    }

    /**
     * Axon Server's HTTP base URL: {@code phasegate.e2e.axonserver.http} / {@code PHASEGATE_E2E_AXONSERVER_HTTP}, else
     * the host of {@link #axonServerAddress()} on the default HTTP port 8024.
     */
    public static String axonServerHttpUrl() {
        String value = System.getProperty("phasegate.e2e.axonserver.http");
        if (value == null || value.isBlank()) {
            value = System.getenv("PHASEGATE_E2E_AXONSERVER_HTTP");
        }
        if (value != null && !value.isBlank()) {
            return value.trim().replaceAll("/+$", "");
        }
        String address = axonServerAddress();
        String host = address == null ? "localhost" : address.split(",")[0].trim().replaceAll(":\\d+$", "");
        return "http://" + host + ":8024";
    }

    /** Skips the calling test (JUnit assumption) unless an Axon Server address is configured. */
    public static void assumeAxonServer() {
        org.junit.jupiter.api.Assumptions.assumeTrue(axonServerAddress() != null,
                "no Axon Server configured (set -Dphasegate.e2e.axonserver or PHASEGATE_E2E_AXONSERVER=host:8124)");
    }

    /**
     * Deletes every event and snapshot in Axon Server's {@code default} context (its development-mode endpoint), so
     * that a new system does not replay the events of an earlier one into its fresh projections.
     */
    private void purgeAxonServer() {
        URI purge = URI.create(axonServerHttpUrl() + "/v1/devmode/purge-events");
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(purge).timeout(Duration.ofSeconds(30))
                    .DELETE().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException("Could not purge Axon Server's events at " + purge + ": HTTP "
                        + response.statusCode() + " " + response.body()
                        + " (run Axon Server with axoniq.axonserver.devmode.enabled=true)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Axon Server is not reachable at " + purge, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (axonServerLastToken() >= 0 && System.nanoTime() < deadline) {
            sleep(100);
        }
    }

    /** Axon Server's last event token in the default context ({@code -1} when it holds no events). */
    private long axonServerLastToken() {
        URI metric = URI.create(axonServerHttpUrl() + "/actuator/metrics/axon.event.lastToken?tag=context:default");
        String body = httpGet(metric, Duration.ofSeconds(10));
        for (tools.jackson.databind.JsonNode measurement : JSON.readTree(body).path("measurements")) {
            if ("VALUE".equals(measurement.path("statistic").asString())) {
                return (long) measurement.path("value").asDouble();
            }
        }
        throw new IllegalStateException("No last token in " + metric + ": " + body);
    }

    private String httpGet(URI uri, Duration timeout) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET " + uri + ": HTTP " + response.statusCode() + " " + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + uri, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The events of one aggregate in Axon Server (its REST stream of an aggregate's events, which ends after the
     * last one), as parsed JSON objects ({@code payload.type}, {@code payload.data}, {@code metaData}, ...).
     */
    private List<tools.jackson.databind.JsonNode> axonServerAggregateEvents(String aggregateId) {
        URI uri = URI.create(axonServerHttpUrl() + "/v1/events?allowSnapshots=false&timeout=20&aggregateId="
                + java.net.URLEncoder.encode(aggregateId, StandardCharsets.UTF_8));
        return sseEvents(httpGet(uri, Duration.ofSeconds(30)));
    }

    /** Every event in Axon Server (read from token 0 up to the current last token), as parsed JSON objects. */
    private List<tools.jackson.databind.JsonNode> axonServerAllEvents() {
        long count = axonServerLastToken() + 1;
        List<tools.jackson.databind.JsonNode> events = new ArrayList<>();
        if (count <= 0) {
            return events;
        }
        URI uri = URI.create(axonServerHttpUrl() + "/v1/events?trackingToken=0&timeout=30&maxEvents=" + count);
        try {
            HttpResponse<java.io.InputStream> response = http.send(HttpRequest.newBuilder(uri)
                    .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            try (java.io.BufferedReader reader = new java.io.BufferedReader(
                    new java.io.InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String line;
                while (events.size() < count && (line = reader.readLine()) != null) {
                    if (line.startsWith("data:")) {
                        events.add(JSON.readTree(line.substring(5)));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + uri, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (events.size() < count) {
            throw new IllegalStateException("Read " + events.size() + " of " + count + " events from " + uri);
        }
        return events;
    }

    private static final tools.jackson.databind.ObjectMapper JSON = tools.jackson.databind.json.JsonMapper.builder().build();

    private static List<tools.jackson.databind.JsonNode> sseEvents(String body) {
        List<tools.jackson.databind.JsonNode> events = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (line.startsWith("data:")) {
                events.add(JSON.readTree(line.substring(5)));
            }
        }
        return events;
    }

    // ------------------------------------------------------------------------------------------------
    // Start-up

    private PostgresServer postgresServer() {
        return dedicatedPostgres != null ? dedicatedPostgres : PostgresServer.shared();
    }

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
            case POSTGRES, AXONSERVER -> {
                PostgresServer postgres = postgresServer();
                postgresDatabase = unique;
                jdbcUrl = postgres.createDatabase(unique);
                dbUser = postgres.username();
                dbPassword = postgres.password();
            }
        }
        if (mode == Mode.AXONSERVER) {
            purgeAxonServer();
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
        if (mode == Mode.AXONSERVER) {
            env.put("AXON_SERVER_ADDRESS", axonServerAddress());
        }
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
        return launch(service, service, env);
    }

    /** Starts {@code service}'s jar as the process of {@code instance} (its log file is named after the instance). */
    private Process launch(String service, String instance, Map<String, String> env) {
        Path jar = root.resolve(service).resolve("target").resolve(service + "-" + version + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("Service jar " + jar + " does not exist; build it first with "
                    + "'mvn -pl " + service + " install -DskipTests'");
        }
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(javaBin, "-Xmx384m", "-XX:+UseSerialGC", "-jar", jar.toString())
                .directory(dataDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile(instance).toFile()))
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

    /**
     * Starts one more instance of {@code service} ({@code command-service} or {@code query-service}) with the same
     * environment as the first — the same database, keys and data directory — on a port of its own, and waits until
     * it is ready. Answers the new instance's name ({@code <service>-2}, {@code -3}, ...), for
     * {@link #instanceUrl(String)}, {@link #readinessStatus(String)} and {@link #logFile(String)}. It is stopped with
     * the system.
     */
    public synchronized String startExtraInstance(String service) {
        String portVariable = switch (service) {
            case "command-service" -> "PHASEGATE_COMMAND_PORT";
            case "query-service" -> "PHASEGATE_QUERY_PORT";
            default -> throw new IllegalArgumentException("Only command-service and query-service can run twice here, "
                    + "not " + service);
        };
        int n = 2;
        while (processes.containsKey(service + "-" + n)) {
            n++;
        }
        String instance = service + "-" + n;
        int port = FreePorts.find();
        ports.put(instance, port);
        Map<String, String> instanceEnv = new LinkedHashMap<>(env);
        instanceEnv.put(portVariable, String.valueOf(port));
        try {
            Files.deleteIfExists(logFile(instance));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        processes.put(instance, launch(service, instance, instanceEnv));
        awaitReady(instance, System.nanoTime() + READY_TIMEOUT.toNanos());
        return instance;
    }

    /** The base URL of a service or of an instance from {@link #startExtraInstance(String)}. */
    public String instanceUrl(String instance) {
        if (!ports.containsKey(instance)) {
            throw new IllegalArgumentException("No instance " + instance);
        }
        return baseUrl(instance);
    }

    /**
     * The HTTP status of {@code /actuator/health/readiness} of a service or instance (200 ready, 503 not), or -1
     * when it does not answer within {@code timeout}.
     */
    public int readinessStatus(String instance, Duration timeout) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(instanceUrl(instance) + "/actuator/health/readiness"))
                    .timeout(timeout).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted", e);
        }
    }

    /** Runs one SQL query and answers its rows, each as column label (lower case) to value, in order. */
    public List<Map<String, Object>> queryForRows(String sql, Object... parameters) {
        try (Connection connection = DriverManager.getConnection(jdbcUrl, dbUser, dbPassword);
             PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery()) {
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= columns; i++) {
                        row.put(rs.getMetaData().getColumnLabel(i).toLowerCase(Locale.ROOT), rs.getObject(i));
                    }
                    rows.add(row);
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException("Query failed on " + jdbcUrl + ": " + e.getMessage(), e);
        }
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
        if (mode == Mode.AXONSERVER) {
            return axonServerLastToken() + 1; // tokens are dense from 0 after the purge at start-up
        }
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
        if (mode == Mode.AXONSERVER) {
            return axonServerAggregateEvents(aggregateId).stream()
                    .map(e -> e.path("payload").path("type").asString(""))
                    .filter(type -> type.endsWith("." + eventType) || type.endsWith("$" + eventType))
                    .count();
        }
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
        if (mode == Mode.AXONSERVER) {
            // the event store is Axon Server's: every event's payload and metadata, read through its REST API
            for (tools.jackson.databind.JsonNode event : axonServerAllEvents()) {
                if (event.path("payload").path("data").asString("").contains(needle)) {
                    hits.add("axonserver.events.payload(" + event.path("payload").path("type").asString() + ")");
                }
                if (event.path("metaData").toString().contains(needle)) {
                    hits.add("axonserver.events.meta_data(" + event.path("payload").path("type").asString() + ")");
                }
            }
        }
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

    /**
     * Stops one service as an orchestrator does ({@code SIGTERM}) and waits up to {@code timeout} for the process to
     * exit. Returns the exit code, or -1 when it had not exited by then (it is then killed).
     */
    public synchronized int terminate(String service, Duration timeout) {
        Process process = processes.get(service);
        if (process == null) {
            throw new IllegalArgumentException("No service " + service);
        }
        process.destroy();
        try {
            if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return process.exitValue();
            }
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
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
                    postgresServer().dropDatabase(postgresDatabase);
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
