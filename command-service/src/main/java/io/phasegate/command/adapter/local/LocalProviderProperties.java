package io.phasegate.command.adapter.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The built-in {@code local} provider ({@code phasegate.adapters.local.*}, see {@code docs/adapters.md}).
 *
 * @param directory       where the provider keeps its resources, one JSON file per resource, per organisation/dock
 * @param latency         delay added to every call (default none); a dock's {@code latency_ms} setting or a
 *                        request's {@code _inject.delay_ms} replace it
 * @param credentialField the credential field that must be present, non-blank and not start with {@code invalid}
 * @param failTimes       failure injection for every dock: the first {@code failTimes} attempts of each operation
 *                        (idempotency key) of provision/update/deprovision fail (default 0 = none)
 * @param failureMode     {@code transient} (retryable, default) or {@code permanent}
 */
@ConfigurationProperties("phasegate.adapters.local")
public record LocalProviderProperties(String directory, Duration latency, String credentialField, Integer failTimes,
                                      String failureMode) {

    public LocalProviderProperties {
        directory = directory == null || directory.isBlank() ? "./data/local-provider" : directory.trim();
        latency = latency == null ? Duration.ZERO : latency;
        if (latency.isNegative()) {
            throw new IllegalStateException("phasegate.adapters.local.latency must not be negative");
        }
        credentialField = credentialField == null || credentialField.isBlank() ? "api_key" : credentialField.trim();
        failTimes = failTimes == null ? 0 : failTimes;
        if (failTimes < 0) {
            throw new IllegalStateException("phasegate.adapters.local.fail-times must not be negative");
        }
        failureMode = failureMode == null || failureMode.isBlank() ? "transient"
                : failureMode.trim().toLowerCase(Locale.ROOT);
        if (FailureInjection.Mode.parse(failureMode) == null) {
            throw new IllegalStateException("phasegate.adapters.local.failure-mode must be transient or permanent");
        }
    }

    public static LocalProviderProperties at(Path directory) {
        return new LocalProviderProperties(directory.toString(), null, null, null, null);
    }

    public Path directoryPath() {
        return Path.of(directory);
    }
}
