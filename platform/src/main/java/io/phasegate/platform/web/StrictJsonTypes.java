package io.phasegate.platform.web;

import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.cfg.MapperBuilder;
import tools.jackson.databind.type.LogicalType;

/**
 * Wrong JSON types are refused (SPEC §7, ADR 0012): Jackson would otherwise read a number or a boolean into a text
 * field ({@code {"org_id": 12345}} as {@code "12345"}, {@code {"reason": true}} as {@code "true"}), so a request with a
 * wrong type was accepted and written. With this a scalar of another type for a text field fails to bind and answers
 * {@code 400 malformed_request} naming the field.
 */
public final class StrictJsonTypes {

    private StrictJsonTypes() {
    }

    /** Applies the rules to a mapper builder (the web layer's {@code JsonMapper}). */
    public static <B extends MapperBuilder<?, B>> B apply(B builder) {
        return builder.withCoercionConfig(LogicalType.Textual, config -> config
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail));
    }
}
