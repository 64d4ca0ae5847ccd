package io.phasegate.query.audit;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the audit trail reads from an event payload, whatever its type: the organisation (a record component or getter
 * {@code orgId}) and the payload as a JSON object with snake_case names. New event types need no code here.
 */
final class AuditPayloads {

    /** snake_case names, ISO-8601 times: the form of the summaries. */
    static final JsonMapper SNAKE_CASE = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .build();
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };

    private static final ClassValue<Optional<Method>> ORG_ID = new ClassValue<>() {
        @Override
        protected Optional<Method> computeValue(Class<?> type) {
            return accessor(type, "orgId");
        }
    };

    private AuditPayloads() {
    }

    /** The payload's organisation, or {@code null} when it names none. */
    static String orgId(Object payload) {
        if (payload == null) {
            return null;
        }
        Optional<Method> accessor = ORG_ID.get(payload.getClass());
        if (accessor.isEmpty()) {
            return null;
        }
        try {
            Object value = accessor.get().invoke(payload);
            return value instanceof String org && !org.isBlank() ? org : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The payload as a JSON object (snake_case member names); a payload that is no object is wrapped as "value". A
     * payload that cannot be converted gives a summary that says so, rather than failing the audit processor (which
     * retries failures instead of skipping events).
     */
    static Map<String, Object> asMap(Object payload) {
        try {
            Object tree = SNAKE_CASE.convertValue(payload, Object.class);
            if (tree instanceof Map<?, ?>) {
                return SNAKE_CASE.convertValue(tree, OBJECT);
            }
            return Map.of("value", String.valueOf(tree));
        } catch (RuntimeException e) {
            return Map.of("summary_unavailable", "the payload could not be converted to JSON");
        }
    }

    private static Optional<Method> accessor(Class<?> type, String name) {
        if (type.isRecord()) {
            for (RecordComponent component : type.getRecordComponents()) {
                if (component.getName().equals(name)) {
                    Method method = component.getAccessor();
                    method.setAccessible(true);
                    return Optional.of(method);
                }
            }
            return Optional.empty();
        }
        String getter = "get" + Character.toUpperCase(name.charAt(0)) + name.substring(1);
        for (String candidate : new String[]{getter, name}) {
            try {
                Method method = type.getMethod(candidate);
                if (method.getParameterCount() == 0 && !Modifier.isStatic(method.getModifiers())) {
                    return Optional.of(method);
                }
            } catch (NoSuchMethodException e) {
                // try the next form
            }
        }
        return Optional.empty();
    }
}
