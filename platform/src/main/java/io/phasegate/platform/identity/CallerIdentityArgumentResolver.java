package io.phasegate.platform.identity;

import io.phasegate.platform.web.ApiException;
import org.springframework.core.MethodParameter;
import org.springframework.web.reactive.BindingContext;
import org.springframework.web.reactive.result.method.HandlerMethodArgumentResolver;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Lets controller methods take the verified {@link CallerIdentity} as a parameter, with the roles and permissions
 * its organisation's membership gives it ({@link MembershipResolver}), so that {@link CallerIdentity#can} answers
 * with the caller's effective permissions.
 */
public class CallerIdentityArgumentResolver implements HandlerMethodArgumentResolver {

    /** The resolved caller, kept for the rest of the exchange. */
    public static final String RESOLVED_CALLER_ATTRIBUTE = CallerIdentity.class.getName() + ".resolved";

    private final MembershipResolver membership;

    /** Callers keep their token's roles (no organisation registry). */
    public CallerIdentityArgumentResolver() {
        this(MembershipResolver.tokenRolesOnly());
    }

    public CallerIdentityArgumentResolver(MembershipResolver membership) {
        this.membership = membership;
    }

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return CallerIdentity.class.equals(parameter.getParameterType());
    }

    @Override
    public Mono<Object> resolveArgument(MethodParameter parameter, BindingContext bindingContext,
                                        ServerWebExchange exchange) {
        Object resolved = exchange.getAttribute(RESOLVED_CALLER_ATTRIBUTE);
        if (resolved != null) {
            return Mono.just(resolved);
        }
        Object caller = exchange.getAttribute(InternalIdentityWebFilter.CALLER_ATTRIBUTE);
        if (!(caller instanceof CallerIdentity identity)) {
            return Mono.error(ApiException.unauthenticated("No verified caller on this request."));
        }
        return membership.resolve(identity)
                .doOnNext(effective -> exchange.getAttributes().put(RESOLVED_CALLER_ATTRIBUTE, effective))
                .cast(Object.class);
    }
}
