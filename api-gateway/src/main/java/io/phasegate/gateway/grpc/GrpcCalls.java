package io.phasegate.gateway.grpc;

import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusException;
import io.phasegate.platform.identity.CallerIdentity;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

/** Metadata keys and call context of the gRPC endpoint. */
final class GrpcCalls {

    /** The authenticated caller (or the phase-token bearer), set by {@link AuthenticationInterceptor}. */
    static final Context.Key<CallerIdentity> CALLER = Context.key("phasegate-caller");
    /** The {@code idempotency-key} metadata of the call, if any. */
    static final Context.Key<String> IDEMPOTENCY_KEY = Context.key("phasegate-idempotency-key");
    /** Set when the service answered a keyed request with its stored response (HTTP {@code Idempotent-Replayed}). */
    static final Context.Key<AtomicBoolean> REPLAYED = Context.key("phasegate-idempotent-replayed");

    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> IDEMPOTENCY = Metadata.Key.of("idempotency-key", Metadata.ASCII_STRING_MARSHALLER);
    /** Response header {@code idempotent-replayed: true}: the response is the stored answer to an earlier request. */
    static final Metadata.Key<String> IDEMPOTENT_REPLAYED = Metadata.Key.of("idempotent-replayed",
            Metadata.ASCII_STRING_MARSHALLER);
    /** Trailer: the problem's stable {@code code}. */
    static final Metadata.Key<String> CODE = Metadata.Key.of("phasegate-code", Metadata.ASCII_STRING_MARSHALLER);
    /** Trailer: the whole problem document (JSON, UTF-8), with its extra members (e.g. {@code errors}, {@code call_id}). */
    static final Metadata.Key<byte[]> PROBLEM = Metadata.Key.of("phasegate-problem-bin", Metadata.BINARY_BYTE_MARSHALLER);
    /** Trailer: seconds to wait before retrying (rate limits). */
    static final Metadata.Key<String> RETRY_AFTER = Metadata.Key.of("retry-after", Metadata.ASCII_STRING_MARSHALLER);

    private GrpcCalls() {
    }

    static CallerIdentity caller() {
        CallerIdentity caller = CALLER.get();
        if (caller == null) {
            throw new IllegalStateException("No authenticated caller in the gRPC context");
        }
        return caller;
    }

    /** A status with the problem's code in the description and in the trailers. */
    static StatusException problem(Status status, String code, String detail, String problemJson, Long retryAfter) {
        Metadata trailers = new Metadata();
        trailers.put(CODE, code);
        if (problemJson != null) {
            trailers.put(PROBLEM, problemJson.getBytes(StandardCharsets.UTF_8));
        }
        if (retryAfter != null) {
            trailers.put(RETRY_AFTER, Long.toString(retryAfter));
        }
        return status.withDescription(code + ": " + detail).asException(trailers);
    }
}
