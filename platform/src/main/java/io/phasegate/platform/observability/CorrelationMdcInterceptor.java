package io.phasegate.platform.observability;

import java.util.Optional;
import org.axonframework.messaging.InterceptorChain;
import org.axonframework.messaging.Message;
import org.axonframework.messaging.MessageHandlerInterceptor;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.slf4j.MDC;

/**
 * Puts the correlation id of the message being handled (its {@value CorrelationIds#METADATA_KEY} metadata) into the
 * MDC while it is handled: on the command bus and in every event processor, so that log lines written by handlers,
 * projections and sagas carry the id of the request that caused them.
 */
public class CorrelationMdcInterceptor<T extends Message<?>> implements MessageHandlerInterceptor<T> {

    @Override
    public Object handle(UnitOfWork<? extends T> unitOfWork, InterceptorChain interceptorChain) throws Exception {
        Optional<String> id = CorrelationIds.of(unitOfWork.getMessage());
        if (id.isEmpty()) {
            return interceptorChain.proceed();
        }
        String previous = MDC.get(CorrelationIds.MDC_KEY);
        MDC.put(CorrelationIds.MDC_KEY, id.get());
        try {
            return interceptorChain.proceed();
        } finally {
            CorrelationIds.restore(previous);
        }
    }
}
