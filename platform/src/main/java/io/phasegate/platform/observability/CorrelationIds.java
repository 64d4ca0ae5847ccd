package io.phasegate.platform.observability;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.axonframework.messaging.Message;
import org.slf4j.MDC;
import reactor.util.context.ContextView;

/**
 * The correlation id of a request (docs/operations.md "Correlation ids"): the gateway accepts a client's
 * {@value #HEADER} when it is {@link #isValid valid} and generates one otherwise, returns it in the response and
 * forwards it to the services. There it travels in the Reactor context of the request ({@link #CONTEXT_KEY}), in the
 * MDC of the threads that work for it ({@link #MDC_KEY}) and in the metadata of the Axon messages it causes
 * ({@link #METADATA_KEY}, and as Axon's {@code traceId}, which the audit trail records as the correlation id).
 */
public final class CorrelationIds {

    /** The HTTP header, in requests and responses. */
    public static final String HEADER = "X-Correlation-Id";
    /** The MDC key (a field of every JSON log line written while the id is known). */
    public static final String MDC_KEY = "correlation_id";
    /** The Axon message metadata key. */
    public static final String METADATA_KEY = "correlation_id";
    /** Axon's {@code MessageOriginProvider} key of the chain's root: the audit trail's correlation id. */
    public static final String TRACE_ID_KEY = "traceId";
    /** The Reactor context key of a request's correlation id. */
    public static final String CONTEXT_KEY = CorrelationIds.class.getName();

    public static final int MAX_LENGTH = 64;
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:\\-]{0," + (MAX_LENGTH - 1) + "}");

    private CorrelationIds() {
    }

    /**
     * Whether a client's correlation id is kept: 1 to {@value #MAX_LENGTH} characters of letters, digits and
     * {@code . _ : -}, starting with a letter or digit. Anything else (spaces, quotes, control characters, a JWT's
     * length) is replaced, so the id is safe in headers, log lines and metadata.
     */
    public static boolean isValid(String candidate) {
        return candidate != null && SAFE.matcher(candidate).matches();
    }

    public static String generate() {
        return UUID.randomUUID().toString();
    }

    /** The client's id when it is valid, a new one otherwise. */
    public static String acceptOrGenerate(String candidate) {
        return isValid(candidate) ? candidate : generate();
    }

    /** The correlation id of the request whose Reactor context this is. */
    public static Optional<String> from(ContextView context) {
        return context.getOrEmpty(CONTEXT_KEY).map(String::valueOf);
    }

    /** The correlation id the current thread works for (MDC). */
    public static Optional<String> current() {
        return Optional.ofNullable(MDC.get(MDC_KEY));
    }

    /** The correlation id carried by a message's metadata, if it is a valid one. */
    public static Optional<String> of(Message<?> message) {
        Object value = message.getMetaData().get(METADATA_KEY);
        return value instanceof String id && isValid(id) ? Optional.of(id) : Optional.empty();
    }

    /**
     * {@code work}, run with the correlation id of {@code context} (if any) in the MDC; the MDC entry it replaced is
     * put back afterwards (pooled threads carry nothing over).
     */
    public static <T> Callable<T> inMdc(ContextView context, Callable<T> work) {
        Optional<String> id = from(context);
        if (id.isEmpty()) {
            return work;
        }
        return () -> callWith(id.get(), work);
    }

    /** Runs {@code work} with {@code id} as the MDC's correlation id, restoring the previous one afterwards. */
    public static <T> T callWith(String id, Callable<T> work) throws Exception {
        String previous = MDC.get(MDC_KEY);
        MDC.put(MDC_KEY, id);
        try {
            return work.call();
        } finally {
            restore(previous);
        }
    }

    static void restore(String previous) {
        if (previous == null) {
            MDC.remove(MDC_KEY);
        } else {
            MDC.put(MDC_KEY, previous);
        }
    }

    /** Metadata entries that tie a message dispatched for {@code id} to it. */
    static Map<String, String> metadataFor(String id) {
        return Map.of(METADATA_KEY, id, TRACE_ID_KEY, id);
    }
}
