package io.phasegate.command.dock;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import io.phasegate.command.adapter.DockAdapters;
import io.phasegate.command.crypto.DataKeyStore;
import io.phasegate.command.crypto.EnvelopeEncryption;
import io.phasegate.events.dock.CompleteCredentialRotationCommand;
import io.phasegate.events.dock.CredentialRetiredEvent;
import io.phasegate.events.dock.CredentialRotatedEvent;
import io.phasegate.events.dock.CredentialRotationFailedEvent;
import io.phasegate.events.dock.CredentialRotationStartedEvent;
import io.phasegate.events.dock.DeleteDockCommand;
import io.phasegate.events.dock.DockCredentialDecryptedEvent;
import io.phasegate.events.dock.DockDeletedEvent;
import io.phasegate.events.dock.DockRegisteredEvent;
import io.phasegate.events.dock.EncryptedCredential;
import io.phasegate.events.dock.FailCredentialRotationCommand;
import io.phasegate.events.dock.RecordCredentialUseCommand;
import io.phasegate.events.dock.RegisterDockCommand;
import io.phasegate.events.dock.RetireCredentialCommand;
import io.phasegate.events.dock.RotateDockCredentialsCommand;
import io.phasegate.platform.axon.Rejections;
import io.phasegate.platform.redaction.Redactor;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.spring.stereotype.Aggregate;

/**
 * A dock: an organisation's connection to a provider through an adapter, with its credentials (SPEC §2.6).
 *
 * <p>Credentials arrive in plaintext in {@link RegisterDockCommand} and {@link RotateDockCredentialsCommand} and are
 * encrypted here, through {@link EnvelopeEncryption}, before any event is applied; the aggregate keeps only the
 * ciphertext of each live version: the current one, the previous one during its grace period, and a rotation's
 * candidate. Every decryption is preceded by {@link RecordCredentialUseCommand}, which answers the ciphertext.
 * Deleting the dock destroys its data key in the transaction that appends {@link DockDeletedEvent}.
 *
 * <p>Command handlers check the rules and apply events; event sourcing handlers only assign state. Another
 * organisation's dock answers "not found", like a deleted one.
 */
@Aggregate
class Dock {

    static final int MAX_REASON = 500;

    @AggregateIdentifier
    private String dockId;
    private String orgId;
    private String provider;
    private Map<String, String> settings = Map.of();
    private String dataKeyId;
    private boolean deleted;
    /** The highest credential version ever used (failed candidates included): versions are never reused. */
    private int lastVersion;

    private EncryptedCredential current;
    private EncryptedCredential previous;
    private Instant previousValidUntil;

    private EncryptedCredential candidate;
    private String rotationId;
    private Duration rotationGrace;
    /** Rotations that ended (completed or failed): a repeated completion or failure of one of them changes nothing. */
    private final Set<String> endedRotations = new LinkedHashSet<>();

    Dock() {
        // for Axon
    }

    @CommandHandler
    Dock(RegisterDockCommand command, DockAdapters adapters, EnvelopeEncryption encryption) {
        if (command.dockId() == null || !DockRules.DOCK_ID.matcher(command.dockId()).matches()) {
            throw Rejections.command("invalid_dock", 400, "The dock id must match " + DockRules.DOCK_ID.pattern() + ".",
                    Map.of("field", "dock_id"));
        }
        if (command.provider() == null || !adapters.providers().contains(command.provider())) {
            throw Rejections.command("unknown_provider", 422, "No adapter for this provider; known providers: "
                    + adapters.providers() + ".", Map.of("providers", java.util.List.copyOf(adapters.providers())));
        }
        DockRules.requireValid("name", DockRules.nameProblem(command.name()));
        DockRules.requireValid("settings", DockRules.settingsProblem(command.settings()));
        DockRules.requireCredentials(command.credentials());
        String keyId;
        try {
            keyId = encryption.createDataKey(command.orgId(), command.dockId());
        } catch (DataKeyStore.DataKeyConflictException e) {
            throw Rejections.command("dock_id_taken", 409, "A dock with this id cannot be registered; choose another id.");
        }
        EncryptedCredential credential = encryption.encrypt(keyId, command.orgId(), command.dockId(), 1,
                command.credentials());
        apply(new DockRegisteredEvent(command.dockId(), command.orgId(), command.name().strip(), command.provider(),
                command.settings(), credential, command.registeredBy(), now()));
    }

