package io.phasegate.command.web;

import io.phasegate.platform.identity.CallerIdentity;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.swagger.v3.core.jackson.ModelResolver;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.servers.Server;
import java.util.List;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI document of the command API ({@code /v3/api-docs}, served through the gateway with the other
 * services' documents), generated from the controllers so it stays true. The caller's identity is resolved from the
 * gateway's internal token, never from request parameters, so it is hidden from the document.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    static {
        SpringDocUtils.getConfig().addRequestWrapperToIgnore(CallerIdentity.class);
    }

    /** Schemas with the wire's snake_case property names (springdoc models with its own Jackson 2 mapper). */
    @Bean
    ModelResolver snakeCaseModelResolver() {
        return new ModelResolver(Json.mapper().copy().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE));
    }

    @Bean
    OpenAPI commandApi() {
        return new OpenAPI().servers(List.of(new Server().url("/").description("the api-gateway")))
                .info(new Info().title("Phasegate command API").version("v1")
                .description("Commands: workflows, tasks, the agent endpoints (claim, transition, tools, tokens), "
                        + "reviews, approvals and operator endpoints. Through the gateway, prefix /api/v1."));
    }
}
