package io.phasegate.gateway.grpc;

import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code phasegate.grpc.*}: where the gRPC endpoint forwards its calls, and its limits. The server itself (port,
 * address, message and metadata size, TLS) is configured with Spring gRPC's {@code spring.grpc.server.*}.
 *
 * @param commandUrl  command-service's base URL ({@code PHASEGATE_COMMAND_URL}, as the HTTP routes)
 * @param queryUrl    query-service's base URL ({@code PHASEGATE_QUERY_URL})
 * @param callTimeout longest wait for a unary call's answer from the service (a shorter client deadline wins)
 * @param streamBuffer events buffered for a stream client that reads slower than they come; past that the client is
 *                    dropped ({@code RESOURCE_EXHAUSTED} {@code slow_consumer}), like a slow SSE client
 * @param authTimeout longest wait for a bearer token's validation (a key set fetch included)
 */
@ConfigurationProperties("phasegate.grpc")
public record GrpcGatewayProperties(URI commandUrl, URI queryUrl, Duration callTimeout, int streamBuffer,
                                    Duration authTimeout) {

    public GrpcGatewayProperties {
        commandUrl = commandUrl == null ? URI.create("http://127.0.0.1:8081") : commandUrl;
        queryUrl = queryUrl == null ? URI.create("http://127.0.0.1:8082") : queryUrl;
        callTimeout = callTimeout == null ? Duration.ofSeconds(30) : callTimeout;
        streamBuffer = streamBuffer <= 0 ? 256 : streamBuffer;
        authTimeout = authTimeout == null ? Duration.ofSeconds(10) : authTimeout;
    }
}