    /** Starts a rotation: the new credentials become the candidate version, which the rotation process validates. */
    @CommandHandler
    DockRotationStarted handle(RotateDockCredentialsCommand command, EnvelopeEncryption encryption,
                               DockCredentialSettings defaults) {
        requireLiveDock(command.orgId());
        if (candidate != null) {
            throw Rejections.command("rotation_in_progress", 409,
                    "A credential rotation of this dock is in progress; wait for it to complete or fail.",
                    Map.of("rotation_id", rotationId));
        }
        DockRules.requireCredentials(command.credentials());
        Duration grace = command.gracePeriod() == null ? defaults.rotationGrace() : command.gracePeriod();
        if (grace.isNegative() || grace.compareTo(DockCredentialSettings.MAX_GRACE) > 0) {
            throw Rejections.command("invalid_grace_period", 400, "The grace period must be between 0 and 7 days.");
        }
        int version = lastVersion + 1;
        EncryptedCredential encrypted = encryption.encrypt(dataKeyId, orgId, dockId, version, command.credentials());
        String id = UUID.randomUUID().toString();
        apply(new CredentialRotationStartedEvent(dockId, orgId, id, encrypted, current.version(), grace,
                command.requestedBy(), now()));
        return new DockRotationStarted(id, version);
    }

    /**
     * The candidate was validated: it becomes current and the previous version stays valid for the grace period. A
     * previous version still in an older grace period is retired at once (only one previous version is kept).
     */
    @CommandHandler
    void handle(CompleteCredentialRotationCommand command) {
        if (requirePendingRotation(command.orgId(), command.rotationId())) {
            return;
        }
        Instant now = now();
        if (previous != null) {
            apply(new CredentialRetiredEvent(dockId, orgId, previous.version(), now));
        }
        apply(new CredentialRotatedEvent(dockId, orgId, rotationId, candidate.version(), current.version(),
                now.plus(rotationGrace), now));
    }

    /** Validation failed or timed out: the candidate is discarded and the current version stays current. */
    @CommandHandler
    void handle(FailCredentialRotationCommand command) {
        if (requirePendingRotation(command.orgId(), command.rotationId())) {
            return;
        }
        String reason = command.reason() == null || command.reason().isBlank() ? "validation failed"
                : Redactor.cut(command.reason().strip(), MAX_REASON);
        apply(new CredentialRotationFailedEvent(dockId, orgId, rotationId, candidate.version(), current.version(),
                reason, now()));
    }

    /** A previous version's grace period ended. Retiring a version that is no longer live changes nothing. */
    @CommandHandler
    void handle(RetireCredentialCommand command) {
        requireLiveDock(command.orgId());
        if (previous != null && previous.version() == command.version()) {
            apply(new CredentialRetiredEvent(dockId, orgId, command.version(), now()));
        } else if (command.version() == current.version() || (candidate != null && candidate.version() == command.version())) {
            throw Rejections.command("credential_in_use", 409,
                    "Credential version " + command.version() + " is current or a rotation's candidate.");
        }
    }

