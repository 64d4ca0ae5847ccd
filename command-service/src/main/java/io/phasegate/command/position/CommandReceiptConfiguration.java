package io.phasegate.command.position;

import org.axonframework.eventhandling.EventBus;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Installs the {@link CommandReceipts} recorder on the event bus. */
@Configuration(proxyBeanMethods = false)
class CommandReceiptConfiguration {

    @Bean
    CommandReceipts commandReceipts(EventBus eventBus) {
        CommandReceipts receipts = new CommandReceipts();
        eventBus.registerDispatchInterceptor(receipts.eventRecorder());
        return receipts;
    }
}
