package io.phasegate.platform.web;

import io.phasegate.platform.identity.CallerIdentityArgumentResolver;
import io.phasegate.platform.identity.InternalIdentityWebFilter;
import io.phasegate.platform.identity.InternalTokenVerifier;
import io.phasegate.platform.identity.MembershipResolver;
import io.phasegate.platform.identity.OperatorPolicy;
import io.phasegate.platform.identity.OrganisationAccess;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import org.springframework.web.reactive.result.method.annotation.ArgumentResolverConfigurer;
import tools.jackson.databind.ObjectMapper;

/** Web wiring shared by all three applications: problem details everywhere; identity checks in the services. */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
public class PhasegateWebAutoConfiguration {

    /** The first step of a graceful shutdown: {@code Connection: close} on every answer for a moment (1 s). */
    @Bean
    ShutdownDrain shutdownDrain(Environment env) {
        return new ShutdownDrain(env.getProperty("phasegate.shutdown.drain", Duration.class, Duration.ofSeconds(1)));
    }

    /** Wrong JSON types for text fields are refused instead of coerced (ADR 0012). */
    @Bean
    JsonMapperBuilderCustomizer strictJsonTypesCustomizer() {
        return StrictJsonTypes::apply;
    }

    @Bean
    @Order(-2)
    ProblemDetailsExceptionHandler problemDetailsExceptionHandler(ObjectMapper json, ObjectProvider<ProblemMapper> mappers) {
        return new ProblemDetailsExceptionHandler(json, mappers.orderedStream().toList());
    }

    /** The services (not the gateway) verify the gateway's internal identity token on every API request. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = "phasegate.security.internal.mode", havingValue = "verify")
    static class ServiceIdentity {

        @Bean
        InternalTokenVerifier internalTokenVerifier(Environment env) {
            return new InternalTokenVerifier(
                    Path.of(env.getProperty("phasegate.security.internal.public-keys-file",
                            "./data/keys/internal-signing.public.json")),
                    Clock.systemUTC());
        }

        @Bean
        InternalIdentityWebFilter internalIdentityWebFilter(InternalTokenVerifier verifier, ObjectMapper json) {
            return new InternalIdentityWebFilter(verifier, List.of("/api/"), json);
        }

        /**
         * Applies the service's {@link OrganisationAccess} (if it has one) to every resolved caller; answers are
         * cached for {@code phasegate.security.membership-cache-ms} (default 500).
         */
        @Bean
        MembershipResolver membershipResolver(ObjectProvider<OrganisationAccess> access, BlockingExecutor blocking,
                                              Environment env) {
            return new MembershipResolver(access::getIfAvailable, blocking.scheduler(),
                    Duration.ofMillis(env.getProperty("phasegate.security.membership-cache-ms", Long.class, 500L)));
        }

        @Bean
        WebFluxConfigurer callerIdentityResolverConfigurer(MembershipResolver membership) {
            return new WebFluxConfigurer() {
                @Override
                public void configureArgumentResolvers(ArgumentResolverConfigurer configurer) {
                    configurer.addCustomResolver(new CallerIdentityArgumentResolver(membership));
                }
            };
        }

        @Bean
        OperatorPolicy operatorPolicy(Environment env) {
            return OperatorPolicy.of(env.getProperty("phasegate.admin.operator-org",
                    env.getProperty("PHASEGATE_OPERATOR_ORG", "")));
        }

        @Bean(destroyMethod = "close")
        BlockingExecutor blockingExecutor(Environment env) {
            return new BlockingExecutor(env.getProperty("phasegate.blocking.threads", Integer.class, 32),
                    env.getProperty("phasegate.blocking.queue", Integer.class, 10_000));
        }
    }
}
