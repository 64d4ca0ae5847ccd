package io.phasegate.gateway;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtAudienceValidator;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.JwtTypeValidator;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Validation of user and service bearer tokens (Spring Security's resource server on Nimbus): pinned algorithms,
 * {@code typ} {@code JWT} or {@code at+jwt} only (so a phase token, {@code phase+jwt}, is never accepted as a user
 * token), issuer, audience, expiry and not-before with 30 s skew, and the {@code org} claim Phasegate scopes by.
 * Keys come from the configured JWKS URL, or from the local development issuer in the embedded mode.
 */
@Configuration(proxyBeanMethods = false)
class UserTokenDecoderConfiguration {

    @Bean
    ReactiveJwtDecoder userTokenDecoder(GatewaySecurityProperties security, DevIssuer devIssuer) {
        GatewaySecurityProperties.Users users = security.users();
        NimbusReactiveJwtDecoder decoder;
        if (security.devIssuer().enabled()) {
            ECKey publicKey = devIssuer.publicKey();
            decoder = NimbusReactiveJwtDecoder.withJwkSource(jwt -> Flux.just((JWK) publicKey))
                    .jwsAlgorithm(SignatureAlgorithm.ES256)
                    .validateType(false)
                    .build();
        } else {
            if (users.jwkSetUri() == null || users.jwkSetUri().isBlank()) {
                throw new IllegalStateException("phasegate.security.users.jwk-set-uri must be set when the "
                        + "development issuer is disabled");
            }
            var builder = NimbusReactiveJwtDecoder.withJwkSetUri(users.jwkSetUri()).validateType(false);
            users.algorithms().forEach(alg -> builder.jwsAlgorithm(SignatureAlgorithm.from(alg)));
            decoder = builder.build();
        }
        decoder.setJwtValidator(validator(users));
        // an oversized token is refused before any parsing (401 like every bad token; the header limit is higher)
        return token -> token.length() > MAX_TOKEN_LENGTH
                ? Mono.error(new BadJwtException("The token is too large."))
                : decoder.decode(token);
    }

    /** Longest user token accepted, in characters; {@code server.max-http-request-header-size} is set above it. */
    static final int MAX_TOKEN_LENGTH = 8192;

    static OAuth2TokenValidator<Jwt> validator(GatewaySecurityProperties.Users users) {
        JwtTypeValidator type = new JwtTypeValidator("JWT", "at+jwt");
        type.setAllowEmpty(true);
        return new DelegatingOAuth2TokenValidator<>(List.of(
                type,
                new JwtTimestampValidator(java.time.Duration.ofSeconds(30)),
                new JwtIssuerValidator(users.issuer()),
                new JwtAudienceValidator(users.audience()),
                new JwtClaimValidator<Object>("exp", exp -> exp != null),
                new JwtClaimValidator<Object>("sub", sub -> sub instanceof String s && !s.isBlank()),
                new JwtClaimValidator<Object>("org", org -> org instanceof String s && !s.isBlank())));
    }

    @Bean
    DevIssuer devIssuer(GatewaySecurityProperties security) {
        return new DevIssuer(security);
    }
}
