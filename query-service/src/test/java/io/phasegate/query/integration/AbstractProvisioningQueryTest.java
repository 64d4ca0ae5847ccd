package io.phasegate.query.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.phasegate.events.dock.CredentialRetiredEvent;
import io.phasegate.events.dock.CredentialRotatedEvent;
import io.phasegate.events.dock.CredentialRotationFailedEvent;
import io.phasegate.events.dock.CredentialRotationStartedEvent;
import io.phasegate.events.dock.DockCredentialDecryptedEvent;
import io.phasegate.events.dock.DockDeletedEvent;
import io.phasegate.events.dock.DockRegisteredEvent;
import io.phasegate.events.dock.EncryptedCredential;
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
import io.phasegate.platform.identity.InternalTokens;
import io.phasegate.query.provisioning.DockProjection;
import io.phasegate.query.provisioning.ResourceProjection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.axonframework.eventhandling.AbstractEventProcessor;
import org.axonframework.eventhandling.EventHandlerInvoker;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The provisioning read models against real storage: docks (credential version and rotation, never credential
 * material), resources with their filters, pagination and {@code ETag}, getProvisionStatus and
 * listProvisioningOperations, permissions and organisation isolation; redelivery and replay of both projections;
 * the resource as-of against the projection at every position; the resources SSE stream with a real SSE client.
 * Events go through the real event store and processors.
 */
abstract class AbstractProvisioningQueryTest extends AuditTestSupport {

    static final String NONCE = "bm9uY2UtMTIzNDU2";
    static final String CIPHERTEXT = "Y2lwaGVydGV4dC1hbmQtdGFnLTEyMzQ=";
    static final String DATA_KEY = "datakey-4711";
    static final Set<String> DOCK_FIELDS = Set.of("dock_id", "org_id", "name", "provider", "settings", "status",
            "credential_version", "rotation", "registered_by", "registered_at", "deleted_by", "deleted_at",
            "last_decryption", "decryption_count", "updated_at", "position");
    static final Set<String> ROTATION_FIELDS = Set.of("status", "rotation_id", "candidate_version",
            "previous_version", "previous_valid_until", "last_failure");
    static final Set<String> RESOURCE_FIELDS = Set.of("resource_id", "org_id", "dock_id", "type", "name", "spec",
            "provisioning_source", "provider_resource_id", "state", "revision", "attributes", "last_error",
            "created_by", "created_at", "provisioned_at", "updated_at", "deprovisioned_at", "operation_id",
            "position");
    static final Set<String> OPERATION_FIELDS = Set.of("operation_id", "resource_id", "org_id", "dock_id", "kind",
            "status", "revision", "attempts", "last_error", "next_attempt_at", "requested_by", "requested_at",
            "completed_at", "position");
    static final String RESOURCES_STREAM = "/api/v1/streams/resources";
    static final Duration WAIT = Duration.ofSeconds(20);

    private final Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    @BeforeEach
    void provisioningProcessorsRun() {
        for (String group : List.of(DockProjection.GROUP, ResourceProjection.GROUP)) {
            awaitCondition("processor " + group + " claims its segment",
                    () -> !processor(group).processingStatus().isEmpty(), Duration.ofSeconds(30));
        }
    }

    // ------------------------------------------------------------------------------------------------------------

