package io.phasegate.gateway.grpc;

import com.google.protobuf.Descriptors;
import com.google.protobuf.Message;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.phasegate.gateway.RateLimitFilter;
import io.phasegate.platform.identity.CallerIdentity;

/**
 * The HTTP endpoint's rate limits, with the same buckets ({@link RateLimitFilter}): user and service calls per
 * organisation (known once authenticated), the phase-token RPCs per agent (the phase token's {@code sub}, read
 * unverified from the request message: it only picks the bucket). Over the limit the call closes
 * {@code RESOURCE_EXHAUSTED} {@code rate_limited} with a {@code retry-after} trailer, and nothing is forwarded.
 * Runs inside {@link AuthenticationInterceptor}.
 */
final class RateLimitInterceptor implements ServerInterceptor {

    private final RateLimitFilter limits;

    RateLimitInterceptor(RateLimitFilter limits) {
        this.limits = limits;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                      ServerCallHandler<Q, R> next) {
        CallerIdentity caller = GrpcCalls.caller();
        if (!caller.isPhaseTokenBearer()) {
            long wait = limits.acquireForOrganisation(caller.orgId());
            return wait == 0 ? next.startCall(call, headers) : AuthenticationInterceptor.close(call, limited(wait));
        }
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
            private boolean closed;

            @Override
            public void onMessage(Q message) {
                if (closed) {
                    return;
                }
                long wait = limits.acquireForAgent(phaseTokenOf(message));
                if (wait > 0) {
                    closed = true;
                    io.grpc.StatusException problem = limited(wait);
                    call.close(problem.getStatus(), problem.getTrailers());
                    return;
                }
                super.onMessage(message);
            }

            @Override
            public void onHalfClose() {
                if (!closed) {
                    super.onHalfClose();
                }
            }
        };
    }

    private static io.grpc.StatusException limited(long seconds) {
        return GrpcCalls.problem(Status.RESOURCE_EXHAUSTED, "rate_limited",
                "Too many requests; retry after " + seconds + " s.", null, seconds);
    }

    private static String phaseTokenOf(Object message) {
        if (message instanceof Message m) {
            Descriptors.FieldDescriptor field = m.getDescriptorForType().findFieldByName("phase_token");
            if (field != null && field.getJavaType() == Descriptors.FieldDescriptor.JavaType.STRING) {
                return (String) m.getField(field);
            }
        }
        return null;
    }
}
