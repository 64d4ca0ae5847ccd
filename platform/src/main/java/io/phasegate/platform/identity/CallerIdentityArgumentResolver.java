package io.phasegate.platform.identity;

import io.phasegate.platform.web.ApiException;
import org.springframework.core.MethodParameter;
import org.springframework.web.reactive.BindingContext;
import org.springframework.web.reactive.result.method.HandlerMethodArgumentResolver;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/** Lets controller methods take the verified {@link CallerIdentity} as a parameter. */
public class CallerIdentityArgumentResolver implements HandlerMethodArgumentResolver {

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return CallerIdentity.class.equals(parameter.getParameterType());
    }

    @Override
    public Mono<Object> resolveArgument(MethodParameter parameter, BindingContext bindingContext,
                                        ServerWebExchange exchange) {
        Object caller = exchange.getAttribute(InternalIdentityWebFilter.CALLER_ATTRIBUTE);
        return caller != null ? Mono.just(caller)
                : Mono.error(ApiException.unauthenticated("No verified caller on this request."));
    }
}
