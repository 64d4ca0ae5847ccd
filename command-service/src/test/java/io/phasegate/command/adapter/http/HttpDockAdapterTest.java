package io.phasegate.command.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.phasegate.command.adapter.AdapterException;
import io.phasegate.command.adapter.DockConnection;
import io.phasegate.command.adapter.ProviderResource;
import io.phasegate.command.adapter.ResourceRequest;
import io.phasegate.events.resource.ResourceType;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HttpDockAdapterTest {

    private static final String KEY_ID = "kid-7f3a9c";
    private static final String SECRET = "hmac-s3cr3t-value-42";

    private StubProvider stub;
    private HttpDockAdapter adapter;
    private final List<AdapterException> failures = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        stub = new StubProvider(KEY_ID, SECRET);
        adapter = adapter(Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() {
        stub.close();
        // no credential value in any failure of any test
        for (AdapterException failure : failures) {
            for (Throwable t = failure; t != null; t = t.getCause()) {
                assertThat(String.valueOf(t.getMessage())).doesNotContain(SECRET).doesNotContain(KEY_ID);
            }
            assertThat(failure.toString()).doesNotContain(SECRET).doesNotContain(KEY_ID);
        }
    }

    private HttpDockAdapter adapter(Duration timeout) {
        return new HttpDockAdapter(HttpAdapterProperties.allowing(List.of(stub.baseUrl()), timeout));
    }

    private DockConnection connection() {
        return connection(stub.baseUrl(), Map.of("key_id", KEY_ID, "secret", SECRET));
    }

    private static DockConnection connection(String baseUrl, Map<String, String> credentials) {
        return new DockConnection("dock-1", "org-1", "http", Map.of("base_url", baseUrl), 3, credentials);
    }

    private static ResourceRequest request(String key, String name) {
        return new ResourceRequest("res-1", "org-1", ResourceType.DATABASE, name, Map.of("size", "small"), key);
    }

    /** Runs a call that must fail with an adapter exception and records it for the credential check. */
    private AdapterException failure(ThrowingCallable call) {
        Throwable thrown = catchThrowable(call);
        assertThat(thrown).isInstanceOf(AdapterException.class);
        failures.add((AdapterException) thrown);
        return (AdapterException) thrown;
    }

    private void answerNext(StubProvider.Responder responder) {
        stub.override = responder;
    }

    // ------------------------------------------------------------------------------------------- the contract

    @Test
    void theLifecycleGoesThroughTheProviderApiWithSignedRequests() {
        adapter.validateCredentials(connection());

        ProviderResource created = adapter.provision(connection(), request("op-1", "orders"));
        assertThat(created.providerResourceId()).isEqualTo("r-1");
        assertThat(created.attributes()).containsEntry("name", "orders").containsEntry("status", "running");
        assertThat(adapter.provision(connection(), request("op-1", "orders"))).isEqualTo(created);
        assertThat(stub.resources).hasSize(1);

        ProviderResource updated = adapter.update(connection(), "r-1", request("op-2", "orders-v2"));
        assertThat(updated.attributes()).containsEntry("name", "orders-v2");
        assertThat(adapter.describe(connection(), "r-1")).contains(updated);

        adapter.deprovision(connection(), "r-1", "op-3");
        assertThat(stub.resources).isEmpty();
        assertThatCode(() -> adapter.deprovision(connection(), "r-1", "op-3")).doesNotThrowAnyException();
        assertThat(adapter.describe(connection(), "r-1")).isEmpty();

        assertThat(stub.calls).extracting(c -> c.method() + " " + c.path()).containsExactly(
                "POST /api/credentials/validate", "POST /api/resources", "POST /api/resources",
                "PUT /api/resources/r-1", "GET /api/resources/r-1", "DELETE /api/resources/r-1",
                "DELETE /api/resources/r-1", "GET /api/resources/r-1");
        assertThat(stub.calls).allMatch(StubProvider.Call::signatureValid);
        assertThat(stub.calls).allMatch(c -> KEY_ID.equals(c.header("X-Phasegate-Key-Id")));
        assertThat(stub.calls).allMatch(c -> !c.headers().toString().contains(SECRET) && !c.body().contains(SECRET));
        assertThat(stub.calls("POST").get(1).header("Idempotency-Key")).isEqualTo("op-1");
        assertThat(stub.calls("PUT").get(0).header("Idempotency-Key")).isEqualTo("op-2");
        assertThat(stub.calls("DELETE").get(0).header("Idempotency-Key")).isEqualTo("op-3");
        assertThat(stub.calls("POST").get(0).header("Idempotency-Key")).isNull();
        assertThat(stub.calls("POST").get(1).body()).contains("\"type\":\"database\"", "\"name\":\"orders\"",
                "\"spec\":{\"size\":\"small\"}", "\"org_id\":\"org-1\"", "\"dock_id\":\"dock-1\"");
    }

    @Test
    void aWrongSecretIsRejectedByTheProviderAndReportedAsRejectedCredentials() {
        DockConnection wrong = connection(stub.baseUrl(), Map.of("key_id", KEY_ID, "secret", SECRET + "-old"));
        AdapterException e = failure(() -> adapter.validateCredentials(wrong));
        assertThat(e.code()).isEqualTo("credentials_rejected");
        assertThat(e.retryable()).isFalse();
        assertThat(stub.calls).hasSize(1).allMatch(c -> !c.signatureValid());

        answerNext(exchange -> StubProvider.send(exchange, 403, "application/json", "{}"));
        assertThat(failure(() -> adapter.validateCredentials(connection())).code()).isEqualTo("credentials_rejected");
    }

    @Test
    void incompleteCredentialsFailBeforeAnyCall() {
        for (Map<String, String> credentials : List.of(Map.of("secret", SECRET), Map.of("key_id", KEY_ID),
                Map.of("key_id", " ", "secret", SECRET), Map.of("key_id", KEY_ID, "secret", ""))) {
            AdapterException e = failure(() -> adapter.validateCredentials(connection(stub.baseUrl(), credentials)));
            assertThat(e.code()).isEqualTo("credentials_incomplete");
            assertThat(e.retryable()).isFalse();
        }
        assertThat(stub.calls).isEmpty();
    }

    // ------------------------------------------------------------------------------------- failure mapping

    @ParameterizedTest
    @ValueSource(ints = {500, 502, 503, 429, 408})
    void serverErrorsAndThrottlingAreRetryable(int status) {
        answerNext(exchange -> StubProvider.send(exchange, status, "text/plain", "try later " + SECRET));
        AdapterException e = failure(() -> adapter.provision(connection(), request("op-1", "orders")));
        assertThat(e.retryable()).isTrue();
        assertThat(e.code()).isEqualTo("provider_unavailable");
        assertThat(e.getMessage()).contains("HTTP " + status, "POST /resources").doesNotContain("try later");
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 409, 422})
    void clientErrorsArePermanent(int status) {
        answerNext(exchange -> StubProvider.send(exchange, status, "application/json", "{\"error\":\"no\"}"));
        AdapterException e = failure(() -> adapter.provision(connection(), request("op-1", "orders")));
        assertThat(e.retryable()).isFalse();
        assertThat(e.code()).isEqualTo("provider_rejected");
    }

    @Test
    void updatingAMissingResourceIsPermanentAndDescribingItIsEmpty() {
        AdapterException e = failure(() -> adapter.update(connection(), "r-404", request("op-1", "x")));
        assertThat(e.code()).isEqualTo("resource_not_found");
        assertThat(e.retryable()).isFalse();
        assertThat(adapter.describe(connection(), "r-404")).isEmpty();
    }

    @Test
    void aSlowProviderTimesOutRetryably() {
        HttpDockAdapter impatient = adapter(Duration.ofMillis(400));
        answerNext(exchange -> {
            Thread.sleep(3000);
            StubProvider.send(exchange, 200, "application/json", "{\"id\":\"late\"}");
        });
        long start = System.nanoTime();
        AdapterException e = failure(() -> impatient.provision(connection(), request("op-1", "orders")));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2500));
        assertThat(e.code()).isEqualTo("provider_timeout");
        assertThat(e.retryable()).isTrue();
    }

    @Test
    void aBodyThatTricklesInPastTheTimeOutTimesOutToo() {
        HttpDockAdapter impatient = adapter(Duration.ofMillis(500));
        answerNext(exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write("{\"id\":".getBytes());
                out.flush();
                Thread.sleep(3000);
                out.write("\"late\"}".getBytes());
            }
        });
        AdapterException e = failure(() -> impatient.describe(connection(), "r-1"));
        assertThat(e.code()).isEqualTo("provider_timeout");
        assertThat(e.retryable()).isTrue();
    }

    @Test
    void anUnreachableProviderIsRetryable() {
        int port = stub.port();
        stub.close();
        AdapterException e = failure(() -> adapter.describe(connection(), "r-1"));
        assertThat(e.retryable()).isTrue();
        assertThat(e.code()).isIn("provider_unreachable", "provider_timeout");
        assertThat(e.getMessage()).doesNotContain(String.valueOf(port)).contains("GET /resources/{id}");
    }

    @Test
    void redirectsAreNotFollowed() {
        answerNext(exchange -> {
            exchange.getResponseHeaders().set("Location", "http://169.254.169.254/latest/meta-data");
            exchange.sendResponseHeaders(302, -1);
        });
        AdapterException e = failure(() -> adapter.describe(connection(), "r-1"));
        assertThat(e.code()).isEqualTo("provider_redirect");
        assertThat(e.retryable()).isFalse();
        assertThat(stub.calls).hasSize(1);
    }

    // ------------------------------------------------------------------------------------ response validation

    @Test
    void oversizedResponsesAreRefused() {
        String big = "{\"id\":\"r-1\",\"attributes\":{\"blob\":\"" + "x".repeat(1024 * 1024) + "\"}}";
        answerNext(exchange -> StubProvider.send(exchange, 200, "application/json", big));
        AdapterException e = failure(() -> adapter.provision(connection(), request("op-1", "orders")));
        assertThat(e.code()).isEqualTo("invalid_provider_response");
        assertThat(e.getMessage()).contains("size limit");

        // the same without a Content-Length (chunked): the limit applies while reading
        answerNext(exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                for (int i = 0; i < 40; i++) {
                    out.write("y".repeat(64 * 1024).getBytes());
                }
            }
        });
        assertThat(failure(() -> adapter.describe(connection(), "r-1")).code())
                .isEqualTo("invalid_provider_response");
    }

    @Test
    void malformedResponsesAreRefusedPermanently() {
        Map<String, String[]> answers = new HashMap<>();
        answers.put("html", new String[] {"text/html", "<html>{\"id\":\"r-1\"}</html>"});
        answers.put("no content type", new String[] {"", "{\"id\":\"r-1\"}"});
        answers.put("not json", new String[] {"application/json", "{\"id\": r-1"});
        answers.put("array", new String[] {"application/json", "[{\"id\":\"r-1\"}]"});
        answers.put("no id", new String[] {"application/json", "{\"attributes\":{}}"});
        answers.put("blank id", new String[] {"application/json", "{\"id\":\"  \"}"});
        answers.put("numeric id", new String[] {"application/json", "{\"id\":42}"});
        answers.put("path id", new String[] {"application/json", "{\"id\":\"../admin\"}"});
        answers.put("long id", new String[] {"application/json", "{\"id\":\"" + "a".repeat(201) + "\"}"});
        answers.put("nested attributes", new String[] {"application/json",
                "{\"id\":\"r-1\",\"attributes\":{\"a\":{\"b\":\"c\"}}}"});
        answers.put("numeric attribute", new String[] {"application/json",
                "{\"id\":\"r-1\",\"attributes\":{\"a\":1}}"});
        answers.put("duplicate id", new String[] {"application/json", "{\"id\":\"r-1\",\"id\":\"r-2\"}"});
        answers.put("trailing data", new String[] {"application/json", "{\"id\":\"r-1\"} {\"id\":\"r-2\"}"});
        answers.put("empty", new String[] {"application/json", ""});
        answers.forEach((what, answer) -> {
            answerNext(exchange -> {
                if (!answer[0].isEmpty()) {
                    exchange.getResponseHeaders().set("Content-Type", answer[0]);
                }
                byte[] bytes = answer[1].getBytes();
                exchange.sendResponseHeaders(201, bytes.length == 0 ? -1 : bytes.length);
                if (bytes.length > 0) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(bytes);
                    }
                }
            });
            AdapterException e = failure(() -> adapter.provision(connection(), request("op-" + what, "orders")));
            assertThat(e.code()).as(what).isEqualTo("invalid_provider_response");
            assertThat(e.retryable()).as(what).isFalse();
        });

        // describe/update must answer the resource that was asked for
        answerNext(exchange -> StubProvider.send(exchange, 200, "application/json", "{\"id\":\"r-2\"}"));
        assertThat(failure(() -> adapter.describe(connection(), "r-1")).getMessage()).contains("another resource");
        // a +json media type with parameters is fine
        answerNext(exchange -> StubProvider.send(exchange, 200, "application/vnd.provider+json; charset=utf-8",
                "{\"id\":\"r-1\",\"attributes\":null}"));
        assertThat(adapter.describe(connection(), "r-1")).contains(new ProviderResource("r-1", Map.of()));
    }

    @Test
    void resourceIdsAndKeysThatCouldBendTheRequestAreRefusedBeforeAnyCall() {
        for (String id : List.of("../admin", "r-1/../../x", "r 1", "", "r-1?x=1", "a".repeat(201))) {
            AdapterException e = failure(() -> adapter.describe(connection(), id));
            assertThat(e.code()).isEqualTo("invalid_resource_id");
            assertThat(e.retryable()).isFalse();
        }
        assertThat(failure(() -> adapter.deprovision(connection(), "r-1", "key\nX-Injected: 1")).code())
                .isEqualTo("invalid_request");
        assertThat(failure(() -> adapter.provision(connection(), request(null, "orders"))).code())
                .isEqualTo("invalid_request");
        assertThat(stub.calls).isEmpty();
    }

    // ------------------------------------------------------------------------------------------- allow-list

    @Test
    void baseUrlsOutsideTheAllowListAreRefused() {
        int port = stub.port();
        int otherPort = port == 65535 ? port - 1 : port + 1;
        List<String> refused = List.of(
                "http://127.0.0.1.evil:" + port + "/api",
                "http://127.0.0.1.evil/api",
                "http://evil.test:" + port + "/api",
                "http://localhost:" + port + "/api",
                "http://user:" + SECRET + "@127.0.0.1:" + port + "/api",
                "http://127.0.0.1:" + port + "@evil.test/api",
                "http://evil.test#@127.0.0.1:" + port + "/api",
                "http://127.0.0.1:" + otherPort + "/api",
                "http://127.0.0.1/api",
                "https://127.0.0.1:" + port + "/api",
                "ftp://127.0.0.1:" + port + "/api",
                "file:///etc/passwd",
                "http://127.0.0.1:" + port + "/",
                "http://127.0.0.1:" + port,
                "http://127.0.0.1:" + port + "/apix",
                "http://127.0.0.1:" + port + "/api/../admin",
                "http://127.0.0.1:" + port + "/api/./x",
                "http://127.0.0.1:" + port + "/api/%2e%2e/admin",
                "http://127.0.0.1:" + port + "/api%2f..%2fadmin",
                "http://127.0.0.1:" + port + "/api\\..\\admin",
                "http://127.0.0.1:" + port + "//api",
                "http://127.0.0.1:" + port + "/api?next=http://evil.test",
                "http://127.0.0.1:" + port + "/ api",
                "//127.0.0.1:" + port + "/api",
                "127.0.0.1:" + port + "/api",
                "");
        for (String url : refused) {
            AdapterException e = failure(() -> adapter.checkSettings(Map.of("base_url", url)));
            assertThat(e.retryable()).as(url).isFalse();
            assertThat(e.code()).as(url).isIn("base_url_not_allowed", "invalid_base_url", "invalid_settings");
            // checked again before every call
            failure(() -> adapter.validateCredentials(connection(url, Map.of("key_id", KEY_ID, "secret", SECRET))));
        }
        assertThat(failure(() -> adapter.checkSettings(Map.of())).code()).isEqualTo("invalid_settings");
        assertThat(stub.calls).isEmpty();
    }

    @Test
    void allowedBaseUrlsAreNormalisedAndMayBeSubPaths() {
        int port = stub.port();
        for (String url : List.of(stub.baseUrl(), stub.baseUrl() + "/", "HTTP://127.0.0.1:" + port + "/api",
                "http://127.0.0.1:" + port + "/api/v2")) {
            assertThatCode(() -> adapter.checkSettings(Map.of("base_url", url))).as(url).doesNotThrowAnyException();
        }
        HttpDockAdapter defaultPorts = new HttpDockAdapter(HttpAdapterProperties.allowing(
                List.of("https://provider.example.com", "http://provider.example.com:80/v1/"), Duration.ofSeconds(1)));
        assertThatCode(() -> defaultPorts.checkSettings(Map.of("base_url", "https://PROVIDER.example.com:443/x")))
                .doesNotThrowAnyException();
        assertThatCode(() -> defaultPorts.checkSettings(Map.of("base_url", "http://provider.example.com/v1")))
                .doesNotThrowAnyException();
        assertThat(failure(() -> defaultPorts.checkSettings(Map.of("base_url", "http://provider.example.com/v2")))
                .code()).isEqualTo("base_url_not_allowed");
    }

    @Test
    void anEmptyAllowListAllowsNothingAndABadEntryStopsTheStart() {
        HttpDockAdapter none = new HttpDockAdapter(HttpAdapterProperties.allowing(List.of(), Duration.ofSeconds(1)));
        assertThat(failure(() -> none.checkSettings(Map.of("base_url", stub.baseUrl()))).code())
                .isEqualTo("base_url_not_allowed");
        assertThat(new HttpAdapterProperties(List.of(" ", ""), null, null, null).allowedBaseUrls()).isEmpty();

        assertThatThrownBy(() -> new HttpDockAdapter(HttpAdapterProperties.allowing(
                List.of("http://admin:" + SECRET + "@provider.example.com"), Duration.ofSeconds(1))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageNotContaining(SECRET)
                .hasMessageContaining("user information");
    }
}
