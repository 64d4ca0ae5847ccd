package io.phasegate.query.token;

import io.phasegate.platform.phasetoken.PhaseTokenVerifier;
import io.phasegate.platform.phasetoken.PhaseTokens;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Phase-token verification in query-service ({@code GET /api/v1/state/snapshot}): the public keys come from
 * command-service's JWK set ({@code phasegate.tokens.jwks-uri}); issuer and audience are the same settings as in
 * command-service.
 */
@Configuration(proxyBeanMethods = false)
class PhaseTokenConfiguration {

    @Bean
    RemoteJwksKeySource remoteJwksKeySource(
            @Value("${phasegate.tokens.jwks-uri:http://127.0.0.1:8081/.well-known/jwks.json}") URI uri,
            @Value("${phasegate.tokens.jwks-min-refresh-seconds:30}") long minRefreshSeconds,
            @Value("${phasegate.tokens.jwks-max-age-seconds:300}") long maxAgeSeconds,
            @Value("${phasegate.tokens.jwks-timeout-ms:2000}") long timeoutMs) {
        return new RemoteJwksKeySource(uri, Duration.ofSeconds(minRefreshSeconds), Duration.ofSeconds(maxAgeSeconds),
                Duration.ofMillis(timeoutMs), Clock.systemUTC());
    }

    @Bean
    PhaseTokenVerifier phaseTokenVerifier(RemoteJwksKeySource keys,
                                          @Value("${phasegate.tokens.issuer:" + PhaseTokens.DEFAULT_ISSUER + "}") String issuer,
                                          @Value("${phasegate.tokens.audience:" + PhaseTokens.DEFAULT_AUDIENCE + "}") String audience) {
        return new PhaseTokenVerifier(keys, issuer, audience, Clock.systemUTC());
    }
}
