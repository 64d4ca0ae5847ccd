package io.phasegate.command.adapter.local;

import io.phasegate.command.adapter.AdapterException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How a call of the local provider is slowed down or made to fail, resolved from (weakest first) the configuration,
 * the dock's settings and the request's {@code _inject} spec member; each level replaces the values it names.
 *
 * <ul>
 *   <li>configuration: {@code phasegate.adapters.local.latency}, {@code fail-times}, {@code failure-mode};</li>
 *   <li>dock settings: {@code latency_ms}, {@code fail_times}, {@code fail_mode};</li>
 *   <li>spec (provision and update only): {@code "_inject": {"fail_times": 2, "mode": "transient", "delay_ms":
 *       3000, "reason": "..."}}.</li>
 * </ul>
 * The first {@code failTimes} attempts of an operation (one idempotency key) fail; a transient failure is retryable,
 * so a retrying process ends with the operation done, a permanent one is not.
 */
record FailureInjection(int failTimes, Mode mode, long delayMillis, String reason) {

    static final String SPEC_MEMBER = "_inject";
    static final String SETTING_LATENCY = "latency_ms";
    static final String SETTING_FAIL_TIMES = "fail_times";
    static final String SETTING_FAIL_MODE = "fail_mode";

    static final int MAX_FAIL_TIMES = 1000;
    static final long MAX_DELAY_MILLIS = 600_000;
    static final int MAX_REASON_LENGTH = 200;
    private static final Set<String> SPEC_FIELDS = Set.of("fail_times", "mode", "delay_ms", "reason");

    enum Mode {
        TRANSIENT, PERMANENT;

        static Mode parse(String value) {
            if (value == null) {
                return null;
            }
            return switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "transient" -> TRANSIENT;
                case "permanent" -> PERMANENT;
                default -> null;
            };
        }
    }

    static FailureInjection fromConfiguration(LocalProviderProperties properties) {
        return new FailureInjection(properties.failTimes(), Mode.parse(properties.failureMode()),
                properties.latency().toMillis(), null);
    }

    /** Applies a dock's settings; an invalid value is a permanent {@code invalid_settings} failure. */
    FailureInjection withSettings(Map<String, String> settings) {
        int times = failTimes;
        Mode m = mode;
        long delay = delayMillis;
        if (settings.containsKey(SETTING_LATENCY)) {
            delay = integer(settings.get(SETTING_LATENCY), MAX_DELAY_MILLIS, "invalid_settings",
                    "dock setting latency_ms");
        }
        if (settings.containsKey(SETTING_FAIL_TIMES)) {
            times = (int) integer(settings.get(SETTING_FAIL_TIMES), MAX_FAIL_TIMES, "invalid_settings",
                    "dock setting fail_times");
        }
        if (settings.containsKey(SETTING_FAIL_MODE)) {
            m = Mode.parse(settings.get(SETTING_FAIL_MODE));
            if (m == null) {
                throw AdapterException.permanentFailure("invalid_settings",
                        "dock setting fail_mode must be transient or permanent");
            }
        }
        return new FailureInjection(times, m, delay, reason);
    }

    /** Applies a request spec's {@code _inject} member; an invalid one is a permanent {@code invalid_spec} failure. */
    FailureInjection withSpec(Map<String, Object> spec) {
        Object raw = spec.get(SPEC_MEMBER);
        if (raw == null) {
            return this;
        }
        if (!(raw instanceof Map<?, ?> inject)) {
            throw AdapterException.permanentFailure("invalid_spec", "_inject must be an object");
        }
        for (Object field : inject.keySet()) {
            if (!SPEC_FIELDS.contains(String.valueOf(field))) {
                throw AdapterException.permanentFailure("invalid_spec",
                        "_inject accepts only fail_times, mode, delay_ms and reason");
            }
        }
        int times = failTimes;
        Mode m = mode;
        long delay = delayMillis;
        String why = reason;
        if (inject.containsKey("fail_times")) {
            times = (int) integer(inject.get("fail_times"), MAX_FAIL_TIMES, "invalid_spec", "_inject.fail_times");
        }
        if (inject.containsKey("delay_ms")) {
            delay = integer(inject.get("delay_ms"), MAX_DELAY_MILLIS, "invalid_spec", "_inject.delay_ms");
        }
        if (inject.containsKey("mode")) {
            m = inject.get("mode") instanceof String s ? Mode.parse(s) : null;
            if (m == null) {
                throw AdapterException.permanentFailure("invalid_spec", "_inject.mode must be transient or permanent");
            }
        }
        if (inject.containsKey("reason")) {
            if (!(inject.get("reason") instanceof String s) || s.isBlank() || s.length() > MAX_REASON_LENGTH
                    || s.chars().anyMatch(Character::isISOControl)) {
                throw AdapterException.permanentFailure("invalid_spec",
                        "_inject.reason must be a single-line text of at most " + MAX_REASON_LENGTH + " characters");
            }
            why = (String) inject.get("reason");
        }
        return new FailureInjection(times, m, delay, why);
    }

    /** The failure of attempt number {@code attempt} (1-based) of an operation, or null when it may proceed. */
    AdapterException failureOf(String operation, int attempt) {
        if (attempt > failTimes) {
            return null;
        }
        String detail = reason == null ? "" : ": " + reason;
        if (mode == Mode.PERMANENT) {
            return AdapterException.permanentFailure("injected_permanent_failure",
                    "the local provider failed " + operation + " permanently (injected failure" + detail + ")");
        }
        return AdapterException.transientFailure("injected_transient_failure",
                "the local provider failed " + operation + " (injected transient failure " + attempt + " of "
                        + failTimes + detail + ")");
    }

    private static long integer(Object value, long max, String code, String what) {
        long parsed;
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            parsed = ((Number) value).longValue();
        } else if (value instanceof String s && s.trim().matches("\\d{1,9}")) {
            parsed = Long.parseLong(s.trim());
        } else {
            throw AdapterException.permanentFailure(code, what + " must be a whole number from 0 to " + max);
        }
        if (parsed < 0 || parsed > max) {
            throw AdapterException.permanentFailure(code, what + " must be a whole number from 0 to " + max);
        }
        return parsed;
    }
}