    @Test
    void docksShowCredentialVersionAndRotationButNoCredentialMaterial() {
        String org = "dock-" + suffix();
        String dock = "d-" + suffix();
        String admin = identity("ada", org, "admin");
        long registered = emit("Dock", dock, new DockRegisteredEvent(dock, org, "main", "local",
                Map.of("region", "eu-1", "api_token", "plain-value"), credential(1), "alice", t0));
        JsonNode view = getJson("/api/v1/docks/" + dock + "?min_position=" + registered, admin);
        assertThat(fieldNames(view)).isEqualTo(DOCK_FIELDS);
        assertThat(fieldNames(view.path("rotation"))).isEqualTo(ROTATION_FIELDS);
        assertThat(view.path("status").asString()).isEqualTo("active");
        assertThat(view.path("credential_version").asInt()).isEqualTo(1);
        assertThat(view.path("rotation").path("status").asString()).isEqualTo("none");
        assertThat(view.path("settings").path("region").asString()).isEqualTo("eu-1");
        assertThat(view.path("settings").path("api_token").asString()).isEqualTo("[redacted]");
        assertThat(view.path("registered_by").asString()).isEqualTo("alice");
        assertThat(view.path("last_decryption").isNull()).isTrue();
        assertThat(view.path("position").asLong()).isEqualTo(registered);

        long started = emit("Dock", dock, new CredentialRotationStartedEvent(dock, org, "rot-1", credential(2), 1,
                Duration.ofHours(1), "bob", t0.plusSeconds(1)));
        JsonNode rotation = getJson("/api/v1/docks/" + dock + "?min_position=" + started, admin).path("rotation");
        assertThat(rotation.path("status").asString()).isEqualTo("validating");
        assertThat(rotation.path("rotation_id").asString()).isEqualTo("rot-1");
        assertThat(rotation.path("candidate_version").asInt()).isEqualTo(2);

        long failed = emit("Dock", dock, new CredentialRotationFailedEvent(dock, org, "rot-1", 2, 1,
                "validation refused", t0.plusSeconds(2)));
        view = getJson("/api/v1/docks/" + dock + "?min_position=" + failed, admin);
        assertThat(view.path("credential_version").asInt()).isEqualTo(1);
        assertThat(view.path("rotation").path("status").asString()).isEqualTo("failed");
        JsonNode failure = view.path("rotation").path("last_failure");
        assertThat(failure.path("rotation_id").asString()).isEqualTo("rot-1");
        assertThat(failure.path("rejected_version").asInt()).isEqualTo(2);
        assertThat(failure.path("reason").asString()).isEqualTo("validation refused");
        assertThat(Instant.parse(failure.path("failed_at").asString())).isEqualTo(t0.plusSeconds(2));

        emit("Dock", dock, new CredentialRotationStartedEvent(dock, org, "rot-2", credential(3), 1,
                Duration.ofHours(1), "bob", t0.plusSeconds(3)));
        long rotated = emit("Dock", dock, new CredentialRotatedEvent(dock, org, "rot-2", 3, 1, t0.plusSeconds(3603),
                t0.plusSeconds(4)));
        view = getJson("/api/v1/docks/" + dock + "?min_position=" + rotated, admin);
        assertThat(view.path("credential_version").asInt()).isEqualTo(3);
        rotation = view.path("rotation");
        assertThat(rotation.path("status").asString()).isEqualTo("completed");
        assertThat(rotation.path("rotation_id").asString()).isEqualTo("rot-2");
        assertThat(rotation.path("previous_version").asInt()).isEqualTo(1);
        assertThat(Instant.parse(rotation.path("previous_valid_until").asString())).isEqualTo(t0.plusSeconds(3603));
        assertThat(rotation.path("last_failure").path("rotation_id").asString()).isEqualTo("rot-1");

        emit("Dock", dock, new DockCredentialDecryptedEvent(dock, org, 3, "provisioner", "provision", "op-1",
                t0.plusSeconds(5)));
        long retired = emit("Dock", dock, new CredentialRetiredEvent(dock, org, 1, t0.plusSeconds(3603)));
        view = getJson("/api/v1/docks/" + dock + "?min_position=" + retired, admin);
        assertThat(view.path("rotation").path("previous_version").isNull()).isTrue();
        assertThat(view.path("rotation").path("previous_valid_until").isNull()).isTrue();
        assertThat(view.path("decryption_count").asLong()).isEqualTo(1);
        JsonNode decryption = view.path("last_decryption");
        assertThat(fieldNames(decryption)).isEqualTo(Set.of("version", "actor", "purpose", "operation_id",
                "decrypted_at"));
        assertThat(decryption.path("actor").asString()).isEqualTo("provisioner");
        assertThat(decryption.path("purpose").asString()).isEqualTo("provision");
        assertThat(decryption.path("version").asInt()).isEqualTo(3);

        // a second dock, then the first one deleted: the list filters by status, oldest first
        String other = "d2-" + suffix();
        emit("Dock", other, new DockRegisteredEvent(other, org, "spare", "http", Map.of(), credential(1), "alice",
                t0.plusSeconds(6)));
        long deleted = emit("Dock", dock, new DockDeletedEvent(dock, org, DATA_KEY, "carol", t0.plusSeconds(7)));
        JsonNode list = getJson("/api/v1/docks?min_position=" + deleted, admin);
        assertThat(list.path("items").size()).isEqualTo(2);
        assertThat(list.path("items").get(0).path("dock_id").asString()).isEqualTo(dock);
        assertThat(list.path("items").get(0).path("status").asString()).isEqualTo("deleted");
        assertThat(list.path("items").get(0).path("deleted_by").asString()).isEqualTo("carol");
        assertThat(ids(getJson("/api/v1/docks?status=active", admin), "dock_id")).containsExactly(other);
        assertThat(ids(getJson("/api/v1/docks?status=deleted", identity("dev", org, "developer")), "dock_id"))
                .containsExactly(dock);

        // no credential material anywhere: responses, rows, audit records and exports
        String everything = body("/api/v1/docks/" + dock, admin) + body("/api/v1/docks", admin)
                + jdbc.queryForList("SELECT * FROM docks WHERE org_id = ?", org);
        assertThat(everything).doesNotContain(NONCE, CIPHERTEXT, DATA_KEY, "plain-value");
        awaitAudited(deleted);
        String exported = body("/api/v1/audit/export?aggregate_id=" + dock, admin)
                + body("/api/v1/audit/export?format=csv&aggregate_id=" + dock, admin)
                + body("/api/v1/audit?aggregate_id=" + dock, admin);
        assertThat(exported).contains("CredentialRotationStartedEvent", "DockRegisteredEvent",
                "Dock " + dock + " (main, provider local) registered by alice");
        assertThat(exported).doesNotContain(NONCE, CIPHERTEXT, DATA_KEY);

        // permissions and isolation
        problem("/api/v1/docks/" + dock, identity("vic", org, "viewer"), 403, null);
        problem("/api/v1/docks", identity("vic", org, "viewer"), 403, null);
        problem("/api/v1/docks/" + dock, identity("eve", "other-" + suffix(), "admin"), 404, "dock_not_found");
        problem("/api/v1/docks/nope-" + suffix(), admin, 404, "dock_not_found");
        assertThat(getJson("/api/v1/docks", identity("eve", "other-" + suffix(), "admin")).path("items").size())
                .isZero();
        problem("/api/v1/docks?status=gone", admin, 400, "invalid_parameter");
    }

