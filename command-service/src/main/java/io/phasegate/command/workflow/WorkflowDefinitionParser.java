package io.phasegate.command.workflow;

import io.phasegate.events.workflow.PhaseDefinition;
import io.phasegate.events.workflow.PhaseDefinition.OnEnter;
import io.phasegate.events.workflow.PhaseDefinition.RequestReviews;
import io.phasegate.events.workflow.PhaseDefinition.ToolPolicy;
import io.phasegate.events.workflow.TransitionDefinition;
import io.phasegate.events.workflow.WorkflowDefinition;
import io.phasegate.events.workflow.WorkflowDefinition.Enforcement;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLFactory;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLParser;

/**
 * Parses and validates a workflow definition document (SPEC §2.1), in YAML or JSON.
 *
 * <p>The document is read into a tree, which is then walked; every problem is collected before failing with an
 * {@link InvalidWorkflowException}. Stateless and thread-safe: one instance can be shared.
 */
public final class WorkflowDefinitionParser {

    /** Artifact names every workflow may use without declaring them (their schemas are built in). */
    public static final Set<String> BUILT_IN_ARTIFACTS = Collections.unmodifiableSet(new LinkedHashSet<>(List.of(
            "plan", "scope", "tests", "test_result", "implementation", "review", "completion")));

    /** Gate ids every workflow may use without declaring them. */
    public static final Set<String> BUILT_IN_GATES = Collections.unmodifiableSet(new LinkedHashSet<>(List.of(
            "plan_has_acceptance_criteria", "tests_are_failing", "all_tests_pass", "no_blocking_issues",
            "reviews_approved")));

    /** Documents larger than this (UTF-8 bytes) are rejected before parsing. */
    public static final int MAX_DOCUMENT_BYTES = 256 * 1024;
    /** Deepest nesting of mappings/lists accepted. */
    public static final int MAX_NESTING_DEPTH = 64;

    public static final Enforcement DEFAULT_ENFORCEMENT = Enforcement.STRICT;
    public static final long DEFAULT_TOKEN_TTL_SECONDS = 3600;
    public static final long DEFAULT_CLAIM_LEASE_SECONDS = 900;

    public static final long MIN_TOKEN_TTL_SECONDS = 60;
    public static final long MAX_TOKEN_TTL_SECONDS = 86_400;
    public static final long MIN_CLAIM_LEASE_SECONDS = 5;
    public static final long MAX_CLAIM_LEASE_SECONDS = 86_400;

    static final Pattern WORKFLOW_ID = Pattern.compile("^[a-z0-9][a-z0-9._-]{0,62}$");
    static final Pattern PHASE_ID = Pattern.compile("^[A-Z][A-Z0-9_]{0,62}$");
    static final Pattern TOOL_NAME = Pattern.compile("^[a-z][a-z0-9_.-]{0,62}$");
    static final Pattern GATE_ID = Pattern.compile("^[a-z][a-z0-9_]{0,62}$");
    static final Pattern ARTIFACT_NAME = Pattern.compile("^[a-z][a-z0-9_]{0,62}$");
    private static final int MAX_ARGUMENT_NAME_LENGTH = 128;

    private static final Set<String> ROOT_FIELDS = Set.of("workflow", "version", "enforcement", "token_ttl_seconds",
            "claim_lease_seconds", "phases", "transitions", "artifacts", "gates");
    private static final Set<String> PHASE_FIELDS = Set.of("id", "terminal", "tools", "on_enter");
    private static final Set<String> TOOLS_FIELDS = Set.of("allowed", "constraints", "approval_required");
    private static final Set<String> ON_ENTER_FIELDS = Set.of("request_reviews");
    private static final Set<String> REQUEST_REVIEWS_FIELDS = Set.of("count", "role");
    private static final Set<String> TRANSITION_FIELDS = Set.of("from", "to", "artifacts", "gates");

    private final YAMLMapper yamlMapper;
    private final JsonMapper jsonMapper;

