package io.phasegate.command.task;

import io.phasegate.platform.storage.StorageProperties;
import org.axonframework.common.caching.Cache;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The cache of {@link Task} aggregates ({@code @Aggregate(cache = "taskCache")}): a task is loaded for every tool call,
 * so the tasks in use stay in memory instead of being re-read from the event store each time. A command that fails
 * evicts its task (Axon removes the entry on roll-back), so the cache never holds state that was not stored.
 * {@code phasegate.tasks.cache-size} bounds how many tasks are kept.
 *
 * <p>With the JDBC event store (modes {@code embedded} and {@code postgres}) several command-service instances may
 * write the same task, so a cached task is used only after checking that the store has no newer event for it
 * ({@link StoreCheckedCache}; {@code phasegate.tasks.cache-check}, default on). In the {@code axonserver} mode
 * commands for one aggregate are routed to one instance (consistent hashing), so that instance sees every write and
 * the cache is used as is (docs/adr/0006-agent-workflow-enforcement.md).
 */
@Configuration(proxyBeanMethods = false)
class TaskCacheConfiguration {

    static final String TASK_CACHE = "taskCache";

    @Bean(TASK_CACHE)
    Cache taskCache(@Value("${phasegate.tasks.cache-size:512}") int maxEntries,
                    @Value("${phasegate.tasks.cache-check:true}") boolean check,
                    StorageProperties storage, ObjectProvider<EventStore> events) {
        BoundedCache cache = new BoundedCache(maxEntries);
        if (!check || !storage.storageMode().jdbcEventStore()) {
            return cache;
        }
        return new StoreCheckedCache(cache, id -> events.getObject().lastSequenceNumberFor(id));
    }
}