    @Test
    void resourcesFilterPageAndCarryTheirRevisionAsETag() {
        String org = "res-" + suffix();
        String dockA = "da-" + suffix();
        String dockB = "db-" + suffix();
        String dev = identity("dev", org, "developer");
        String web = "web-" + suffix();
        String db = "db-" + suffix();
        String dom = "dom-" + suffix();
        String srv = "srv-" + suffix();
        emit("Resource", web, requested(web, org, dockA, ResourceType.WEB_SERVICE, "web_front", "op-w-" + web));
        emit("Resource", db, requested(db, org, dockA, ResourceType.DATABASE, "db-main", "op-d-" + db));
        emit("Resource", dom, new ResourceImportedEvent(dom, org, dockB, ResourceType.DOMAIN, "webx.example",
                Map.of("ttl", 300), "prov-dom", ProvisioningSource.IMPORT, "bob", t0));
        emit("Resource", srv, requested(srv, org, dockB, ResourceType.SERVER, "web-2", "op-s-" + srv));
        emit("Resource", web, new ResourceProvisionedEvent(web, org, "op-w-" + web, "prov-web", 1,
                Map.of("url", "https://web.example"), t0.plusSeconds(5)));
        long updated = emit("Resource", web, new ResourceUpdateRequestedEvent(web, org, dockA, "op-u-" + web,
                Map.of("replicas", 3), 2, "carol", t0.plusSeconds(6)));
        long last = emit("Resource", srv, new ResourceOperationFailedEvent(srv, org, "op-s-" + srv,
                ResourceOperation.PROVISION, "no capacity", 4, 1, t0.plusSeconds(7)));

        JsonNode all = getJson("/api/v1/resources?min_position=" + last, dev);
        assertThat(ids(all, "resource_id")).containsExactly(srv, dom, db, web);
        assertThat(all.path("next_cursor").isNull()).isTrue();
        JsonNode first = all.path("items").get(3);
        assertThat(fieldNames(first)).isEqualTo(RESOURCE_FIELDS);
        assertThat(first.path("state").asString()).isEqualTo("updating");
        assertThat(first.path("type").asString()).isEqualTo("web_service");
        assertThat(first.path("provisioning_source").asString()).isEqualTo("api");
        assertThat(first.path("revision").asLong()).isEqualTo(2);
        assertThat(first.path("spec").path("replicas").asInt()).isEqualTo(3);
        assertThat(first.path("attributes").path("url").asString()).isEqualTo("https://web.example");
        assertThat(first.path("provider_resource_id").asString()).isEqualTo("prov-web");
        assertThat(first.path("operation_id").asString()).isEqualTo("op-u-" + web);

        assertThat(ids(getJson("/api/v1/resources?dock_id=" + dockB, dev), "resource_id")).containsExactly(srv, dom);
        assertThat(ids(getJson("/api/v1/resources?type=database", dev), "resource_id")).containsExactly(db);
        assertThat(ids(getJson("/api/v1/resources?state=failed", dev), "resource_id")).containsExactly(srv);
        assertThat(ids(getJson("/api/v1/resources?state=provisioned&dock_id=" + dockB, dev), "resource_id"))
                .containsExactly(dom);
        assertThat(ids(getJson("/api/v1/resources?name_prefix=web", dev), "resource_id"))
                .containsExactly(srv, dom, web);
        assertThat(ids(getJson("/api/v1/resources?name_prefix=web_", dev), "resource_id"))
                .as("_ is no wildcard").containsExactly(web);

        // pages of two
        JsonNode page1 = getJson("/api/v1/resources?limit=2", dev);
        assertThat(ids(page1, "resource_id")).containsExactly(srv, dom);
        String cursor = page1.path("next_cursor").asString();
        JsonNode page2 = getJson("/api/v1/resources?limit=2&after=" + cursor, dev);
        assertThat(ids(page2, "resource_id")).containsExactly(db, web);
        assertThat(page2.path("next_cursor").isNull()).isTrue();

        // one resource, with its revision as ETag
        var result = http.get().uri("/api/v1/resources/{id}?min_position={p}", web, updated)
                .header(InternalTokens.HEADER, dev).exchange()
                .expectStatus().isOk()
                .expectHeader().valueEquals("ETag", "\"2\"")
                .expectBody(String.class).returnResult();
        assertThat(json(result).path("resource_id").asString()).isEqualTo(web);
        http.get().uri("/api/v1/resources/{id}", dom).header(InternalTokens.HEADER, dev).exchange()
                .expectStatus().isOk().expectHeader().valueEquals("ETag", "\"1\"");

        // getProvisionStatus
        JsonNode status = getJson("/api/v1/resources/" + srv + "/status", dev);
        assertThat(fieldNames(status)).isEqualTo(Set.of("resource_id", "org_id", "dock_id", "state", "revision",
                "provider_resource_id", "last_error", "operation", "updated_at", "position"));
        assertThat(status.path("state").asString()).isEqualTo("failed");
        assertThat(status.path("last_error").asString()).isEqualTo("no capacity");
        JsonNode operation = status.path("operation");
        assertThat(fieldNames(operation)).isEqualTo(OPERATION_FIELDS);
        assertThat(operation.path("kind").asString()).isEqualTo("provision");
        assertThat(operation.path("status").asString()).isEqualTo("failed");
        assertThat(operation.path("attempts").asInt()).isEqualTo(4);
        assertThat(operation.path("last_error").asString()).isEqualTo("no capacity");
        assertThat(getJson("/api/v1/resources/" + dom + "/status", dev).path("operation").isNull()).isTrue();

        // listProvisioningOperations
        JsonNode ops = getJson("/api/v1/resources/" + web + "/operations", dev);
        assertThat(ids(ops, "operation_id")).containsExactly("op-u-" + web, "op-w-" + web);
        assertThat(ops.path("items").get(0).path("status").asString()).isEqualTo("in_progress");
        assertThat(ops.path("items").get(1).path("status").asString()).isEqualTo("succeeded");
        assertThat(ops.path("items").get(1).path("attempts").asInt()).isEqualTo(1);
        assertThat(ids(getJson("/api/v1/resources/" + web + "/operations?status=succeeded", dev), "operation_id"))
                .containsExactly("op-w-" + web);
        assertThat(ids(getJson("/api/v1/provisioning/operations?status=in_progress", dev), "operation_id"))
                .containsExactly("op-u-" + web, "op-d-" + db);
        assertThat(ids(getJson("/api/v1/provisioning/operations?resource_id=" + srv, dev), "operation_id"))
                .containsExactly("op-s-" + srv);
        JsonNode opPage = getJson("/api/v1/provisioning/operations?limit=3", dev);
        assertThat(ids(opPage, "operation_id")).containsExactly("op-u-" + web, "op-s-" + srv, "op-d-" + db);
        assertThat(ids(getJson("/api/v1/provisioning/operations?limit=3&after=" + opPage.path("next_cursor")
                .asString(), dev), "operation_id")).containsExactly("op-w-" + web);

        // isolation, permissions and bad parameters
        String stranger = identity("eve", "other-" + suffix(), "admin");
        problem("/api/v1/resources/" + web, stranger, 404, "resource_not_found");
        problem("/api/v1/resources/" + web + "/status", stranger, 404, "resource_not_found");
        problem("/api/v1/resources/" + web + "/operations", stranger, 404, "resource_not_found");
        problem("/api/v1/resources/nope-" + suffix(), dev, 404, "resource_not_found");
        assertThat(getJson("/api/v1/resources", stranger).path("items").size()).isZero();
        assertThat(getJson("/api/v1/provisioning/operations?resource_id=" + web, stranger).path("items").size())
                .isZero();
        String viewer = identity("vic", org, "viewer");
        for (String uri : List.of("/api/v1/resources", "/api/v1/resources/" + web, "/api/v1/resources/" + web
                + "/status", "/api/v1/resources/" + web + "/operations", "/api/v1/provisioning/operations")) {
            problem(uri, viewer, 403, null);
        }
        assertThat(getJson("/api/v1/resources/" + web, identity("aud", org, "auditor")).path("name").asString())
                .isEqualTo("web_front");
        for (String uri : List.of("/api/v1/resources?type=vm", "/api/v1/resources?state=gone",
                "/api/v1/resources?limit=0", "/api/v1/resources?limit=201", "/api/v1/resources?after=x",
                "/api/v1/resources?name_prefix=" + "n".repeat(256), "/api/v1/provisioning/operations?status=done",
                "/api/v1/resources/" + web + "/operations?after=-1", "/api/v1/provisioning/operations?limit=0")) {
            problem(uri, dev, 400, "invalid_parameter");
        }
    }

