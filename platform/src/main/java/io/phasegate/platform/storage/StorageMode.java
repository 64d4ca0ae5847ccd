package io.phasegate.platform.storage;

import java.util.Locale;

/** Where events and query models live (SPEC §1, storage modes). One code path serves all three. */
public enum StorageMode {
    /** Axon JDBC event store and everything else on one H2 database in server mode. */
    EMBEDDED(SqlDialect.H2),
    /** Axon JDBC event store and everything else on PostgreSQL. */
    POSTGRES(SqlDialect.POSTGRESQL),
    /** Axon Server holds the events; projections, tokens, sagas and deadlines on PostgreSQL. */
    AXONSERVER(SqlDialect.POSTGRESQL);

    private final SqlDialect dialect;

    StorageMode(SqlDialect dialect) {
        this.dialect = dialect;
    }

    public SqlDialect dialect() {
        return dialect;
    }

    /** Whether events are stored by Axon's JDBC storage engine in this mode. */
    public boolean jdbcEventStore() {
        return this != AXONSERVER;
    }

    public static StorageMode parse(String value) {
        if (value == null || value.isBlank()) {
            return EMBEDDED;
        }
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("phasegate.storage.mode must be one of embedded, postgres, axonserver but was '"
                    + value + "'");
        }
    }
}
