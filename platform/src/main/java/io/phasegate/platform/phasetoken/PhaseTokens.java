package io.phasegate.platform.phasetoken;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import java.time.Duration;
import java.util.Set;

/** Constants of the phase token (SPEC §2.3): the JWT an agent presents for the task and phase it works on. */
public final class PhaseTokens {

    /** The header {@code typ}; compared exactly, so user ({@code JWT}, {@code at+jwt}) and internal tokens never pass. */
    public static final JOSEObjectType TYPE = new JOSEObjectType("phase+jwt");
    /** The only algorithm issued and accepted. */
    public static final JWSAlgorithm ALGORITHM = JWSAlgorithm.ES256;
    public static final String DEFAULT_ISSUER = "phasegate-command";
    public static final String DEFAULT_AUDIENCE = "phasegate-agents";

    public static final String TASK_ID_CLAIM = "task_id";
    public static final String PHASE_CLAIM = "phase";
    public static final String GENERATION_CLAIM = "gen";

    /** Tokens longer than this are refused before any parsing. */
    public static final int MAX_TOKEN_LENGTH = 8192;
    /** Tolerance for {@code exp}, {@code nbf} and {@code iat} against the verifier's clock. */
    public static final Duration CLOCK_SKEW = Duration.ofSeconds(5);
    /** Upper bound of a token's lifetime, whatever the workflow says (the workflow parser allows at most a day). */
    public static final Duration MAX_TTL = Duration.ofDays(30);

    /** The only header parameters a phase token may carry. */
    static final Set<String> ALLOWED_HEADER_PARAMS = Set.of("alg", "typ", "kid");
    /**
     * Header parameters that point at or embed a key. Keys come from the key ring only, so a token carrying any of
     * these is refused ({@code unknown_key}) rather than having them ignored.
     */
    static final Set<String> KEY_HEADER_PARAMS = Set.of("jwk", "jku", "x5u", "x5c", "x5t", "x5t#S256");

    private PhaseTokens() {
    }
}
