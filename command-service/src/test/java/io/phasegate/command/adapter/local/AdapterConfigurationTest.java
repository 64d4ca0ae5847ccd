package io.phasegate.command.adapter.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.phasegate.command.adapter.DockAdapters;
import io.phasegate.command.adapter.http.HttpAdapterProperties;
import io.phasegate.command.adapter.http.HttpDockAdapter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.io.ClassPathResource;
import org.springframework.util.unit.DataSize;

/** Both adapters are Spring beans bound from the service's real application.yml and found by DockAdapters. */
class AdapterConfigurationTest {

    @TempDir
    Path dataDir;

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withInitializer(context -> {
                    try {
                        new YamlPropertySourceLoader().load("application.yml",
                                new ClassPathResource("application.yml"))
                                .forEach(source -> context.getEnvironment().getPropertySources().addLast(source));
                    } catch (java.io.IOException e) {
                        throw new IllegalStateException(e);
                    }
                })
                .withPropertyValues("PHASEGATE_DATA_DIR=" + dataDir)
                .withBean(LocalDockAdapter.class)
                .withBean(HttpDockAdapter.class)
                .withBean(DockAdapters.class);
    }

    @Test
    void theDefaultsOfApplicationYml() {
        runner().run(context -> {
            assertThat(context).hasNotFailed();
            DockAdapters adapters = context.getBean(DockAdapters.class);
            assertThat(adapters.providers()).containsExactly("http", "local");
            LocalProviderProperties local = context.getBean(LocalProviderProperties.class);
            assertThat(local.directoryPath()).isEqualTo(dataDir.resolve("local-provider"));
            assertThat(local.latency()).isEqualTo(Duration.ZERO);
            assertThat(local.credentialField()).isEqualTo("api_key");
            assertThat(local.failTimes()).isZero();
            HttpAdapterProperties http = context.getBean(HttpAdapterProperties.class);
            assertThat(http.allowedBaseUrls()).isEmpty();
            assertThat(http.timeout()).isEqualTo(Duration.ofSeconds(10));
            assertThat(http.maxResponseSize()).isEqualTo(DataSize.ofMegabytes(1));
        });
    }

    @Test
    void environmentVariablesConfigureThem() {
        runner().withPropertyValues(
                        "PHASEGATE_HTTP_ADAPTER_ALLOWED_BASE_URLS=https://a.example.com/api, http://127.0.0.1:9000",
                        "PHASEGATE_HTTP_ADAPTER_TIMEOUT=3s", "PHASEGATE_LOCAL_PROVIDER_LATENCY=50ms",
                        "PHASEGATE_LOCAL_PROVIDER_FAIL_TIMES=2", "PHASEGATE_LOCAL_PROVIDER_FAILURE_MODE=permanent")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(HttpAdapterProperties.class).allowedBaseUrls())
                            .isEqualTo(List.of("https://a.example.com/api", "http://127.0.0.1:9000"));
                    assertThat(context.getBean(HttpAdapterProperties.class).timeout()).hasSeconds(3);
                    LocalProviderProperties local = context.getBean(LocalProviderProperties.class);
                    assertThat(local.latency()).isEqualTo(Duration.ofMillis(50));
                    assertThat(local.failTimes()).isEqualTo(2);
                    assertThat(local.failureMode()).isEqualTo("permanent");
                });
    }

    @Test
    void anInvalidAllowListEntryStopsTheStart() {
        runner().withPropertyValues("PHASEGATE_HTTP_ADAPTER_ALLOWED_BASE_URLS=ftp://files.example.com")
                .run(context -> assertThat(context).hasFailed());
    }
}
