package io.phasegate.gateway;

import io.phasegate.platform.identity.InternalTokenIssuer;
import io.phasegate.platform.identity.JwkFiles;
import io.phasegate.platform.web.ApiException;
import io.phasegate.platform.web.ProblemDetailsExceptionHandler;
import java.time.Clock;
import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import tools.jackson.databind.ObjectMapper;

/**
 * Who may come in: {@code /api/**} needs a valid bearer token; health probes and the public key sets are open;
 * everything else is refused. Rejections are problem details like every other error.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebFluxSecurity
class GatewaySecurityConfiguration {

    /**
     * The agent endpoints: their credential is the phase token, verified by the service behind; a user JWT is not
     * asked for here (and an {@code Authorization} header is passed on untouched, as {@code state/snapshot} carries
     * the phase token in it).
     */
    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    SecurityWebFilterChain agentEndpointsFilterChain(ServerHttpSecurity http) {
        return http
                .securityMatcher(AgentEndpoints.matcher())
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .logout(ServerHttpSecurity.LogoutSpec::disable)
                .requestCache(ServerHttpSecurity.RequestCacheSpec::disable)
                .securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
                .anonymous(ServerHttpSecurity.AnonymousSpec::disable)
                .authorizeExchange(ex -> ex.anyExchange().permitAll())
                .build();
    }

    @Bean
    @Order(Ordered.LOWEST_PRECEDENCE)
    SecurityWebFilterChain securityWebFilterChain(ServerHttpSecurity http, ObjectMapper json) {
        return http
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .logout(ServerHttpSecurity.LogoutSpec::disable)
                .requestCache(ServerHttpSecurity.RequestCacheSpec::disable)
                .authorizeExchange(ex -> ex
                        .pathMatchers(HttpMethod.GET, "/actuator/health", "/actuator/health/**").permitAll()
                        .pathMatchers(HttpMethod.GET, "/.well-known/jwks.json").permitAll()
                        .pathMatchers("/api/**").authenticated()
                        .anyExchange().denyAll())
                .oauth2ResourceServer(rs -> rs
                        .jwt(jwt -> { })
                        .authenticationEntryPoint((exchange, e) -> ProblemDetailsExceptionHandler.write(exchange,
                                ApiException.unauthenticated("A valid bearer token is required."), json))
                        .accessDeniedHandler((exchange, e) -> ProblemDetailsExceptionHandler.write(exchange,
                                ApiException.forbidden("Access denied."), json)))
                .exceptionHandling(ex -> ex
                        .authenticationEntryPoint((exchange, e) -> ProblemDetailsExceptionHandler.write(exchange,
                                ApiException.unauthenticated("A valid bearer token is required."), json))
                        .accessDeniedHandler((exchange, e) -> ProblemDetailsExceptionHandler.write(exchange,
                                ApiException.notFound("not_found", "No such resource."), json)))
                .build();
    }

    @Bean
    InternalTokenIssuer internalTokenIssuer(GatewaySecurityProperties security) {
        GatewaySecurityProperties.Internal internal = security.internal();
        return new InternalTokenIssuer(
                JwkFiles.loadOrCreateSigningKey(internal.keyFile(), "internal", internal.generateIfMissing()),
                Duration.ofSeconds(internal.ttlSeconds()), Clock.systemUTC());
    }

    @Bean
    InternalIdentityRelay internalIdentityRelay(InternalTokenIssuer issuer) {
        return new InternalIdentityRelay(issuer);
    }
}
