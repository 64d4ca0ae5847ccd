package io.phasegate.events.contract;

import io.phasegate.events.dock.CredentialRetiredEvent;
import io.phasegate.events.dock.CredentialRotatedEvent;
import io.phasegate.events.dock.CredentialRotationFailedEvent;
import io.phasegate.events.dock.CredentialRotationStartedEvent;
import io.phasegate.events.dock.DockCredentialDecryptedEvent;
import io.phasegate.events.dock.DockDeletedEvent;
import io.phasegate.events.dock.DockRegisteredEvent;
import io.phasegate.events.dock.EncryptedCredential;
import io.phasegate.events.org.AccessLevel;
import io.phasegate.events.org.MemberAddedEvent;
import io.phasegate.events.org.MemberRemovedEvent;
import io.phasegate.events.org.MemberRolesChangedEvent;
import io.phasegate.events.org.OrganisationCreatedEvent;
import io.phasegate.events.org.RoleDefinedEvent;
import io.phasegate.events.org.RolePermissions;
import io.phasegate.events.resource.ProvisioningSource;
import io.phasegate.events.resource.ResourceDeprovisionedEvent;
import io.phasegate.events.resource.ResourceDeprovisioningRequestedEvent;
import io.phasegate.events.resource.ResourceImportedEvent;
import io.phasegate.events.resource.ResourceOperation;
import io.phasegate.events.resource.ResourceOperationAttemptFailedEvent;
import io.phasegate.events.resource.ResourceOperationFailedEvent;
import io.phasegate.events.resource.ResourceProvisionedEvent;
import io.phasegate.events.resource.ResourceProvisioningRequestedEvent;
import io.phasegate.events.resource.ResourceType;
import io.phasegate.events.resource.ResourceUpdateRequestedEvent;
import io.phasegate.events.resource.ResourceUpdatedEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Samples of the organisation, dock and resource events (see {@link EventSamples}). */
final class ProvisioningEventSamples {

    private ProvisioningEventSamples() {
    }

    private static final Instant AT = Instant.parse("2025-03-14T10:02:41.250Z");
    private static final EncryptedCredential CREDENTIAL = new EncryptedCredential(2, "dk-5d1e", "AES-256-GCM",
            "q1w2e3r4t5y6u7i8", "c2FtcGxlLWNpcGhlcnRleHQtbm90LWEtc2VjcmV0");
    private static final Map<String, Object> SPEC = Map.of("size", "small", "region", "eu-1", "replicas", 2);

    static final Map<Class<?>, Object> SAMPLES = Map.ofEntries(
            Map.entry(OrganisationCreatedEvent.class, new OrganisationCreatedEvent("org-acme", "Acme Ltd",
                    Map.of("admin", RolePermissions.ADMIN, "viewer", RolePermissions.VIEWER), "user-ada", AT)),
            Map.entry(RoleDefinedEvent.class, new RoleDefinedEvent("org-acme", "operator",
                    new RolePermissions(AccessLevel.FULL, AccessLevel.READ, AccessLevel.NONE, false), "user-ada", AT)),
            Map.entry(MemberAddedEvent.class, new MemberAddedEvent("org-acme", "user-grace",
                    List.of("developer", "operator"), "user-ada", AT)),
            Map.entry(MemberRolesChangedEvent.class, new MemberRolesChangedEvent("org-acme", "user-grace",
                    List.of("auditor"), List.of("developer", "operator"), "user-ada", AT)),
            Map.entry(MemberRemovedEvent.class, new MemberRemovedEvent("org-acme", "user-grace", "user-ada", AT)),
            Map.entry(DockRegisteredEvent.class, new DockRegisteredEvent("dock-4b2a", "org-acme", "eu cloud", "http",
                    Map.of("base_url", "https://provider.example/api"), CREDENTIAL, "user-ada", AT)),
            Map.entry(CredentialRotationStartedEvent.class, new CredentialRotationStartedEvent("dock-4b2a",
                    "org-acme", "rot-77aa", CREDENTIAL, 1, Duration.ofMinutes(15), "user-ada", AT)),
            Map.entry(CredentialRotatedEvent.class, new CredentialRotatedEvent("dock-4b2a", "org-acme", "rot-77aa", 2,
                    1, AT.plusSeconds(900), AT)),
            Map.entry(CredentialRotationFailedEvent.class, new CredentialRotationFailedEvent("dock-4b2a", "org-acme",
                    "rot-77aa", 2, 1, "provider rejected the credentials (401)", AT)),
            Map.entry(CredentialRetiredEvent.class, new CredentialRetiredEvent("dock-4b2a", "org-acme", 1, AT)),
            Map.entry(DockCredentialDecryptedEvent.class, new DockCredentialDecryptedEvent("dock-4b2a", "org-acme", 2,
                    "user-ada", "provision", "op-19fe", AT)),
            Map.entry(DockDeletedEvent.class, new DockDeletedEvent("dock-4b2a", "org-acme", "dk-5d1e", "user-ada", AT)),
            Map.entry(ResourceProvisioningRequestedEvent.class, new ResourceProvisioningRequestedEvent("res-81c3",
                    "org-acme", "dock-4b2a", ResourceType.DATABASE, "orders-db", SPEC, ProvisioningSource.API,
                    "op-19fe", 1, "user-ada", AT)),
            Map.entry(ResourceImportedEvent.class, new ResourceImportedEvent("res-81c3", "org-acme", "dock-4b2a",
                    ResourceType.DOMAIN, "acme.example", SPEC, "prov-dom-5512", ProvisioningSource.IMPORT, "user-ada",
                    AT)),
            Map.entry(ResourceUpdateRequestedEvent.class, new ResourceUpdateRequestedEvent("res-81c3", "org-acme",
                    "dock-4b2a", "op-2a07", SPEC, 2, "user-ada", AT)),
            Map.entry(ResourceDeprovisioningRequestedEvent.class, new ResourceDeprovisioningRequestedEvent("res-81c3",
                    "org-acme", "dock-4b2a", "op-3b18", "prov-db-0091", 3, "user-ada", AT)),
            Map.entry(ResourceOperationAttemptFailedEvent.class, new ResourceOperationAttemptFailedEvent("res-81c3",
                    "org-acme", "op-19fe", ResourceOperation.PROVISION, 1, "provider timed out after 10 s",
                    AT.plusSeconds(2), AT)),
            Map.entry(ResourceProvisionedEvent.class, new ResourceProvisionedEvent("res-81c3", "org-acme", "op-19fe",
                    "prov-db-0091", 1, Map.of("endpoint", "db.eu-1.provider.example:5432"), AT)),
            Map.entry(ResourceUpdatedEvent.class, new ResourceUpdatedEvent("res-81c3", "org-acme", "op-2a07", 2,
                    Map.of("endpoint", "db.eu-1.provider.example:5432"), AT)),
            Map.entry(ResourceDeprovisionedEvent.class, new ResourceDeprovisionedEvent("res-81c3", "org-acme",
                    "op-3b18", 3, AT)),
            Map.entry(ResourceOperationFailedEvent.class, new ResourceOperationFailedEvent("res-81c3", "org-acme",
                    "op-19fe", ResourceOperation.PROVISION, "quota exceeded", 3, 1, AT)));
}
