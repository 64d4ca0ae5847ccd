package io.phasegate.command.adapter.http;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The built-in {@code http} adapter ({@code phasegate.adapters.http.*}, see {@code docs/adapters.md}).
 *
 * @param allowedBaseUrls base URLs (scheme, host, port and path prefix) a dock's {@code base_url} may point at;
 *                        empty (the default) allows none. Env {@code PHASEGATE_HTTP_ADAPTER_ALLOWED_BASE_URLS}, a
 *                        comma list.
 * @param timeout         how long one call may take in all, connecting and reading the response included (10 s)
 * @param connectTimeout  how long connecting may take (default: the smaller of {@code timeout} and 5 s)
 * @param maxResponseSize largest response body accepted (1 MB)
 */
@ConfigurationProperties("phasegate.adapters.http")
public record HttpAdapterProperties(List<String> allowedBaseUrls, Duration timeout, Duration connectTimeout,
                                    DataSize maxResponseSize) {

    public HttpAdapterProperties {
        allowedBaseUrls = allowedBaseUrls == null ? List.of()
                : allowedBaseUrls.stream().filter(u -> u != null && !u.isBlank()).map(String::trim).toList();
        timeout = timeout == null ? Duration.ofSeconds(10) : timeout;
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalStateException("phasegate.adapters.http.timeout must be positive");
        }
        if (connectTimeout == null) {
            connectTimeout = timeout.compareTo(Duration.ofSeconds(5)) < 0 ? timeout : Duration.ofSeconds(5);
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalStateException("phasegate.adapters.http.connect-timeout must be positive");
        }
        maxResponseSize = maxResponseSize == null ? DataSize.ofMegabytes(1) : maxResponseSize;
        if (maxResponseSize.toBytes() <= 0 || maxResponseSize.toBytes() > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("phasegate.adapters.http.max-response-size is out of range");
        }
    }

    public static HttpAdapterProperties allowing(List<String> allowedBaseUrls, Duration timeout) {
        return new HttpAdapterProperties(allowedBaseUrls, timeout, null, null);
    }
}
