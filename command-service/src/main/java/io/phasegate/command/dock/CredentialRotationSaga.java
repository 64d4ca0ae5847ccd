package io.phasegate.command.dock;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import io.phasegate.command.adapter.DockConnection;
import io.phasegate.command.adapter.DockConnections.DockUnavailableException;
import io.phasegate.events.dock.CompleteCredentialRotationCommand;
import io.phasegate.events.dock.CredentialRetiredEvent;
import io.phasegate.events.dock.CredentialRotatedEvent;
import io.phasegate.events.dock.CredentialRotationFailedEvent;
import io.phasegate.events.dock.CredentialRotationStartedEvent;
import io.phasegate.events.dock.DockDeletedEvent;
import io.phasegate.events.dock.FailCredentialRotationCommand;
import io.phasegate.events.dock.RetireCredentialCommand;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.deadline.DeadlineManager;
import org.axonframework.deadline.annotation.DeadlineHandler;
import org.axonframework.modelling.saga.EndSaga;
import org.axonframework.modelling.saga.SagaEventHandler;
import org.axonframework.modelling.saga.SagaLifecycle;
import org.axonframework.modelling.saga.StartSaga;
import org.axonframework.spring.stereotype.Saga;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The credential rotation process (SPEC §2.6), one instance per rotation:
 * <ol>
 *   <li>{@link CredentialRotationStartedEvent}: decrypt the candidate (recorded, purpose {@value #PURPOSE}), validate
 *   it through the dock's adapter (bounded by a time-out), then complete the rotation or fail it with a reason that
 *   holds no credential values (the old credentials stay current);</li>
 *   <li>{@link CredentialRotatedEvent}: schedule a durable deadline at {@code previousValidUntil};</li>
 *   <li>the deadline: retire the previous version;</li>
 *   <li>the saga ends on the previous version's retirement, on the rotation's failure, or when the dock is
 *   deleted.</li>
 * </ol>
 * The saga is stored by the JDBC saga store and its deadline by db-scheduler, so a retirement survives a restart.
 * A redelivered event repeats a step harmlessly: the dock ignores a second completion, failure or retirement.
 */
@Saga
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE)
public class CredentialRotationSaga {

    static final String ACTOR = "credential-rotation";
    static final String PURPOSE = "validate";
    static final String RETIRE_DEADLINE = "retire-previous-credential";

    private static final Logger log = LoggerFactory.getLogger(CredentialRotationSaga.class);

    @Autowired
    private transient CommandGateway commands;
    @Autowired
    private transient DockCredentialAccess credentials;
    @Autowired
    private transient CredentialValidation validation;
    @Autowired
    private transient DeadlineManager deadlines;

    private String dockId;
    private String orgId;
    private String rotationId;
    private int candidateVersion;
    private int previousVersion;

    /** The deadline's payload: the version to retire. */
    record RetireDeadline(String dockId, String orgId, int version) {
    }

    @StartSaga
    @SagaEventHandler(associationProperty = "rotationId")
    void on(CredentialRotationStartedEvent event) {
        dockId = event.dockId();
        orgId = event.orgId();
        rotationId = event.rotationId();
        candidateVersion = event.candidate().version();
        SagaLifecycle.associateWith("dockId", dockId);

        String failure;
        try {
            DockConnection candidate = credentials.openVersion(orgId, dockId, candidateVersion, ACTOR, PURPOSE,
                    rotationId);
            CredentialValidation.Outcome outcome = validation.validate(candidate);
            failure = outcome.valid() ? null
                    : "Credential validation failed (" + outcome.code() + "): " + outcome.reason();
        } catch (DockUnavailableException e) {
            log.info("Rotation {} of dock {} ends: the dock is gone", rotationId, dockId);
            SagaLifecycle.end();
            return;
        } catch (RuntimeException e) {
            failure = "The candidate credentials could not be opened (" + e.getClass().getSimpleName() + ").";
        }
        if (failure == null) {
            commands.sendAndWait(new CompleteCredentialRotationCommand(dockId, orgId, rotationId));
        } else {
            log.info("Rotation {} of dock {} failed validation", rotationId, dockId);
            commands.sendAndWait(new FailCredentialRotationCommand(dockId, orgId, rotationId, failure));
        }
    }

    @SagaEventHandler(associationProperty = "rotationId")
    void on(CredentialRotatedEvent event) {
        previousVersion = event.previousVersion();
        deadlines.schedule(event.previousValidUntil(), RETIRE_DEADLINE,
                new RetireDeadline(dockId, orgId, event.previousVersion()));
    }

    @EndSaga
    @SagaEventHandler(associationProperty = "rotationId")
    void on(CredentialRotationFailedEvent event) {
        // rolled back: the current credentials stay current; nothing to retire
    }

    @DeadlineHandler(deadlineName = RETIRE_DEADLINE)
    void retire(RetireDeadline deadline) {
        try {
            commands.sendAndWait(new RetireCredentialCommand(deadline.dockId(), deadline.orgId(), deadline.version()));
        } catch (RuntimeException e) {
            // the dock was deleted meanwhile, or the version is no longer live: nothing left to retire
            log.info("Retirement of credential version {} of dock {} not applied: {}", deadline.version(),
                    deadline.dockId(), e.getMessage());
            SagaLifecycle.end();
        }
    }

    @SagaEventHandler(associationProperty = "dockId")
    void on(CredentialRetiredEvent event) {
        if (previousVersion != 0 && event.version() == previousVersion) {
            deadlines.cancelAllWithinScope(RETIRE_DEADLINE);
            SagaLifecycle.end();
        }
    }

    @EndSaga
    @SagaEventHandler(associationProperty = "dockId")
    void on(DockDeletedEvent event) {
        deadlines.cancelAllWithinScope(RETIRE_DEADLINE);
    }
}
