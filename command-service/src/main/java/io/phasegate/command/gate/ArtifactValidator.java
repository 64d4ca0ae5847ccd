package io.phasegate.command.gate;

import static io.phasegate.command.gate.ArtifactDocuments.quote;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaException;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import com.networknt.schema.resource.SchemaLoader;
import io.phasegate.command.workflow.WorkflowDefinitionParser;
import io.phasegate.events.workflow.TransitionDefinition;
import io.phasegate.events.workflow.WorkflowDefinition;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Validates artifact documents against JSON Schemas (draft 2020-12): the built-in schemas of SPEC §2.1 (resources
 * {@code artifact-schemas/<name>.schema.json}) and the schemas a workflow declares under {@code artifacts}.
 *
 * <p>Every schema is compiled once: the built-in ones when the validator is created, a workflow's ones on first use,
 * cached per workflow id, version and artifact name (a published workflow version never changes). Schemas can only
 * refer to themselves and to the JSON Schema meta-schemas: nothing is fetched from the network, the file system or
 * the class path. The {@code pattern} keyword runs on a linear-time regular expression engine (RE2/J).
 *
 * <p>Thread-safe. Nothing here throws on bad input: every problem is returned as an {@link ArtifactProblem}.
 */
public final class ArtifactValidator {

    /** Class-path folder of the built-in schemas. */
    public static final String SCHEMA_RESOURCE_FOLDER = "artifact-schemas/";
    /** The only dialect accepted, also for workflow-declared schemas. */
    public static final String DRAFT_2020_12 = SpecificationVersion.DRAFT_2020_12.getDialectId();
    /** At most this many schema violations are reported per artifact; the rest are summed up in one problem. */
    public static final int MAX_PROBLEMS_PER_ARTIFACT = 25;

    private static final String META_SCHEMA_PREFIX = "https://json-schema.org/";
    private static final Pattern EXCEPTION_PREFIX = Pattern.compile("(?:[a-z_$][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error):\\s*");

    private final ArtifactDocuments documents;
    private final SchemaRegistry builtInRegistry;
    private final Schema metaSchema;
    private final Map<String, Schema> builtIn;
    private final ConcurrentMap<CustomSchemaKey, CompiledSchema> custom = new ConcurrentHashMap<>();

    public ArtifactValidator() {
        this(null);
    }

