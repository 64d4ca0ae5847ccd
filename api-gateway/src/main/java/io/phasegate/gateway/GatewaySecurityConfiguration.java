package io.phasegate.gateway;

import io.phasegate.platform.identity.InternalTokenIssuer;
import io.phasegate.platform.identity.JwkFiles;
import io.phasegate.platform.web.ApiException;
import io.phasegate.platform.web.ProblemDetailsExceptionHandler;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.reactive.CorsConfigurationSource;
import org.springframework.web.cors.reactive.UrlBasedCorsConfigurationSource;
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
                .cors(Customizer.withDefaults())
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
                .cors(Customizer.withDefaults())
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .logout(ServerHttpSecurity.LogoutSpec::disable)
                .requestCache(ServerHttpSecurity.RequestCacheSpec::disable)
                .authorizeExchange(ex -> ex
                        .pathMatchers(HttpMethod.GET, "/actuator/health", "/actuator/health/**").permitAll()
                        .pathMatchers(HttpMethod.GET, "/.well-known/jwks.json").permitAll()
                        // the API documentation (no data; the documents describe the public API)
                        .pathMatchers(HttpMethod.GET, "/api-docs/**", "/swagger-ui.html", "/swagger-ui/**",
                                "/webjars/**").permitAll()
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

    /**
     * CORS for browser clients: exact origins from {@code phasegate.cors.allowed-origins}; none by default. A
     * wildcard is refused at start-up (SPEC §7: no {@code *} CORS).
     */
    @Bean
    CorsConfigurationSource corsConfigurationSource(
            @Value("${phasegate.cors.allowed-origins:}") List<String> allowedOrigins) {
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        List<String> origins = allowedOrigins.stream().map(String::strip).filter(o -> !o.isEmpty()).toList();
        if (origins.stream().anyMatch(o -> o.contains("*"))) {
            throw new IllegalStateException("phasegate.cors.allowed-origins must list exact origins, not '*'");
        }
        if (!origins.isEmpty()) {
            CorsConfiguration cors = new CorsConfiguration();
            cors.setAllowedOrigins(origins);
            cors.setAllowedMethods(List.of("GET", "POST", "PUT", "PATCH", "DELETE"));
            cors.setAllowedHeaders(List.of("Authorization", "Content-Type", "Idempotency-Key", "If-Match",
                    "Last-Event-ID"));
            cors.setExposedHeaders(List.of("Location", "Retry-After", "Idempotent-Replayed", "ETag"));
            cors.setMaxAge(Duration.ofMinutes(10));
            source.registerCorsConfiguration("/api/**", cors);
            source.registerCorsConfiguration("/.well-known/jwks.json", cors);
        }
        return source;
    }

    @Bean
    RateLimitFilter rateLimitFilter(RateLimitProperties limits, ObjectMapper json) {
        return new RateLimitFilter(limits, json);
    }
}