    /**
     * Records that a live credential version is about to be decrypted, and answers its ciphertext. Refused for a
     * deleted dock and for a version that is retired, was discarded or never existed.
     */
    @CommandHandler
    CredentialUse handle(RecordCredentialUseCommand command) {
        requireLiveDock(command.orgId());
        if (command.actor() == null || command.actor().isBlank() || command.actor().length() > 200) {
            throw Rejections.command("invalid_credential_use", 400, "The actor is required (at most 200 characters).");
        }
        if (command.purpose() == null || !DockRules.PURPOSE.matcher(command.purpose()).matches()) {
            throw Rejections.command("invalid_credential_use", 400,
                    "The purpose must match " + DockRules.PURPOSE.pattern() + ".");
        }
        EncryptedCredential credential = live(command.version());
        if (credential == null) {
            throw Rejections.command("credential_not_live", 409, "Credential version " + command.version()
                    + " of this dock is retired or does not exist.", Map.of("current_version", current.version()));
        }
        apply(new DockCredentialDecryptedEvent(dockId, orgId, command.version(), command.actor(), command.purpose(),
                command.operationId(), now()));
        return new CredentialUse(provider, settings, credential);
    }

    /** Deletes the dock and destroys its data key (crypto-shredding) in this command's transaction. */
    @CommandHandler
    void handle(DeleteDockCommand command, EnvelopeEncryption encryption) {
        requireLiveDock(command.orgId());
        encryption.destroyDataKey(dataKeyId);
        apply(new DockDeletedEvent(dockId, orgId, dataKeyId, command.deletedBy(), now()));
    }

    // ----------------------------------------------------------------------------------------------------- state

    @EventSourcingHandler
    void on(DockRegisteredEvent event) {
        dockId = event.dockId();
        orgId = event.orgId();
        provider = event.provider();
        settings = event.settings();
        dataKeyId = event.credential().dataKeyId();
        current = event.credential();
        lastVersion = event.credential().version();
    }

    @EventSourcingHandler
    void on(CredentialRotationStartedEvent event) {
        candidate = event.candidate();
        rotationId = event.rotationId();
        rotationGrace = event.gracePeriod();
        lastVersion = Math.max(lastVersion, event.candidate().version());
    }

    @EventSourcingHandler
    void on(CredentialRotatedEvent event) {
        previous = current;
        previousValidUntil = event.previousValidUntil();
        current = candidate;
        endRotation();
    }

    @EventSourcingHandler
    void on(CredentialRotationFailedEvent event) {
        endRotation();
    }

    @EventSourcingHandler
    void on(CredentialRetiredEvent event) {
        if (previous != null && previous.version() == event.version()) {
            previous = null;
            previousValidUntil = null;
        }
    }

    @EventSourcingHandler
    void on(DockDeletedEvent event) {
        deleted = true;
        current = null;
        previous = null;
        candidate = null;
        rotationId = null;
    }

    // --------------------------------------------------------------------------------------------------- helpers

    private void endRotation() {
        endedRotations.add(rotationId);
        candidate = null;
        rotationId = null;
        rotationGrace = null;
    }

    private EncryptedCredential live(int version) {
        for (EncryptedCredential credential : new EncryptedCredential[]{current, previous, candidate}) {
            if (credential != null && credential.version() == version) {
                return credential;
            }
        }
        return null;
    }

    private void requireLiveDock(String callerOrg) {
        if (!orgId.equals(callerOrg) || deleted) {
            throw Rejections.command("dock_not_found", 404, "No such dock.");
        }
    }

    /** True when the rotation already ended (nothing to do); throws unless it is the pending one. */
    private boolean requirePendingRotation(String callerOrg, String id) {
        requireLiveDock(callerOrg);
        if (candidate != null && rotationId.equals(id)) {
            return false;
        }
        if (endedRotations.contains(id)) {
            return true;
        }
        throw Rejections.command("rotation_not_pending", 409, "This rotation is not in progress.");
    }

    private static Instant now() {
        return GenericEventMessage.clock.instant();
    }

    String orgId() {
        return orgId;
    }

    boolean deleted() {
        return deleted;
    }

    String provider() {
        return provider;
    }

    int currentVersion() {
        return current == null ? 0 : current.version();
    }
}
