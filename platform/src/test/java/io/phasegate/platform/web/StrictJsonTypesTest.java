package io.phasegate.platform.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.json.JsonMapper;

/** Wrong JSON types for text fields are refused, not coerced (ADR 0012). */
class StrictJsonTypesTest {

    record CreateOrg(String orgId, String name, Integer priority, List<String> roles) {
    }

    private final JsonMapper strict = StrictJsonTypes.apply(JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)).build();

    @Test
    void numbersAndBooleansAreNotReadAsText() {
        for (String body : List.of("{\"org_id\":12345,\"name\":\"n\"}", "{\"org_id\":\"o\",\"name\":1.5}",
                "{\"org_id\":true,\"name\":\"n\"}", "{\"org_id\":\"o\",\"roles\":[1]}")) {
            assertThatThrownBy(() -> strict.readValue(body, CreateOrg.class)).as(body)
                    .isInstanceOf(MismatchedInputException.class);
        }
    }

    @Test
    void rightTypesStillBind() {
        CreateOrg org = strict.readValue("{\"org_id\":\"o\",\"name\":\"n\",\"priority\":5,\"roles\":[\"admin\"]}",
                CreateOrg.class);
        assertThat(org).isEqualTo(new CreateOrg("o", "n", 5, List.of("admin")));
        // without the rule Jackson coerces: this is what let {"org_id": 12345} create organisation "12345"
        assertThat(JsonMapper.builder().build().readValue("{\"name\":12345}", CreateOrg.class).name()).isEqualTo("12345");
    }
}
