package io.phasegate.gateway.grpc;

import io.grpc.Status;
import io.grpc.StatusException;
import org.springframework.http.HttpHeaders;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * A service's problem answer (RFC 9457, with Phasegate's stable {@code code}) as a gRPC status, by HTTP status:
 * <pre>
 * 400, 413, 422 INVALID_ARGUMENT    401 UNAUTHENTICATED     403 PERMISSION_DENIED   404, 410 NOT_FOUND
 * 409 ABORTED (ALREADY_EXISTS when the code says "already_exists"/"duplicate")
 * 412, 428 FAILED_PRECONDITION       429 RESOURCE_EXHAUSTED  501 UNIMPLEMENTED
 * 502, 503, 504 UNAVAILABLE         other 5xx INTERNAL       other 4xx FAILED_PRECONDITION
 * </pre>
 * The description is {@code "<code>: <detail>"}; the trailers carry {@code phasegate-code}, the whole problem
 * document ({@code phasegate-problem-bin}) and {@code retry-after} when the service sent one. The detail of a 5xx is
 * the service's (never a stack trace: the services do not put any in problems).
 */
final class ProblemStatus {

    private ProblemStatus() {
    }

    static Status.Code codeOf(int httpStatus, String code) {
        return switch (httpStatus) {
            case 400, 413, 422 -> Status.Code.INVALID_ARGUMENT;
            case 401 -> Status.Code.UNAUTHENTICATED;
            case 403 -> Status.Code.PERMISSION_DENIED;
            case 404, 410 -> Status.Code.NOT_FOUND;
            case 409 -> code != null && (code.contains("already_exists") || code.contains("duplicate"))
                    ? Status.Code.ALREADY_EXISTS : Status.Code.ABORTED;
            case 412, 428 -> Status.Code.FAILED_PRECONDITION;
            case 429 -> Status.Code.RESOURCE_EXHAUSTED;
            case 501 -> Status.Code.UNIMPLEMENTED;
            case 502, 503, 504 -> Status.Code.UNAVAILABLE;
            default -> httpStatus >= 500 ? Status.Code.INTERNAL : Status.Code.FAILED_PRECONDITION;
        };
    }

    static StatusException of(int httpStatus, String body, HttpHeaders headers, ObjectMapper json) {
        String code = null;
        String detail = null;
        String problem = null;
        try {
            JsonNode tree = body == null || body.isBlank() ? null : json.readTree(body);
            if (tree != null && tree.isObject()) {
                code = text(tree.get("code"));
                detail = text(tree.get("detail"));
                if (detail == null) {
                    detail = text(tree.get("title"));
                }
                problem = json.writeValueAsString(tree);
            }
        } catch (RuntimeException e) {
            // not JSON: the status alone speaks
        }
        if (code == null) {
            code = httpStatus >= 500 ? "service_error" : "http_" + httpStatus;
        }
        if (detail == null) {
            detail = "The service answered HTTP " + httpStatus + ".";
        }
        Long retryAfter = null;
        String header = headers == null ? null : headers.getFirst(HttpHeaders.RETRY_AFTER);
        if (header != null && header.strip().matches("\\d{1,9}")) {
            retryAfter = Long.parseLong(header.strip());
        }
        return GrpcCalls.problem(Status.fromCode(codeOf(httpStatus, code)), code, detail, problem, retryAfter);
    }

    private static String text(JsonNode node) {
        return node != null && node.isString() && !node.asString().isBlank() ? node.asString() : null;
    }
}
