package io.phasegate.command.web;

import io.phasegate.platform.web.ApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;

/**
 * Collects every field problem of a request body and answers them at once: 400 {@code validation_failed} with
 * {@code problems: [{field, message}]}. Messages name the field and the rule, never the value.
 */
final class FieldProblems {
    private final List<Map<String, String>> problems = new ArrayList<>();

    void add(String field, String message) {
        problems.add(Map.of("field", field, "message", message));
    }

    void pattern(String field, String value, Pattern pattern, boolean required) {
        if (value == null) {
            if (required) {
                add(field, "is required");
            }
        } else if (!pattern.matcher(value).matches()) {
            add(field, "must match " + pattern.pattern());
        }
    }

    void list(String field, List<String> values, Pattern pattern, int max) {
        if (values == null) {
            return;
        }
        if (values.size() > max) {
            add(field, "must have at most " + max + " entries");
        }
        for (int i = 0; i < values.size(); i++) {
            pattern(field + "[" + i + "]", values.get(i), pattern, true);
        }
    }

    void throwIfAny() {
        if (!problems.isEmpty()) {
            throw exception();
        }
    }

    /** The 400 answer for one problem. */
    static ApiException single(String field, String message) {
        FieldProblems problems = new FieldProblems();
        problems.add(field, message);
        return problems.exception();
    }

    private ApiException exception() {
        return new ApiException(HttpStatus.BAD_REQUEST, "validation_failed", "The request has invalid fields.",
                Map.of("problems", List.copyOf(problems)));
    }
}
