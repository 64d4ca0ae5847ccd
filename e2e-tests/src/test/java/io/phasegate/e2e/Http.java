package io.phasegate.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A small HTTP/1.1 client for the tests: one request, the whole answer as text, JSON on demand. */
final class Http {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final java.util.function.Consumer<Response> observer;

    Http() {
        this(response -> {
        });
    }

    /** A client that shows every answer to {@code observer} (for example to scan all responses for a secret). */
    Http(java.util.function.Consumer<Response> observer) {
        this.observer = observer;
    }

    /** An answer: status, headers and body. */
    record Response(String method, String url, int status, String contentType, String body,
                    Map<String, List<String>> headers) {

        Response(String method, String url, int status, String contentType, String body) {
            this(method, url, status, contentType, body, Map.of());
        }

        /** The first value of a response header (case-insensitive), or {@code null}. */
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream()).findFirst().orElse(null);
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (RuntimeException e) {
                throw new AssertionError("Not JSON: " + this, e);
            }
        }

        @Override
        public String toString() {
            return method + " " + url + " -> " + status + " [" + contentType + "] "
                    + (body.length() > 2000 ? body.substring(0, 2000) + "..." : body);
        }
    }

    /** A request being built. */
    final class Request {
        private final String method;
        private final String url;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private byte[] body;

        private Request(String method, String url) {
            this.method = method;
            this.url = url;
        }

        Request bearer(String token) {
            return header("Authorization", "Bearer " + token);
        }

        Request header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        Request json(Object body) {
            return body(JSON.writeValueAsString(body), "application/json");
        }

        Request body(String body, String contentType) {
            this.body = body.getBytes(StandardCharsets.UTF_8);
            return header("Content-Type", contentType);
        }

        Response send() {
            HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
            headers.forEach(builder::header);
            builder.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
            try {
                HttpResponse<String> response = client.send(builder.build(),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                Response answer = new Response(method, url, response.statusCode(),
                        response.headers().firstValue("Content-Type").orElse(""), response.body(),
                        response.headers().map());
                observer.accept(answer);
                return answer;
            } catch (IOException e) {
                throw new UncheckedIOException(method + " " + url + " failed: " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted: " + method + " " + url, e);
            }
        }
    }

    Request get(String url) {
        return new Request("GET", url);
    }

    Request post(String url) {
        return new Request("POST", url);
    }

    Request put(String url) {
        return new Request("PUT", url);
    }

    Request patch(String url) {
        return new Request("PATCH", url);
    }

    Request delete(String url) {
        return new Request("DELETE", url);
    }
}
