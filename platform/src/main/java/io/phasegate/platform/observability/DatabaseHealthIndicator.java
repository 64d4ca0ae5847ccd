package io.phasegate.platform.observability;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Readiness of the database within a bounded time: a pooled connection that answers {@code isValid} within
 * {@code timeout} (2 s, below the probes' 3 s), else DOWN. Spring Boot's {@code db} indicator waits for the pool's
 * connection time-out (10 s) and more while the database is unreachable, longer than any probe waits; this one
 * answers in time and leaves the slow attempt to finish in the background.
 */
public class DatabaseHealthIndicator implements HealthIndicator, AutoCloseable {

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
    public Health health() {
        CompletableFuture<Boolean> valid = CompletableFuture.supplyAsync(() -> {
            try (Connection connection = dataSource.getConnection()) {
                return connection.isValid((int) Math.max(1, timeout.toSeconds()));
            } catch (Exception e) {
                return false;
            }
        }, checks);
        try {
            if (valid.get(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return Health.up().build();
            }
            renewPool();
            return Health.down().withDetail("reason", "no valid connection").build();
        } catch (TimeoutException e) {
            return Health.down().withDetail("reason", "no connection within " + timeout.toMillis() + " ms").build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Health.down().build();
        } catch (ExecutionException e) {
            return Health.down().build();
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
