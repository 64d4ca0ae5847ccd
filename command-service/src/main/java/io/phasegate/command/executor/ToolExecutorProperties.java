package io.phasegate.command.executor;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Registered tool executors (SPEC §2.4): {@code phasegate.tools.executors.<tool_name>=<http(s) URL>}. A call of a
 * registered tool that the policy allows is forwarded there and its result returned; any other allowed tool is
 * run by the agent itself and answered with an authorisation receipt.
 *
 * @param executors    tool name to executor URL
 * @param allowedHosts hosts an executor URL may point at (an allow-list against SSRF); checked at start-up
 * @param timeout      how long a forwarded call may take
 */
@ConfigurationProperties("phasegate.tools")
public record ToolExecutorProperties(Map<String, URI> executors, List<String> allowedHosts, Duration timeout) {

    public ToolExecutorProperties {
        executors = executors == null ? Map.of() : Map.copyOf(executors);
        allowedHosts = allowedHosts == null ? List.of("127.0.0.1", "localhost", "::1") : List.copyOf(allowedHosts);
        timeout = timeout == null ? Duration.ofSeconds(10) : timeout;
    }
}
