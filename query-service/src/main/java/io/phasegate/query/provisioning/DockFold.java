package io.phasegate.query.provisioning;

import io.phasegate.events.dock.CredentialRetiredEvent;
import io.phasegate.events.dock.CredentialRotatedEvent;
import io.phasegate.events.dock.CredentialRotationFailedEvent;
import io.phasegate.events.dock.CredentialRotationStartedEvent;
import io.phasegate.events.dock.DockCredentialDecryptedEvent;
import io.phasegate.events.dock.DockDeletedEvent;
import io.phasegate.events.dock.DockRegisteredEvent;
import io.phasegate.events.dock.DockRotationView;
import io.phasegate.events.dock.DockView;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import io.phasegate.platform.redaction.Redactor;

/**
 * How the dock aggregate's events change a dock ({@link DockState}). Pure: no storage, no clock.
 *
 * <ul>
 *   <li>registered: {@code active}, credential version of the registered credential, rotation {@code none};</li>
 *   <li>rotation started: rotation {@code validating} with its id and candidate version;</li>
 *   <li>rotated: the candidate is current; the previous version and its end of validity are noted, rotation
 *   {@code completed};</li>
 *   <li>rotation failed: rotation {@code failed}, the current version stays, the failure (rotation, rejected version,
 *   reason, time) is noted;</li>
 *   <li>retired: the previous version is cleared when it is the one retired;</li>
 *   <li>decrypted: the last decryption (version, actor, purpose, operation, time) and the count;</li>
 *   <li>deleted: {@code deleted}, by whom and when.</li>
 * </ul>
 * Only the credential's version is read from the encrypted credential; its ciphertext, nonce and data key id are
 * never kept. Settings whose names or values look secret are kept as {@value Redactor#REDACTED} (settings are not
 * meant to hold secrets; this is a second line of defence).
 *
 * <p>Idempotency as {@link ResourceFold}: an event applies only to an existing dock of the same id and organisation
 * and only above the state's position; a second registration changes nothing; no change returns the same instance.
 */
public final class DockFold {

    public static final Set<Class<?>> EVENT_TYPES = Set.of(DockRegisteredEvent.class,
            CredentialRotationStartedEvent.class, CredentialRotatedEvent.class, CredentialRotationFailedEvent.class,
            CredentialRetiredEvent.class, DockCredentialDecryptedEvent.class, DockDeletedEvent.class);

    private DockFold() {
    }

    public static DockState apply(DockState state, Object event, long position) {
        if (event instanceof DockRegisteredEvent e) {
            if (state != null) {
                return state;
            }
            int version = e.credential() == null ? 1 : e.credential().version();
            return new DockState(e.dockId(), e.orgId(), e.name(), e.provider(), safe(e.settings()), e.registeredBy(),
                    e.registeredAt(), position, DockView.ACTIVE, version, DockRotationView.NONE, null, null, null,
                    null, null, null, null, null, null, null, null, null, null, null, null, 0, e.registeredAt(),
                    position);
        }
        if (state == null || position <= state.position()) {
            return state;
        }
        if (event instanceof CredentialRotationStartedEvent e) {
            if (!of(state, e.dockId(), e.orgId())) {
                return state;
            }
            Builder b = new Builder(state, e.startedAt(), position);
            b.rotationStatus = DockRotationView.VALIDATING;
            b.rotationId = e.rotationId();
            b.candidateVersion = e.candidate() == null ? null : e.candidate().version();
            return b.build();
        }
        if (event instanceof CredentialRotatedEvent e) {
            if (!of(state, e.dockId(), e.orgId())) {
                return state;
            }
            Builder b = new Builder(state, e.rotatedAt(), position);
            b.rotationStatus = DockRotationView.COMPLETED;
            b.rotationId = e.rotationId();
            b.credentialVersion = e.currentVersion();
            b.previousVersion = e.previousVersion();
            b.previousValidUntil = e.previousValidUntil();
            return b.build();
        }
        if (event instanceof CredentialRotationFailedEvent e) {
            if (!of(state, e.dockId(), e.orgId())) {
                return state;
            }
            Builder b = new Builder(state, e.failedAt(), position);
            b.rotationStatus = DockRotationView.FAILED;
            b.rotationId = e.rotationId();
            b.credentialVersion = e.currentVersion();
            b.lastFailureRotationId = e.rotationId();
            b.lastFailureVersion = e.rejectedVersion();
            b.lastFailureReason = Redactor.summaryText(e.reason());
            b.lastFailureAt = e.failedAt();
            return b.build();
        }
        if (event instanceof CredentialRetiredEvent e) {
            if (!of(state, e.dockId(), e.orgId())) {
                return state;
            }
            Builder b = new Builder(state, e.retiredAt(), position);
            if (state.previousVersion() != null && state.previousVersion() == e.version()) {
                b.previousVersion = null;
                b.previousValidUntil = null;
            }
            return b.build();
        }
        if (event instanceof DockCredentialDecryptedEvent e) {
            if (!of(state, e.dockId(), e.orgId())) {
                return state;
            }
            // a decryption is a use, not a change of the dock: updated_at stays
            Builder b = new Builder(state, state.updatedAt(), position);
            b.lastDecryptionVersion = e.version();
            b.lastDecryptionActor = e.actor();
            b.lastDecryptionPurpose = e.purpose();
            b.lastDecryptionOperationId = e.operationId();
            b.lastDecryptedAt = e.decryptedAt();
            b.decryptionCount = state.decryptionCount() + 1;
            return b.build();
        }
        if (event instanceof DockDeletedEvent e) {
            if (!of(state, e.dockId(), e.orgId())) {
                return state;
            }
            Builder b = new Builder(state, e.deletedAt(), position);
            b.status = DockView.DELETED;
            b.deletedBy = e.deletedBy();
            b.deletedAt = e.deletedAt();
            return b.build();
        }
        return state;
    }

