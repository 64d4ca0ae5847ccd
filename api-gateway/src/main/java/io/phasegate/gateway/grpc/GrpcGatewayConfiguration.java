package io.phasegate.gateway.grpc;

import io.grpc.BindableService;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.phasegate.gateway.RateLimitFilter;
import io.phasegate.platform.identity.InternalTokenIssuer;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import io.netty.channel.ChannelOption;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.ObjectMapper;

/**
 * The gateway's gRPC endpoint (SPEC §4.2, ADR 0011): the four {@code phasegate.v1} services, each behind the
 * authentication interceptor (outermost) and the rate-limit interceptor, served by Spring gRPC's server on its own
 * port ({@code spring.grpc.server.*}).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(GrpcGatewayProperties.class)
class GrpcGatewayConfiguration {

    @Bean
    ServiceClient grpcServiceClient(GrpcGatewayProperties properties, InternalTokenIssuer issuer, ObjectMapper json) {
        // its own connection pool to the services (the HTTP routes use the gateway's); a 2 s connect time-out as theirs
        HttpClient http = HttpClient.create(ConnectionProvider.create("phasegate-grpc", 500))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 2000);
        WebClient web = WebClient.builder().clientConnector(new ReactorClientHttpConnector(http))
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(4 * 1024 * 1024))
                .build();
        return new ServiceClient(web, properties, issuer, json);
    }

    @Bean
    AuthenticationInterceptor grpcAuthenticationInterceptor(
            @Qualifier("userTokenDecoder") ReactiveJwtDecoder userTokenDecoder, GrpcGatewayProperties properties) {
        return new AuthenticationInterceptor(userTokenDecoder, properties.authTimeout());
    }

    @Bean
    RateLimitInterceptor grpcRateLimitInterceptor(RateLimitFilter rateLimits) {
        return new RateLimitInterceptor(rateLimits);
    }

    @Bean
    BindableService agentGrpcService(ServiceClient client, AuthenticationInterceptor authentication,
                                     RateLimitInterceptor rateLimits) {
        return secured(new AgentGrpcService(client), authentication, rateLimits);
    }

    @Bean
    BindableService taskGrpcService(ServiceClient client, AuthenticationInterceptor authentication,
                                    RateLimitInterceptor rateLimits) {
        return secured(new TaskGrpcService(client), authentication, rateLimits);
    }

    @Bean
    BindableService provisioningGrpcService(ServiceClient client, AuthenticationInterceptor authentication,
                                            RateLimitInterceptor rateLimits) {
        return secured(new ProvisioningGrpcService(client), authentication, rateLimits);
    }

    @Bean
    BindableService streamGrpcService(ServiceClient client, AuthenticationInterceptor authentication,
                                      RateLimitInterceptor rateLimits) {
        return secured(new StreamGrpcService(client), authentication, rateLimits);
    }

    /**
     * The service behind its interceptors, outermost first: unparsable requests, authentication, rate limit (the last
     * interceptor given to {@code intercept} runs first).
     */
    private static BindableService secured(BindableService service, AuthenticationInterceptor authentication,
                                           RateLimitInterceptor rateLimits) {
        ServerServiceDefinition definition = ServerInterceptors.intercept(
                InvalidMessageInterceptor.lenientParsing(service.bindService()), rateLimits, authentication,
                new InvalidMessageInterceptor());
        return () -> definition;
    }
}
