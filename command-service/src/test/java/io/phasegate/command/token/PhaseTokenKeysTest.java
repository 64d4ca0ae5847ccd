package io.phasegate.command.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import io.phasegate.platform.identity.JwkFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PhaseTokenKeysTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2030-01-02T03:04:05Z"));

    @TempDir
    Path dir;

    @Test
    void generatesTheRingOnFirstStartAndLoadsTheSameRingLater() throws Exception {
        Path file = dir.resolve("keys/phase-signing.json");

        PhaseTokenKeys created = PhaseTokenKeys.loadOrCreate(file, true, clock);

        assertThat(created.kids()).containsExactly(created.activeKid());
        assertThat(created.activeKid()).startsWith("phase-20300102030405-");
        assertThat(file).exists();
        assertThat(JwkFiles.publicFileOf(file)).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        Map<String, Object> json = JSONObjectUtils.parse(Files.readString(file));
        assertThat(json).containsEntry(PhaseTokenKeys.ACTIVE_KID_MEMBER, created.activeKid());

        PhaseTokenKeys loaded = PhaseTokenKeys.loadOrCreate(file, false, clock);
        assertThat(loaded.kids()).isEqualTo(created.kids());
        assertThat(loaded.activeKid()).isEqualTo(created.activeKid());
        assertThat(loaded.activeEntry().key()).isEqualTo(created.activeEntry().key());
    }

    @Test
    void refusesToStartWithoutAKeyFileWhenGenerationIsNotAllowed() {
        Path file = dir.resolve("absent.json");

        assertThatThrownBy(() -> PhaseTokenKeys.loadOrCreate(file, false, clock))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("does not exist");
        assertThat(file).doesNotExist();
    }

    @Test
    void loadsASingleKeyFileWithoutActiveKidSuchAsJwkFilesWrites() {
        Path file = dir.resolve("single.json");
        ECKey key = JwkFiles.loadOrCreateSigningKey(file, "phase", true);

        PhaseTokenKeys keys = PhaseTokenKeys.loadOrCreate(file, false, clock);

        assertThat(keys.activeKid()).isEqualTo(key.getKeyID());
    }

    @Test
    void rotationAddsAnActiveKeyKeepsTheOldOneAndPersistsBoth() throws Exception {
        Path file = dir.resolve("ring.json");
        PhaseTokenKeys keys = PhaseTokenKeys.loadOrCreate(file, true, clock);
        String first = keys.activeKid();

        String second = keys.rotate();

        assertThat(second).isNotEqualTo(first);
        assertThat(keys.activeKid()).isEqualTo(second);
        assertThat(keys.kids()).containsExactly(first, second);
        PhaseTokenKeys reloaded = PhaseTokenKeys.loadOrCreate(file, false, clock);
        assertThat(reloaded.kids()).containsExactly(first, second);
        assertThat(reloaded.activeKid()).isEqualTo(second);
        assertThat(JWKSet.parse(Files.readString(JwkFiles.publicFileOf(file))).getKeys())
                .extracting(JWK::getKeyID).containsExactly(first, second);

        keys.retire(first);

        assertThat(keys.kids()).containsExactly(second);
        assertThat(PhaseTokenKeys.loadOrCreate(file, false, clock).kids()).containsExactly(second);
        assertThat(JWKSet.parse(Files.readString(JwkFiles.publicFileOf(file))).getKeys())
                .extracting(JWK::getKeyID).containsExactly(second);
    }

    @Test
    void twoRotationsWithinOneSecondGetDistinctKids() {
        PhaseTokenKeys keys = PhaseTokenKeys.inMemory(clock);

        String a = keys.rotate();
        String b = keys.rotate();

        assertThat(keys.kids()).hasSize(3).doesNotHaveDuplicates().contains(a, b);
    }

    @Test
    void theActiveKeyCannotBeRetiredNorAnUnknownOne() {
        PhaseTokenKeys keys = PhaseTokenKeys.inMemory(clock);

        assertThatThrownBy(() -> keys.retire(keys.activeKid())).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> keys.retire("phase-nope")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> keys.retire(null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(keys.kids()).hasSize(1);
    }

    @Test
    void refusesKeyFilesThatAreNotAPrivateEs256Ring() throws Exception {
        ECKey a = new ECKeyGenerator(Curve.P_256).keyID("a").generate();
        ECKey b = new ECKeyGenerator(Curve.P_256).keyID("b").generate();
        ECKey noKid = new ECKeyGenerator(Curve.P_256).generate();
        ECKey p384 = new ECKeyGenerator(Curve.P_384).keyID("p384").generate();
        JWK rsa = new RSAKeyGenerator(2048).keyID("rsa").generate();

        assertRefused(new JWKSet(List.of(a, b)).toString(false));                                   // no active_kid
        assertRefused(new JWKSet(List.of(a, b), Map.of("active_kid", "c")).toString(false));     // unknown active
        assertRefused(new JWKSet(List.of(a, a), Map.of("active_kid", "a")).toString(false));     // duplicate kid
        assertRefused(new JWKSet(a.toPublicJWK()).toString(false));                               // public only
        assertRefused(new JWKSet(noKid).toString(false));
        assertRefused(new JWKSet(p384).toString(false));
        assertRefused(new JWKSet(rsa).toString(false));
        assertRefused("{\"keys\":[]}");
        assertRefused("not json");

        Path ok = dir.resolve("ok.json");
        Files.writeString(ok, new JWKSet(List.of(a, b), Map.of("active_kid", "a")).toString(false));
        PhaseTokenKeys keys = PhaseTokenKeys.loadOrCreate(ok, false, clock);
        assertThat(keys.kids()).containsExactly("a", "b");
        assertThat(keys.activeKid()).isEqualTo("a");
    }

    @Test
    void publicJwksHasOnlyPublicMembersWithUseAndAlg() throws Exception {
        PhaseTokenKeys keys = PhaseTokenKeys.inMemory(clock);
        keys.rotate();

        String json = keys.publicJwks();

        Map<String, Object> parsed = JSONObjectUtils.parse(json);
        List<Object> list = JSONObjectUtils.getJSONArray(parsed, "keys").stream().map(o -> (Object) o).toList();
        assertThat(list).hasSize(2);
        for (Object o : list) {
            @SuppressWarnings("unchecked")
            Map<String, Object> key = (Map<String, Object>) o;
            assertThat(key).containsOnlyKeys("kty", "crv", "x", "y", "kid", "use", "alg");
            assertThat(key).containsEntry("kty", "EC").containsEntry("crv", "P-256")
                    .containsEntry("use", "sig").containsEntry("alg", "ES256");
            assertThat(key).doesNotContainKey("d");
        }
        assertThat(list.stream().map(k -> (String) ((Map<?, ?>) k).get("kid")).toList()).isEqualTo(keys.kids());
        for (String kid : keys.kids()) {
            String d = keys.find(kid).orElseThrow().key().getD().toString();
            assertThat(json).doesNotContain(d);
        }
        assertThat(JWKSet.parse(json).containsNonPublicKeys()).isFalse();
        assertThat(parsed).containsOnlyKeys("keys");
    }

    private void assertRefused(String content) throws Exception {
        Path file = Files.createTempFile(dir, "bad-", ".json");
        Files.writeString(file, content);
        assertThatThrownBy(() -> PhaseTokenKeys.loadOrCreate(file, true, clock))
                .isInstanceOf(IllegalStateException.class);
    }
}
