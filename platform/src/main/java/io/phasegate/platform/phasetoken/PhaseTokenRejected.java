package io.phasegate.platform.phasetoken;

import java.util.Objects;

/**
 * A phase token was refused. The message is fixed per reason and never repeats any part of the token, so it is safe
 * to return to the client and to log. Carries no stack trace: it is cheap to throw for floods of bad tokens.
 */
public final class PhaseTokenRejected extends RuntimeException {

    public enum Reason {
        MALFORMED("malformed", "The phase token is not a well-formed signed JWT."),
        BAD_SIGNATURE("bad_signature", "The phase token's signature or algorithm is not valid."),
        WRONG_TYPE("wrong_type", "The token is not a phase token."),
        EXPIRED("expired", "The phase token has expired."),
        NOT_YET_VALID("not_yet_valid", "The phase token is not valid yet."),
        WRONG_ISSUER("wrong_issuer", "The phase token was issued by someone else."),
        WRONG_AUDIENCE("wrong_audience", "The phase token is meant for another audience."),
        UNKNOWN_KEY("unknown_key", "The phase token was not signed by a known key."),
        MISSING_CLAIMS("missing_claims", "The phase token lacks required claims."),
        TOO_LARGE("too_large", "The phase token is too large.");

        private final String code;
        private final String description;

        Reason(String code, String description) {
            this.code = code;
            this.description = description;
        }

        /** The stable, lower-case reason code for API errors and metrics. */
        public String code() {
            return code;
        }

        public String description() {
            return description;
        }
    }

    private final Reason reason;

    public PhaseTokenRejected(Reason reason) {
        super(Objects.requireNonNull(reason, "reason").description(), null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    public String code() {
        return reason.code();
    }
}
