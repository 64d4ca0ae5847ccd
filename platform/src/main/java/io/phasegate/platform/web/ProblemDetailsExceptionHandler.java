package io.phasegate.platform.web;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.web.bind.support.WebExchangeBindException;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.NotAcceptableStatusException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Renders every failure as RFC 9457 {@code application/problem+json} with a stable {@code code}. Messages of
 * unexpected exceptions never reach the client (no stack traces, no class names): they are logged with the
 * request id, which the response repeats as {@code request_id}.
 */
public class ProblemDetailsExceptionHandler implements WebExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemDetailsExceptionHandler.class);
    public static final MediaType PROBLEM_JSON = MediaType.APPLICATION_PROBLEM_JSON;
    /** Largest announced body that is still read (and discarded) before a 413 is answered. */
    static final long DRAIN_LIMIT_BYTES = 16L * 1024 * 1024;

    private final ObjectMapper json;
    private final List<ProblemMapper> mappers;

    public ProblemDetailsExceptionHandler(ObjectMapper json, List<ProblemMapper> mappers) {
        this.json = json;
        this.mappers = List.copyOf(mappers);
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable error) {
        if (exchange.getResponse().isCommitted()) {
            return Mono.error(error);
        }
        ApiException problem = toProblem(error, exchange);
        return write(exchange, problem, json);
    }

    /** Writes a problem document; also used by filters that reject a request before any handler runs. */
    public static Mono<Void> write(ServerWebExchange exchange, ApiException problem, ObjectMapper json) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "https://phasegate.io/problems/" + problem.code().replace('_', '-'));
        body.put("title", problem.status().getReasonPhrase());
        body.put("status", problem.status().value());
        body.put("code", problem.code());
        body.put("detail", problem.getMessage());
        body.put("instance", exchange.getRequest().getPath().value());
        body.put("request_id", exchange.getRequest().getId());
        problem.extra().forEach(body::putIfAbsent);
        byte[] bytes = json.writeValueAsBytes(body);
        var response = exchange.getResponse();
        response.setStatusCode(problem.status());
        response.getHeaders().setContentType(PROBLEM_JSON);
        response.getHeaders().setContentLength(bytes.length);
        if (problem.status() == HttpStatus.UNAUTHORIZED) {
            response.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        }
        if (problem.status() == HttpStatus.PAYLOAD_TOO_LARGE) {
            response.getHeaders().setConnection("close");
            long announced = exchange.getRequest().getHeaders().getContentLength();
            if (announced < 0 || announced > DRAIN_LIMIT_BYTES) {
                // do not read the rest of an unbounded or huge body
                return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(bytes)));
            }
            // A body of announced, bounded size is read and discarded first: closing the connection with unread
            // bytes makes TCP reset it, and the client loses the 413 (seen by the fuzz suite, ADR 0012).
        }
        // Read what is left of the request before answering: a response that completes while the request is still
        // being received (an error raised on the event loop before the handler consumed it) left the kept-alive
        // connection unable to serve the next request (seen with Reactor Netty; covered by the end-to-end suite).
        return exchange.getRequest().getBody()
                .doOnNext(DataBufferUtils::release)
                .onErrorResume(e -> Mono.empty())
                .then(Mono.defer(() -> response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(bytes)))));
    }

    ApiException toProblem(Throwable error, ServerWebExchange exchange) {
        if (error instanceof ApiException api) {
            return api;
        }
        for (ProblemMapper mapper : mappers) {
            Optional<ApiException> mapped = mapper.map(error);
            if (mapped.isPresent()) {
                return mapped.get();
            }
        }
        if (error instanceof WebExchangeBindException bind) {
            return new ApiException(HttpStatus.BAD_REQUEST, "validation_failed", "The request has invalid fields.",
                    Map.of("problems", bind.getFieldErrors().stream()
                            .map(f -> Map.of("field", f.getField(), "message", String.valueOf(f.getDefaultMessage())))
                            .toList()));
        }
        if (error instanceof UnsupportedMediaTypeStatusException media) {
            return new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                    "Content type " + media.getContentType() + " is not supported here; use one of "
                            + media.getSupportedMediaTypes() + ".");
        }
        if (error instanceof MethodNotAllowedException) {
            return new ApiException(HttpStatus.METHOD_NOT_ALLOWED, "method_not_allowed",
                    "Method " + exchange.getRequest().getMethod() + " is not allowed here.");
        }
        if (error instanceof NotAcceptableStatusException) {
            return new ApiException(HttpStatus.NOT_ACCEPTABLE, "not_acceptable", "No acceptable representation.");
        }
        if (causedBy(error, DataBufferLimitException.class)) {
            return new ApiException(HttpStatus.PAYLOAD_TOO_LARGE, "payload_too_large", "The request body is too large.");
        }
        if (error instanceof ServerWebInputException input) {
            return new ApiException(HttpStatus.BAD_REQUEST, "malformed_request", describeInput(input));
        }
        if (error instanceof ResponseStatusException status) {
            HttpStatusCode code = status.getStatusCode();
            HttpStatus resolved = HttpStatus.resolve(code.value());
            if (resolved != null && resolved.is4xxClientError()) {
                String reason = resolved == HttpStatus.NOT_FOUND ? "No such resource." : resolved.getReasonPhrase() + ".";
                return new ApiException(resolved, resolved.name().toLowerCase(), reason);
            }
        }
        if (storageUnavailable(error)) {
            // the database (or the connection to it) is down: a retryable answer, not an internal error
            log.warn("Storage unavailable on {} {} [request_id={}]: {}", exchange.getRequest().getMethod(),
                    exchange.getRequest().getPath(), exchange.getRequest().getId(), error.getClass().getName());
            return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "storage_unavailable",
                    "The database is not reachable right now; retry shortly.", Map.of("retry_after_seconds", 2));
        }
        log.error("Unhandled error on {} {} [request_id={}]", exchange.getRequest().getMethod(),
                exchange.getRequest().getPath(), exchange.getRequest().getId(), error);
        return new ApiException(HttpStatus.INTERNAL_SERVER_ERROR, "internal_error",
                "An unexpected error occurred; quote the request_id when reporting it.");
    }

    private static String describeInput(ServerWebInputException input) {
        Throwable cause = input.getCause();
        if (cause instanceof DecodingException) {
            // Jackson's messages name classes and repeat client input; build the message from the field path only.
            UnrecognizedPropertyException unknown = causeOf(cause, UnrecognizedPropertyException.class);
            if (unknown != null) {
                return "The request body has an unknown field" + field(unknown) + ".";
            }
            MismatchedInputException mismatch = causeOf(cause, MismatchedInputException.class);
            if (mismatch != null) {
                return "The request body has a field of the wrong type" + field(mismatch) + ".";
            }
            return "The request body is not valid JSON.";
        }
        if (input.getMethodParameter() != null) {
            return "Request parameter '" + input.getMethodParameter().getParameterName() + "' is missing or invalid.";
        }
        return "The request is malformed.";
    }

    /** The JSON path of the offending field, e.g. {@code 'depends_on[0]'}, or nothing at the document's root. */
    private static String field(DatabindException error) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference reference : error.getPath()) {
            if (reference.getPropertyName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(reference.getPropertyName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        String text = path.toString();
        return text.isEmpty() || text.length() > 200 || !text.matches("[A-Za-z0-9_.\\[\\]]+") ? "" : " '" + text + "'";
    }

    private static <T extends Throwable> T causeOf(Throwable error, Class<T> type) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    /** Spring's "cannot reach the resource" exceptions, by name (spring-tx/spring-jdbc are optional here). */
    private static final java.util.Set<String> STORAGE_UNAVAILABLE = java.util.Set.of(
            "org.springframework.dao.DataAccessResourceFailureException",
            "org.springframework.jdbc.CannotGetJdbcConnectionException",
            "org.springframework.transaction.CannotCreateTransactionException");

    /**
     * Whether {@code error} says the database cannot be reached: a connection failure (SQL state class 08, a
     * transient or non-transient connection exception, a recoverable one) or Spring's wrappers of those.
     */
    static boolean storageUnavailable(Throwable error) {
        int depth = 0;
        for (Throwable t = error; t != null && depth < 32; t = t.getCause(), depth++) {
            if (t instanceof java.sql.SQLTransientConnectionException
                    || t instanceof java.sql.SQLNonTransientConnectionException
                    || t instanceof java.sql.SQLRecoverableException
                    || t instanceof java.net.ConnectException) {
                return true;
            }
            if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null
                    && sql.getSQLState().startsWith("08")) {
                return true;
            }
            if (t instanceof java.sql.SQLException sql && closedByThePool(sql)) {
                return true;
            }
            for (Class<?> type = t.getClass(); type != null; type = type.getSuperclass()) {
                if (STORAGE_UNAVAILABLE.contains(type.getName())) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * A connection the pool closed under a running command because it broke (the database went away): Hikari's
     * closed-connection proxy throws a plain {@code SQLException("Connection is closed")} without an SQL state.
     */
    private static boolean closedByThePool(java.sql.SQLException sql) {
        if (sql.getSQLState() != null || !"Connection is closed".equals(sql.getMessage())) {
            return false;
        }
        StackTraceElement[] frames = sql.getStackTrace();
        for (int i = 0; i < Math.min(4, frames.length); i++) {
            if (frames[i].getClassName().startsWith("com.zaxxer.hikari.pool.ProxyConnection")) {
                return true;
            }
        }
        return false;
    }

    private static boolean causedBy(Throwable error, Class<? extends Throwable> type) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

}