    @Test
    void redeliveryChangesNothingAndAReplayRebuildsTheSameRows() {
        String org = "replay-" + suffix();
        String res = "r-" + suffix();
        String dock = "d-" + suffix();
        List<Long> positions = new ArrayList<>();
        positions.add(emit("Dock", dock, new DockRegisteredEvent(dock, org, "main", "local", Map.of(), credential(1),
                "alice", t0)));
        positions.addAll(lifecycle(res, org, dock));
        positions.add(emit("Dock", dock, new DockCredentialDecryptedEvent(dock, org, 1, "p", "provision", "op",
                t0.plusSeconds(1))));
        long last = positions.get(positions.size() - 1);
        for (String group : List.of(DockProjection.GROUP, ResourceProjection.GROUP)) {
            awaitCaughtUp(processor(group), last);
        }
        List<String> before = dump();
        assertThat(before).anyMatch(row -> row.contains(res)).anyMatch(row -> row.contains(dock));

        for (String group : List.of(DockProjection.GROUP, ResourceProjection.GROUP)) {
            EventHandlerInvoker invoker = ((AbstractEventProcessor) processor(group)).eventHandlerInvoker();
            for (long position : positions) {
                redeliver(invoker, trackedEventAt(position));
            }
        }
        assertThat(dump()).isEqualTo(before);

        jdbc.update("UPDATE resources SET state = 'junk' WHERE resource_id = ?", res);
        jdbc.update("UPDATE docks SET decryption_count = 99 WHERE dock_id = ?", dock);
        assertThat(dump()).isNotEqualTo(before);
        for (String group : List.of(DockProjection.GROUP, ResourceProjection.GROUP)) {
            StreamingEventProcessor processor = processor(group);
            processor.shutDown();
            processor.resetTokens();
            processor.start();
            awaitCaughtUp(processor, last);
        }
        assertThat(dump()).isEqualTo(before);
    }

