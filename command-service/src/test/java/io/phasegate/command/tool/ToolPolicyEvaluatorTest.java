package io.phasegate.command.tool;

import static io.phasegate.command.tool.ToolPolicyEvaluator.CONSTRAINT_VIOLATED;
import static io.phasegate.command.tool.ToolPolicyEvaluator.TOOL_NOT_ALLOWED;
import static org.assertj.core.api.Assertions.assertThat;

import io.phasegate.command.tool.ToolPolicyEvaluator.Violation;
import io.phasegate.events.workflow.PhaseDefinition.ToolPolicy;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Tool policies: allowed tools, argument constraints and their globs, path normalisation. */
class ToolPolicyEvaluatorTest {

    private static final List<String> TDD_GLOBS = List.of("tests/**", "**/*Test.java");
    /** The TDD phase of SPEC §2.1, plus an approval-required tool with two constrained arguments. */
    private static final ToolPolicy TDD = new ToolPolicy(List.of("read_file", "write_file", "run_tests"),
            Map.of("write_file", Map.of("path", TDD_GLOBS),
                    "copy_file", orderedConstraints()),
            List.of("copy_file"));

    private final ToolPolicyEvaluator evaluator = new ToolPolicyEvaluator();
    private final PathGlobs globs = new PathGlobs();

    private static Map<String, List<String>> orderedConstraints() {
        Map<String, List<String>> constraints = new LinkedHashMap<>();
        constraints.put("from", List.of("src/**"));
        constraints.put("to", List.of("build/**"));
        return constraints;
    }

    // ----------------------------------------------------------------------------------------------- the tool

    @Test
    void aToolMustBeAllowedOrNeedApproval() {
        assertThat(evaluator.evaluate("TDD", TDD, "read_file", Map.of())).isEmpty();
        assertThat(evaluator.evaluate("TDD", TDD, "deploy", Map.of()))
                .containsExactly(new Violation(TOOL_NOT_ALLOWED, "tool 'deploy' is not allowed in phase TDD"));
        assertThat(evaluator.evaluate("TDD", TDD, null, Map.of())).extracting(Violation::code)
                .containsExactly(TOOL_NOT_ALLOWED);
        assertThat(evaluator.evaluate("X", ToolPolicy.NONE, "read_file", Map.of())).extracting(Violation::code)
                .containsExactly(TOOL_NOT_ALLOWED);
        assertThat(ToolPolicyEvaluator.callable(TDD, "copy_file")).isTrue();
        assertThat(ToolPolicyEvaluator.approvalRequired(TDD, "copy_file")).isTrue();
        assertThat(ToolPolicyEvaluator.approvalRequired(TDD, "write_file")).isFalse();
        assertThat(evaluator.evaluate("TDD", TDD, "copy_file", Map.of("from", "src/A.java", "to", "build/A.java")))
                .isEmpty();
    }

    // ---------------------------------------------------------------------------------------------- arguments

    @Test
    void everyConstrainedArgumentIsCheckedAndReported() {
        List<Violation> violations = evaluator.evaluate("TDD", TDD, "copy_file",
                Map.of("from", "docs/readme.md", "to", "/etc/passwd"));
        assertThat(violations).extracting(Violation::code).containsExactly(CONSTRAINT_VIOLATED, CONSTRAINT_VIOLATED);
        assertThat(violations.get(0).reason()).isEqualTo("argument 'from' must match one of [src/**]");
        assertThat(violations.get(1).reason()).isEqualTo("argument 'to' must be a relative path, not an absolute one");
        assertThat(violations).allSatisfy(v -> assertThat(v.reason()).doesNotContain("readme").doesNotContain("passwd"));
    }

    @Test
    void aConstrainedArgumentMustBePresent() {
        List<Violation> violations = evaluator.evaluate("TDD", TDD, "write_file", Map.of("content", "x"));
        assertThat(violations).containsExactly(new Violation(CONSTRAINT_VIOLATED,
                "argument 'path' is required: its values are restricted to [tests/**, **/*Test.java]"));
        Map<String, Object> nullPath = new LinkedHashMap<>();
        nullPath.put("path", null);
        assertThat(evaluator.evaluate("TDD", TDD, "write_file", nullPath)).hasSize(1);
        assertThat(evaluator.evaluate("TDD", TDD, "write_file", null)).hasSize(1);
    }

    @Test
    void aConstrainedArgumentIsAStringOrANonEmptyListOfStrings() {
        assertThat(write(List.of("tests/A.java", "src/BTest.java"))).isEmpty();
        assertThat(reasons(write(List.of("tests/A.java", "src/B.java"))))
                .containsExactly("argument 'path[1]' must match one of [tests/**, **/*Test.java]");
        assertThat(reasons(write(Arrays.asList("tests/A.java", 3))))
                .containsExactly("argument 'path[1]' must be a string");
        assertThat(reasons(write(List.of()))).singleElement().asString().contains("must not be an empty list");
        assertThat(reasons(write(7))).containsExactly("argument 'path' must be a string or a list of strings");
        assertThat(reasons(write(Map.of("p", "tests/A.java"))))
                .containsExactly("argument 'path' must be a string or a list of strings");
    }

    // ------------------------------------------------------------------------------------------------- globs

