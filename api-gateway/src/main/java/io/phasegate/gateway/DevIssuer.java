package io.phasegate.gateway;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.phasegate.platform.identity.JwkFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;

/**
 * The local development issuer of the embedded mode: a generated ES256 key that the gateway trusts, and tokens for
 * the demo users (admin, developer, auditor, viewer of the demo organisation), written to a file that the launcher
 * prints. Disabled in every other mode; then this class holds no key and mints nothing.
 */
public class DevIssuer {

    private static final Logger log = LoggerFactory.getLogger(DevIssuer.class);
    public static final List<String> DEMO_ROLES = List.of("admin", "developer", "auditor", "viewer");
    /**
     * The demo users and their roles: one per default role, a reviewer (a developer who may review, for
     * {@code on_enter.request_reviews} with role {@code reviewer}) and an agent service account that claims tasks.
     */
    public static final Map<String, List<String>> DEMO_USERS = demoUsers();

    private static Map<String, List<String>> demoUsers() {
        Map<String, List<String>> users = new LinkedHashMap<>();
        DEMO_ROLES.forEach(role -> users.put(role, List.of(role)));
        users.put("reviewer", List.of("developer", "reviewer"));
        users.put("agent", List.of("developer"));
        return Collections.unmodifiableMap(users);
    }

    private final GatewaySecurityProperties security;
    private final ECKey key;

    DevIssuer(GatewaySecurityProperties security) {
        this.security = security;
        this.key = security.devIssuer().enabled()
                ? JwkFiles.loadOrCreateSigningKey(security.devIssuer().keyFile(), "dev", true)
                : null;
    }

    ECKey publicKey() {
        return key.toPublicJWK();
    }

    /** A token for a demo user whose subject and only role are {@code role}. */
    public String mint(String subject, String orgId, List<String> roles, Duration ttl) {
        if (key == null) {
            throw new IllegalStateException("The development issuer is disabled");
        }
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(security.users().issuer())
                .audience(security.users().audience())
                .subject(subject)
                .claim("org", orgId)
                .claim("roles", roles)
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl)))
                .jwtID(UUID.randomUUID().toString())
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).type(JOSEObjectType.JWT)
                .keyID(key.getKeyID()).build(), claims);
        try {
            jwt.sign(new ECDSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("Cannot sign a development token", e);
        }
        return jwt.serialize();
    }

    @EventListener(ApplicationReadyEvent.class)
    void writeDemoTokens() {
        if (key == null) {
            return;
        }
        GatewaySecurityProperties.DevIssuer dev = security.devIssuer();
        Map<String, String> tokens = new LinkedHashMap<>();
        DEMO_USERS.forEach((name, roles) -> tokens.put(name,
                mint("demo-" + name, dev.orgId(), roles, Duration.ofHours(dev.tokenTtlHours()))));
        StringBuilder env = new StringBuilder("# Phasegate demo tokens (development issuer, organisation ")
                .append(dev.orgId()).append("); valid ").append(dev.tokenTtlHours()).append(" h\n");
        tokens.forEach((role, token) -> env.append("PHASEGATE_").append(role.toUpperCase()).append("_TOKEN=")
                .append(token).append('\n'));
        try {
            Path file = dev.tokensFile();
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, env);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
            log.info("Development issuer enabled: demo tokens for {} written to {}", DEMO_USERS.keySet(), file);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the demo tokens to " + dev.tokensFile(), e);
        }
    }
}