    public WorkflowDefinitionParser() {
        StreamReadConstraints constraints = StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING_DEPTH)
                .maxDocumentLength(MAX_DOCUMENT_BYTES)
                .build();
        LoadSettings loadSettings = LoadSettings.builder()
                .setAllowDuplicateKeys(false)
                .setAllowRecursiveKeys(false)
                .setMaxAliasesForCollections(1)
                .setCodePointLimit(MAX_DOCUMENT_BYTES)
                .setUseMarks(true)
                .build();
        YAMLFactory yamlFactory = YAMLFactory.builder()
                .loadSettings(loadSettings)
                .streamReadConstraints(constraints)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        this.yamlMapper = YAMLMapper.builder(yamlFactory)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
        JsonFactory jsonFactory = JsonFactory.builder()
                .streamReadConstraints(constraints)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        this.jsonMapper = JsonMapper.builder(jsonFactory)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
    }

    /**
     * Parses and validates a workflow definition.
     *
     * @param document the document text
     * @param format   its syntax
     * @return the validated definition, with defaults applied
     * @throws InvalidWorkflowException listing every problem found
     */
    public WorkflowDefinition parse(String document, DocumentFormat format) {
        Objects.requireNonNull(format, "format");
        if (document == null || document.isBlank()) {
            throw invalid("", "the document is empty");
        }
        long size = document.length() > MAX_DOCUMENT_BYTES
                ? document.length()
                : document.getBytes(StandardCharsets.UTF_8).length;
        if (size > MAX_DOCUMENT_BYTES) {
            throw invalid("", "the document is too large: at most " + MAX_DOCUMENT_BYTES
                    + " bytes (256 KiB) are accepted");
        }
        JsonNode root = readTree(document, format);
        return new Validation().run(root);
    }

    // ------------------------------------------------------------------------------------------------ reading

    private JsonNode readTree(String document, DocumentFormat format) {
        ObjectMapper mapper = format == DocumentFormat.YAML ? yamlMapper : jsonMapper;
        try {
            if (format == DocumentFormat.YAML) {
                rejectAliasesAndMultipleDocuments(document);
            }
            JsonNode root = mapper.readTree(document);
            if (root == null || root.isMissingNode() || root.isNull()) {
                throw invalid("", "the document is empty");
            }
            return root;
        } catch (StreamConstraintsException e) {
            throw invalid("", "invalid " + format + ": " + constraintMessage(e));
        } catch (JacksonException e) {
            throw invalid("", syntaxMessage(e, format));
        }
    }

    /**
     * Anchors and aliases are refused: they are the vector of "billion laughs" documents, and the tree reader
     * would otherwise silently turn an alias into a plain string. A stream holding several documents is refused too.
     */
    private void rejectAliasesAndMultipleDocuments(String document) {
        try (JsonParser parser = yamlMapper.createParser(document)) {
            int depth = 0;
            boolean rootDone = false;
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                if (rootDone) {
                    throw invalid("", "invalid YAML" + at(parser.currentTokenLocation())
                            + ": only a single YAML document is accepted");
                }
                if (parser instanceof YAMLParser yaml && (yaml.isCurrentAlias() || yaml.getObjectId() != null)) {
                    throw invalid("", "invalid YAML" + at(parser.currentTokenLocation())
                            + ": YAML anchors and aliases (& and *) are not supported");
                }
                if (token.isStructStart()) {
                    depth++;
                } else if (token.isStructEnd()) {
                    depth--;
                }
                if (depth == 0 && token != JsonToken.PROPERTY_NAME) {
                    rootDone = true;
                }
            }
        }
    }

    private static String syntaxMessage(JacksonException e, DocumentFormat format) {
        MarkedYamlEngineException yaml = findCause(e, MarkedYamlEngineException.class);
        if (yaml != null) {
            StringBuilder message = new StringBuilder("invalid YAML");
            Optional<Mark> mark = yaml.getProblemMark().isPresent() ? yaml.getProblemMark() : yaml.getContextMark();
            mark.ifPresent(m -> message.append(" at line ").append(m.getLine() + 1)
                    .append(", column ").append(m.getColumn() + 1));
            message.append(": ").append(firstLine(yaml.getProblem() != null ? yaml.getProblem() : yaml.getContext()));
            if (yaml.getContext() != null && yaml.getProblem() != null) {
                message.append(" (").append(firstLine(yaml.getContext())).append(')');
            }
            return message.toString();
        }
        return "invalid " + format + at(e.getLocation()) + ": " + clean(e.getOriginalMessage());
    }

    private static String constraintMessage(StreamConstraintsException e) {
        String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        if (original.toLowerCase().contains("nesting depth")) {
            return "the document is nested too deeply (at most " + MAX_NESTING_DEPTH + " levels are accepted)";
        }
        if (original.toLowerCase().contains("document length")) {
            return "the document is too large: at most " + MAX_DOCUMENT_BYTES + " bytes (256 KiB) are accepted";
        }
        return clean(original);
    }

    private static String at(TokenStreamLocation location) {
        if (location == null || location.getLineNr() <= 0) {
            return "";
        }
        return " at line " + location.getLineNr()
                + (location.getColumnNr() > 0 ? ", column " + location.getColumnNr() : "");
    }

    /** Strips source descriptions, Java class names and configuration hints from a parser message. */
    private static String clean(String message) {
        if (message == null || message.isBlank()) {
            return "the document cannot be parsed";
        }
        String text = firstLine(message)
                .replaceAll("\\s*\\(start marker at \\[[^\\]]*\\]\\)", "")
                .replaceAll("\\s*\\[Source:[^\\]]*\\]", "")
                .replaceAll(",?\\s*from `[^`]*`", "")
                .replaceAll("\\s*\\((?:[a-zA-Z_$][\\w$]*\\.)+[A-Z][\\w$]*\\)", "")
                .replaceAll("`((?:[a-zA-Z_$][\\w$]*\\.)+[\\w$]+(?:\\(\\))?)`", "")
                .trim();
        return text.isEmpty() ? "the document cannot be parsed" : text;
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        int newline = text.indexOf('\n');
        return (newline < 0 ? text : text.substring(0, newline)).trim();
    }

    private static <T extends Throwable> T findCause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static InvalidWorkflowException invalid(String path, String message) {
        return new InvalidWorkflowException(List.of(new WorkflowProblem(path, message)));
    }

    // ------------------------------------------------------------------------------------------------ validation

    /** One validation run: walks the tree, collecting problems, and builds the model if there are none. */
    private final class Validation {

        private final List<WorkflowProblem> problems = new ArrayList<>();

        WorkflowDefinition run(JsonNode root) {
            if (!root.isObject()) {
                problems.add(new WorkflowProblem("", "the document must be a mapping (object) with the fields of a"
                        + " workflow definition, but it is " + describeType(root)));
                throw new InvalidWorkflowException(problems);
            }
            checkFields(root, "", ROOT_FIELDS);

            JsonNode idNode = optional(root, "workflow");
            String id = idNode == null
                    ? missing("/workflow")
                    : matching(string(idNode, "/workflow"), "/workflow", WORKFLOW_ID, "workflow id");
            JsonNode versionNode = optional(root, "version");
            Long version = versionNode == null
                    ? missingLong("/version")
                    : integer(versionNode, "/version", 1, Integer.MAX_VALUE);
            Enforcement enforcement = enforcement(optional(root, "enforcement"));
            Long tokenTtl = optionalInteger(root, "token_ttl_seconds", "/token_ttl_seconds",
                    MIN_TOKEN_TTL_SECONDS, MAX_TOKEN_TTL_SECONDS, DEFAULT_TOKEN_TTL_SECONDS);
            Long claimLease = optionalInteger(root, "claim_lease_seconds", "/claim_lease_seconds",
                    MIN_CLAIM_LEASE_SECONDS, MAX_CLAIM_LEASE_SECONDS, DEFAULT_CLAIM_LEASE_SECONDS);

            Declared<Map<String, Object>> artifacts = artifacts(optional(root, "artifacts"));
            Declared<String> gates = gates(optional(root, "gates"));

            List<ParsedPhase> phases = phases(root);
            List<ParsedTransition> transitions = transitions(root, phases, artifacts, gates);

            if (!problems.isEmpty()) {
                throw new InvalidWorkflowException(problems);
            }
            List<PhaseDefinition> phaseDefinitions = phases.stream().map(ParsedPhase::toDefinition).toList();
            List<TransitionDefinition> transitionDefinitions = transitions.stream()
                    .map(t -> new TransitionDefinition(t.from, t.to, t.artifacts, t.gates))
                    .toList();
            return new WorkflowDefinition(id, version.intValue(), enforcement, tokenTtl, claimLease,
                    phaseDefinitions, transitionDefinitions, artifacts.values, gates.values);
        }

        // ---------------------------------------------------------------------------------------- top level

        private Enforcement enforcement(JsonNode node) {
            if (node == null) {
                return DEFAULT_ENFORCEMENT;
            }
            String value = string(node, "/enforcement");
            if (value == null) {
                return null;
            }
            switch (value) {
                case "strict":
                    return Enforcement.STRICT;
                case "permissive":
                    return Enforcement.PERMISSIVE;
                default:
                    problem("/enforcement", "unknown enforcement " + quote(value)
                            + ": expected 'strict' or 'permissive'");
                    return null;
            }
        }

        private Long optionalInteger(JsonNode object, String field, String path, long min, long max, long dflt) {
            JsonNode node = optional(object, field);
            return node == null ? Long.valueOf(dflt) : integer(node, path, min, max);
        }

        private Declared<Map<String, Object>> artifacts(JsonNode node) {
            Declared<Map<String, Object>> declared = new Declared<>();
            if (node == null) {
                return declared;
            }
            if (!node.isObject()) {
                wrongType("/artifacts", "a mapping of artifact name to JSON Schema", node);
                declared.wellFormed = false;
                return declared;
            }
            for (Map.Entry<String, JsonNode> entry : node.properties()) {
                String name = entry.getKey();
                String path = "/artifacts/" + escape(name);
                boolean valid = true;
                if (BUILT_IN_ARTIFACTS.contains(name)) {
                    problem(path, "artifact " + quote(name) + " is built in and cannot be redeclared");
                    valid = false;
                } else if (!ARTIFACT_NAME.matcher(name).matches()) {
                    problem(path, "invalid artifact name " + quote(name) + ": must match " + ARTIFACT_NAME.pattern());
                    valid = false;
                }
                JsonNode schema = entry.getValue();
                if (!schema.isObject()) {
                    wrongType(path, "a JSON Schema object", schema);
                    valid = false;
                }
                if (valid) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> map = jsonMapper.convertValue(schema, LinkedHashMap.class);
                    declared.values.put(name, Collections.unmodifiableMap(map));
                }
                declared.names.add(name);
            }
            return declared;
        }

        private Declared<String> gates(JsonNode node) {
            Declared<String> declared = new Declared<>();
            if (node == null) {
                return declared;
            }
            if (!node.isObject()) {
                wrongType("/gates", "a mapping of gate id to expression", node);
                declared.wellFormed = false;
                return declared;
            }
            for (Map.Entry<String, JsonNode> entry : node.properties()) {
                String gateId = entry.getKey();
                String path = "/gates/" + escape(gateId);
                boolean valid = true;
                if (BUILT_IN_GATES.contains(gateId)) {
                    problem(path, "gate " + quote(gateId) + " is built in and cannot be redeclared");
                    valid = false;
                } else if (!GATE_ID.matcher(gateId).matches()) {
                    problem(path, "invalid gate id " + quote(gateId) + ": must match " + GATE_ID.pattern());
                    valid = false;
                }
                String expression = string(entry.getValue(), path);
                if (expression != null && expression.isBlank()) {
                    problem(path, "the expression of gate " + quote(gateId) + " must not be blank");
                    valid = false;
                }
                if (valid && expression != null) {
                    declared.values.put(gateId, expression);
                }
                declared.names.add(gateId);
            }
            return declared;
        }

        // ---------------------------------------------------------------------------------------- phases

        private List<ParsedPhase> phases(JsonNode root) {
            List<ParsedPhase> phases = new ArrayList<>();
            JsonNode node = optional(root, "phases");
            if (node == null) {
                missing("/phases");
                return phases;
            }
            if (!node.isArray()) {
                wrongType("/phases", "a list of phases", node);
                return phases;
            }
            if (node.isEmpty()) {
                problem("/phases", "at least one phase is required");
                return phases;
            }
            Map<String, String> seen = new HashMap<>();
            for (int i = 0; i < node.size(); i++) {
                ParsedPhase phase = phase(node.get(i), "/phases/" + i, i);
                if (phase == null) {
                    continue;
                }
                if (phase.id != null) {
                    String earlier = seen.putIfAbsent(phase.id, phase.path);
                    if (earlier != null) {
                        problem(phase.path + "/id", "duplicate phase id " + quote(phase.id)
                                + " (already declared at " + earlier + ")");
                        phase.duplicate = true;
                    }
                }
                phases.add(phase);
            }
            if (phases.stream().noneMatch(p -> p.terminal)) {
                problem("/phases", "at least one phase must be terminal (terminal: true)");
            }
            if (!phases.isEmpty() && phases.get(0).index == 0 && phases.get(0).terminal) {
                problem("/phases/0/terminal", "the first phase is the initial phase of every task and must not be"
                        + " terminal");
            }
            return phases;
        }

        private ParsedPhase phase(JsonNode node, String path, int index) {
            if (!node.isObject()) {
                wrongType(path, "a phase mapping", node);
                return null;
            }
            checkFields(node, path, PHASE_FIELDS);
            ParsedPhase phase = new ParsedPhase(path, index);
            JsonNode id = optional(node, "id");
            phase.id = id == null ? missing(path + "/id") : matching(string(id, path + "/id"), path + "/id",
                    PHASE_ID, "phase id");
            JsonNode terminal = optional(node, "terminal");
            if (terminal != null) {
                if (terminal.isBoolean()) {
                    phase.terminal = terminal.booleanValue();
                } else {
                    wrongType(path + "/terminal", "a boolean (true or false)", terminal);
                }
            }
            JsonNode tools = optional(node, "tools");
            if (tools != null) {
                if (phase.terminal) {
                    problem(path + "/tools", "a terminal phase must not declare tools");
                }
                phase.tools = tools(tools, path + "/tools");
            }
            JsonNode onEnter = optional(node, "on_enter");
            if (onEnter != null) {
                phase.onEnter = onEnter(onEnter, path + "/on_enter");
            }
            return phase;
        }

        private ToolPolicy tools(JsonNode node, String path) {
            if (!node.isObject()) {
                wrongType(path, "a tool policy mapping (allowed, constraints, approval_required)", node);
                return null;
            }
            checkFields(node, path, TOOLS_FIELDS);
            List<String> allowed = names(optional(node, "allowed"), path + "/allowed", TOOL_NAME, "tool name");
            List<String> approvalRequired = names(optional(node, "approval_required"), path + "/approval_required",
                    TOOL_NAME, "tool name");
            Map<String, Map<String, List<String>>> constraints = new LinkedHashMap<>();
            JsonNode constraintsNode = optional(node, "constraints");
            if (constraintsNode != null) {
                String constraintsPath = path + "/constraints";
                if (!constraintsNode.isObject()) {
                    wrongType(constraintsPath, "a mapping of tool name to argument constraints", constraintsNode);
                } else {
                    for (Map.Entry<String, JsonNode> entry : constraintsNode.properties()) {
                        String tool = entry.getKey();
                        String toolPath = constraintsPath + "/" + escape(tool);
                        if (!TOOL_NAME.matcher(tool).matches()) {
                            problem(toolPath, "invalid tool name " + quote(tool) + ": must match "
                                    + TOOL_NAME.pattern());
                        } else if (allowed != null && !allowed.contains(tool)) {
                            problem(toolPath, "constraints are declared for tool " + quote(tool)
                                    + ", which is not listed in tools.allowed");
                        }
                        Map<String, List<String>> arguments = argumentConstraints(entry.getValue(), toolPath);
                        if (arguments != null) {
                            constraints.put(tool, arguments);
                        }
                    }
                }
            }
            return new ToolPolicy(withoutInvalid(allowed), constraints, withoutInvalid(approvalRequired));
        }

        private List<String> withoutInvalid(List<String> names) {
            return names == null ? null : names.stream().filter(Objects::nonNull).toList();
        }

        private Map<String, List<String>> argumentConstraints(JsonNode node, String path) {
            if (!node.isObject()) {
                wrongType(path, "a mapping of argument name to a list of glob patterns", node);
                return null;
            }
            Map<String, List<String>> arguments = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> entry : node.properties()) {
                String argument = entry.getKey();
                String argumentPath = path + "/" + escape(argument);
                if (argument.isBlank() || argument.length() > MAX_ARGUMENT_NAME_LENGTH) {
                    problem(argumentPath, "invalid argument name " + quote(argument)
                            + ": must be non-blank and at most " + MAX_ARGUMENT_NAME_LENGTH + " characters");
                }
                JsonNode globs = entry.getValue();
                if (!globs.isArray()) {
                    wrongType(argumentPath, "a list of glob patterns", globs);
                    continue;
                }
                if (globs.isEmpty()) {
                    problem(argumentPath, "at least one glob pattern is required");
                    continue;
                }
                List<String> patterns = new ArrayList<>();
                for (int i = 0; i < globs.size(); i++) {
                    String glob = string(globs.get(i), argumentPath + "/" + i);
                    if (glob == null) {
                        continue;
                    }
                    if (glob.isBlank()) {
                        problem(argumentPath + "/" + i, "a glob pattern must not be blank");
                    } else {
                        patterns.add(glob);
                    }
                }
                arguments.put(argument, List.copyOf(patterns));
            }
            return Collections.unmodifiableMap(arguments);
        }

        private OnEnter onEnter(JsonNode node, String path) {
            if (!node.isObject()) {
                wrongType(path, "a mapping (request_reviews)", node);
                return null;
            }
            checkFields(node, path, ON_ENTER_FIELDS);
            JsonNode reviews = optional(node, "request_reviews");
            if (reviews == null) {
                return null;
            }
            String reviewsPath = path + "/request_reviews";
            if (!reviews.isObject()) {
                wrongType(reviewsPath, "a mapping (count, role)", reviews);
                return null;
            }
            checkFields(reviews, reviewsPath, REQUEST_REVIEWS_FIELDS);
            JsonNode countNode = optional(reviews, "count");
            Long count = countNode == null ? missingLong(reviewsPath + "/count")
                    : integer(countNode, reviewsPath + "/count", 1, Integer.MAX_VALUE);
            JsonNode roleNode = optional(reviews, "role");
            String role = roleNode == null ? missing(reviewsPath + "/role") : string(roleNode, reviewsPath + "/role");
            if (role != null && role.isBlank()) {
                problem(reviewsPath + "/role", "the role must not be blank");
                role = null;
            }
            if (count == null || role == null) {
                return null;
            }
            return new OnEnter(new RequestReviews(count.intValue(), role));
        }

        // ---------------------------------------------------------------------------------------- transitions

        private List<ParsedTransition> transitions(JsonNode root, List<ParsedPhase> phases,
                                                   Declared<Map<String, Object>> artifacts, Declared<String> gates) {
            List<ParsedTransition> transitions = new ArrayList<>();
            JsonNode node = optional(root, "transitions");
            boolean wellFormed = true;
            if (node != null && !node.isArray()) {
                wrongType("/transitions", "a list of transitions", node);
                wellFormed = false;
            }
            Map<String, ParsedPhase> phasesById = new LinkedHashMap<>();
            for (ParsedPhase phase : phases) {
                if (phase.id != null && !phase.duplicate) {
                    phasesById.put(phase.id, phase);
                }
            }
            Map<String, String> seenPairs = new HashMap<>();
            Map<String, Set<String>> outgoing = new HashMap<>();
            if (node != null && node.isArray()) {
                for (int i = 0; i < node.size(); i++) {
                    String path = "/transitions/" + i;
                    ParsedTransition transition = transition(node.get(i), path, phasesById, artifacts, gates);
                    if (transition == null) {
                        continue;
                    }
                    transitions.add(transition);
                    if (transition.from == null || transition.to == null) {
                        continue;
                    }
                    if (transition.from.equals(transition.to)) {
                        problem(path + "/to", "a transition must lead to a different phase (from and to are both "
                                + quote(transition.from) + ")");
                        continue;
                    }
                    String earlier = seenPairs.putIfAbsent(transition.from + "\u0000" + transition.to, path);
                    if (earlier != null) {
                        problem(path, "duplicate transition " + quote(transition.from) + " -> "
                                + quote(transition.to) + " (already declared at " + earlier + ")");
                    }
                    ParsedPhase from = phasesById.get(transition.from);
                    if (from != null && from.terminal) {
                        problem(path + "/from", "phase " + quote(from.id)
                                + " is terminal and must not have outgoing transitions");
                    }
                    if (from != null && phasesById.containsKey(transition.to)) {
                        outgoing.computeIfAbsent(transition.from, k -> new LinkedHashSet<>()).add(transition.to);
                    }
                }
            }
            if (wellFormed && !phasesById.isEmpty()) {
                for (ParsedPhase phase : phasesById.values()) {
                    if (!phase.terminal && !outgoing.containsKey(phase.id)) {
                        problem(phase.path, "phase " + quote(phase.id) + " is not terminal but has no outgoing"
                                + " transition");
                    }
                }
                ParsedPhase initial = phases.isEmpty() ? null : phases.get(0);
                if (initial != null && initial.index == 0 && initial.id != null) {
                    Set<String> reachable = reachableFrom(initial.id, outgoing);
                    for (ParsedPhase phase : phasesById.values()) {
                        if (!reachable.contains(phase.id)) {
                            problem(phase.path, "phase " + quote(phase.id) + " is not reachable from the initial"
                                    + " phase " + quote(initial.id));
                        }
                    }
                }
            }
            return transitions;
        }

        private ParsedTransition transition(JsonNode node, String path, Map<String, ParsedPhase> phasesById,
                                            Declared<Map<String, Object>> artifacts, Declared<String> gates) {
            if (!node.isObject()) {
                wrongType(path, "a transition mapping (from, to, artifacts, gates)", node);
                return null;
            }
            checkFields(node, path, TRANSITION_FIELDS);
            ParsedTransition transition = new ParsedTransition();
            transition.from = phaseReference(node, "from", path, phasesById);
            transition.to = phaseReference(node, "to", path, phasesById);

            List<String> artifactNames = names(optional(node, "artifacts"), path + "/artifacts", null, "artifact");
            if (artifactNames != null) {
                for (int i = 0; i < artifactNames.size(); i++) {
                    String name = artifactNames.get(i);
                    if (name != null && artifacts.wellFormed && !BUILT_IN_ARTIFACTS.contains(name)
                            && !artifacts.names.contains(name)) {
                        problem(path + "/artifacts/" + i, "unknown artifact " + quote(name)
                                + ": not built in " + BUILT_IN_ARTIFACTS + " and not declared under artifacts");
                    }
                }
                transition.artifacts = artifactNames;
            }
            List<String> gateIds = names(optional(node, "gates"), path + "/gates", null, "gate");
            if (gateIds != null) {
                for (int i = 0; i < gateIds.size(); i++) {
                    String gateId = gateIds.get(i);
                    if (gateId != null && gates.wellFormed && !BUILT_IN_GATES.contains(gateId)
                            && !gates.names.contains(gateId)) {
                        problem(path + "/gates/" + i, "unknown gate " + quote(gateId)
                                + ": not built in " + BUILT_IN_GATES + " and not declared under gates");
                    }
                }
                transition.gates = gateIds;
            }
            return transition;
        }

        private String phaseReference(JsonNode transition, String field, String path,
                                      Map<String, ParsedPhase> phasesById) {
            String fieldPath = path + "/" + field;
            JsonNode node = optional(transition, field);
            if (node == null) {
                return missing(fieldPath);
            }
            String phaseId = string(node, fieldPath);
            if (phaseId != null && !phasesById.containsKey(phaseId)) {
                problem(fieldPath, "unknown phase " + quote(phaseId) + ": not declared under phases");
            }
            return phaseId;
        }

        private Set<String> reachableFrom(String initial, Map<String, Set<String>> outgoing) {
            Set<String> reachable = new HashSet<>();
            Deque<String> queue = new ArrayDeque<>();
            reachable.add(initial);
            queue.add(initial);
            while (!queue.isEmpty()) {
                for (String next : outgoing.getOrDefault(queue.poll(), Set.of())) {
                    if (reachable.add(next)) {
                        queue.add(next);
                    }
                }
            }
            return reachable;
        }

        // ---------------------------------------------------------------------------------------- primitives

        private void problem(String path, String message) {
            problems.add(new WorkflowProblem(path, message));
        }

        private void checkFields(JsonNode object, String path, Set<String> known) {
            for (String field : object.propertyNames()) {
                if (!known.contains(field)) {
                    problem(path + "/" + escape(field), "unknown field " + quote(field));
                }
            }
        }

        /** The value of an optional field; {@code null} when absent or explicitly null. */
        private JsonNode optional(JsonNode object, String field) {
            JsonNode value = object.get(field);
            return value == null || value.isNull() || value.isMissingNode() ? null : value;
        }

        private <T> T missing(String path) {
            problem(path, "required field '" + path.substring(path.lastIndexOf('/') + 1) + "' is missing");
            return null;
        }

        private Long missingLong(String path) {
            return missing(path);
        }

        private void wrongType(String path, String expected, JsonNode actual) {
            problem(path, "expected " + expected + ", but got " + describeType(actual));
        }

        private String string(JsonNode node, String path) {
            if (!node.isString()) {
                wrongType(path, "a string", node);
                return null;
            }
            return node.stringValue();
        }

        private String matching(String value, String path, Pattern pattern, String what) {
            if (value == null) {
                return null;
            }
            if (!pattern.matcher(value).matches()) {
                problem(path, "invalid " + what + " " + quote(value) + ": must match " + pattern.pattern());
                return null;
            }
            return value;
        }

        private Long integer(JsonNode node, String path, long min, long max) {
            if (!node.isIntegralNumber()) {
                wrongType(path, "an integer", node);
                return null;
            }
            BigInteger value = node.bigIntegerValue();
            if (value.compareTo(BigInteger.valueOf(min)) < 0 || value.compareTo(BigInteger.valueOf(max)) > 0) {
                problem(path, "must be an integer between " + min + " and " + max + ", but is " + value);
                return null;
            }
            return value.longValue();
        }

        /**
         * A list of unique strings, each matching {@code pattern} (if given). Returns {@code null} when the node
         * is not a list; elements that are invalid are kept as {@code null} so indices stay aligned.
         */
        private List<String> names(JsonNode node, String path, Pattern pattern, String what) {
            if (node == null) {
                return List.of();
            }
            if (!node.isArray()) {
                wrongType(path, "a list of " + what + " names", node);
                return null;
            }
            List<String> names = new ArrayList<>();
            Map<String, Integer> seen = new HashMap<>();
            for (int i = 0; i < node.size(); i++) {
                String elementPath = path + "/" + i;
                String name = string(node.get(i), elementPath);
                if (name != null && pattern != null) {
                    name = matching(name, elementPath, pattern, what + " name");
                } else if (name != null && name.isBlank()) {
                    problem(elementPath, "a " + what + " name must not be blank");
                    name = null;
                }
                if (name != null) {
                    Integer earlier = seen.putIfAbsent(name, i);
                    if (earlier != null) {
                        problem(elementPath, "duplicate " + what + " " + quote(name) + " (already listed at "
                                + path + "/" + earlier + ")");
                        name = null;
                    }
                }
                names.add(name);
            }
            return names;
        }
    }

    private static String describeType(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return "null";
        }
        if (node.isObject()) {
            return "a mapping";
        }
        if (node.isArray()) {
            return "a list";
        }
        if (node.isString()) {
            return "a string";
        }
        if (node.isBoolean()) {
            return "a boolean";
        }
        if (node.isIntegralNumber()) {
            return "an integer";
        }
        if (node.isNumber()) {
            return "a decimal number";
        }
        return "a value of type " + node.getNodeType().name().toLowerCase();
    }

    /** Escapes a key for use as a JSON-pointer segment (RFC 6901). */
    private static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }

    private static String quote(String value) {
        String shown = value.length() > 80 ? value.substring(0, 77) + "..." : value;
        return "'" + shown + "'";
    }

    // ------------------------------------------------------------------------------------------------ holders

    private static final class Declared<V> {
        final Set<String> names = new LinkedHashSet<>();
        final Map<String, V> values = new LinkedHashMap<>();
        boolean wellFormed = true;
    }

    private static final class ParsedPhase {
        final String path;
        final int index;
        String id;
        boolean terminal;
        boolean duplicate;
        ToolPolicy tools;
        OnEnter onEnter;

        ParsedPhase(String path, int index) {
            this.path = path;
            this.index = index;
        }

        PhaseDefinition toDefinition() {
            return new PhaseDefinition(id, terminal, tools, onEnter);
        }
    }

    private static final class ParsedTransition {
        String from;
        String to;
        List<String> artifacts = List.of();
        List<String> gates = List.of();
    }
}
