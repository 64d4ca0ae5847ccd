package io.phasegate.gateway;

import java.nio.file.Path;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code phasegate.security.*} of the gateway.
 *
 * @param users       how user and service bearer tokens are validated
 * @param devIssuer   the local development issuer (embedded mode only)
 * @param internal    the key that signs the internal identity tokens forwarded to the services
 */
@ConfigurationProperties("phasegate.security")
public record GatewaySecurityProperties(Users users, DevIssuer devIssuer, Internal internal) {

    /**
     * @param issuer      required {@code iss}
     * @param audience    required {@code aud}
     * @param jwkSetUri   the identity provider's JWKS (production); ignored when the dev issuer is enabled
     * @param algorithms  accepted JWS algorithms (pinned; default ES256)
     */
    public record Users(String issuer, String audience, String jwkSetUri, List<String> algorithms) {
        public Users {
            algorithms = algorithms == null || algorithms.isEmpty() ? List.of("ES256") : List.copyOf(algorithms);
        }
    }

    /**
     * @param enabled     whether the gateway trusts (and mints demo tokens with) a local development key
     * @param keyFile     the development signing key (generated when missing)
     * @param tokensFile  where the demo users' tokens are written for the launcher to print
     * @param orgId       the demo organisation
     * @param tokenTtlHours lifetime of the demo tokens
     */
    public record DevIssuer(boolean enabled, Path keyFile, Path tokensFile, String orgId, long tokenTtlHours) {
    }

    /**
     * @param keyFile           the signing key of internal identity tokens
     * @param generateIfMissing create the key on first start (embedded mode)
     * @param ttlSeconds        lifetime of one internal token
     */
    public record Internal(Path keyFile, boolean generateIfMissing, long ttlSeconds) {
    }
}
