package io.phasegate.platform.observability;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import reactor.core.publisher.Mono;

/**
 * Readiness of the database within a bounded time: a pooled connection that answers {@code isValid} within
 * {@code timeout} (2 s, below the probes' 3 s), else DOWN. Spring Boot's {@code db} indicator waits for the pool's
 * connection time-out (10 s) and more while the database is unreachable, longer than any probe waits; this one
 * answers in time and leaves the slow attempt to finish in the background. Reactive: the check runs on a thread of
 * its own and the answer does not wait for Reactor's shared {@code boundedElastic} scheduler, on which a WebFlux
 * application runs blocking health indicators ({@link AvailabilityStateIndicator}).
 */
public class DatabaseHealthIndicator implements ReactiveHealthIndicator, AutoCloseable {

    private final DataSource dataSource;
    private final Duration timeout;
    private final ExecutorService checks = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "database-readiness");
        t.setDaemon(true);
        return t;
    });

    public DatabaseHealthIndicator(DataSource dataSource, Duration timeout) {
        this.dataSource = dataSource;
        this.timeout = timeout;
    }

    @Override
    public Mono<Health> health() {
        return Mono.fromFuture(() -> CompletableFuture.supplyAsync(this::validConnection, checks), true)
                .timeout(timeout)
                .map(valid -> {
                    if (valid) {
                        return Health.up().build();
                    }
                    renewPool();
                    return Health.down().withDetail("reason", "no valid connection").build();
                })
                .onErrorResume(TimeoutException.class, e -> Mono.just(Health.down()
                        .withDetail("reason", "no connection within " + timeout.toMillis() + " ms").build()))
                .onErrorResume(e -> Mono.just(Health.down().build()));
    }

    private boolean validConnection() {
        try (Connection connection = dataSource.getConnection()) {
            return connection.isValid((int) Math.max(1, timeout.toSeconds()));
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * After a failed check, the pooled connections are replaced as they are next used: a connection broken by an
     * outage is not always recognised as such by the pool (H2's client reports "database closed", which Hikari
     * does not treat as fatal), and would otherwise keep failing after the database is back.
     */
    private void renewPool() {
        try {
            if (dataSource.isWrapperFor(HikariDataSource.class)) {
                HikariPoolMXBean pool = dataSource.unwrap(HikariDataSource.class).getHikariPoolMXBean();
                if (pool != null) {
                    pool.softEvictConnections();
                }
            }
        } catch (Exception | LinkageError e) {
            // not a Hikari pool: nothing to renew
        }
    }

    @Override
    public void close() {
        checks.shutdownNow();
    }
}
