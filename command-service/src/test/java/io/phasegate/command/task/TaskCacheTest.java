package io.phasegate.command.task;

import static io.phasegate.command.task.TaskTestSupport.ORG;
import static io.phasegate.command.task.TaskTestSupport.STRICT;
import static io.phasegate.command.task.TaskTestSupport.TASK;
import static io.phasegate.command.task.TaskTestSupport.claimed;
import static io.phasegate.command.task.TaskTestSupport.created;
import static org.assertj.core.api.Assertions.assertThat;

import io.phasegate.command.gate.ArtifactValidator;
import io.phasegate.command.gate.GateEvaluator;
import io.phasegate.command.token.PhaseTokenIssuer;
import io.phasegate.command.token.PhaseTokenKeys;
import io.phasegate.command.tool.ToolPolicyEvaluator;
import io.phasegate.events.task.TaskReleasedEvent;
import io.phasegate.platform.storage.StorageProperties;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.axonframework.common.caching.Cache;
import org.axonframework.deadline.DeadlineManager;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.EventSourcingRepository;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.inmemory.InMemoryEventStorageEngine;
import org.axonframework.messaging.annotation.ClasspathParameterResolverFactory;
import org.axonframework.messaging.annotation.MultiParameterResolverFactory;
import org.axonframework.messaging.annotation.SimpleResourceParameterResolverFactory;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.axonframework.spring.stereotype.Aggregate;
import org.axonframework.test.deadline.StubDeadlineManager;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The task cache: bounded LRU, and how Axon's caching repository uses it for the Task aggregate. */
class TaskCacheTest {

    // ---------------------------------------------------------------------------------------- the bounded cache

    @Test
    void theLeastRecentlyUsedEntryIsEvictedBeyondTheBound() {
        BoundedCache cache = new BoundedCache(2);
        List<Object> expired = new ArrayList<>();
        cache.registerCacheEntryListener(new Cache.EntryListenerAdapter() {
            @Override
            public void onEntryExpired(Object key) {
                expired.add(key);
            }
        });
        cache.put("a", 1);
        cache.put("b", 2);
        assertThat(cache.<String, Integer>get("a")).isEqualTo(1); // a is now more recent than b
        cache.put("c", 3);
        assertThat(cache.containsKey("a")).isTrue();
        assertThat(cache.containsKey("b")).isFalse();
        assertThat(cache.containsKey("c")).isTrue();
        assertThat(cache.size()).isEqualTo(2);
        assertThat(expired).containsExactly("b");
    }

    @Test
    void theCacheOperationsFollowTheAxonContract() {
        BoundedCache cache = new BoundedCache(10);
        assertThat(cache.putIfAbsent("k", "v1")).isTrue();
        assertThat(cache.putIfAbsent("k", "v2")).isFalse();
        assertThat(cache.<String, String>get("k")).isEqualTo("v1");
        assertThat(cache.computeIfAbsent("k", () -> "v3")).isEqualTo("v1");
        assertThat(cache.computeIfAbsent("m", () -> "w")).isEqualTo("w");
        cache.<String>computeIfPresent("m", value -> value + "!");
        assertThat(cache.<String, String>get("m")).isEqualTo("w!");
        cache.<String>computeIfPresent("m", value -> null);
        assertThat(cache.containsKey("m")).isFalse();
        cache.<String>computeIfPresent("absent", value -> "x");
        assertThat(cache.containsKey("absent")).isFalse();
        assertThat(cache.remove("k")).isTrue();
        assertThat(cache.remove("k")).isFalse();
        cache.put("x", 1);
        cache.removeAll();
        assertThat(cache.size()).isZero();
        AtomicInteger removed = new AtomicInteger();
        var registration = cache.registerCacheEntryListener(new Cache.EntryListenerAdapter() {
            @Override
            public void onEntryRemoved(Object key) {
                removed.incrementAndGet();
            }
        });
        cache.put("y", 1);
        cache.remove("y");
        registration.cancel();
        cache.put("z", 1);
        cache.remove("z");
        assertThat(removed).hasValue(1);
    }

    @Test
    void theTaskAggregateUsesTheCacheBean() {
        assertThat(Task.class.getAnnotation(Aggregate.class).cache()).isEqualTo(TaskCacheConfiguration.TASK_CACHE);
        TaskCacheConfiguration configuration = new TaskCacheConfiguration();
        assertThat(configuration.taskCache(3, true, storage("embedded"), null)).isInstanceOf(StoreCheckedCache.class);
        assertThat(configuration.taskCache(3, true, storage("postgres"), null)).isInstanceOf(StoreCheckedCache.class);
        // Axon Server routes an aggregate's commands to one instance: the plain cache; and the check can be turned off
        assertThat(configuration.taskCache(3, true, storage("axonserver"), null)).isInstanceOf(BoundedCache.class);
        assertThat(configuration.taskCache(3, false, storage("postgres"), null)).isInstanceOf(BoundedCache.class);
    }

    private static StorageProperties storage(String mode) {
        return new StorageProperties(mode, "command", null, null, null);
    }

    // ---------------------------------------------------------------------------------- with Axon's repository

    private CountingStorage storage;
    private EventSourcingRepository<Task> repository;
    private BoundedCache cache;