    @Test
    void theResourceAsOfEqualsTheProjectionAtEveryPosition() {
        String org = "asof-" + suffix();
        String res = "r-" + suffix();
        String auditor = identity("aud", org, "auditor");
        List<Long> positions = new ArrayList<>();
        for (Object event : lifecycleEvents(res, org, "dock-x")) {
            long position = emit("Resource", res, event);
            positions.add(position);
            JsonNode live = getJson("/api/v1/resources/" + res + "?min_position=" + position, auditor);
            JsonNode status = getJson("/api/v1/resources/" + res + "/status", auditor);
            JsonNode asOf = getJson("/api/v1/history/resources/" + res + "?as_of_position=" + position, auditor);
            assertThat(asOf.path("resource")).as("resource at %d", position).isEqualTo(live);
            assertThat(asOf.path("operation")).as("operation at %d", position).isEqualTo(status.path("operation"));
            assertThat(asOf.path("as_of_position").asLong()).isEqualTo(position);
            assertThat(asOf.path("events_applied").asInt()).isEqualTo(positions.size());
        }
        // an earlier point of the history
        JsonNode early = getJson("/api/v1/history/resources/" + res + "?as_of_position=" + positions.get(1), auditor);
        assertThat(early.path("resource").path("state").asString()).isEqualTo("provisioning");
        assertThat(early.path("operation").path("attempts").asInt()).isEqualTo(1);
        JsonNode byTime = getJson("/api/v1/history/resources/" + res + "?as_of_time="
                + Instant.now().plusSeconds(60), auditor);
        assertThat(byTime.path("resource").path("state").asString()).isEqualTo("deprovisioned");

        problem("/api/v1/history/resources/" + res + "?as_of_position=" + (positions.get(0) - 1), auditor, 404,
                "resource_not_found");
        problem("/api/v1/history/resources/" + res + "?as_of_position=" + positions.get(0),
                identity("eve", "other-" + suffix(), "auditor"), 404, "resource_not_found");
        problem("/api/v1/history/resources/" + res + "?as_of_position=" + positions.get(0),
                identity("vic", org, "viewer"), 403, null);
        problem("/api/v1/history/resources/" + res, auditor, 400, "invalid_parameter");
        problem("/api/v1/history/resources/" + res + "?as_of_position=x", auditor, 400, "invalid_parameter");
        assertThat(getJson("/api/v1/history/resources/" + res + "?as_of_position=" + positions.get(0),
                identity("dev", org, "developer")).path("resource").path("state").asString())
                .isEqualTo("provisioning");
    }

