package io.phasegate.command.adapter;

/**
 * A provider call failed. {@code retryable} failures (time-outs, 5xx, throttling, injected transient faults) are
 * retried with back-off by the calling process; the others (rejected credentials, invalid spec, 4xx) end the
 * operation. The message is recorded in events and shown to users: it must never contain credential values.
 */
public class AdapterException extends RuntimeException {

    private final boolean retryable;
    private final String code;

    public AdapterException(String code, String message, boolean retryable) {
        super(message);
        this.code = code;
        this.retryable = retryable;
    }

    public AdapterException(String code, String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.retryable = retryable;
    }

    public static AdapterException transientFailure(String code, String message) {
        return new AdapterException(code, message, true);
    }

    public static AdapterException permanentFailure(String code, String message) {
        return new AdapterException(code, message, false);
    }

    public boolean retryable() {
        return retryable;
    }

    public String code() {
        return code;
    }
}
