package io.phasegate.command.token;

import io.phasegate.platform.phasetoken.PhaseTokenVerifier;
import io.phasegate.platform.phasetoken.PhaseTokens;
import java.nio.file.Path;
import java.time.Clock;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The phase-token key ring, issuer and verifier of command-service (SPEC §2.3). Keys live in a JWK set file
 * ({@code phasegate.tokens.key-file}); it is generated on first start where allowed (the embedded mode) and should
 * be mounted from a secret store elsewhere.
 */
@Configuration(proxyBeanMethods = false)
class PhaseTokenConfiguration {

    @Bean
    PhaseTokenKeys phaseTokenKeys(@Value("${phasegate.tokens.key-file}") Path keyFile,
                                  @Value("${phasegate.tokens.generate-if-missing:true}") boolean generate) {
        return PhaseTokenKeys.loadOrCreate(keyFile, generate);
    }

    @Bean
    PhaseTokenIssuer phaseTokenIssuer(PhaseTokenKeys keys,
                                      @Value("${phasegate.tokens.issuer:" + PhaseTokens.DEFAULT_ISSUER + "}") String issuer,
                                      @Value("${phasegate.tokens.audience:" + PhaseTokens.DEFAULT_AUDIENCE + "}") String audience) {
        return new PhaseTokenIssuer(keys, issuer, audience, Clock.systemUTC());
    }

    @Bean
    PhaseTokenVerifier phaseTokenVerifier(PhaseTokenKeys keys,
                                          @Value("${phasegate.tokens.issuer:" + PhaseTokens.DEFAULT_ISSUER + "}") String issuer,
                                          @Value("${phasegate.tokens.audience:" + PhaseTokens.DEFAULT_AUDIENCE + "}") String audience) {
        return new PhaseTokenVerifier(keys, issuer, audience, Clock.systemUTC());
    }
}
