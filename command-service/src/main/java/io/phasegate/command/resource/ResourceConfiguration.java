package io.phasegate.command.resource;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;

/** Binds {@code phasegate.provisioning.*} ({@link ProvisioningProperties}). */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ProvisioningProperties.class)
class ResourceConfiguration {
}
