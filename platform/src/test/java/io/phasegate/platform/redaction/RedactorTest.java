package io.phasegate.platform.redaction;

import static io.phasegate.platform.redaction.Redactor.REDACTED;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.json.JsonMapper;

class RedactorTest {

    @ParameterizedTest
    @ValueSource(strings = {"password", "api_token", "apiToken", "API-Key", "client_secret", "Authorization",
            "private_key", "session_id", "keys", "key", "access_key", "refresh-token"})
    void valuesUnderSecretNamesAreRedactedAtEveryLevel(String name) {
        assertThat(Redactor.isSecretName(name)).isTrue();
        Map<String, Object> summary = Redactor.summary(Map.of(name, "hunter2", "nested",
                Map.of(name, "hunter2", "list", List.of(Map.of(name, "hunter2")))));
        assertThat(summary).containsEntry(name, REDACTED);
        assertThat(summary.toString()).doesNotContain("hunter2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"path", "title", "monkey_business", "description", "agent_id"})
    void ordinaryNamesAreKept(String name) {
        assertThat(Redactor.isSecretName(name)).isFalse();
        assertThat(Redactor.summary(Map.of(name, "value"))).containsEntry(name, "value");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bearer abcdefghijklmnop", "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln",
            "https://user:pa55@example.com/x", "ghp_0123456789abcdefghijklmnopqrstuvwxyz", "AKIAABCDEFGHIJKLMNOP",
            "-----BEGIN PRIVATE KEY-----\nMIIE"})
    void valuesThatLookLikeCredentialsAreRedactedWherever(String value) {
        assertThat(Redactor.looksSecret(value)).isTrue();
        assertThat(Redactor.summary(Map.of("content", value))).containsEntry("content", REDACTED);
        assertThat(Redactor.summaryValue(List.of("ok", value))).isEqualTo(List.of("ok", REDACTED));
        assertThat(Redactor.summaryText("failed: " + value)).isEqualTo(REDACTED);
    }

    @Test
    void notSecretNamesAreExemptFromNameRedactionAtTheTopLevelOnly() {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("token_generation", 3);
        input.put("workflow_key", "acme/wf");
        input.put("nested", Map.of("token_generation", 4));
        input.put("api_token", "s3cr3t");
        Map<String, Object> summary = Redactor.summary(input, Set.of("token_generation", "workflow_key"));
        assertThat(summary).containsEntry("token_generation", 3).containsEntry("workflow_key", "acme/wf")
                .containsEntry("api_token", REDACTED);
        assertThat(summary.get("nested")).isEqualTo(Map.of("token_generation", REDACTED));
        // the exemption does not let a credential-looking value through
        assertThat(Redactor.summary(Map.of("token_generation", "Bearer abcdefghijklmnop"), Set.of("token_generation")))
                .containsEntry("token_generation", REDACTED);
    }

    @Test
    @SuppressWarnings("unchecked")
    void longValuesWideContainersAndDeepNestingAreCut() {
        assertThat(Redactor.summaryText("a".repeat(250))).isEqualTo("a".repeat(200) + "…(+50 chars)");
        assertThat(Redactor.cut("short", 10)).isEqualTo("short");
        assertThat((List<Object>) Redactor.summaryValue(java.util.stream.IntStream.range(0, 60).boxed().toList()))
                .hasSize(51).contains("…(+10 items)");
        Object deep = Redactor.summary(Map.of("a", List.of(List.of(List.of(List.of(List.of(1)))))));
        assertThat(deep.toString()).contains("[truncated: nested deeper than 5 levels]");
        assertThat(Redactor.summary(null)).isEmpty();
        assertThat(Redactor.summaryText(null)).isNull();
    }

    @Test
    void membersAreSortedAndJsonTreesAreSummarised() {
        Map<String, Object> summary = Redactor.summary(Map.of("b", 1, "a", JsonMapper.builder().build()
                .readTree("{\"password\":\"x\",\"n\":[1,2]}")));
        assertThat(summary.keySet()).containsExactly("a", "b");
        assertThat(summary.get("a")).isEqualTo(Map.of("n", List.of(1, 2), "password", REDACTED));
    }
}
