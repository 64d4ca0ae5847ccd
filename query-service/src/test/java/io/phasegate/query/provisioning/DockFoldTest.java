package io.phasegate.query.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import io.phasegate.events.dock.CredentialRetiredEvent;
import io.phasegate.events.dock.CredentialRotatedEvent;
import io.phasegate.events.dock.CredentialRotationFailedEvent;
import io.phasegate.events.dock.CredentialRotationStartedEvent;
import io.phasegate.events.dock.DockCredentialDecryptedEvent;
import io.phasegate.events.dock.DockDeletedEvent;
import io.phasegate.events.dock.DockRegisteredEvent;
import io.phasegate.events.dock.DockView;
import io.phasegate.events.dock.EncryptedCredential;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DockFoldTest {

    static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");

    static DockRegisteredEvent registered() {
        return new DockRegisteredEvent("d-1", "acme", "main", "local", Map.of("region", "eu", "api_key", "k-1"),
                new EncryptedCredential(1, "dk-1", "AES-256-GCM", "bm9uY2U=", "Y2lwaGVy"), "alice", T0);
    }

    static CredentialRotationStartedEvent started(String rotation, int version) {
        return new CredentialRotationStartedEvent("d-1", "acme", rotation,
                new EncryptedCredential(version, "dk-1", "AES-256-GCM", "bm9uY2Uy", "Y2lwaGVyMg=="), version - 1,
                Duration.ofHours(1), "bob", T0.plusSeconds(10));
    }

    @Test
    void registrationThenARotationThatCompletesAndRetiresThePreviousVersion() {
        DockState s = DockFold.apply(null, registered(), 5);
        assertThat(s.status()).isEqualTo("active");
        assertThat(s.credentialVersion()).isEqualTo(1);
        assertThat(s.rotationStatus()).isEqualTo("none");
        assertThat(s.settings()).isEqualTo(Map.of("region", "eu", "api_key", "[redacted]"));
        assertThat(s.registeredPosition()).isEqualTo(5);
        assertThat(s.toString()).doesNotContain("bm9uY2U=", "Y2lwaGVy", "dk-1");

        s = DockFold.apply(s, started("rot-1", 2), 6);
        assertThat(s.rotationStatus()).isEqualTo("validating");
        assertThat(s.rotationId()).isEqualTo("rot-1");
        assertThat(s.candidateVersion()).isEqualTo(2);
        assertThat(s.credentialVersion()).isEqualTo(1);
        assertThat(s.toString()).doesNotContain("bm9uY2Uy", "Y2lwaGVyMg==");

        s = DockFold.apply(s, new CredentialRotatedEvent("d-1", "acme", "rot-1", 2, 1, T0.plusSeconds(3600),
                T0.plusSeconds(20)), 7);
        assertThat(s.rotationStatus()).isEqualTo("completed");
        assertThat(s.credentialVersion()).isEqualTo(2);
        assertThat(s.previousVersion()).isEqualTo(1);
        assertThat(s.previousValidUntil()).isEqualTo(T0.plusSeconds(3600));
        assertThat(s.updatedAt()).isEqualTo(T0.plusSeconds(20));

        DockState beforeRetire = s;
        assertThat(DockFold.apply(s, new CredentialRetiredEvent("d-1", "acme", 7, T0), 8).previousVersion())
                .as("another version's retirement leaves the previous one").isEqualTo(1);
        s = DockFold.apply(s, new CredentialRetiredEvent("d-1", "acme", 1, T0.plusSeconds(3600)), 8);
        assertThat(s.previousVersion()).isNull();
        assertThat(s.previousValidUntil()).isNull();
        assertThat(s.rotationStatus()).isEqualTo("completed");
        assertThat(DockFold.apply(s, new CredentialRetiredEvent("d-1", "acme", 1, T0), 8)).as("redelivered")
                .isSameAs(s);
        assertThat(beforeRetire).isNotSameAs(s);
    }

    @Test
    void aFailedRotationKeepsTheCurrentVersionAndRecordsTheFailure() {
        DockState s = DockFold.apply(null, registered(), 5);
        s = DockFold.apply(s, started("rot-1", 2), 6);
        s = DockFold.apply(s, new CredentialRotationFailedEvent("d-1", "acme", "rot-1", 2, 1, "invalid api key",
                T0.plusSeconds(15)), 7);
        assertThat(s.rotationStatus()).isEqualTo("failed");
        assertThat(s.credentialVersion()).isEqualTo(1);
        assertThat(s.candidateVersion()).isEqualTo(2);
        assertThat(s.lastFailureRotationId()).isEqualTo("rot-1");
        assertThat(s.lastFailureVersion()).isEqualTo(2);
        assertThat(s.lastFailureReason()).isEqualTo("invalid api key");
        assertThat(s.lastFailureAt()).isEqualTo(T0.plusSeconds(15));
        DockView view = DockRows.view(s);
        assertThat(view.rotation().status()).isEqualTo("failed");
        assertThat(view.rotation().lastFailure().reason()).isEqualTo("invalid api key");
        // a new rotation validates again; the last failure stays on record
        s = DockFold.apply(s, started("rot-2", 3), 8);
        assertThat(s.rotationStatus()).isEqualTo("validating");
        assertThat(s.lastFailureRotationId()).isEqualTo("rot-1");
    }

    @Test
    void decryptionsAreCountedAndDeletionEndsTheDock() {
        DockState s = DockFold.apply(null, registered(), 5);
        s = DockFold.apply(s, new DockCredentialDecryptedEvent("d-1", "acme", 1, "process", "provision", "op-1",
                T0.plusSeconds(5)), 6);
        s = DockFold.apply(s, new DockCredentialDecryptedEvent("d-1", "acme", 1, "carol", "validate", "op-2",
                T0.plusSeconds(6)), 7);
        assertThat(s.decryptionCount()).isEqualTo(2);
        assertThat(s.lastDecryptionActor()).isEqualTo("carol");
        assertThat(s.lastDecryptionPurpose()).isEqualTo("validate");
        assertThat(s.lastDecryptionOperationId()).isEqualTo("op-2");
        assertThat(s.lastDecryptedAt()).isEqualTo(T0.plusSeconds(6));
        assertThat(s.updatedAt()).as("a use is no change").isEqualTo(T0);

        s = DockFold.apply(s, new DockDeletedEvent("d-1", "acme", "dk-1", "alice", T0.plusSeconds(100)), 8);
        assertThat(s.status()).isEqualTo("deleted");
        assertThat(s.deletedBy()).isEqualTo("alice");
        assertThat(s.deletedAt()).isEqualTo(T0.plusSeconds(100));
        assertThat(s.toString()).doesNotContain("dk-1");
    }

    @Test
    void foreignOlderAndDuplicateEventsChangeNothing() {
        DockState s = DockFold.apply(null, registered(), 5);
        assertThat(DockFold.apply(s, registered(), 6)).isSameAs(s);
        assertThat(DockFold.apply(s, started("r", 2), 5)).isSameAs(s);
        assertThat(DockFold.apply(s, new DockDeletedEvent("d-1", "other", "dk", "x", T0), 9)).isSameAs(s);
        assertThat(DockFold.apply(null, started("r", 2), 9)).isNull();
        assertThat(DockFold.EVENT_TYPES).hasSize(7);
    }
}
