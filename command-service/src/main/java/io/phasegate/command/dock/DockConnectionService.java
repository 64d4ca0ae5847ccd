package io.phasegate.command.dock;

import io.phasegate.command.adapter.DockConnection;
import io.phasegate.command.adapter.DockConnections;
import io.phasegate.command.crypto.CredentialCryptoException;
import io.phasegate.events.common.ErrorDetails;
import io.phasegate.events.dock.DockCredentials;
import io.phasegate.events.dock.RecordCredentialUseCommand;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import io.phasegate.command.crypto.EnvelopeEncryption;
import jakarta.annotation.PreDestroy;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.modelling.command.Repository;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;

/**
 * {@link DockConnections} on the {@link Dock} aggregates: {@link #open} first records the decryption as an event
 * ({@link RecordCredentialUseCommand}, which answers the ciphertext) and only then decrypts.
 *
 * <p>When called inside a unit of work (an event handler, a saga, a deadline), the record is sent on a thread of its
 * own so that it commits in its own transaction before anything is decrypted: a later rollback of the caller's
 * transaction cannot take the record of a decryption back.
 */
@Component
public class DockConnectionService implements DockConnections, DockCredentialAccess {

    private final Repository<Dock> docks;
    private final EventStore events;
    private final CommandGateway commands;
    private final EnvelopeEncryption encryption;
    private final ExecutorService recorder;

    DockConnectionService(@Lazy Repository<Dock> docks, EventStore events, CommandGateway commands,
                          EnvelopeEncryption encryption) {
        this.docks = docks;
        this.events = events;
        this.commands = commands;
        this.encryption = encryption;
        AtomicInteger threads = new AtomicInteger();
        this.recorder = Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "credential-use-recorder-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    @PreDestroy
    void close() {
        recorder.shutdownNow();
    }

    @Override
    public Optional<DockInfo> find(String orgId, String dockId) {
        if (dockId == null || orgId == null || events.lastSequenceNumberFor(dockId).isEmpty()) {
            return Optional.empty(); // loading a missing aggregate throws (and logs)
        }
        AtomicReference<DockInfo> info = new AtomicReference<>();
        Runnable load = () -> docks.load(dockId).execute(dock -> {
            if (orgId.equals(dock.orgId()) && !dock.deleted()) {
                info.set(new DockInfo(dockId, orgId, dock.provider(), dock.currentVersion()));
            }
        });
        try {
            isolated(() -> {
                DefaultUnitOfWork.startAndGet(null).execute(load);
                return null;
            });
        } catch (AggregateNotFoundException e) {
            return Optional.empty();
        }
        return Optional.ofNullable(info.get());
    }

    @Override
    public DockConnection open(String orgId, String dockId, String actor, String purpose, String operationId) {
        DockInfo info = find(orgId, dockId).orElseThrow(() -> new DockUnavailableException(
                "Dock " + dockId + " does not exist or was deleted"));
        return openVersion(orgId, dockId, info.credentialVersion(), actor, purpose, operationId);
    }

    /**
     * Records the use of one live credential version (current, previous during its grace period, or a rotation's
     * candidate) and decrypts it.
     *
     * @throws DockUnavailableException when the dock does not exist in that organisation or was deleted
     * @throws CommandExecutionException when the version is not live (rejection {@code credential_not_live})
     */
    @Override
    public DockConnection openVersion(String orgId, String dockId, int version, String actor, String purpose,
                                      String operationId) {
        RecordCredentialUseCommand command = new RecordCredentialUseCommand(dockId, orgId, version, actor, purpose,
                operationId);
        CredentialUse use;
        try {
            use = isolated(() -> commands.<CredentialUse>sendAndWait(command));
        } catch (CommandExecutionException e) {
            if (e.getDetails().filter(ErrorDetails.class::isInstance).map(ErrorDetails.class::cast)
                    .map(d -> d.status() == 404).orElse(false)) {
                throw new DockUnavailableException("Dock " + dockId + " does not exist or was deleted");
            }
            throw e;
        } catch (AggregateNotFoundException e) {
            throw new DockUnavailableException("Dock " + dockId + " does not exist or was deleted");
        }
        DockCredentials credentials;
        try {
            credentials = encryption.decrypt(use.credential(), orgId, dockId);
        } catch (CredentialCryptoException e) {
            throw new DockUnavailableException("Credentials of dock " + dockId + " cannot be decrypted: "
                    + e.getMessage());
        }
        return new DockConnection(dockId, orgId, use.provider(), use.settings(), version, credentials.values());
    }

    /**
     * Runs {@code work} in a unit of work and transaction of its own: on this thread when none is active, else on a
     * thread of its own (a nested unit of work would hold the dock's lock and defer its commit to the caller's).
     */
    private <T> T isolated(java.util.concurrent.Callable<T> work) {
        if (!CurrentUnitOfWork.isStarted()) {
            try {
                return work.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        Future<T> done = recorder.submit(work);
        try {
            return done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            done.cancel(true);
            throw new IllegalStateException("Interrupted while accessing a dock", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException("Accessing a dock failed", e.getCause());
        }
    }
}
