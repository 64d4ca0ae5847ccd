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
        Cache cache = new TaskCacheConfiguration().taskCache(3);
        assertThat(cache).isInstanceOf(BoundedCache.class);
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
        PhaseTokenKeys keys = PhaseTokenKeys.inMemory(Clock.systemUTC());
        repository = EventSourcingRepository.builder(Task.class)
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
    }
}
