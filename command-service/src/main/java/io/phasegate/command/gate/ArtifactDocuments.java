package io.phasegate.command.gate;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Turns submitted artifact documents (JSON trees or plain maps, lists and scalars) into JSON trees. */
final class ArtifactDocuments {

    private final JsonMapper jsonMapper;

    ArtifactDocuments(JsonMapper jsonMapper) {
        this.jsonMapper = jsonMapper == null ? JsonMapper.builder().build() : jsonMapper;
    }

    /**
     * The document as a JSON tree, or empty when it cannot be one (for example an object that is not JSON data).
     * A {@code null} document becomes JSON {@code null}.
     */
    Optional<JsonNode> toTree(Object document) {
        if (document instanceof JsonNode node) {
            return Optional.of(node);
        }
        try {
            return Optional.of(jsonMapper.valueToTree(document));
        } catch (JacksonException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Converts every present (non-null) artifact; documents that cannot be converted are left out. */
    Map<String, JsonNode> toTrees(Map<String, ?> artifacts) {
        Map<String, JsonNode> trees = new LinkedHashMap<>();
        if (artifacts == null) {
            return trees;
        }
        artifacts.forEach((name, document) -> {
            if (name != null && document != null) {
                toTree(document).filter(node -> !node.isNull() && !node.isMissingNode())
                        .ifPresent(node -> trees.put(name, node));
            }
        });
        return trees;
    }

    static String quote(String value) {
        return "'" + value + "'";
    }
}
