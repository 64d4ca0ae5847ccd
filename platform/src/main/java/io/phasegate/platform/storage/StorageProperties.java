package io.phasegate.platform.storage;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code phasegate.storage.*}: which mode, and where this service keeps its own tables.
 *
 * @param mode               embedded (default), postgres or axonserver
 * @param serviceSchema      the schema of this service's own tables (token store, sagas, deadlines, projections)
 * @param eventStoreSchema   the schema of the JDBC event store, shared by the services
 * @param migrateEventStore  whether this service owns (and migrates) the event store schema
 * @param eventFetchDelayMs  how often a tailing event processor polls the JDBC store when idle
 */
@ConfigurationProperties("phasegate.storage")
public record StorageProperties(String mode, String serviceSchema, String eventStoreSchema, Boolean migrateEventStore,
                                Long eventFetchDelayMs) {

    public StorageProperties {
        eventStoreSchema = eventStoreSchema == null || eventStoreSchema.isBlank() ? "eventstore" : eventStoreSchema;
        migrateEventStore = migrateEventStore != null && migrateEventStore;
        eventFetchDelayMs = eventFetchDelayMs == null ? 20L : eventFetchDelayMs;
    }

    public StorageMode storageMode() {
        return StorageMode.parse(mode);
    }

    public SqlDialect dialect() {
        return storageMode().dialect();
    }

    /** An event store table name qualified with its schema, for SQL text. */
    public String eventTable(String table) {
        return eventStoreSchema + "." + table;
    }
}
