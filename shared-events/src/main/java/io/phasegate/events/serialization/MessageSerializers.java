package io.phasegate.events.serialization;

import org.axonframework.serialization.AnnotationRevisionResolver;
import org.axonframework.serialization.RevisionResolver;
import org.axonframework.serialization.jackson3.Jackson3Serializer;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.jsontype.BasicPolymorphicTypeValidator;

/**
 * The wire format of the published language: Axon's Jackson 3 serializer with the settings every service uses for
 * messages, events, snapshots, sagas and tokens (XStream is never used). Shared so that the contract tests pin
 * exactly what the services write.
 */
public final class MessageSerializers {

    private MessageSerializers() {
    }

    public static Jackson3Serializer jackson3() {
        return jackson3(new AnnotationRevisionResolver());
    }

    public static Jackson3Serializer jackson3(RevisionResolver revisionResolver) {
        return Jackson3Serializer.builder()
                .revisionResolver(revisionResolver)
                .jsonMapperBuilderCustomizer(builder -> builder
                        // an added field in a newer event revision must not break older readers
                        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                        .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                        // Axon's tokens are polymorphic (a ReplayToken wraps the token at reset); Jackson 3 denies
                        // polymorphic resolution unless a validator allows it. Only Axon's and our own types are.
                        .polymorphicTypeValidator(BasicPolymorphicTypeValidator.builder()
                                .allowIfSubType("org.axonframework.")
                                .allowIfSubType("io.phasegate.")
                                .build()))
                .build();
    }
}
