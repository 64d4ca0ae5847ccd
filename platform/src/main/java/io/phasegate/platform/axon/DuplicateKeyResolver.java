package io.phasegate.platform.axon;

import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.axonframework.common.jdbc.PersistenceExceptionResolver;

/**
 * Tells the JDBC event storage engine that an append failed on a unique key (an event for the aggregate at that
 * sequence number exists already), so that it raises a {@code ConcurrencyException} (409 {@code conflict}) instead of
 * an {@code EventStoreException} (500). Axon's {@code JdbcSQLErrorCodesResolver} only recognises
 * {@link SQLIntegrityConstraintViolationException}, which H2 throws but the PostgreSQL driver does not: it throws a
 * {@code PSQLException} with SQL state {@code 23505} (unique_violation), inside a {@link BatchUpdateException} for a
 * batched insert. Two command-service instances writing the same aggregate at once hit exactly this.
 */
public class DuplicateKeyResolver implements PersistenceExceptionResolver {

    static final String UNIQUE_VIOLATION = "23505";

    @Override
    public boolean isDuplicateKeyViolation(Exception exception) {
        return isDuplicateKey(exception, Collections.newSetFromMap(new IdentityHashMap<>()));
    }

    private static boolean isDuplicateKey(Throwable error, Set<Throwable> seen) {
        if (error == null || !seen.add(error)) {
            return false;
        }
        if (error instanceof SQLIntegrityConstraintViolationException) {
            return true;
        }
        if (error instanceof SQLException sql) {
            if (UNIQUE_VIOLATION.equals(sql.getSQLState())) {
                return true;
            }
            if (isDuplicateKey(sql.getNextException(), seen)) {
                return true;
            }
        }
        return isDuplicateKey(error.getCause(), seen);
    }
}
