package io.phasegate.query.integration;

import io.netty.channel.ChannelOption;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Small kernel send buffers for the server's connections (32 KiB instead of the megabytes Linux grants a loopback
 * socket), so that a client that does not read backs up into the service after a few hundred kilobytes: the tests of
 * slow stream clients then reach the service's own per-client buffer quickly.
 */
@TestConfiguration(proxyBeanMethods = false)
class SmallSendBuffers {

    @Bean
    NettyServerCustomizer smallSendBuffers() {
        return server -> server.childOption(ChannelOption.SO_SNDBUF, 32 * 1024);
    }
}