    /** @param jsonMapper turns submitted documents (maps, lists, scalars) into JSON trees; {@code null} for a plain one */
    public ArtifactValidator(JsonMapper jsonMapper) {
        this.documents = new ArtifactDocuments(jsonMapper);
        this.builtInRegistry = newRegistry();
        this.metaSchema = builtInRegistry.getSchema(SchemaLocation.of(DRAFT_2020_12));
        this.metaSchema.initializeValidators();
        Map<String, Schema> schemas = new LinkedHashMap<>();
        JsonMapper reader = JsonMapper.builder().build();
        for (String name : WorkflowDefinitionParser.BUILT_IN_ARTIFACTS) {
            String resource = SCHEMA_RESOURCE_FOLDER + name + ".schema.json";
            try (InputStream in = ArtifactValidator.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("built-in artifact schema " + resource + " is missing from the class path");
                }
                JsonNode node = reader.readTree(in);
                Schema schema = builtInRegistry.getSchema(SchemaLocation.of("classpath:" + resource), node);
                schema.initializeValidators();
                schemas.put(name, schema);
            } catch (IOException e) {
                throw new IllegalStateException("cannot read built-in artifact schema " + resource, e);
            }
        }
        this.builtIn = Collections.unmodifiableMap(schemas);
    }

    /** Names of the artifacts whose schema is built in. */
    public Set<String> builtInArtifacts() {
        return builtIn.keySet();
    }

    /**
     * Checks the artifacts submitted with a transition: every artifact the transition requires must be present
     * ({@link ArtifactProblem#MISSING_ARTIFACT}; a {@code null} document counts as absent), and every present one
     * must match its schema ({@link ArtifactProblem#INVALID_ARTIFACT}). A present artifact without any schema is
     * {@link ArtifactProblem#UNKNOWN_ARTIFACT}.
     *
     * @param submitted artifact name to document: a {@link JsonNode}, or maps, lists and scalars as JSON data
     * @return the problems, required artifacts first in the transition's order; empty when all is well
     */
    public List<ArtifactProblem> validateTransition(WorkflowDefinition workflow, TransitionDefinition transition,
                                                    Map<String, ?> submitted) {
        Objects.requireNonNull(workflow, "workflow");
        Objects.requireNonNull(transition, "transition");
        Map<String, ?> present = submitted == null ? Map.of() : submitted;
        List<ArtifactProblem> problems = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>(transition.artifacts());
        present.keySet().stream().filter(Objects::nonNull).forEach(names::add);
        for (String name : names) {
            Object document = present.get(name);
            if (document == null || document instanceof JsonNode node && (node.isNull() || node.isMissingNode())) {
                if (transition.artifacts().contains(name)) {
                    problems.add(new ArtifactProblem(ArtifactProblem.MISSING_ARTIFACT, name, "",
                            "artifact " + quote(name) + " is required to move from " + transition.from() + " to "
                                    + transition.to() + " but was not submitted"));
                }
                continue;
            }
            problems.addAll(validate(workflow, name, document));
        }
        return problems;
    }

    /**
     * Validates one artifact document against its built-in schema or, failing that, the schema the workflow declares
     * for it.
     *
     * @param workflow the workflow whose declared schemas apply; {@code null} for built-in artifacts only
     * @return the problems; empty when the document is valid
     */
    public List<ArtifactProblem> validate(WorkflowDefinition workflow, String artifact, Object document) {
        Objects.requireNonNull(artifact, "artifact");
        Schema schema = builtIn.get(artifact);
        if (schema == null) {
            Map<String, Object> declared = workflow == null ? null : workflow.artifacts().get(artifact);
            if (declared == null) {
                return List.of(new ArtifactProblem(ArtifactProblem.UNKNOWN_ARTIFACT, artifact, "",
                        "artifact " + quote(artifact) + " is neither built in " + builtIn.keySet()
                                + (workflow == null ? "" : " nor declared by workflow " + quote(workflow.id())
                                + " version " + workflow.version())));
            }
            CompiledSchema compiled = compiledCustom(workflow, artifact, declared);
            if (compiled.schema() == null) {
                return List.of(new ArtifactProblem(ArtifactProblem.INVALID_ARTIFACT_SCHEMA, artifact, "",
                        "the schema that workflow " + quote(workflow.id()) + " version " + workflow.version()
                                + " declares for artifact " + quote(artifact) + " cannot be used: "
                                + String.join("; ", compiled.errors())));
            }
            schema = compiled.schema();
        }
        Optional<JsonNode> tree = documents.toTree(document);
        if (tree.isEmpty()) {
            return List.of(new ArtifactProblem(ArtifactProblem.INVALID_ARTIFACT, artifact, "",
                    "the artifact is not a JSON document"));
        }
        List<Error> errors;
        try {
            errors = schema.validate(tree.get());
        } catch (RuntimeException e) {
            return List.of(new ArtifactProblem(ArtifactProblem.INVALID_ARTIFACT_SCHEMA, artifact, "",
                    "the artifact could not be checked against its schema: " + readable(e)));
        }
        List<ArtifactProblem> problems = new ArrayList<>();
        for (Error error : errors) {
            if (problems.size() == MAX_PROBLEMS_PER_ARTIFACT) {
                problems.add(new ArtifactProblem(ArtifactProblem.INVALID_ARTIFACT, artifact, "",
                        "and " + (errors.size() - MAX_PROBLEMS_PER_ARTIFACT) + " more problems"));
                break;
            }
            problems.add(new ArtifactProblem(ArtifactProblem.INVALID_ARTIFACT, artifact, path(error), error.getMessage()));
        }
        return problems;
    }

    /**
     * Checks, at publish time, a schema that a workflow declares for an artifact: it must be a draft 2020-12 schema
     * (no other {@code $schema}), valid against the meta-schema, and compilable (every {@code $ref} resolvable inside
     * the schema, every {@code pattern} a supported regular expression).
     *
     * @return human-readable errors; empty when the schema can be used
     */
    public List<String> checkSchema(Map<String, Object> schema) {
        if (schema == null) {
            return List.of("the schema is missing");
        }
        Optional<JsonNode> tree = documents.toTree(schema);
        if (tree.isEmpty()) {
            return List.of("the schema is not a JSON document");
        }
        return compile(tree.get()).errors();
    }

    /** The compiled schema used for an artifact (for tests: shows that compilation is cached). */
    Schema compiledSchema(WorkflowDefinition workflow, String artifact) {
        Schema schema = builtIn.get(artifact);
        if (schema != null || workflow == null || !workflow.artifacts().containsKey(artifact)) {
            return schema;
        }
        return compiledCustom(workflow, artifact, workflow.artifacts().get(artifact)).schema();
    }

    private CompiledSchema compiledCustom(WorkflowDefinition workflow, String artifact, Map<String, Object> declared) {
        return custom.computeIfAbsent(new CustomSchemaKey(workflow.id(), workflow.version(), artifact),
                key -> documents.toTree(declared).map(this::compile)
                        .orElseGet(() -> CompiledSchema.failed(List.of("the schema is not a JSON document"))));
    }

    private CompiledSchema compile(JsonNode schemaNode) {
        if (!schemaNode.isObject() && !schemaNode.isBoolean()) {
            return CompiledSchema.failed(List.of("a schema must be a JSON object (or true/false)"));
        }
        JsonNode dialect = schemaNode.path("$schema");
        if (!dialect.isMissingNode()) {
            String id = dialect.isString() ? dialect.stringValue() : dialect.toString();
            if (!DRAFT_2020_12.equals(id) && !(DRAFT_2020_12 + "#").equals(id)) {
                return CompiledSchema.failed(List.of("$schema must be " + DRAFT_2020_12
                        + " (JSON Schema draft 2020-12), not " + id));
            }
        }
        List<String> errors = new ArrayList<>();
        for (Error error : metaSchema.validate(schemaNode)) {
            String at = error.getInstanceLocation().toString();
            errors.add((at.isEmpty() ? "" : at + ": ") + error.getMessage());
        }
        checkPatterns(schemaNode, "", errors);
        if (!errors.isEmpty()) {
            return CompiledSchema.failed(errors);
        }
        try {
            // A registry of its own: $id values in one workflow's schema never resolve in another's.
            Schema schema = newRegistry().getSchema(schemaNode);
            schema.initializeValidators();
            return new CompiledSchema(schema, List.of());
        } catch (RuntimeException e) {
            return CompiledSchema.failed(List.of(readable(e)));
        }
    }

    /**
     * Compiles every {@code pattern} and {@code patternProperties} regular expression with the engine used for
     * validation, so an unsupported one is reported with its location (keywords holding data, such as {@code enum},
     * are not searched).
     */
    private static void checkPatterns(JsonNode node, String path, List<String> errors) {
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                checkPatterns(node.get(i), path + "/" + i, errors);
            }
            return;
        }
        if (!node.isObject()) {
            return;
        }
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            String key = entry.getKey();
            JsonNode value = entry.getValue();
            String at = path + "/" + key.replace("~", "~0").replace("/", "~1");
            switch (key) {
                case "enum", "const", "default", "examples" -> {
                    // data, not schemas
                }
                case "pattern" -> {
                    if (value.isString()) {
                        checkPattern(value.stringValue(), at, errors);
                    } else {
                        checkPatterns(value, at, errors);
                    }
                }
                case "patternProperties" -> {
                    if (value.isObject()) {
                        for (Map.Entry<String, JsonNode> property : value.properties()) {
                            checkPattern(property.getKey(), at, errors);
                        }
                    }
                    checkPatterns(value, at, errors);
                }
                default -> checkPatterns(value, at, errors);
            }
        }
    }

    private static void checkPattern(String regex, String at, List<String> errors) {
        try {
            com.google.re2j.Pattern.compile(regex);
        } catch (RuntimeException e) {
            errors.add(at + ": regular expression " + quote(regex) + " is not supported ("
                    + (e.getMessage() == null ? "invalid syntax" : e.getMessage())
                    + "); look-around and back-references are not available");
        }
    }

    private static SchemaRegistry newRegistry() {
        SchemaRegistryConfig config = SchemaRegistryConfig.builder()
                .pathType(PathType.JSON_POINTER)
                .locale(Locale.ENGLISH)
                .regularExpressionFactory(Re2jRegularExpressionFactory.INSTANCE)
                .build();
        // No resource loaders: only the meta-schemas, which the library ships, can be loaded; any other $ref
        // target (http:, file:, classpath:) is refused instead of fetched.
        SchemaLoader loader = new SchemaLoader(List.of(), List.of(),
                iri -> iri.toString().startsWith(META_SCHEMA_PREFIX),
                iri -> !iri.toString().startsWith(META_SCHEMA_PREFIX));
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
                builder -> builder.schemaRegistryConfig(config).schemaLoader(loader));
    }

    private static String path(Error error) {
        String path = error.getInstanceLocation().toString();
        if ("required".equals(error.getKeyword()) && error.getProperty() != null) {
            path = path + "/" + error.getProperty().replace("~", "~0").replace("/", "~1");
        }
        return path;
    }

    /** An exception's message without Java class names. */
    private static String readable(Throwable e) {
        String message = null;
        if (e instanceof SchemaException schemaException && schemaException.getError() != null) {
            message = schemaException.getError().getMessage();
        }
        for (Throwable t = e; message == null && t != null; t = t.getCause()) {
            message = t.getMessage();
        }
        if (message == null || message.isBlank()) {
            return "the schema cannot be compiled";
        }
        return EXCEPTION_PREFIX.matcher(message).replaceAll("").strip();
    }

    private record CustomSchemaKey(String workflowId, int version, String artifact) {
    }

    private record CompiledSchema(Schema schema, List<String> errors) {
        static CompiledSchema failed(List<String> errors) {
            return new CompiledSchema(null, List.copyOf(errors));
        }
    }
}