    /** Settings as kept: values under secret-looking names, or that look like credentials, are redacted. */
    static Map<String, String> safe(Map<String, String> settings) {
        Map<String, String> safe = new TreeMap<>();
        if (settings != null) {
            settings.forEach((key, value) -> safe.put(key,
                    Redactor.isSecretName(key) || Redactor.looksSecret(value) ? Redactor.REDACTED : value));
        }
        return safe;
    }

    private static boolean of(DockState state, String dockId, String orgId) {
        return state.dockId().equals(dockId) && state.orgId().equals(orgId);
    }

    /** A copy of a state to change a few fields of. */
    private static final class Builder {
        private final DockState s;
        private final Instant updatedAt;
        private final long position;
        String status;
        int credentialVersion;
        String rotationStatus;
        String rotationId;
        Integer candidateVersion;
        Integer previousVersion;
        Instant previousValidUntil;
        String lastFailureRotationId;
        Integer lastFailureVersion;
        String lastFailureReason;
        Instant lastFailureAt;
        String deletedBy;
        Instant deletedAt;
        Integer lastDecryptionVersion;
        String lastDecryptionActor;
        String lastDecryptionPurpose;
        String lastDecryptionOperationId;
        Instant lastDecryptedAt;
        long decryptionCount;

        Builder(DockState s, Instant updatedAt, long position) {
            this.s = s;
            this.updatedAt = updatedAt;
            this.position = position;
            status = s.status();
            credentialVersion = s.credentialVersion();
            rotationStatus = s.rotationStatus();
            rotationId = s.rotationId();
            candidateVersion = s.candidateVersion();
            previousVersion = s.previousVersion();
            previousValidUntil = s.previousValidUntil();
            lastFailureRotationId = s.lastFailureRotationId();
            lastFailureVersion = s.lastFailureVersion();
            lastFailureReason = s.lastFailureReason();
            lastFailureAt = s.lastFailureAt();
            deletedBy = s.deletedBy();
            deletedAt = s.deletedAt();
            lastDecryptionVersion = s.lastDecryptionVersion();
            lastDecryptionActor = s.lastDecryptionActor();
            lastDecryptionPurpose = s.lastDecryptionPurpose();
            lastDecryptionOperationId = s.lastDecryptionOperationId();
            lastDecryptedAt = s.lastDecryptedAt();
            decryptionCount = s.decryptionCount();
        }

        DockState build() {
            return new DockState(s.dockId(), s.orgId(), s.name(), s.provider(), s.settings(), s.registeredBy(),
                    s.registeredAt(), s.registeredPosition(), status, credentialVersion, rotationStatus, rotationId,
                    candidateVersion, previousVersion, previousValidUntil, lastFailureRotationId, lastFailureVersion,
                    lastFailureReason, lastFailureAt, deletedBy, deletedAt, lastDecryptionVersion,
                    lastDecryptionActor, lastDecryptionPurpose, lastDecryptionOperationId, lastDecryptedAt,
                    decryptionCount, updatedAt, position);
        }
    }
}
