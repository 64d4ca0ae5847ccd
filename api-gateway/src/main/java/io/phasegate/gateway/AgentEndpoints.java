package io.phasegate.gateway;

import java.util.ArrayList;
import java.util.List;
import org.springframework.http.HttpMethod;
import org.springframework.security.web.server.util.matcher.OrServerWebExchangeMatcher;
import org.springframework.security.web.server.util.matcher.PathPatternParserServerWebExchangeMatcher;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatcher;

/**
 * The agent endpoints of SPEC §4.1 whose credential is the phase token (in the body, or the {@code Authorization}
 * header of {@code state/snapshot}), not a user JWT. The gateway does not authenticate them itself: it forwards them
 * with the {@link io.phasegate.platform.identity.CallerIdentity#phaseTokenBearer() phase-token bearer} identity, and
 * the service verifies the phase token in full (signature, {@code typ}, issuer, audience, expiry, generation,
 * claimant). {@code tasks/claim} is not among them: claiming needs a user or service JWT.
 */
final class AgentEndpoints {

    static final List<String> POST_PATHS = List.of(
            "/api/v1/tasks/transition",
            "/api/v1/tasks/heartbeat",
            "/api/v1/tasks/release",
            "/api/v1/tokens/refresh",
            "/api/v1/tools/execute",
            "/api/v1/tools/calls/{callId}/outcome");
    static final List<String> GET_PATHS = List.of("/api/v1/state/snapshot");

    private static final ServerWebExchangeMatcher MATCHER = new OrServerWebExchangeMatcher(matchers());

    private AgentEndpoints() {
    }

    static ServerWebExchangeMatcher matcher() {
        return MATCHER;
    }

    private static List<ServerWebExchangeMatcher> matchers() {
        List<ServerWebExchangeMatcher> matchers = new ArrayList<>();
        POST_PATHS.forEach(path -> matchers.add(new PathPatternParserServerWebExchangeMatcher(path, HttpMethod.POST)));
        GET_PATHS.forEach(path -> matchers.add(new PathPatternParserServerWebExchangeMatcher(path, HttpMethod.GET)));
        return matchers;
    }
}
