package io.phasegate.events.common;

import java.util.Map;

/**
 * The details of a rejected command or query, carried across the command and query buses (also between
 * processes with Axon Server) and rendered as RFC 9457 problem details by the HTTP layer.
 *
 * @param code    stable, machine-readable error code ({@code workflow_version_not_higher}, ...)
 * @param status  the HTTP status that fits
 * @param message human-readable detail; never contains secrets
 * @param extra   further members of the problem document (e.g. {@code problems})
 */
public record ErrorDetails(String code, int status, String message, Map<String, Object> extra) {
    public ErrorDetails {
        extra = extra == null ? Map.of() : Map.copyOf(extra);
    }

    public static ErrorDetails of(String code, int status, String message) {
        return new ErrorDetails(code, status, message, Map.of());
    }
}
