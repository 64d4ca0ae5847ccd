package io.phasegate.command.adapter.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A provider on 127.0.0.1 that implements the documented REST contract of the http adapter under {@code /api}: it
 * verifies every request's signature independently (from the documented algorithm, not the adapter's code), keeps
 * resources in memory, honours idempotency keys, and records every call. {@link #override} replaces the answer of
 * the next calls, to simulate failures.
 */
final class StubProvider implements AutoCloseable {

    record Call(String method, String path, Map<String, List<String>> headers, String body, boolean signatureValid) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    @FunctionalInterface
    interface Responder {
        void respond(HttpExchange exchange) throws Exception;
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final String keyId;
    private final String secret;
    private final JsonMapper json = JsonMapper.builder().build();
    final List<Call> calls = new CopyOnWriteArrayList<>();
    final Map<String, String> resources = new ConcurrentHashMap<>();
    final Map<String, String> idByIdempotencyKey = new ConcurrentHashMap<>();
    private final AtomicInteger counter = new AtomicInteger();
    volatile Responder override;

    StubProvider(String keyId, String secret) throws IOException {
        this.keyId = keyId;
        this.secret = secret;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port() + "/api";
    }

    List<Call> calls(String method) {
        return calls.stream().filter(c -> c.method().equals(method)).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            boolean valid = signatureValid(exchange, method, path, body);
            calls.add(new Call(method, path, Map.copyOf(exchange.getRequestHeaders()),
                    new String(body, StandardCharsets.UTF_8), valid));
            Responder responder = override;
            if (responder != null) {
                responder.respond(exchange);
                return;
            }
            if (!valid) {
                send(exchange, 401, "application/json", "{\"error\":\"bad signature\"}");
                return;
            }
            route(exchange, method, path, body);
        } catch (Exception e) {
            // the client may have given up (time-out tests)
        }
    }

    private void route(HttpExchange exchange, String method, String path, byte[] body) throws IOException {
        if (method.equals("POST") && path.equals("/api/credentials/validate")) {
            exchange.sendResponseHeaders(204, -1);
            return;
        }
        if (method.equals("POST") && path.equals("/api/resources")) {
            JsonNode request = json.readTree(body);
            String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
            String id = idByIdempotencyKey.computeIfAbsent(key, k -> "r-" + counter.incrementAndGet());
            resources.putIfAbsent(id, request.get("name").asString());
            send(exchange, 201, "application/json", resource(id));
            return;
        }
        if (path.startsWith("/api/resources/")) {
            String id = path.substring("/api/resources/".length());
            if (!resources.containsKey(id)) {
                send(exchange, 404, "application/json", "{}");
                return;
            }
            switch (method) {
                case "GET" -> send(exchange, 200, "application/json; charset=utf-8", resource(id));
                case "PUT" -> {
                    resources.put(id, json.readTree(body).get("name").asString());
                    send(exchange, 200, "application/json", resource(id));
                }
                case "DELETE" -> {
                    resources.remove(id);
                    exchange.sendResponseHeaders(204, -1);
                }
                default -> send(exchange, 405, "application/json", "{}");
            }
            return;
        }
        send(exchange, 404, "application/json", "{}");
    }

    private String resource(String id) {
        return "{\"id\":\"" + id + "\",\"attributes\":{\"name\":\"" + resources.get(id)
                + "\",\"status\":\"running\"},\"extra\":[1,2]}";
    }

    static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** The documented check: key id, fresh timestamp, body digest, HMAC-SHA256 over the string to sign. */
    private boolean signatureValid(HttpExchange exchange, String method, String path, byte[] body) {
        try {
            var headers = exchange.getRequestHeaders();
            String timestamp = headers.getFirst("X-Phasegate-Timestamp");
            String key = headers.getFirst("Idempotency-Key");
            String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
            if (!keyId.equals(headers.getFirst("X-Phasegate-Key-Id")) || timestamp == null
                    || Math.abs(Instant.now().getEpochSecond() - Long.parseLong(timestamp)) > 300
                    || !digest.equals(headers.getFirst("X-Phasegate-Content-SHA256"))) {
                return false;
            }
            String toSign = "PHASEGATE-HMAC-SHA256\n" + method + "\n" + path + "\n" + timestamp + "\n"
                    + (key == null ? "" : key) + "\n" + digest;
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            String expected = "v1=" + HexFormat.of().formatHex(mac.doFinal(toSign.getBytes(StandardCharsets.UTF_8)));
            String actual = headers.getFirst("X-Phasegate-Signature");
            return actual != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                    actual.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
