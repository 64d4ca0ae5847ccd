package io.phasegate.command.gate;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The reviews of a task in its current phase, as the {@code reviews_approved} gate sees them.
 *
 * @param requested how many reviews were requested on entering the phase ({@code on_enter.request_reviews.count})
 * @param submitted the verdicts submitted so far, one per review (the latest verdict of each reviewer)
 */
public record ReviewState(int requested, List<Verdict> submitted) {

    private static final ReviewState NONE = new ReviewState(0, List.of());

    public ReviewState {
        if (requested < 0) {
            throw new IllegalArgumentException("requested must be >= 0, was " + requested);
        }
        submitted = submitted == null ? List.of() : List.copyOf(submitted);
    }

    /** No review requested and none submitted. */
    public static ReviewState none() {
        return NONE;
    }

    public static ReviewState of(int requested, Verdict... submitted) {
        return new ReviewState(requested, List.of(submitted));
    }

    public long approvals() {
        return submitted.stream().filter(v -> v == Verdict.APPROVE).count();
    }

    public long changeRequests() {
        return submitted.stream().filter(v -> v == Verdict.CHANGES_REQUESTED).count();
    }

    /** A reviewer's verdict; {@link #wireName()} is the value used in documents and APIs. */
    public enum Verdict {
        APPROVE("approve"),
        CHANGES_REQUESTED("changes_requested");

        private final String wireName;

        Verdict(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        /** Parses {@code approve} / {@code changes_requested} (case-insensitive). */
        public static Optional<Verdict> fromWireName(String value) {
            Objects.requireNonNull(value, "value");
            String normalized = value.trim().toLowerCase(Locale.ROOT);
            for (Verdict verdict : values()) {
                if (verdict.wireName.equals(normalized)) {
                    return Optional.of(verdict);
                }
            }
            return Optional.empty();
        }
    }
}
