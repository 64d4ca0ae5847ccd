package io.phasegate.query.stream;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code phasegate.streams.*}: the SSE streams.
 *
 * @param heartbeatInterval    how often a {@code : keep-alive} comment is sent (default 15 s, the most SPEC §3 allows)
 * @param bufferSize           records buffered per client while it does not read (default 1000); a client that falls
 *                             further behind is disconnected and resumes with {@code Last-Event-ID}
 * @param maxConnectionsPerOrg concurrent SSE connections per organisation and query-service instance (default 100);
 *                             more answer 429 {@code too_many_streams}
 * @param pageSize             records read from the table per query while catching up (default 200)
 * @param tailInterval         how often this instance looks for records another instance appended, for the live
 *                             streams it serves (default 50 ms; records the projection of this instance appends are
 *                             passed on at once)
 */
@ConfigurationProperties("phasegate.streams")
public record StreamProperties(Duration heartbeatInterval, Integer bufferSize, Integer maxConnectionsPerOrg,
                               Integer pageSize, Duration tailInterval) {

    public StreamProperties {
        heartbeatInterval = heartbeatInterval == null ? Duration.ofSeconds(15) : heartbeatInterval;
        bufferSize = bufferSize == null ? 1000 : bufferSize;
        maxConnectionsPerOrg = maxConnectionsPerOrg == null ? 100 : maxConnectionsPerOrg;
        pageSize = pageSize == null ? 200 : pageSize;
        tailInterval = tailInterval == null ? Duration.ofMillis(50) : tailInterval;
        if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
            throw new IllegalArgumentException("phasegate.streams.heartbeat-interval must be positive");
        }
        if (tailInterval.isNegative() || tailInterval.isZero()) {
            throw new IllegalArgumentException("phasegate.streams.tail-interval must be positive");
        }
        if (bufferSize < 1 || maxConnectionsPerOrg < 1 || pageSize < 1) {
            throw new IllegalArgumentException(
                    "phasegate.streams.buffer-size, max-connections-per-org and page-size must be at least 1");
        }
    }
}
