package io.phasegate.platform.axon;

import io.phasegate.events.common.ErrorDetails;
import java.util.Map;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.queryhandling.QueryExecutionException;

/**
 * Domain rejections thrown by command and query handlers. The {@link ErrorDetails} travel with the exception (also
 * between processes) and become the problem document's {@code code}, status and detail.
 */
public final class Rejections {

    private Rejections() {
    }

    public static CommandExecutionException command(String code, int status, String message) {
        return command(code, status, message, Map.of());
    }

    public static CommandExecutionException command(String code, int status, String message, Map<String, Object> extra) {
        return new CommandExecutionException(message, null, new ErrorDetails(code, status, message, extra));
    }

    public static QueryExecutionException query(String code, int status, String message) {
        return new QueryExecutionException(message, null, ErrorDetails.of(code, status, message));
    }
}
