package io.phasegate.gateway;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import io.phasegate.platform.web.ApiException;
import io.phasegate.platform.web.ProblemDetailsExceptionHandler;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Rate limits and body size at the edge (SPEC §7, issue 6):
 * <ul>
 *   <li>a request body larger than {@code max-body-bytes} (by {@code Content-Length}) answers 413
 *   {@code payload_too_large} before anything is read;</li>
 *   <li>user and service requests are limited per organisation (the token's {@code org}), the agent endpoints per
 *   agent (the phase token's {@code sub}, read without verifying: it only chooses a bucket, the service verifies the
 *   token); over the limit answers 429 {@code rate_limited} with {@code Retry-After}.</li>
 * </ul>
 * One organisation's burst never touches another's bucket. Buckets are kept for the busiest keys only (bounded).
 */
public class RateLimitFilter implements GlobalFilter, Ordered {

    private final RateLimitProperties limits;
    private final ObjectMapper json;
    private final RateLimiterConfig organisationConfig;
    private final RateLimiterConfig agentConfig;
    private final Cache<String, RateLimiter> buckets = Caffeine.newBuilder()
            .maximumSize(100_000).expireAfterAccess(Duration.ofMinutes(10)).build();

    RateLimitFilter(RateLimitProperties limits, ObjectMapper json) {
        this.limits = limits;
        this.json = json;
        this.organisationConfig = config(limits.perOrganisation(), limits.period());
        this.agentConfig = config(limits.perAgent(), limits.period());
    }

    private static RateLimiterConfig config(int permits, Duration period) {
        return RateLimiterConfig.custom().limitForPeriod(permits).limitRefreshPeriod(period)
                .timeoutDuration(Duration.ZERO).build();
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        long length = exchange.getRequest().getHeaders().getContentLength();
        if (length > limits.maxBodyBytes()) {
            return ProblemDetailsExceptionHandler.write(exchange, new ApiException(HttpStatus.PAYLOAD_TOO_LARGE,
                    "payload_too_large", "The request body is larger than " + limits.maxBodyBytes() + " bytes."), json);
        }
        return AgentEndpoints.matcher().matches(exchange).flatMap(match -> match.isMatch()
                ? agentKey(exchange).flatMap(keyed -> limit(keyed.exchange(), chain, "agent:" + keyed.key(), agentConfig))
                : ReactiveSecurityContextHolder.getContext()
                        .map(SecurityContext::getAuthentication)
                        .filter(JwtAuthenticationToken.class::isInstance)
                        .map(auth -> ((JwtAuthenticationToken) auth).getToken().getClaimAsString("org"))
                        .flatMap(org -> limit(exchange, chain, "org:" + org, organisationConfig))
                        .switchIfEmpty(Mono.defer(() -> chain.filter(exchange))));
    }

    private Mono<Void> limit(ServerWebExchange exchange, GatewayFilterChain chain, String key, RateLimiterConfig config) {
        long seconds = acquire(key, config);
        if (seconds == 0) {
            return chain.filter(exchange);
        }
        exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
        return ProblemDetailsExceptionHandler.write(exchange, new ApiException(HttpStatus.TOO_MANY_REQUESTS,
                "rate_limited", "Too many requests; retry after " + seconds + " s."), json);
    }

    /**
     * Takes one permit from the organisation's bucket (also used by the gRPC endpoint, which shares these buckets).
     *
     * @return 0 when granted, otherwise the seconds to wait
     */
    public long acquireForOrganisation(String orgId) {
        return acquire("org:" + orgId, organisationConfig);
    }

    /** Takes one permit from the agent's bucket (by the phase token's {@code sub}); like {@link #acquireForOrganisation}. */
    public long acquireForAgent(String phaseToken) {
        return acquire("agent:" + subjectOf(phaseToken), agentConfig);
    }

    private long acquire(String key, RateLimiterConfig config) {
        RateLimiter limiter = buckets.get(key, k -> RateLimiter.of(k, config));
        if (limiter.acquirePermission()) {
            return 0;
        }
        long nanos = limiter instanceof AtomicRateLimiter atomic
                ? atomic.getDetailedMetrics().getNanosToWait() : config.getLimitRefreshPeriod().toNanos();
        return Math.max(1, (long) Math.ceil(nanos / 1e9));
    }

    /** The request (with its body cached when it was read) and the agent bucket it belongs to. */
    private record Keyed(ServerWebExchange exchange, String key) {
    }

    private Mono<Keyed> agentKey(ServerWebExchange exchange) {
        if (exchange.getRequest().getMethod() == HttpMethod.GET) {
            String header = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
            String token = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7) : null;
            return Mono.just(new Keyed(exchange, subjectOf(token)));
        }
        return ServerWebExchangeUtils.cacheRequestBodyAndRequest(exchange, request -> {
            ServerWebExchange cached = exchange.mutate().request(request).build();
            DataBuffer body = cached.getAttribute(ServerWebExchangeUtils.CACHED_REQUEST_BODY_ATTR);
            return Mono.just(new Keyed(cached, subjectOf(phaseTokenOf(body))));
        });
    }

    private String phaseTokenOf(DataBuffer body) {
        if (body == null) {
            return null;
        }
        try {
            JsonNode tree = json.readTree(body.toString(body.readPosition(), body.readableByteCount(), StandardCharsets.UTF_8));
            JsonNode token = tree.path("phase_token");
            return token.isString() ? token.asString() : null;
        } catch (RuntimeException e) {
            return null; // malformed JSON: the service answers 400
        }
    }

    /** The {@code sub} of a JWT's payload, unverified; "anonymous" when there is none. */
    static String subjectOf(String jwt) {
        if (jwt == null || jwt.length() > 8192) {
            return "anonymous";
        }
        String[] parts = jwt.split("\\.", -1);
        if (parts.length != 3) {
            return "anonymous";
        }
        try {
            Map<String, Object> claims = JSONObjectUtils.parse(new Base64URL(parts[1]).decodeToString());
            return Optional.ofNullable(claims.get("sub")).filter(String.class::isInstance).map(String.class::cast)
                    .filter(s -> !s.isBlank() && s.length() <= 256).orElse("anonymous");
        } catch (ParseException | RuntimeException e) {
            return "anonymous";
        }
    }

    @Override
    public int getOrder() {
        // after the identity relay (which runs at HIGHEST_PRECEDENCE + 100), before routing
        return Ordered.HIGHEST_PRECEDENCE + 200;
    }
}