    @Test
    void theResourceStreamCarriesResourceRecordsAndResumesAfterLastEventId() {
        String org = "stream-" + suffix();
        String dev = identity("dev", org, "developer");
        long marker = emit("Dock", "d-" + suffix(), new DockRegisteredEvent("dm-" + suffix(), org, "m", "local",
                Map.of(), credential(1), "alice", t0));
        awaitAudited(marker);
        String res = "r-" + suffix();
        List<Long> resourcePositions = new ArrayList<>();
        List<SseClient.Event> firstPart;
        try (SseClient client = SseClient.connect(port, RESOURCES_STREAM, dev, Long.toString(marker))) {
            assertThat(client.status).isEqualTo(200);
            assertThat(client.contentType).startsWith("text/event-stream");
            List<Object> events = lifecycleEvents(res, org, "dock-s");
            for (int i = 0; i < events.size(); i++) {
                resourcePositions.add(emit("Resource", res, events.get(i)));
                if (i == 2) {
                    // a dock event and another aggregate's in between are not in the resource stream
                    emit("Dock", "dx-" + suffix(), new DockDeletedEvent("dx", org, DATA_KEY, "x", t0));
                    appendOne(event("Task", "t-" + suffix(), 0, created("t-" + suffix(), org, "alice")));
                }
            }
            firstPart = client.take(4, WAIT);
        }
        assertThat(ids(firstPart)).containsExactlyElementsOf(resourcePositions.subList(0, 4));
        assertThat(firstPart).extracting(SseClient.Event::event).containsExactly(
                "ResourceProvisioningRequestedEvent", "ResourceOperationAttemptFailedEvent",
                "ResourceProvisionedEvent", "ResourceUpdateRequestedEvent");
        for (SseClient.Event event : firstPart) {
            JsonNode record = JSON.readTree(event.data());
            assertThat(record.path("aggregate_type").asString()).isEqualTo("Resource");
            assertThat(record.path("aggregate_id").asString()).isEqualTo(res);
            assertThat(record.path("position").asLong()).isEqualTo(Long.parseLong(event.id()));
        }
        // resume: every later resource record exactly once
        try (SseClient resumed = SseClient.connect(port, RESOURCES_STREAM, dev, firstPart.get(3).id())) {
            List<SseClient.Event> rest = resumed.take(resourcePositions.size() - 4, WAIT);
            assertThat(ids(rest)).containsExactlyElementsOf(resourcePositions.subList(4, resourcePositions.size()));
            assertThat(resumed.poll(Duration.ofMillis(700))).as("nothing more").isNull();
        }
        try (SseClient viaParam = SseClient.connect(port, RESOURCES_STREAM + "?last_event_id="
                + resourcePositions.get(resourcePositions.size() - 2), identity("aud", org, "auditor"), null)) {
            assertThat(ids(viaParam.take(1, WAIT))).containsExactly(resourcePositions.get(resourcePositions.size() - 1));
        }
        try (SseClient denied = SseClient.connect(port, RESOURCES_STREAM, identity("vic", org, "viewer"), null)) {
            assertThat(denied.status).isEqualTo(403);
        }
        try (SseClient bad = SseClient.connect(port, RESOURCES_STREAM, dev, "x1")) {
            assertThat(bad.status).isEqualTo(400);
        }
    }

