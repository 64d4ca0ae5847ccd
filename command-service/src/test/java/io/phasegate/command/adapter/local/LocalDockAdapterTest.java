package io.phasegate.command.adapter.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.phasegate.command.adapter.AdapterException;
import io.phasegate.command.adapter.DockConnection;
import io.phasegate.command.adapter.ProviderResource;
import io.phasegate.command.adapter.ResourceRequest;
import io.phasegate.events.resource.ResourceType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class LocalDockAdapterTest {

    private static final String SECRET = "s3cr3t-api-key-value";

    @TempDir
    Path directory;

    private LocalDockAdapter adapter() {
        return new LocalDockAdapter(LocalProviderProperties.at(directory));
    }

    private static DockConnection connection(Map<String, String> settings) {
        return new DockConnection("dock-1", "org-1", "local", settings, 1, Map.of("api_key", SECRET));
    }

    private static DockConnection connection() {
        return connection(Map.of());
    }

    private static ResourceRequest request(String key, Map<String, Object> spec) {
        return new ResourceRequest("res-1", "org-1", ResourceType.WEB_SERVICE, "Shop Front", spec, key);
    }

    private List<Path> resourceFiles() throws IOException {
        Path resources = directory.resolve("org-1").resolve("dock-1").resolve("resources");
        if (!Files.exists(resources)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(resources)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".json")
                    && !f.getFileName().toString().startsWith(".")).toList();
        }
    }

    // ------------------------------------------------------------------------------------ provision, describe

    @Test
    void provisionWritesOneJsonFilePerResourceAndDescribeReadsIt() throws IOException {
        LocalDockAdapter adapter = adapter();
        ProviderResource created = adapter.provision(connection(), request("op-1", Map.of("replicas", 2)));

        assertThat(created.providerResourceId()).matches("loc-[0-9a-f]{24}");
        assertThat(created.attributes()).containsEntry("status", "running").containsEntry("type", "web_service")
                .containsEntry("revision", "1").containsKey("url");
        assertThat(resourceFiles()).hasSize(1);
        JsonNode file = JsonMapper.builder().build().readTree(resourceFiles().get(0).toFile());
        assertThat(file.get("provider_resource_id").asString()).isEqualTo(created.providerResourceId());
        assertThat(file.get("spec").get("replicas").asInt()).isEqualTo(2);
        assertThat(file.get("resource_id").asString()).isEqualTo("res-1");
        assertThat(file.toString()).doesNotContain(SECRET);

        assertThat(adapter.describe(connection(), created.providerResourceId())).contains(created);
        assertThat(adapter.describe(connection(), "loc-000000000000000000000000")).isEmpty();
        assertThat(adapter.describe(connection(), "../../etc/passwd")).isEmpty();
        // another dock (or organisation) does not see the resource
        DockConnection otherDock = new DockConnection("dock-2", "org-1", "local", Map.of(), 1,
                Map.of("api_key", SECRET));
        assertThat(adapter.describe(otherDock, created.providerResourceId())).isEmpty();
    }

    @Test
    void aRepeatedProvisionWithTheSameKeyReturnsTheSameResourceEvenInANewAdapterOnTheSameDirectory()
            throws IOException {
        ProviderResource first = adapter().provision(connection(), request("op-1", Map.of()));
        ProviderResource again = adapter().provision(connection(), request("op-1", Map.of()));
        ProviderResource other = adapter().provision(connection(), request("op-2", Map.of()));

        assertThat(again).isEqualTo(first);
        assertThat(other.providerResourceId()).isNotEqualTo(first.providerResourceId());
        assertThat(resourceFiles()).hasSize(2);
        assertThat(adapter().describe(connection(), first.providerResourceId())).contains(first);
    }

    @Test
    void concurrentDuplicateProvisionsCreateOneResource() throws Exception {
        LocalDockAdapter adapter = adapter();
        int callers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<ProviderResource>> results = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                Callable<ProviderResource> call = () -> {
                    start.await();
                    return adapter.provision(connection(), request("op-same", Map.of("size", "m")));
                };
                results.add(pool.submit(call));
            }
            start.countDown();
            Set<String> ids = ConcurrentHashMap.newKeySet();
            for (Future<ProviderResource> result : results) {
                ids.add(result.get(20, TimeUnit.SECONDS).providerResourceId());
            }
            assertThat(ids).hasSize(1);
            assertThat(resourceFiles()).hasSize(1);
            // a second adapter instance on the same directory racing the first still agrees
            assertThat(adapter().provision(connection(), request("op-same", Map.of("size", "m")))
                    .providerResourceId()).isEqualTo(ids.iterator().next());
        } finally {
            pool.shutdownNow();
        }
    }

    // -------------------------------------------------------------------------------------- update, deprovision

    @Test
    void updateStoresTheNewSpecAndIsIdempotentPerKey() throws IOException {
        LocalDockAdapter adapter = adapter();
        String id = adapter.provision(connection(), request("op-1", Map.of("replicas", 1))).providerResourceId();

        ProviderResource updated = adapter.update(connection(), id, request("op-2", Map.of("replicas", 3)));
        assertThat(updated.attributes()).containsEntry("revision", "2");
        JsonNode file = JsonMapper.builder().build().readTree(resourceFiles().get(0).toFile());
        assertThat(file.get("spec").get("replicas").asInt()).isEqualTo(3);

        // the same key again converges: no new revision
        assertThat(adapter.update(connection(), id, request("op-2", Map.of("replicas", 3)))).isEqualTo(updated);
        // a new key with the same spec changes nothing either
        assertThat(adapter.update(connection(), id, request("op-3", Map.of("replicas", 3))).attributes())
                .containsEntry("revision", "2");

        assertThatThrownBy(() -> adapter.update(connection(), "loc-000000000000000000000000",
                request("op-4", Map.of())))
                .isInstanceOfSatisfying(AdapterException.class, e -> {
                    assertThat(e.code()).isEqualTo("resource_not_found");
                    assertThat(e.retryable()).isFalse();
                });
    }

    @Test
    void deprovisionRemovesTheFileAndSucceedsAgainWhenTheResourceIsGone() throws IOException {
        LocalDockAdapter adapter = adapter();
        String id = adapter.provision(connection(), request("op-1", Map.of())).providerResourceId();

        adapter.deprovision(connection(), id, "op-del");
        assertThat(resourceFiles()).isEmpty();
        assertThat(adapter.describe(connection(), id)).isEmpty();

        assertThatCode(() -> adapter.deprovision(connection(), id, "op-del")).doesNotThrowAnyException();
        assertThatCode(() -> adapter().deprovision(connection(), id, "op-del-2")).doesNotThrowAnyException();
        assertThatCode(() -> adapter.deprovision(connection(), "loc-000000000000000000000000", "op-x"))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> adapter.deprovision(connection(), "../escape", "op-y"))
                .isInstanceOfSatisfying(AdapterException.class, e -> assertThat(e.retryable()).isFalse());

        // the provision's key does not resurrect the deprovisioned resource
        assertThatThrownBy(() -> adapter.provision(connection(), request("op-1", Map.of())))
                .isInstanceOfSatisfying(AdapterException.class, e -> {
                    assertThat(e.code()).isEqualTo("resource_deprovisioned");
                    assertThat(e.retryable()).isFalse();
                });
        assertThat(resourceFiles()).isEmpty();
    }

    // ------------------------------------------------------------------------------------------- credentials

    @Test
    void credentialsNeedANonBlankApiKeyThatIsNotMarkedInvalid() {
        LocalDockAdapter adapter = adapter();
        assertThatCode(() -> adapter.validateCredentials(connection())).doesNotThrowAnyException();

        for (Map<String, String> credentials : List.of(Map.<String, String>of(), Map.of("api_key", " "),
                Map.of("api_key", "invalid-" + SECRET), Map.of("token", SECRET))) {
            DockConnection bad = new DockConnection("dock-1", "org-1", "local", Map.of(), 2, credentials);
            assertThatThrownBy(() -> adapter.validateCredentials(bad))
                    .isInstanceOfSatisfying(AdapterException.class, e -> {
                        assertThat(e.code()).isEqualTo("credentials_rejected");
                        assertThat(e.retryable()).isFalse();
                        assertThat(e.getMessage()).doesNotContain(SECRET).doesNotContain("invalid-");
                    });
            assertThatThrownBy(() -> adapter.provision(bad, request("op-c", Map.of())))
                    .isInstanceOf(AdapterException.class);
        }
    }

    @Test
    void theCredentialFieldIsConfigurable() {
        LocalDockAdapter adapter = new LocalDockAdapter(new LocalProviderProperties(directory.toString(), null,
                "token", null, null));
        DockConnection withToken = new DockConnection("dock-1", "org-1", "local", Map.of(), 1,
                Map.of("token", SECRET));
        assertThatCode(() -> adapter.validateCredentials(withToken)).doesNotThrowAnyException();
        assertThatThrownBy(() -> adapter.validateCredentials(connection()))
                .hasMessageContaining("'token' is missing");
    }

    // --------------------------------------------------------------------------------------- failure injection

    @Test
    void aTransientInjectedFailureFailsTheFirstAttemptsOfAKeyThenSucceeds() throws IOException {
        LocalDockAdapter adapter = adapter();
        Map<String, Object> spec = Map.of("replicas", 1, "_inject", Map.of("fail_times", 2, "mode", "transient"));

        for (int attempt = 1; attempt <= 2; attempt++) {
            int n = attempt;
            // a restart between attempts does not reset the count
            assertThatThrownBy(() -> adapter().provision(connection(), request("op-t", spec)))
                    .isInstanceOfSatisfying(AdapterException.class, e -> {
                        assertThat(e.retryable()).isTrue();
                        assertThat(e.code()).isEqualTo("injected_transient_failure");
                        assertThat(e.getMessage()).contains(n + " of 2");
                    });
            assertThat(resourceFiles()).isEmpty();
        }
        ProviderResource created = adapter.provision(connection(), request("op-t", spec));
        assertThat(adapter.provision(connection(), request("op-t", spec))).isEqualTo(created);
        assertThat(resourceFiles()).hasSize(1);
        // _inject steers the call and is not stored as part of the spec
        JsonNode file = JsonMapper.builder().build().readTree(resourceFiles().get(0).toFile());
        assertThat(file.get("spec").has("_inject")).isFalse();
        // another key has its own count: fails twice again
        assertThatThrownBy(() -> adapter.provision(connection(), request("op-u", spec)))
                .isInstanceOfSatisfying(AdapterException.class, e -> assertThat(e.retryable()).isTrue());
    }

    @Test
    void aPermanentInjectedFailureFailsWithItsReason() throws IOException {
        LocalDockAdapter adapter = adapter();
        Map<String, Object> spec = Map.of("_inject", Map.of("fail_times", 1, "mode", "permanent",
                "reason", "quota exceeded"));
        assertThatThrownBy(() -> adapter.provision(connection(), request("op-p", spec)))
                .isInstanceOfSatisfying(AdapterException.class, e -> {
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.code()).isEqualTo("injected_permanent_failure");
                    assertThat(e.getMessage()).contains("quota exceeded");
                });
        assertThat(resourceFiles()).isEmpty();
    }

    @Test
    void dockSettingsInjectFailuresIntoUpdateAndDeprovisionToo() throws IOException {
        LocalDockAdapter adapter = adapter();
        String id = adapter.provision(connection(), request("op-1", Map.of())).providerResourceId();
        DockConnection flaky = connection(Map.of("fail_times", "1", "fail_mode", "transient"));

        assertThatThrownBy(() -> adapter.update(flaky, id, request("op-up", Map.of("v", 2))))
                .isInstanceOfSatisfying(AdapterException.class, e -> assertThat(e.retryable()).isTrue());
        assertThat(adapter.update(flaky, id, request("op-up", Map.of("v", 2))).attributes())
                .containsEntry("revision", "2");

        assertThatThrownBy(() -> adapter.deprovision(flaky, id, "op-del"))
                .isInstanceOfSatisfying(AdapterException.class, e -> assertThat(e.retryable()).isTrue());
        assertThat(resourceFiles()).hasSize(1);
        adapter.deprovision(flaky, id, "op-del");
        assertThat(resourceFiles()).isEmpty();

        // the request's _inject overrides the dock's settings
        Map<String, Object> noFailure = Map.of("_inject", Map.of("fail_times", 0));
        assertThat(adapter.provision(flaky, request("op-2", noFailure)).providerResourceId()).isNotBlank();
    }

    @Test
    void configuredFailureInjectionAppliesToEveryDock() {
        LocalDockAdapter adapter = new LocalDockAdapter(new LocalProviderProperties(directory.toString(), null,
                null, 1, "permanent"));
        assertThatThrownBy(() -> adapter.provision(connection(), request("op-1", Map.of())))
                .isInstanceOfSatisfying(AdapterException.class, e -> assertThat(e.retryable()).isFalse());
        assertThatThrownBy(() -> new LocalProviderProperties(directory.toString(), null, null, 1, "sometimes"))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void invalidInjectionSettingsAndSpecsAreRefusedPermanently() {
        LocalDockAdapter adapter = adapter();
        assertThatThrownBy(() -> adapter.checkSettings(Map.of("fail_times", "lots")))
                .isInstanceOfSatisfying(AdapterException.class, e -> {
                    assertThat(e.code()).isEqualTo("invalid_settings");
                    assertThat(e.retryable()).isFalse();
                });
        assertThatThrownBy(() -> adapter.checkSettings(Map.of("fail_mode", "sometimes")))
                .isInstanceOf(AdapterException.class);
        assertThatThrownBy(() -> adapter.checkSettings(Map.of("latency_ms", "-5")))
                .isInstanceOf(AdapterException.class);
        assertThatCode(() -> adapter.checkSettings(Map.of("fail_times", "2", "fail_mode", "permanent",
                "latency_ms", "10", "region", "eu"))).doesNotThrowAnyException();

        Map<String, Object> inject = new HashMap<>();
        inject.put("fail_times", 1);
        inject.put("explode", true);
        for (Map<String, Object> spec : List.<Map<String, Object>>of(Map.of("_inject", "yes"),
                Map.of("_inject", inject), Map.of("_inject", Map.of("mode", "flaky")),
                Map.of("_inject", Map.of("delay_ms", 10_000_000)))) {
            assertThatThrownBy(() -> adapter.provision(connection(), request("op-bad", spec)))
                    .isInstanceOfSatisfying(AdapterException.class, e -> {
                        assertThat(e.code()).isEqualTo("invalid_spec");
                        assertThat(e.retryable()).isFalse();
                    });
        }
    }

    // ----------------------------------------------------------------------------------------------- latency

    @Test
    void latencyComesFromConfigurationSettingsOrTheRequest() {
        LocalDockAdapter slow = new LocalDockAdapter(new LocalProviderProperties(directory.toString(),
                Duration.ofMillis(150), null, null, null));
        assertThat(elapsedMillis(() -> slow.validateCredentials(connection()))).isGreaterThanOrEqualTo(150);
        assertThat(elapsedMillis(() -> slow.validateCredentials(connection(Map.of("latency_ms", "0")))))
                .isLessThan(150);

        LocalDockAdapter adapter = adapter();
        assertThat(elapsedMillis(() -> adapter.describe(connection(Map.of("latency_ms", "120")), "loc-x")))
                .isGreaterThanOrEqualTo(120);
        assertThat(elapsedMillis(() -> adapter.provision(connection(),
                request("op-slow", Map.of("_inject", Map.of("delay_ms", 200))))))
                .isGreaterThanOrEqualTo(200);
    }

    @Test
    void anInterruptedDelayIsARetryableFailure() {
        LocalDockAdapter adapter = adapter();
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> adapter.validateCredentials(connection(Map.of("latency_ms", "1000"))))
                    .isInstanceOfSatisfying(AdapterException.class, e -> {
                        assertThat(e.code()).isEqualTo("interrupted");
                        assertThat(e.retryable()).isTrue();
                    });
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void oddOrganisationAndDockIdsStayInsideTheDirectory() throws IOException {
        LocalDockAdapter adapter = adapter();
        DockConnection odd = new DockConnection("../../dock", "../org", "local", Map.of(), 1,
                Map.of("api_key", SECRET));
        ProviderResource created = adapter.provision(odd, new ResourceRequest("res-9", "../org", ResourceType.SERVER,
                "box", Map.of(), "op-odd"));
        assertThat(created.attributes()).containsKey("address");
        try (Stream<Path> all = Files.walk(directory)) {
            assertThat(all.filter(Files::isRegularFile).map(p -> p.toAbsolutePath().normalize()))
                    .isNotEmpty().allMatch(p -> p.startsWith(directory.toAbsolutePath().normalize()));
        }
        assertThat(adapter.describe(odd, created.providerResourceId())).contains(created);
    }

    private static long elapsedMillis(Runnable action) {
        long start = System.nanoTime();
        action.run();
        return Duration.ofNanos(System.nanoTime() - start).toMillis();
    }
}
