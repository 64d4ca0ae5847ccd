package io.phasegate.command.tool;

import static io.phasegate.command.tool.ToolArguments.REDACTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.json.JsonMapper;

class ToolArgumentsTest {

    // ------------------------------------------------------------------------------------------------- digest

    @Test
    void theDigestIsTheSha256OfTheCanonicalJson() {
        assertThat(ToolArguments.digest(Map.of()))
                .isEqualTo("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
        assertThat(ToolArguments.digest(null)).isEqualTo(ToolArguments.digest(Map.of()));

        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("d", Arrays.asList(1, 2.5, null, true));
        inner.put("c", "x");
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("b", 1);
        args.put("a", inner);
        assertThat(ToolArguments.canonicalJson(args)).isEqualTo("{\"a\":{\"c\":\"x\",\"d\":[1,2.5,null,true]},\"b\":1}");
        assertThat(ToolArguments.digest(args))
                .isEqualTo("sha256:0e128c48dccf24cc0865f0ef8cc594f79df7c1cafd368eb65cacc476c1d84fe7");
    }

    @Test
    void theDigestIgnoresMemberOrderAtEveryLevelButNotListOrder() {
        Map<String, Object> one = new LinkedHashMap<>();
        one.put("path", "a");
        one.put("opts", new LinkedHashMap<>(Map.of("x", 1)));
        ((Map<String, Object>) one.get("opts")).put("y", 2);
        Map<String, Object> two = new HashMap<>();
        Map<String, Object> opts = new LinkedHashMap<>();
        opts.put("y", 2);
        opts.put("x", 1);
        two.put("opts", opts);
        two.put("path", "a");
        assertThat(ToolArguments.digest(one)).isEqualTo(ToolArguments.digest(two));

        assertThat(ToolArguments.digest(Map.of("l", List.of(1, 2))))
                .isNotEqualTo(ToolArguments.digest(Map.of("l", List.of(2, 1))));
        assertThat(ToolArguments.digest(Map.of("path", "a"))).isNotEqualTo(ToolArguments.digest(Map.of("path", "b")));
        assertThat(ToolArguments.digest(Map.of("n", 1))).isNotEqualTo(ToolArguments.digest(Map.of("n", "1")));
    }

    @Test
    void argumentsParsedFromJsonDigestLikeTheSameJavaValues() {
        String json = "{\"z\": [1, {\"b\": true, \"a\": null}], \"path\": \"tests/A.java\", \"n\": 12345678901}";
        @SuppressWarnings("unchecked")
        Map<String, Object> parsed = JsonMapper.builder().build().readValue(json, Map.class);
        Map<String, Object> a = new HashMap<>();
        a.put("a", null);
        a.put("b", true);
        Map<String, Object> built = Map.of("path", "tests/A.java", "n", 12345678901L, "z", List.of(1, a));
        assertThat(ToolArguments.digest(parsed)).isEqualTo(ToolArguments.digest(built));
        assertThat(ToolArguments.digest(Map.of("n", 7))).isEqualTo(ToolArguments.digest(Map.of("n", 7L)));
    }

    @Test
    void argumentsThatAreNotJsonDataAreRefused() {
        Map<String, Object> args = Map.of("x", new Object());
        assertThatThrownBy(() -> ToolArguments.digest(args)).isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------------------------------------ summary

    @ParameterizedTest
    @ValueSource(strings = {"password", "db_password", "PASSWD", "secret", "client_secret", "token", "access_token",
            "api_key", "apiKey", "X-Api-Key", "key", "private_key", "privateKey", "ssh_key", "authorization",
            "Authorization", "credential", "credentials", "cookie", "Set-Cookie", "session", "session_id",
            "passphrase", "signing_keys"})
    void valuesUnderSecretNamesAreRedacted(String name) {
        Map<String, Object> summary = ToolArguments.summary(Map.of(name, "hunter2", "path", "a.txt"));
        assertThat(summary).containsEntry(name, REDACTED).containsEntry("path", "a.txt");
    }

    @ParameterizedTest
    @ValueSource(strings = {"path", "content", "author", "query", "command", "environment", "branch", "url"})
    void ordinaryNamesAreKept(String name) {
        assertThat(ToolArguments.isSecretName(name)).isFalse();
        assertThat(ToolArguments.summary(Map.of(name, "value"))).containsEntry(name, "value");
    }

    @Test
    void aSecretNameRedactsWholeObjectsAndLists() {
        Map<String, Object> summary = ToolArguments.summary(Map.of(
                "credentials", Map.of("user", "u", "pass", "p"),
                "tokens", List.of("a", "b")));
        assertThat(summary).containsEntry("credentials", REDACTED).containsEntry("tokens", REDACTED);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhZ2VudC03In0.MEUCIQDs",
            "Authorization: Bearer abcdefghijklmnop",
            "basic dXNlcjpwYXNzd29yZA==",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
            "-----BEGIN OPENSSH PRIVATE KEY-----",
            "postgres://app:s3cr3t@db.internal:5432/app",
            "AKIAIOSFODNN7EXAMPLE",
            "ghp_0123456789abcdefghijklmnopqrstuvwxyz",
            "xoxb-1234567890-abcdefghij",
            "sk-proj-abcdefghijklmnopqrstuvwx",
            "sk_live_abcdefghijklmnop1234",
            "AIzaSyA-abcdefghijklmnopqrstuvwxyz123456"})
    void valuesThatLookLikeCredentialsAreRedactedWhateverTheirName(String value) {
        assertThat(ToolArguments.looksSecret(value)).isTrue();
        Map<String, Object> summary = ToolArguments.summary(Map.of("content", value, "list", List.of("ok", value)));
        assertThat(summary).containsEntry("content", REDACTED).containsEntry("list", List.of("ok", REDACTED));
    }

    @ParameterizedTest
    @ValueSource(strings = {"tests/ExportTest.java", "https://example.com/docs", "make test", "eyJ",
            "a4f1c9e0b2d3f4a5b6c7d8e9f0a1b2c3d4e5f6a7", "The basic idea is simple"})
    void ordinaryValuesAreKept(String value) {
        assertThat(ToolArguments.looksSecret(value)).isFalse();
        assertThat(ToolArguments.summary(Map.of("content", value))).containsEntry("content", value);
    }

    @Test
    void longStringsAreCutAndSayHowMuchWasLeftOut() {
        String text = "a".repeat(250);
        assertThat(ToolArguments.summary(Map.of("content", text)))
                .containsEntry("content", "a".repeat(200) + "…(+50 chars)");
        assertThat(ToolArguments.summary(Map.of("content", "b".repeat(200)))).containsEntry("content", "b".repeat(200));
        // a surrogate pair is never split
        String emoji = "a".repeat(199) + "😀" + "z";
        assertThat((String) ToolArguments.summary(Map.of("content", emoji)).get("content"))
                .isEqualTo("a".repeat(199) + "…(+3 chars)");
    }

    @Test
    void aSecretBeyondTheKeptPartOfALongStringStillRedactsIt() {
        String text = "x".repeat(300) + " Bearer abcdefghijklmnopqrstuvwxyz";
        assertThat(ToolArguments.summary(Map.of("content", text))).containsEntry("content", REDACTED);
    }

    @Test
    @SuppressWarnings("unchecked")
    void deepNestingIsTruncated() {
        // the arguments are level 1; b's value level 2 ... f's value level 6
        Map<String, Object> args = Map.of("b", Map.of("c", Map.of("d", Map.of("leaf", "v",
                "e", Map.of("f", Map.of("g", 1))))));
        Map<String, Object> d = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) ToolArguments
                .summary(args).get("b")).get("c")).get("d");
        assertThat(d).containsEntry("leaf", "v");
        Map<String, Object> e = (Map<String, Object>) d.get("e");
        assertThat(e).containsEntry("f", "[truncated: nested deeper than 5 levels]");

        // lists count as levels too
        Map<String, Object> lists = ToolArguments.summary(Map.of("a", List.of(List.of(List.of(List.of(List.of(1)))))));
        assertThat(lists).containsEntry("a",
                List.of(List.of(List.of(List.of("[truncated: nested deeper than 5 levels]")))));
        Map<String, Object> shallow = ToolArguments.summary(Map.of("a", List.of(List.of(List.of(List.of(1))))));
        assertThat(shallow).containsEntry("a", List.of(List.of(List.of(List.of(1)))));
    }

    @Test
    void longListsAndObjectsKeepTheirFirstFiftyEntries() {
        List<Integer> numbers = IntStream.range(0, 60).boxed().toList();
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) ToolArguments.summary(Map.of("numbers", numbers)).get("numbers");
        assertThat(list).hasSize(51).startsWith(0, 1, 2).contains("…(+10 items)", org.assertj.core.data.Index.atIndex(50));

        Map<String, Object> wide = new HashMap<>();
        IntStream.range(0, 55).forEach(i -> wide.put(String.format("k%02d", i), i));
        Map<String, Object> summary = ToolArguments.summary(wide);
        assertThat(summary).hasSize(51).containsEntry("k00", 0).containsEntry("k49", 49).doesNotContainKey("k50")
                .containsEntry("…", "(+5 more entries)");
    }

    @Test
    void theSummaryIsACopySortedByName() {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("b", new ArrayList<>(List.of("x")));
        args.put("a", 1);
        args.put("c", null);
        Map<String, Object> summary = ToolArguments.summary(args);
        assertThat(summary.keySet()).containsExactly("a", "b", "c");
        assertThat(summary).containsEntry("c", null).containsEntry("a", 1);
        ((List<Object>) args.get("b")).add("y");
        assertThat(summary.get("b")).isEqualTo(List.of("x"));
        assertThat(ToolArguments.summary(null)).isEmpty();
    }

    @Test
    void aFreeTextIsShortenedAndRedactedLikeAnArgument() {
        assertThat(ToolArguments.summaryText(null)).isNull();
        assertThat(ToolArguments.summaryText("ok")).isEqualTo("ok");
        assertThat(ToolArguments.summaryText("c".repeat(201))).isEqualTo("c".repeat(200) + "…(+1 chars)");
        assertThat(ToolArguments.summaryText("failed with token ghp_0123456789abcdefghijklmnopqrstuvwxyz"))
                .isEqualTo(REDACTED);
    }
}