    // ------------------------------------------------------------------------------------------------------------

    static EncryptedCredential credential(int version) {
        return new EncryptedCredential(version, DATA_KEY, "AES-256-GCM", NONCE, CIPHERTEXT);
    }

    ResourceProvisioningRequestedEvent requested(String id, String org, String dock, ResourceType type, String name,
                                                 String operationId) {
        return new ResourceProvisioningRequestedEvent(id, org, dock, type, name, Map.of("size", "s"),
                ProvisioningSource.API, operationId, 1, "alice", t0);
    }

    /** Every resource event: provision (one failed attempt), update, failed update, deprovision. */
    List<Object> lifecycleEvents(String res, String org, String dock) {
        return List.of(requested(res, org, dock, ResourceType.SERVER, "srv", "op1-" + res),
                new ResourceOperationAttemptFailedEvent(res, org, "op1-" + res, ResourceOperation.PROVISION, 1,
                        "timeout", t0.plusSeconds(30), t0.plusSeconds(1)),
                new ResourceProvisionedEvent(res, org, "op1-" + res, "prov-" + res, 1, Map.of("ip", "10.0.0.1"),
                        t0.plusSeconds(31)),
                new ResourceUpdateRequestedEvent(res, org, dock, "op2-" + res, Map.of("size", "l"), 2, "bob",
                        t0.plusSeconds(40)),
                new ResourceUpdatedEvent(res, org, "op2-" + res, 2, Map.of("ip", "10.0.0.2"), t0.plusSeconds(41)),
                new ResourceUpdateRequestedEvent(res, org, dock, "op3-" + res, Map.of("size", "xl"), 3, "bob",
                        t0.plusSeconds(50)),
                new ResourceOperationFailedEvent(res, org, "op3-" + res, ResourceOperation.UPDATE, "too big", 3, 3,
                        t0.plusSeconds(51)),
                new ResourceDeprovisioningRequestedEvent(res, org, dock, "op4-" + res, "prov-" + res, 4, "carol",
                        t0.plusSeconds(60)),
                new ResourceDeprovisionedEvent(res, org, "op4-" + res, 4, t0.plusSeconds(61)));
    }

