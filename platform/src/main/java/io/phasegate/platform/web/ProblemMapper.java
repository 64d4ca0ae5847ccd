package io.phasegate.platform.web;

import java.util.Optional;

/**
 * Turns an exception of some library (Axon's command and query exceptions, ...) into an {@link ApiException}.
 * Beans of this type are consulted, in order, by {@link ProblemDetailsExceptionHandler}.
 */
@FunctionalInterface
public interface ProblemMapper {
    Optional<ApiException> map(Throwable error);
}
