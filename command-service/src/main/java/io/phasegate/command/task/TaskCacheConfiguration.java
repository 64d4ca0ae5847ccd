package io.phasegate.command.task;

import org.axonframework.common.caching.Cache;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The cache of {@link Task} aggregates ({@code @Aggregate(cache = "taskCache")}): a task is loaded for every tool call,
 * so the tasks in use stay in memory instead of being re-read from the event store each time. A command that fails
 * evicts its task (Axon removes the entry on roll-back), so the cache never holds state that was not stored.
 * {@code phasegate.tasks.cache-size} bounds how many tasks are kept.
 */
@Configuration(proxyBeanMethods = false)
class TaskCacheConfiguration {

    static final String TASK_CACHE = "taskCache";

    @Bean(TASK_CACHE)
    Cache taskCache(@Value("${phasegate.tasks.cache-size:512}") int maxEntries) {
        return new BoundedCache(maxEntries);
    }
}
