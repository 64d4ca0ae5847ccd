package io.phasegate.platform.axon;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import org.axonframework.eventsourcing.eventstore.EventStoreException;
import org.junit.jupiter.api.Test;

class DuplicateKeyResolverTest {

    private final DuplicateKeyResolver resolver = new DuplicateKeyResolver();

    @Test
    void recognisesPostgresUniqueViolationsAlsoInsideABatch() {
        SQLException unique = new SQLException("duplicate key value violates unique constraint", "23505");
        assertThat(resolver.isDuplicateKeyViolation(unique)).isTrue();
        BatchUpdateException batch = new BatchUpdateException("Batch entry 0 INSERT ...", "23505", new int[0]);
        assertThat(resolver.isDuplicateKeyViolation(new RuntimeException(batch))).isTrue();
        BatchUpdateException batchWithoutState = new BatchUpdateException("Batch entry 0", new int[0]);
        batchWithoutState.setNextException(unique);
        assertThat(resolver.isDuplicateKeyViolation(new EventStoreException("append", batchWithoutState))).isTrue();
    }

    @Test
    void recognisesH2sConstraintViolationAsBefore() {
        assertThat(resolver.isDuplicateKeyViolation(new RuntimeException(
                new SQLIntegrityConstraintViolationException("Unique index or primary key violation", "23505")))).isTrue();
    }

    @Test
    void otherFailuresAreNotDuplicates() {
        assertThat(resolver.isDuplicateKeyViolation(new SQLException("connection refused", "08001"))).isFalse();
        assertThat(resolver.isDuplicateKeyViolation(new SQLException("not null", "23502"))).isFalse();
        assertThat(resolver.isDuplicateKeyViolation(new IllegalStateException("x"))).isFalse();
        SQLException looped = new SQLException("a", "57P01");
        looped.setNextException(looped);
        assertThat(resolver.isDuplicateKeyViolation(looped)).isFalse();
    }
}
