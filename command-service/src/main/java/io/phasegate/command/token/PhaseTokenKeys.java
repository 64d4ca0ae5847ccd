package io.phasegate.command.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import io.phasegate.platform.identity.JwkFiles;
import io.phasegate.platform.phasetoken.PhaseTokenKeySource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The key ring of phase-token signing keys: EC P-256 (ES256) private keys, each with a {@code kid}, one of which is
 * active for signing; the others stay only to verify tokens issued before a {@link #rotate()} until they are
 * {@link #retire(String) retired}.
 *
 * <p>File format (a JWK set, written atomically with owner-only permissions, public half beside it as
 * {@code <name>.public.json}, see {@link JwkFiles#publicFileOf(Path)}):
 * <pre>{"keys": [{"kty":"EC","crv":"P-256","kid":"phase-…","d":"…",…}, …], "active_kid": "phase-…"}</pre>
 * {@code active_kid} may be left out when the set holds a single key.
 *
 * <p>Thread-safe: readers see an immutable snapshot; {@code rotate} and {@code retire} are serialised, persist the
 * new ring first and only then switch to it. Several processes sharing one file do not see each other's rotations
 * until they load the file again: rotate in one place.
 */
public final class PhaseTokenKeys implements PhaseTokenKeySource {

    /** The top-level member of the key file naming the signing key. */
    public static final String ACTIVE_KID_MEMBER = "active_kid";
    static final String KID_PREFIX = "phase";

    private static final DateTimeFormatter KID_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss")
            .withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A key of the ring, with its signer and verifier made once. */
    record Entry(ECKey key, JWSSigner signer, JWSVerifier verifier) {

        static Entry of(ECKey key) {
            try {
                return new Entry(key, new ECDSASigner(key), new ECDSAVerifier(key.toECPublicKey()));
            } catch (JOSEException e) {
                throw new IllegalStateException("Key " + key.getKeyID() + " is not a usable ES256 key", e);
            }
        }

        String kid() {
            return key.getKeyID();
        }
    }

    private record Ring(Map<String, Entry> byKid, String activeKid) {

        Entry active() {
            return byKid.get(activeKid);
        }
    }

    private final Path file;
    private final Clock clock;
    private volatile Ring ring;

    private PhaseTokenKeys(Path file, Clock clock, Ring ring) {
        this.file = file;
        this.clock = clock;
        this.ring = ring;
    }

    /**
     * Loads the key ring from {@code file}; when the file is missing and {@code generateIfMissing}, first generates
     * a ring with one key and writes it.
     *
     * @throws IllegalStateException when the file is missing and may not be generated, or holds anything but
     *                               private EC P-256 keys with distinct key ids and a valid {@code active_kid}
     */
    public static PhaseTokenKeys loadOrCreate(Path file, boolean generateIfMissing) {
        return loadOrCreate(file, generateIfMissing, Clock.systemUTC());
    }

    /** As {@link #loadOrCreate(Path, boolean)}; {@code clock} only stamps the ids of generated keys. */
    public static PhaseTokenKeys loadOrCreate(Path file, boolean generateIfMissing, Clock clock) {
        try {
            if (!Files.exists(file)) {
                if (!generateIfMissing) {
                    throw new IllegalStateException("Phase token key file " + file + " does not exist");
                }
                Entry first = Entry.of(generate(Map.of(), clock));
                Ring ring = ring(List.of(first), first.kid());
                persist(file, ring);
                return new PhaseTokenKeys(file, clock, ring);
            }
            Ring ring = parse(Files.readString(file), file.toString());
            if (!Files.exists(JwkFiles.publicFileOf(file))) {
                JwkFiles.writeAtomically(JwkFiles.publicFileOf(file), publicJwkSet(ring).toString(false));
            }
            return new PhaseTokenKeys(file, clock, ring);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or write phase token key file " + file, e);
        }
    }

    /** A ring with one freshly generated key that lives only in memory (tests, throwaway deployments). */
    public static PhaseTokenKeys inMemory(Clock clock) {
        Entry first = Entry.of(generate(Map.of(), clock));
        return new PhaseTokenKeys(null, clock, ring(List.of(first), first.kid()));
    }

    /** The {@code kid} new tokens are signed with. */
    public String activeKid() {
        return ring.activeKid();
    }

    /** Every {@code kid} tokens are accepted from, oldest first. */
    public List<String> kids() {
        return List.copyOf(ring.byKid().keySet());
    }

    /**
     * Generates a new key, makes it the active one and persists the ring; older keys keep verifying until retired.
     *
     * @return the new key's {@code kid}
     */
    public synchronized String rotate() {
        Ring current = ring;
        Entry added = Entry.of(generate(current.byKid(), clock));
        List<Entry> entries = new ArrayList<>(current.byKid().values());
        entries.add(added);
        Ring next = ring(entries, added.kid());
        save(next);
        ring = next;
        return added.kid();
    }

    /**
     * Removes a key: tokens signed with it stop verifying at once.
     *
     * @throws IllegalArgumentException when no such key is in the ring
     * @throws IllegalStateException    when it is the active key (rotate first)
     */
    public synchronized void retire(String kid) {
        Ring current = ring;
        if (kid == null || !current.byKid().containsKey(kid)) {
            throw new IllegalArgumentException("No phase token key with that kid");
        }
        if (kid.equals(current.activeKid())) {
            throw new IllegalStateException("The active phase token key cannot be retired; rotate first");
        }
        List<Entry> entries = new ArrayList<>(current.byKid().values());
        entries.removeIf(entry -> entry.kid().equals(kid));
        Ring next = ring(entries, current.activeKid());
        save(next);
        ring = next;
    }

    /** The public keys as a JWK set (for {@code /.well-known/jwks.json}): no private members, {@code use} sig, {@code alg} ES256. */
    public JWKSet publicJwkSet() {
        return publicJwkSet(ring);
    }

    /** {@link #publicJwkSet()} as JSON. */
    public String publicJwks() {
        return publicJwkSet().toString(true);
    }

    /** The active key, read in one go so kid and signer always belong together. */
    Entry activeEntry() {
        return ring.active();
    }

    /** A key of the ring by exact {@code kid}; the only way a verifier finds keys. */
    Optional<Entry> find(String kid) {
        return Optional.ofNullable(ring.byKid().get(kid));
    }

    @Override
    public Optional<JWSVerifier> verifier(String kid) {
        return find(kid).map(Entry::verifier);
    }

    private void save(Ring next) {
        if (file == null) {
            return;
        }
        try {
            persist(file, next);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write phase token key file " + file, e);
        }
    }

    private static Ring ring(List<Entry> entries, String activeKid) {
        Map<String, Entry> byKid = new LinkedHashMap<>();
        for (Entry entry : entries) {
            byKid.put(entry.kid(), entry);
        }
        return new Ring(Collections.unmodifiableMap(byKid), activeKid);
    }

    private static ECKey generate(Map<String, Entry> existing, Clock clock) {
        String kid;
        do {
            byte[] suffix = new byte[4];
            RANDOM.nextBytes(suffix);
            kid = KID_PREFIX + "-" + KID_TIME.format(clock.instant()) + "-" + HexFormat.of().formatHex(suffix);
        } while (existing.containsKey(kid));
        try {
            return new ECKeyGenerator(Curve.P_256)
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.ES256)
                    .keyID(kid)
                    .generate();
        } catch (JOSEException e) {
            throw new IllegalStateException("Cannot generate an EC P-256 key", e);
        }
    }

    private static Ring parse(String json, String source) {
        JWKSet set;
        try {
            set = JWKSet.parse(json);
        } catch (ParseException e) {
            throw new IllegalStateException("Phase token key file " + source + " is not a valid JWK set", e);
        }
        if (set.getKeys().isEmpty()) {
            throw new IllegalStateException("Phase token key file " + source + " holds no keys");
        }
        List<Entry> entries = new ArrayList<>();
        Map<String, Entry> seen = new LinkedHashMap<>();
        for (JWK jwk : set.getKeys()) {
            if (!(jwk instanceof ECKey key) || !Curve.P_256.equals(key.getCurve()) || !key.isPrivate()) {
                throw new IllegalStateException("Phase token key file " + source
                        + " must hold only private EC P-256 keys");
            }
            String kid = key.getKeyID();
            if (kid == null || kid.isBlank() || seen.containsKey(kid)) {
                throw new IllegalStateException("Every key in " + source + " needs its own kid");
            }
            if ((key.getKeyUse() != null && !KeyUse.SIGNATURE.equals(key.getKeyUse()))
                    || (key.getAlgorithm() != null && !JWSAlgorithm.ES256.equals(key.getAlgorithm()))) {
                throw new IllegalStateException("Key " + kid + " in " + source + " is not an ES256 signing key");
            }
            Entry entry = Entry.of(key);
            seen.put(kid, entry);
            entries.add(entry);
        }
        Object active = set.getAdditionalMembers().get(ACTIVE_KID_MEMBER);
        String activeKid;
        if (active == null && entries.size() == 1) {
            activeKid = entries.get(0).kid();
        } else if (active instanceof String kid && seen.containsKey(kid)) {
            activeKid = kid;
        } else {
            throw new IllegalStateException("Phase token key file " + source + " must name one of its keys in \""
                    + ACTIVE_KID_MEMBER + "\"");
        }
        return ring(entries, activeKid);
    }

    private static JWKSet publicJwkSet(Ring ring) {
        List<JWK> keys = new ArrayList<>();
        for (Entry entry : ring.byKid().values()) {
            ECKey key = entry.key();
            keys.add(new ECKey.Builder(Curve.P_256, key.getX(), key.getY())
                    .keyID(key.getKeyID())
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.ES256)
                    .build());
        }
        return new JWKSet(keys);
    }

    private static void persist(Path file, Ring ring) throws IOException {
        List<JWK> keys = new ArrayList<>();
        ring.byKid().values().forEach(entry -> keys.add(entry.key()));
        JwkFiles.writeAtomically(file, new JWKSet(keys, Map.of(ACTIVE_KID_MEMBER, ring.activeKid())).toString(false));
        JwkFiles.writeAtomically(JwkFiles.publicFileOf(file), publicJwkSet(ring).toString(false));
    }

}
