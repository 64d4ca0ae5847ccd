package io.phasegate.gateway.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusException;
import io.phasegate.gateway.InternalIdentityRelay;
import io.phasegate.grpc.v1.AgentServiceGrpc;
import io.phasegate.platform.identity.CallerIdentity;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;

/**
 * Authenticates every call like the HTTP chain does: a user or service bearer token in the {@code authorization}
 * metadata, validated by the gateway's own {@code userTokenDecoder} (pinned algorithms, {@code typ}, issuer,
 * audience, expiry/not-before, {@code sub}, {@code org}); a missing or invalid token closes the call
 * {@code UNAUTHENTICATED} before any message is read, so nothing reaches a service. The agent RPCs whose credential is
 * the phase token in the request pass as the phase-token bearer, and the service verifies the token (as for
 * {@code AgentEndpoints} over HTTP).
 *
 * <p>Validation runs on the gRPC call executor (never an event loop) and waits for the reactive decoder, bounded by
 * {@code phasegate.grpc.auth-timeout}.
 */
final class AuthenticationInterceptor implements ServerInterceptor {

    private static final Logger log = LoggerFactory.getLogger(AuthenticationInterceptor.class);

    /** The RPCs authenticated by the phase token in the request (all of AgentService but ClaimTask). */
    static final Set<String> PHASE_TOKEN_METHODS = Set.of(
            AgentServiceGrpc.getTransitionTaskMethod().getFullMethodName(),
            AgentServiceGrpc.getAuthorizeToolCallMethod().getFullMethodName(),
            AgentServiceGrpc.getReportToolOutcomeMethod().getFullMethodName(),
            AgentServiceGrpc.getRefreshPhaseTokenMethod().getFullMethodName(),
            AgentServiceGrpc.getHeartbeatMethod().getFullMethodName(),
            AgentServiceGrpc.getReleaseTaskMethod().getFullMethodName());

    private final ReactiveJwtDecoder decoder;
    private final Duration timeout;

    AuthenticationInterceptor(ReactiveJwtDecoder decoder, Duration timeout) {
        this.decoder = decoder;
        this.timeout = timeout;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                      ServerCallHandler<Q, R> next) {
        String idempotencyKey = headers.get(GrpcCalls.IDEMPOTENCY);
        if (PHASE_TOKEN_METHODS.contains(call.getMethodDescriptor().getFullMethodName())) {
            return proceed(CallerIdentity.phaseTokenBearer(), idempotencyKey, call, headers, next);
        }
        String token = bearer(headers.get(GrpcCalls.AUTHORIZATION));
        if (token == null) {
            return refuse(call, "A valid bearer token is required.");
        }
        Jwt jwt;
        try {
            jwt = decoder.decode(token).block(timeout);
        } catch (JwtException e) {
            return refuse(call, "A valid bearer token is required.");
        } catch (RuntimeException e) {
            log.warn("Bearer token validation failed: {}", e.toString());
            return close(call, GrpcCalls.problem(Status.UNAVAILABLE, "authentication_unavailable",
                    "The bearer token cannot be validated now; retry later.", null, null));
        }
        if (jwt == null) {
            return refuse(call, "A valid bearer token is required.");
        }
        return proceed(InternalIdentityRelay.identityOf(jwt), idempotencyKey, call, headers, next);
    }

    private static <Q, R> ServerCall.Listener<Q> proceed(CallerIdentity caller, String idempotencyKey,
                                                         ServerCall<Q, R> call, Metadata headers,
                                                         ServerCallHandler<Q, R> next) {
        AtomicBoolean replayed = new AtomicBoolean();
        Context context = Context.current().withValues(GrpcCalls.CALLER, caller,
                GrpcCalls.IDEMPOTENCY_KEY, idempotencyKey, GrpcCalls.REPLAYED, replayed);
        // a replayed answer says so in the response headers, as HTTP's Idempotent-Replayed does
        ServerCall<Q, R> marking = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void sendHeaders(Metadata responseHeaders) {
                if (replayed.get()) {
                    responseHeaders.put(GrpcCalls.IDEMPOTENT_REPLAYED, "true");
                }
                super.sendHeaders(responseHeaders);
            }
        };
        return Contexts.interceptCall(context, marking, headers, next);
    }

    private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, String detail) {
        return close(call, GrpcCalls.problem(Status.UNAUTHENTICATED, "unauthenticated", detail, null, null));
    }

    static <Q, R> ServerCall.Listener<Q> close(ServerCall<Q, R> call, StatusException problem) {
        call.close(problem.getStatus(), problem.getTrailers());
        return new ServerCall.Listener<>() {
        };
    }

    static String bearer(String header) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = header.substring(7).strip();
        return token.isEmpty() ? null : token;
    }
}