    @ParameterizedTest
    @CsvSource({
            // glob,                  path,                        matches
            "tests/**,                tests/A.java,                true",
            "tests/**,                tests/a/b/c/A.java,          true",
            "tests/**,                tests,                       false",
            "tests/**,                src/tests/A.java,            false",
            "tests/**,                testsuite/A.java,            false",
            "**/*Test.java,           ExportTest.java,             true",
            "**/*Test.java,           src/ExportTest.java,         true",
            "**/*Test.java,           src/a/b/ExportTest.java,     true",
            "**/*Test.java,           src/Export.java,             false",
            "**/*Test.java,           src/ExportTest.java.bak,     false",
            "src/*.java,              src/A.java,                  true",
            "src/*.java,              src/a/A.java,                false",
            "src/?.java,              src/A.java,                  true",
            "src/?.java,              src/AB.java,                 false",
            "src/**/A.java,           src/A.java,                  true",
            "src/**/A.java,           src/x/y/A.java,              true",
            "src/**/A.java,           srcA.java,                   false",
            "**/docs/**,              docs/a.md,                   true",
            "**/docs/**,              x/docs/a.md,                 true",
            "'{src,tests}/**',        tests/A.java,                true",
            "'{src,tests}/**',        docs/A.java,                 false",
            "src/[ab].java,           src/a.java,                  true",
            "src/[ab].java,           src/c.java,                  false",
            "**,                      any/thing/at/all.txt,        true",
            "*,                       top.txt,                     true",
            "*,                       dir/top.txt,                 false",
    })
    void globsFollowTheJdkGlobSyntaxAndDoubleStarSlashMayMatchNothing(String glob, String path, boolean matches) {
        PathGlobs.Normalised normalised = PathGlobs.normalise(path);
        assertThat(normalised.ok()).isTrue();
        assertThat(globs.matches(glob, normalised.path())).isEqualTo(matches);
    }

    @Test
    void anUnusableGlobMatchesNothing() {
        assertThat(globs.isValid("src/{a,{b,c}}")).isFalse();
        assertThat(globs.matches("src/{a,{b,c}}", "src/a")).isFalse();
        assertThat(globs.isValid("src\\*.java")).isFalse();
        assertThat(globs.isValid("[")).isFalse();
        assertThat(globs.isValid("tests/**")).isTrue();
        ToolPolicy broken = new ToolPolicy(List.of("write_file"), Map.of("write_file", Map.of("path", List.of("["))),
                List.of());
        assertThat(evaluator.evaluate("P", broken, "write_file", Map.of("path", "["))).hasSize(1);
    }

    @Test
    void theVariantsOfAGlobDropSegmentLeadingDoubleStarSlashes() {
        assertThat(PathGlobs.variants("tests/**")).containsExactly("tests/**");
        assertThat(PathGlobs.variants("**/*Test.java")).containsExactlyInAnyOrder("**/*Test.java", "*Test.java");
        assertThat(PathGlobs.variants("a/**/b/**/c")).containsExactlyInAnyOrder("a/**/b/**/c", "a/b/**/c",
                "a/**/b/c", "a/b/c");
        assertThat(PathGlobs.variants("a**/b")).containsExactly("a**/b"); // not at the start of a segment
    }

    // ---------------------------------------------------------------------------------------- normalisation

    @ParameterizedTest
    @CsvSource({
            "tests/A.java,        tests/A.java",
            "./tests/A.java,      tests/A.java",
            "tests/./A.java,      tests/A.java",
            ".,                   .",
            "a b/c.txt,           a b/c.txt"})
    void dotSegmentsAreDropped(String value, String normalised) {
        assertThat(PathGlobs.normalise(value)).isEqualTo(new PathGlobs.Normalised(normalised, null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"tests/../src/Main.java", "../tests/A.java", "tests/..", "/tests/A.java",
            "tests\\A.java", "tests//A.java", "tests/A.java/", "", "C:/tests/A.java", "c:tests", "~/tests/A.java",
            "tests/A\u0000.java", "tests/A\n.java"})
    void pathsThatCouldEscapeOrMeanSomethingElseAreRefused(String value) {
        assertThat(PathGlobs.normalise(value).ok()).isFalse();
        List<Violation> violations = write(value);
        assertThat(violations).extracting(Violation::code).containsExactly(CONSTRAINT_VIOLATED);
        if (value.length() > 3) {
            assertThat(violations.get(0).reason()).doesNotContain(value);
        }
    }

    @Test
    void aDotDotEscapeNeverMatchesEvenWhereTheGlobWouldAcceptItsText() {
        // as text, "tests/../src/Main.java" matches tests/** ; as a path it leaves tests/
        assertThat(reasons(write("tests/../src/Main.java")))
                .containsExactly("argument 'path' must not contain '..' segments");
        ToolPolicy anything = new ToolPolicy(List.of("write_file"), Map.of("write_file", Map.of("path", List.of("**"))),
                List.of());
        assertThat(evaluator.evaluate("P", anything, "write_file", Map.of("path", "a/../../etc/passwd"))).hasSize(1);
        assertThat(evaluator.evaluate("P", anything, "write_file", Map.of("path", "a/b/c"))).isEmpty();
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private List<Violation> write(Object path) {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("path", path);
        return evaluator.evaluate("TDD", TDD, "write_file", args);
    }

    private static List<String> reasons(List<Violation> violations) {
        return violations.stream().map(Violation::reason).toList();
    }
}
