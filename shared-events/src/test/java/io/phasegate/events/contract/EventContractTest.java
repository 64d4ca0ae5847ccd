package io.phasegate.events.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.phasegate.events.serialization.MessageSerializers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.axonframework.serialization.Revision;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.SimpleSerializedObject;
import org.axonframework.serialization.jackson3.Jackson3Serializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Pins the wire format of every event of the published language (see {@code src/test/resources/contracts/README.md}).
 *
 * <p>Events are found by scanning the compiled classes, so a new event without a sample and a snapshot fails here.
 * A missing snapshot can be written once with {@code -Dphasegate.contracts.write=true}; existing snapshots are
 * never overwritten by the test.
 */
class EventContractTest {

    private static final String EVENTS_PACKAGE = "io.phasegate.events";
    private static final Path SNAPSHOTS = Path.of("src", "test", "resources", "contracts");
    private static final boolean WRITE_MISSING = Boolean.getBoolean("phasegate.contracts.write");

    private static final Jackson3Serializer SERIALIZER = MessageSerializers.jackson3();
    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    /** Every class under {@code io/phasegate/events} in the compiled main classes whose simple name ends with Event. */
    static List<Class<?>> eventClasses() {
        Path root = mainClassesDirectory();
        Path packageDir = root.resolve(EVENTS_PACKAGE.replace('.', '/'));
        assertThat(packageDir).as("compiled events package").isDirectory();
        try (Stream<Path> files = Files.walk(packageDir)) {
            List<Class<?>> events = new ArrayList<>();
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).sorted().toList()) {
                String relative = root.relativize(file).toString().replace('\\', '/');
                String className = relative.substring(0, relative.length() - ".class".length()).replace('/', '.');
                String simpleName = className.substring(Math.max(className.lastIndexOf('.'), className.lastIndexOf('$')) + 1);
                if (simpleName.endsWith("Event")) {
                    events.add(Class.forName(className, false, EventContractTest.class.getClassLoader()));
                }
            }
            return events;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path mainClassesDirectory() {
        try {
            Path location = Path.of(MessageSerializers.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            assertThat(location).as("main classes must be a directory (target/classes)").isDirectory();
            return location;
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void scanFindsTheKnownEvents() {
        assertThat(eventClasses()).extracting(Class::getSimpleName)
                .contains("TaskCreatedEvent", "WorkflowPublishedEvent");
    }

    @Test
    void everySnapshotBelongsToAnEvent() throws IOException {
        Set<String> events = eventClasses().stream().map(Class::getSimpleName).collect(Collectors.toCollection(TreeSet::new));
        try (Stream<Path> files = Files.list(SNAPSHOTS)) {
            Set<String> snapshots = files.map(f -> f.getFileName().toString())
                    .filter(n -> n.endsWith(".json"))
                    .map(n -> n.substring(0, n.length() - ".json".length()))
                    .collect(Collectors.toCollection(TreeSet::new));
            assertThat(snapshots).as("snapshots without an event class").isSubsetOf(events);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("eventClasses")
    void eventIsARevisionedRecord(Class<?> event) {
        assertThat(event.isRecord()).as(event.getName() + " is a record").isTrue();
        Revision revision = event.getAnnotation(Revision.class);
        assertThat(revision).as(event.getName() + " must carry @Revision").isNotNull();
        assertThat(revision.value()).as("revision of " + event.getName()).isNotBlank();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("eventClasses")
    void serializedFormMatchesThePinnedSnapshot(Class<?> event) throws IOException {
        Object sample = sampleOf(event);

        SerializedObject<String> serialized = SERIALIZER.serialize(sample, String.class);
        assertThat(serialized.getType().getName()).isEqualTo(event.getName());
        assertThat(serialized.getType().getRevision()).isEqualTo(event.getAnnotation(Revision.class).value());

        JsonNode actual = JSON.readTree(serialized.getData());
        assertNoNulls(event.getSimpleName(), actual, "$");

        Path snapshot = SNAPSHOTS.resolve(event.getSimpleName() + ".json");
        if (!Files.exists(snapshot)) {
            String pretty = JSON.writeValueAsString(actual) + "\n";
            if (WRITE_MISSING) {
                Files.createDirectories(SNAPSHOTS);
                Files.writeString(snapshot, pretty, StandardCharsets.UTF_8);
            }
            fail("No contract snapshot " + snapshot + " for " + event.getName()
                    + (WRITE_MISSING ? "; it was written now, review and commit it" : "; the current form is:\n" + pretty));
        }
        JsonNode pinned = JSON.readTree(Files.readString(snapshot));
        assertThat(actual)
                .as("wire format of %s differs from %s; a change needs a new @Revision and an upcaster", event.getName(), snapshot)
                .isEqualTo(pinned);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("eventClasses")
    void pinnedSnapshotDeserializesToTheSample(Class<?> event) throws IOException {
        Object sample = sampleOf(event);
        Path snapshot = SNAPSHOTS.resolve(event.getSimpleName() + ".json");
        assertThat(snapshot).as("contract snapshot of " + event.getName()).exists();

        Object read = SERIALIZER.deserialize(new SimpleSerializedObject<>(Files.readString(snapshot), String.class,
                event.getName(), event.getAnnotation(Revision.class).value()));

        assertThat(read).isInstanceOf(event).isEqualTo(sample);
    }

    private static Object sampleOf(Class<?> event) {
        Object sample = EventSamples.SAMPLES.get(event);
        if (sample == null) {
            fail("No sample instance for " + event.getName() + ": add a fully populated one to EventSamples "
                    + "and a snapshot in " + SNAPSHOTS);
        }
        assertThat(sample).isInstanceOf(event);
        return sample;
    }

    /** A fully populated sample has no null anywhere, so every field is pinned by its snapshot. */
    private static void assertNoNulls(String event, JsonNode node, String path) {
        if (node.isNull()) {
            fail("The sample of " + event + " leaves " + path + " null; populate every field");
        }
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                assertNoNulls(event, field.getValue(), path + "." + field.getKey());
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                assertNoNulls(event, node.get(i), path + "[" + i + "]");
            }
        }
    }
}
