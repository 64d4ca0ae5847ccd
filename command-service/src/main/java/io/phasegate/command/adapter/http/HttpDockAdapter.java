package io.phasegate.command.adapter.http;

import io.phasegate.command.adapter.AdapterException;
import io.phasegate.command.adapter.DockAdapter;
import io.phasegate.command.adapter.DockConnection;
import io.phasegate.command.adapter.ProviderResource;
import io.phasegate.command.adapter.ResourceRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The built-in {@code http} adapter (SPEC §2.7): drives a provider's REST API, whose contract is documented in
 * {@code docs/adapters.md}:
 * <pre>
 * POST   {base}/credentials/validate     2xx = valid; 401/403 = rejected
 * POST   {base}/resources                provision (Idempotency-Key); 200/201 with the resource
 * PUT    {base}/resources/{id}           update (Idempotency-Key); 200 with the resource
 * DELETE {base}/resources/{id}           deprovision (Idempotency-Key); 2xx, 404 or 410 = gone
 * GET    {base}/resources/{id}           describe; 200 with the resource, 404 or 410 = none
 * </pre>
 * The dock's {@code base_url} must be covered by {@code phasegate.adapters.http.allowed-base-urls}, checked when the
 * dock is registered and again before every call. Requests are signed ({@link RequestSigner}) with the credential
 * {@code secret} and name the credential {@code key_id}; redirects are never followed; every call has a time-out;
 * responses are bounded in size and validated. 5xx, 408, 429, time-outs and connection failures are retryable; other
 * answers are not. Messages name the method, path and status only — never credential values or response bodies.
 */
@Component
@EnableConfigurationProperties(HttpAdapterProperties.class)
public class HttpDockAdapter implements DockAdapter {

    public static final String PROVIDER = "http";
    public static final String SETTING_BASE_URL = "base_url";
    public static final String CREDENTIAL_KEY_ID = "key_id";
    public static final String CREDENTIAL_SECRET = "secret";