    @BeforeEach
    void repository() {
        storage = new CountingStorage();
        EmbeddedEventStore events = EmbeddedEventStore.builder().storageEngine(storage).build();
        events.publish(new GenericDomainEventMessage<>("Task", TASK, 0, created(STRICT)),
                new GenericDomainEventMessage<>("Task", TASK, 1, claimed("PLAN", 1)));
        cache = new BoundedCache(16);
        repository = repositoryOn(events, cache);
    }

    private static EventSourcingRepository<Task> repositoryOn(EmbeddedEventStore events, Cache cache) {
        PhaseTokenKeys keys = PhaseTokenKeys.inMemory(Clock.systemUTC());
        return EventSourcingRepository.builder(Task.class)
                .eventStore(events)
                .cache(cache)
                .parameterResolverFactory(MultiParameterResolverFactory.ordered(
                        ClasspathParameterResolverFactory.forClass(Task.class),
                        new SimpleResourceParameterResolverFactory(List.of(
                                new InMemoryWorkflowCatalog().publish(ORG, STRICT), new InMemoryTaskDirectory(),
                                new PhaseTokenIssuer(keys, "i", "a", Clock.systemUTC()), new ArtifactValidator(),
                                new GateEvaluator(), new ToolPolicyEvaluator(),
                                (DeadlineManager) new StubDeadlineManager()))))
                .build();
    }

    @Test
    void aLoadedTaskIsServedFromTheCacheNextTime() {
        assertThat(orgOfTask(true)).isEqualTo(ORG);
        assertThat(storage.reads).hasValue(1);
        assertThat(cache.containsKey(TASK)).isTrue();
        assertThat(orgOfTask(true)).isEqualTo(ORG);
        assertThat(orgOfTask(true)).isEqualTo(ORG);
        assertThat(storage.reads).hasValue(1);
    }

    @Test
    void aRolledBackUnitOfWorkEvictsTheTask() {
        orgOfTask(true);
        orgOfTask(false);
        assertThat(cache.containsKey(TASK)).isFalse();
        assertThat(orgOfTask(true)).isEqualTo(ORG);
        assertThat(storage.reads).hasValue(2);
    }

    // ------------------------------------------------- two instances: a store-checked cache each, one event store

    @Test
    void aTaskCachedBeforeAnotherInstanceWroteItIsReadAgainFromTheStore() {
        EmbeddedEventStore events = EmbeddedEventStore.builder().storageEngine(storage).build();
        StoreCheckedCache checked = new StoreCheckedCache(cache, events::lastSequenceNumberFor);
        repository = repositoryOn(events, checked);
        assertThat(versionOfTask()).isEqualTo(1);
        assertThat(StoreCheckedCache.versionOf(cache.get(TASK))).isEqualTo(1L);
        assertThat(versionOfTask()).isEqualTo(1);
        assertThat(storage.reads).as("served from the cache while the store has nothing newer").hasValue(1);

        // the other instance releases the task: an event this instance's cache has not seen
        events.publish(new GenericDomainEventMessage<>("Task", TASK, 2,
                new TaskReleasedEvent(TASK, ORG, TaskTestSupport.AGENT, TaskTestSupport.NOW)));

        assertThat(versionOfTask()).as("the stale entry is not used").isEqualTo(2);
        assertThat(storage.reads).hasValue(2);
        assertThat(StoreCheckedCache.versionOf(cache.get(TASK))).isEqualTo(2L);
        assertThat(versionOfTask()).isEqualTo(2);
        assertThat(storage.reads).as("and the fresh one is cached again").hasValue(2);
    }

    @Test
    void withoutTheCheckTheCachedTaskMissesTheOtherInstancesWrite() {
        // what the check prevents (the plain cache, as in the axonserver mode): the reproducer of the stale entry
        EmbeddedEventStore events = EmbeddedEventStore.builder().storageEngine(storage).build();
        assertThat(versionOfTask()).isEqualTo(1);
        events.publish(new GenericDomainEventMessage<>("Task", TASK, 2,
                new TaskReleasedEvent(TASK, ORG, TaskTestSupport.AGENT, TaskTestSupport.NOW)));
        assertThat(versionOfTask()).isEqualTo(1);
        assertThat(storage.reads).hasValue(1);
    }

    private long versionOfTask() {
        UnitOfWork<?> unitOfWork = DefaultUnitOfWork.startAndGet(null);
        Long version = repository.load(TASK).version();
        unitOfWork.commit();
        return version;
    }

    private String orgOfTask(boolean commit) {
        UnitOfWork<?> unitOfWork = DefaultUnitOfWork.startAndGet(null);
        String[] org = new String[1];
        repository.load(TASK).execute(task -> org[0] = task.orgId());
        if (commit) {
            unitOfWork.commit();
        } else {
            unitOfWork.rollback();
        }
        return org[0];
    }

    /** Counts how often an aggregate's events are read. */
    private static final class CountingStorage extends InMemoryEventStorageEngine {
        final AtomicInteger reads = new AtomicInteger();

        @Override
        public DomainEventStream readEvents(String aggregateIdentifier, long firstSequenceNumber) {
            reads.incrementAndGet();
            return super.readEvents(aggregateIdentifier, firstSequenceNumber);
        }

        /** The store check's query: not a read of the aggregate's events (a JDBC store answers it from an index). */
        @Override
        public java.util.Optional<Long> lastSequenceNumberFor(String aggregateIdentifier) {
            return super.readEvents(aggregateIdentifier, 0).asStream()
                    .map(org.axonframework.eventhandling.DomainEventMessage::getSequenceNumber)
                    .max(Long::compare);
        }
    }
}
