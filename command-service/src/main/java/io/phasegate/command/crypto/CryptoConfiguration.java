package io.phasegate.command.crypto;

import java.nio.file.Path;
import java.time.Clock;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Envelope encryption of dock credentials (SPEC §2.6): the master keys from {@code phasegate.credentials
 * .master-keys-file} (environment {@code PHASEGATE_MASTER_KEYS}; generated on first start when
 * {@code phasegate.credentials.generate-if-missing}, environment {@code PHASEGATE_MASTER_KEY_GENERATE}, is true) and
 * the data keys in {@code dock_data_keys}.
 */
@Configuration(proxyBeanMethods = false)
class CryptoConfiguration {

    @Bean
    MasterKeys masterKeys(
            @Value("${phasegate.credentials.master-keys-file:${PHASEGATE_MASTER_KEYS:${PHASEGATE_DATA_DIR:./data}/keys/master-keys.json}}")
            Path file,
            @Value("${phasegate.credentials.generate-if-missing:${PHASEGATE_MASTER_KEY_GENERATE:true}}") boolean generate) {
        return MasterKeys.loadOrCreate(file, generate, Clock.systemUTC());
    }

    @Bean
    DataKeyStore dataKeyStore(JdbcTemplate jdbc) {
        return new JdbcDataKeyStore(jdbc);
    }

    @Bean
    EnvelopeEncryption envelopeEncryption(MasterKeys masterKeys, DataKeyStore dataKeys) {
        return new EnvelopeEncryption(masterKeys, dataKeys, Clock.systemUTC());
    }
}
