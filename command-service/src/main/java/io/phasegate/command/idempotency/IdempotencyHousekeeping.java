package io.phasegate.command.idempotency;

import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.FixedDelay;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Forgets idempotency records after {@code phasegate.idempotency.retention} (default 24 h): a recurring db-scheduler
 * task, so exactly one instance runs it even when several command-services share the database.
 */
@Configuration(proxyBeanMethods = false)
class IdempotencyHousekeeping {

    private static final Logger log = LoggerFactory.getLogger(IdempotencyHousekeeping.class);

    @Bean
    RecurringTask<Void> idempotencyRecordExpiry(JdbcTemplate jdbc,
                                                @Value("${phasegate.idempotency.retention:PT24H}") Duration retention) {
        return Tasks.recurring("idempotency-record-expiry", FixedDelay.ofMinutes(10))
                .execute((instance, context) -> {
                    int deleted = jdbc.update("DELETE FROM idempotency_records WHERE created_at < ?",
                            Timestamp.from(Clock.systemUTC().instant().minus(retention)));
                    if (deleted > 0) {
                        log.info("Forgot {} idempotency records older than {}", deleted, retention);
                    }
                });
    }
}
