package io.phasegate.command.executor;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.JsonNode;

/**
 * Forwards allowed calls of registered tools to their executors over HTTP: {@code POST <url>} with
 * {@code {"call_id","task_id","agent_id","tool_name","args"}} and the header {@code X-Phasegate-Call-Id}; a 2xx JSON
 * object answer is the call's result. Executor URLs are checked against the host allow-list once, at start-up, and
 * redirects are never followed, so a forwarded call cannot be steered elsewhere.
 */
@Component
@EnableConfigurationProperties(ToolExecutorProperties.class)
public class ToolExecutors {

    private final Map<String, URI> executors;
    private final WebClient client;
    private final ToolExecutorProperties properties;

    public ToolExecutors(ToolExecutorProperties properties) {
        this.properties = properties;
        properties.executors().forEach((tool, url) -> check(tool, url, properties));
        this.executors = properties.executors();
        HttpClient http = HttpClient.create().followRedirect(false).responseTimeout(properties.timeout());
        this.client = WebClient.builder()
                .clientConnector(new ReactorClientHttpConnector(http))
                .codecs(c -> c.defaultCodecs().maxInMemorySize(1024 * 1024))
                .build();
    }

    private static void check(String tool, URI url, ToolExecutorProperties properties) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalStateException("Executor of tool " + tool + " must be an http(s) URL");
        }
        if (url.getUserInfo() != null) {
            throw new IllegalStateException("Executor URL of tool " + tool + " must not carry credentials");
        }
        String host = url.getHost() == null ? "" : url.getHost().toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (!properties.allowedHosts().contains(host)) {
            throw new IllegalStateException("Executor of tool " + tool + " points at host " + host
                    + ", which is not in phasegate.tools.allowed-hosts");
        }
    }

    /** The executor of {@code toolName}, when one is registered. */
    public Optional<URI> executorOf(String toolName) {
        return Optional.ofNullable(executors.get(toolName));
    }

    /** A forwarded call's answer: the executor's JSON result, or why it failed (never the executor's body). */
    public record Execution(boolean succeeded, JsonNode result, String failure) {
    }

    public Mono<Execution> execute(URI executor, String callId, String taskId, String agentId, String toolName,
                                   Map<String, Object> args) {
        Map<String, Object> body = Map.of("call_id", callId, "task_id", taskId, "agent_id", agentId,
                "tool_name", toolName, "args", args);
        return client.post().uri(executor)
                .contentType(MediaType.APPLICATION_JSON)
                .accept(MediaType.APPLICATION_JSON)
                .header("X-Phasegate-Call-Id", callId)
                .bodyValue(body)
                .exchangeToMono(response -> {
                    if (!response.statusCode().is2xxSuccessful()) {
                        return response.releaseBody().thenReturn(new Execution(false, null,
                                "the executor answered HTTP " + response.statusCode().value()));
                    }
                    return response.bodyToMono(JsonNode.class)
                            .map(json -> json.isObject() ? new Execution(true, json, null)
                                    : new Execution(false, null, "the executor's answer is not a JSON object"))
                            .defaultIfEmpty(new Execution(false, null, "the executor answered no result"));
                })
                .timeout(properties.timeout().plusSeconds(1))
                .onErrorResume(e -> Mono.just(new Execution(false, null,
                        "the executor could not be reached or timed out")));
    }
}
