package io.phasegate.query.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.phasegate.events.dock.CredentialRotationStartedEvent;
import io.phasegate.events.dock.DockCredentialDecryptedEvent;
import io.phasegate.events.dock.DockDeletedEvent;
import io.phasegate.events.dock.DockRegisteredEvent;
import io.phasegate.events.dock.EncryptedCredential;
import io.phasegate.events.org.MemberAddedEvent;
import io.phasegate.events.resource.ProvisioningSource;
import io.phasegate.events.resource.ResourceImportedEvent;
import io.phasegate.events.resource.ResourceOperation;
import io.phasegate.events.resource.ResourceOperationFailedEvent;
import io.phasegate.events.resource.ResourceProvisioningRequestedEvent;
import io.phasegate.events.resource.ResourceType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.junit.jupiter.api.Test;

/**
 * Audit records of dock, resource and organisation events: their descriptions, their actors, and no credential
 * material — neither the ciphertext nor the nonce nor the data key id of a dock's encrypted credentials — in the
 * summary (which the list, the streams and the NDJSON/CSV exports all serve as stored).
 */
class ProvisioningAuditSummaryTest {

    private static final Instant AT = Instant.parse("2026-02-01T09:00:00Z");
    private static final String NONCE = "q83vEjRWeJq83vEj";
    private static final String CIPHERTEXT = "c2VjcmV0LWNpcGhlcnRleHQtYW5kLXRhZw==";
    private static final String DATA_KEY = "dk-7f3a";

    private static AuditRow draft(String aggregateType, String id, Object payload) {
        return AuditRecordFactory.draft(9, "acme", payload,
                new GenericDomainEventMessage<>(aggregateType, id, 0, payload)).row();
    }

    @Test
    void aRegisteredDocksEncryptedCredentialIsNotInItsAuditRecord() {
        DockRegisteredEvent registered = new DockRegisteredEvent("d-1", "acme", "main", "local",
                Map.of("region", "eu"), new EncryptedCredential(1, DATA_KEY, "AES-256-GCM", NONCE, CIPHERTEXT), "alice",
                AT);
        AuditRow row = draft("Dock", "d-1", registered);
        assertThat(row.summary()).doesNotContain(NONCE, CIPHERTEXT, DATA_KEY);
        assertThat(row.description()).isEqualTo("Dock d-1 (main, provider local) registered by alice");
        assertThat(row.actor()).isEqualTo("alice");
        Map<?, ?> summary = AuditPayloads.SNAKE_CASE.readValue(row.summary(), Map.class);
        assertThat(summary.get("credential")).isEqualTo("[redacted]");
        assertThat(summary.get("settings")).isEqualTo(Map.of("region", "eu"));
        assertThat(exported(row)).doesNotContain(NONCE, CIPHERTEXT, DATA_KEY);
    }

    @Test
    void aRotationsCandidateKeepsItsVersionButNotItsCipherMaterial() {
        CredentialRotationStartedEvent started = new CredentialRotationStartedEvent("d-1", "acme", "rot-1",
                new EncryptedCredential(2, DATA_KEY, "AES-256-GCM", NONCE, CIPHERTEXT), 1, Duration.ofHours(1), "bob",
                AT);
        AuditRow row = draft("Dock", "d-1", started);
        assertThat(row.summary()).doesNotContain(NONCE, CIPHERTEXT, DATA_KEY);
        Map<?, ?> summary = AuditPayloads.SNAKE_CASE.readValue(row.summary(), Map.class);
        assertThat(summary.get("candidate")).isEqualTo(Map.of("version", 2, "algorithm", "AES-256-GCM",
                "nonce", "[redacted]", "ciphertext", "[redacted]", "data_key_id", "[redacted]"));
        assertThat(row.description()).isEqualTo("Credential rotation rot-1 of dock d-1 started by bob");
        assertThat(row.actor()).isEqualTo("bob");
        assertThat(exported(row)).doesNotContain(NONCE, CIPHERTEXT, DATA_KEY);

        AuditRow deleted = draft("Dock", "d-1", new DockDeletedEvent("d-1", "acme", DATA_KEY, "carol", AT));
        assertThat(deleted.summary()).doesNotContain(DATA_KEY);
        assertThat(deleted.description()).isEqualTo("Dock d-1 deleted by carol; its data key was destroyed");
    }

    @Test
    void dockResourceAndOrganisationEventsAreDescribed() {
        assertThat(draft("Dock", "d-1", new DockCredentialDecryptedEvent("d-1", "acme", 2, "provisioner",
                "provision", "op-1", AT))).satisfies(row -> {
                    assertThat(row.description())
                            .isEqualTo("Credential version 2 of dock d-1 decrypted by provisioner for provision");
                    assertThat(row.actor()).isEqualTo("provisioner");
                });
        assertThat(draft("Resource", "r-1", new ResourceProvisioningRequestedEvent("r-1", "acme", "d-1",
                ResourceType.DATABASE, "db", Map.of(), ProvisioningSource.API, "op-1", 1, "alice", AT)).description())
                .isEqualTo("Provisioning of resource r-1 (db) on dock d-1 requested by alice");
        AuditRow imported = draft("Resource", "r-2", new ResourceImportedEvent("r-2", "acme", "d-1",
                ResourceType.DOMAIN, "example.org", Map.of(), "p-1", ProvisioningSource.IMPORT, "bob", AT));
        assertThat(imported.description()).isEqualTo("Resource r-2 (example.org) imported from dock d-1 by bob");
        assertThat(imported.actor()).isEqualTo("bob");
        assertThat(draft("Resource", "r-1", new ResourceOperationFailedEvent("r-1", "acme", "op-1",
                ResourceOperation.PROVISION, "quota", 3, 1, AT)).description())
                .isEqualTo("Operation op-1 of resource r-1 failed after 3 attempt(s)");
        AuditRow member = draft("Organisation", "acme", new MemberAddedEvent("acme", "dave", List.of("developer"),
                "alice", AT));
        assertThat(member.description()).isEqualTo("Member dave added to organisation acme by alice");
        assertThat(member.actor()).isEqualTo("alice");
    }

    /** The record as the CSV export writes it. */
    private static String exported(AuditRow row) {
        return AuditExport.csvLines(List.of(new io.phasegate.events.audit.AuditRecordView(row.position(), row.orgId(),
                1, row.eventId(), row.eventType(), row.aggregateType(), row.aggregateId(), row.aggregateSequence(),
                row.occurredAt(), row.actor(), row.correlationId(), row.causationId(), row.description(),
                AuditPayloads.SNAKE_CASE.readValue(row.summary(), Map.class), null, null, "h")));
    }
}
