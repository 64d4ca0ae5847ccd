package io.phasegate.platform.storage;

import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.core.env.Environment;

/**
 * Creates and upgrades the schemas with Flyway before anything else touches the database.
 *
 * <ul>
 *   <li>the event store schema ({@code db/eventstore/<vendor>}), only by the service that owns it and only in the
 *   modes with a JDBC event store;</li>
 *   <li>the service's own schema: Axon's infrastructure tables ({@code db/axon/<vendor>}: token store, sagas,
 *   deadlines; versions 1-9) and the service's tables ({@code db/<schema>/<vendor>}; versions 10 and up).</li>
 * </ul>
 * Flyway connects with its own connection (not the pool), because pool connections select the service schema,
 * which does not exist before the first migration.
 */
public class SchemaMigrator implements InitializingBean {

    private static final Logger log = LoggerFactory.getLogger(SchemaMigrator.class);

    private final StorageProperties storage;
    private final String url;
    private final String username;
    private final String password;

    public SchemaMigrator(StorageProperties storage, Environment env) {
        this.storage = storage;
        this.url = env.getRequiredProperty("spring.datasource.url");
        this.username = env.getProperty("spring.datasource.username");
        this.password = env.getProperty("spring.datasource.password");
    }

    @Override
    public void afterPropertiesSet() {
        SqlDialect dialect = storage.dialect();
        if (storage.storageMode().jdbcEventStore() && storage.migrateEventStore()) {
            migrate(dialect, dialect.storedIdentifier(storage.eventStoreSchema()),
                    List.of("classpath:db/eventstore/" + dialect.vendor()));
        }
        if (storage.serviceSchema() != null) {
            List<String> locations = new ArrayList<>();
            locations.add("classpath:db/axon/" + dialect.vendor());
            locations.add("classpath:db/" + storage.serviceSchema() + "/" + dialect.vendor());
            migrate(dialect, dialect.storedIdentifier(storage.serviceSchema()), locations);
        }
    }

    /**
     * H2 takes a lock on its system table for every DDL statement; the services migrate their schemas at the same time
     * on start-up, so Flyway's connections wait for that lock up to a minute instead of H2's default (seconds).
     */
    static final String H2_MIGRATION_INIT_SQL = "SET LOCK_TIMEOUT 60000";

    private void migrate(SqlDialect dialect, String schema, List<String> locations) {
        MigrateResult result = Flyway.configure()
                .dataSource(url, username, password)
                .initSql("h2".equals(dialect.vendor()) ? H2_MIGRATION_INIT_SQL : null)
                .schemas(schema)
                .createSchemas(true)
                .locations(locations.toArray(String[]::new))
                .failOnMissingLocations(false)
                .connectRetries(30)
                .load()
                .migrate();
        log.info("Schema {} at version {} ({} migrations applied)", schema, result.targetSchemaVersion,
                result.migrationsExecuted);
    }
}