    static final Pattern PROVIDER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,199}");
    private static final Pattern ATTRIBUTE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,100}");
    private static final int MAX_ATTRIBUTES = 64;
    private static final int MAX_ATTRIBUTE_LENGTH = 2000;
    private static final int MAX_KEY_LENGTH = 512;
    private static final Logger log = LoggerFactory.getLogger(HttpDockAdapter.class);

    private final HttpAdapterProperties properties;
    private final BaseUrlPolicy policy;
    private final HttpClient client;
    private final Clock clock;
    private final JsonMapper json = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    @Autowired
    public HttpDockAdapter(HttpAdapterProperties properties) {
        this(properties, Clock.systemUTC());
    }

    HttpDockAdapter(HttpAdapterProperties properties, Clock clock) {
        this.properties = properties;
        this.policy = new BaseUrlPolicy(properties.allowedBaseUrls());
        this.clock = clock;
        this.client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .proxy(HttpClient.Builder.NO_PROXY)
                .connectTimeout(properties.connectTimeout())
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    @Override
    public String provider() {
        return PROVIDER;
    }

    @Override
    public void checkSettings(Map<String, String> settings) {
        policy.check(settings == null ? null : settings.get(SETTING_BASE_URL));
    }

    @Override
    public void validateCredentials(DockConnection connection) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("org_id", connection.orgId());
        body.put("dock_id", connection.dockId());
        body.put("credential_version", connection.credentialVersion());
        Exchange exchange = send(connection, "POST", "/credentials/validate", body, null, false);
        if (exchange.status() / 100 == 2) {
            return;
        }
        throw failure(exchange, null);
    }

    @Override
    public ProviderResource provision(DockConnection connection, ResourceRequest request) {
        String key = requireKey(request.idempotencyKey());
        Exchange exchange = send(connection, "POST", "/resources", resourceBody(connection, request), key, true);
        if (exchange.status() / 100 == 2) {
            return resource(exchange, null);
        }
        throw failure(exchange, null);
    }

    @Override
    public ProviderResource update(DockConnection connection, String providerResourceId, ResourceRequest request) {
        String key = requireKey(request.idempotencyKey());
        String id = requireId(providerResourceId);
        Exchange exchange = send(connection, "PUT", "/resources/" + id, resourceBody(connection, request), key, true);
        if (exchange.status() / 100 == 2) {
            return resource(exchange, id);
        }
        throw failure(exchange, "resource_not_found");
    }

    @Override
    public void deprovision(DockConnection connection, String providerResourceId, String idempotencyKey) {
        String key = requireKey(idempotencyKey);
        String id = requireId(providerResourceId);
        Exchange exchange = send(connection, "DELETE", "/resources/" + id, null, key, false);
        if (exchange.status() / 100 == 2 || exchange.status() == 404 || exchange.status() == 410) {
            return;
        }
        throw failure(exchange, null);
    }

    @Override
    public Optional<ProviderResource> describe(DockConnection connection, String providerResourceId) {
        String id = requireId(providerResourceId);
        Exchange exchange = send(connection, "GET", "/resources/" + id, null, null, true);
        if (exchange.status() == 404 || exchange.status() == 410) {
            return Optional.empty();
        }
        if (exchange.status() / 100 == 2) {
            return Optional.of(resource(exchange, id));
        }
        throw failure(exchange, null);
    }

    // ------------------------------------------------------------------------------------------------ exchange

    /** One answered call: status, content type and (for a 2xx answer that is read) the bounded body. */
    private record Exchange(String method, String path, int status, String contentType, byte[] body) {
        String call() {
            return method + " " + path;
        }
    }

    private Exchange send(DockConnection connection, String method, String suffix, Map<String, Object> body,
                          String idempotencyKey, boolean readBody) {
        BaseUrlPolicy.Base base = policy.check(connection.settings().get(SETTING_BASE_URL));
        URI uri = base.resolve(suffix);
        // the resolved URL must still be covered by the checked base (ids are restricted, this is a second guard)
        if (!base.covers(BaseUrlPolicy.parse(uri.toString()))) {
            throw AdapterException.permanentFailure("base_url_not_allowed", "the request URL left the base URL");
        }
        String keyId = connection.credentials().get(CREDENTIAL_KEY_ID);
        String secret = connection.credentials().get(CREDENTIAL_SECRET);
        if (keyId == null || keyId.isBlank() || secret == null || secret.isEmpty()) {
            throw AdapterException.permanentFailure("credentials_incomplete",
                    "the http adapter needs the credential fields key_id and secret");
        }
        if (!keyId.chars().allMatch(c -> c > ' ' && c < 0x7f)) {
            throw AdapterException.permanentFailure("credentials_incomplete",
                    "the credential key_id must be printable ASCII without spaces");
        }
        byte[] bytes;
        try {
            bytes = body == null ? new byte[0] : json.writeValueAsBytes(body);
        } catch (JacksonException e) {
            throw AdapterException.permanentFailure("invalid_spec", "the resource spec is not JSON data");
        }
        String timestamp = Long.toString(clock.instant().getEpochSecond());
        String digest = RequestSigner.sha256Hex(bytes);
        String signature = RequestSigner.sign(secret,
                RequestSigner.stringToSign(method, uri.getRawPath(), timestamp, idempotencyKey, digest));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(properties.timeout())
                .header("Accept", "application/json")
                .header(RequestSigner.HEADER_KEY_ID, keyId)
                .header(RequestSigner.HEADER_TIMESTAMP, timestamp)
                .header(RequestSigner.HEADER_CONTENT_SHA256, digest)
                .header(RequestSigner.HEADER_SIGNATURE, signature);
        if (idempotencyKey != null) {
            request.header(RequestSigner.HEADER_IDEMPOTENCY_KEY, idempotencyKey);
        }
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(bytes));
        }
        String path = suffix.startsWith("/resources/") ? "/resources/{id}" : suffix;
        long limit = properties.maxResponseSize().toBytes();
        CompletableFuture<HttpResponse<byte[]>> future = client.sendAsync(request.build(), info ->
                readBody && info.statusCode() / 100 == 2 ? new LimitedBodySubscriber(limit)
                        : HttpResponse.BodySubscribers.replacing(new byte[0]));
        HttpResponse<byte[]> response;
        try {
            response = future.get(properties.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw timeout(method, path);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw AdapterException.transientFailure("interrupted", "the call " + method + " " + path
                    + " was interrupted");
        } catch (ExecutionException e) {
            throw transportFailure(method, path, e.getCause());
        }
        String contentType = response.headers().firstValue("Content-Type").orElse("");
        log.debug("http adapter: {} {} answered {}", method, path, response.statusCode());
        return new Exchange(method, path, response.statusCode(), contentType, response.body());
    }

    private static AdapterException timeout(String method, String path) {
        return AdapterException.transientFailure("provider_timeout", "the provider did not answer " + method + " "
                + path + " in time");
    }

    private static AdapterException transportFailure(String method, String path, Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof ResponseTooLargeException) {
                return AdapterException.permanentFailure("invalid_provider_response", "the provider's answer to "
                        + method + " " + path + " exceeds the size limit");
            }
            if (t instanceof HttpTimeoutException) {
                return timeout(method, path);
            }
        }
        // the cause is not attached: transport exceptions may quote the request
        return AdapterException.transientFailure("provider_unreachable", "the provider could not be reached for "
                + method + " " + path + " (" + (cause == null ? "unknown error" : cause.getClass().getSimpleName())
                + ")");
    }

    private static AdapterException failure(Exchange exchange, String notFoundCode) {
        int status = exchange.status();
        String answered = "the provider answered HTTP " + status + " to " + exchange.call();
        if (status >= 500 || status == 429 || status == 408) {
            return AdapterException.transientFailure("provider_unavailable", answered);
        }
        if (status / 100 == 3) {
            return AdapterException.permanentFailure("provider_redirect", answered + " (redirects are not followed)");
        }
        if (status == 401 || status == 403) {
            return AdapterException.permanentFailure("credentials_rejected", answered);
        }
        if (status == 404 && notFoundCode != null) {
            return AdapterException.permanentFailure(notFoundCode, answered);
        }
        return AdapterException.permanentFailure("provider_rejected", answered);
    }

    // --------------------------------------------------------------------------------------------- validation

    private ProviderResource resource(Exchange exchange, String expectedId) {
        String type = exchange.contentType().toLowerCase(Locale.ROOT);
        int semicolon = type.indexOf(';');
        String mediaType = (semicolon < 0 ? type : type.substring(0, semicolon)).trim();
        if (!mediaType.equals("application/json") && !(mediaType.startsWith("application/")
                && mediaType.endsWith("+json"))) {
            throw invalid(exchange, "is not JSON (content type)");
        }
        JsonNode node;
        try {
            node = json.readTree(exchange.body());
        } catch (JacksonException e) {
            throw invalid(exchange, "is not valid JSON");
        }
        if (node == null || !node.isObject()) {
            throw invalid(exchange, "is not a JSON object");
        }
        JsonNode id = node.get("id");
        if (id == null || !id.isString() || !PROVIDER_ID.matcher(id.asString()).matches()) {
            throw invalid(exchange, "has no valid id (1 to 200 characters of A-Z a-z 0-9 . _ : -)");
        }
        if (expectedId != null && !expectedId.equals(id.asString())) {
            throw invalid(exchange, "names another resource");
        }
        Map<String, String> attributes = new LinkedHashMap<>();
        JsonNode attrs = node.get("attributes");
        if (attrs != null && !attrs.isNull()) {
            if (!attrs.isObject() || attrs.size() > MAX_ATTRIBUTES) {
                throw invalid(exchange, "has attributes that are not an object of at most " + MAX_ATTRIBUTES
                        + " strings");
            }
            for (Map.Entry<String, JsonNode> entry : attrs.properties()) {
                if (!ATTRIBUTE_NAME.matcher(entry.getKey()).matches() || !entry.getValue().isString()
                        || entry.getValue().asString().length() > MAX_ATTRIBUTE_LENGTH) {
                    throw invalid(exchange, "has attributes that are not flat strings");
                }
                attributes.put(entry.getKey(), entry.getValue().asString());
            }
        }
        return new ProviderResource(id.asString(), attributes);
    }

    private static AdapterException invalid(Exchange exchange, String why) {
        return AdapterException.permanentFailure("invalid_provider_response",
                "the provider's answer to " + exchange.call() + " " + why);
    }

    private static Map<String, Object> resourceBody(DockConnection connection, ResourceRequest request) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("resource_id", request.resourceId());
        body.put("org_id", connection.orgId());
        body.put("dock_id", connection.dockId());
        body.put("type", request.type() == null ? null : request.type().wire());
        body.put("name", request.name());
        body.put("spec", request.spec());
        return body;
    }

    private static String requireKey(String key) {
        if (key == null || key.isBlank() || key.length() > MAX_KEY_LENGTH
                || !key.chars().allMatch(c -> c >= ' ' && c < 0x7f)) {
            throw AdapterException.permanentFailure("invalid_request",
                    "an idempotency key of 1 to " + MAX_KEY_LENGTH + " printable ASCII characters is required");
        }
        return key;
    }

    private static String requireId(String id) {
        if (id == null || !PROVIDER_ID.matcher(id).matches()) {
            throw AdapterException.permanentFailure("invalid_resource_id",
                    "the provider resource id must be 1 to 200 characters of A-Z a-z 0-9 . _ : -");
        }
        return id;
    }

    // ------------------------------------------------------------------------------------------- bounded body

    /** Thrown when a response body exceeds the configured size. */
    static final class ResponseTooLargeException extends IOException {
        ResponseTooLargeException() {
            super("response body too large");
        }
    }

    /** Collects a body up to a limit and cancels the exchange beyond it. */
    static final class LimitedBodySubscriber implements HttpResponse.BodySubscriber<byte[]> {

        private final long limit;
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();
        private Flow.Subscription subscription;

        LimitedBodySubscriber(long limit) {
            this.limit = limit;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer item : items) {
                if (buffer.size() + (long) item.remaining() > limit) {
                    subscription.cancel();
                    result.completeExceptionally(new ResponseTooLargeException());
                    return;
                }
                byte[] chunk = new byte[item.remaining()];
                item.get(chunk);
                buffer.writeBytes(chunk);
            }
        }

        @Override
        public void onError(Throwable throwable) {
            result.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            result.complete(buffer.toByteArray());
        }
    }
}