    List<Long> lifecycle(String res, String org, String dock) {
        List<Long> positions = new ArrayList<>();
        for (Object event : lifecycleEvents(res, org, dock)) {
            positions.add(emit("Resource", res, event));
        }
        return positions;
    }

    List<String> dump() {
        List<String> rows = new ArrayList<>();
        rows.addAll(jdbc.query("SELECT * FROM docks ORDER BY dock_id", AbstractProvisioningQueryTest::row));
        rows.addAll(jdbc.query("SELECT * FROM resources ORDER BY resource_id", AbstractProvisioningQueryTest::row));
        rows.addAll(jdbc.query("SELECT * FROM provisioning_operations ORDER BY operation_id",
                AbstractProvisioningQueryTest::row));
        return rows;
    }

    private static String row(ResultSet rs, int row) throws SQLException {
        StringBuilder out = new StringBuilder();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
            out.append(rs.getMetaData().getColumnName(i).toLowerCase()).append('=').append(rs.getString(i))
                    .append('|');
        }
        return out.toString();
    }

    String body(String uri, String identity) {
        return http.get().uri(absolute(uri)).header(InternalTokens.HEADER, identity).exchange()
                .expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
    }

    static List<String> ids(JsonNode page, String field) {
        List<String> ids = new ArrayList<>();
        page.path("items").forEach(item -> ids.add(item.path(field).asString()));
        return ids;
    }

    static List<Long> ids(List<SseClient.Event> events) {
        return events.stream().map(e -> Long.parseLong(e.id())).toList();
    }
}
