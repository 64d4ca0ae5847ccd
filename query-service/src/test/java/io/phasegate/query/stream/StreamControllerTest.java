package io.phasegate.query.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.phasegate.platform.web.ApiException;
import org.junit.jupiter.api.Test;

class StreamControllerTest {

    @Test
    void theResumePointComesFromTheHeaderElseTheParameter() {
        assertThat(StreamController.resumeAfter(null, null)).isNull();
        assertThat(StreamController.resumeAfter(" ", "")).isNull();
        assertThat(StreamController.resumeAfter("42", "7")).isEqualTo(42L);
        assertThat(StreamController.resumeAfter(null, "7")).isEqualTo(7L);
        assertThat(StreamController.resumeAfter("", "7")).isEqualTo(7L);
        assertThat(StreamController.resumeAfter("999999999999999999", null)).isEqualTo(999_999_999_999_999_999L);
        for (String garbage : new String[]{"abc", "-1", "1.5", "1e3", "9999999999999999999", "12 13", "0x10"}) {
            assertThatThrownBy(() -> StreamController.resumeAfter(garbage, null)).as(garbage)
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.status().value()).isEqualTo(400);
                        assertThat(e.code()).isEqualTo("invalid_parameter");
                    });
        }
    }

    @Test
    void connectionsAreCountedAndCappedPerOrganisation() {
        StreamConnections connections = new StreamConnections();
        assertThat(connections.tryOpen("a", 2)).isTrue();
        assertThat(connections.tryOpen("a", 2)).isTrue();
        assertThat(connections.tryOpen("a", 2)).isFalse();
        assertThat(connections.tryOpen("b", 2)).isTrue();
        assertThat(connections.open("a")).isEqualTo(2);
        assertThat(connections.total()).isEqualTo(3);
        connections.close("a");
        assertThat(connections.open("a")).isEqualTo(1);
        assertThat(connections.tryOpen("a", 2)).isTrue();
        connections.close("a");
        connections.close("a");
        assertThat(connections.open("a")).isZero();
        connections.close("a");
        assertThat(connections.open("a")).isZero();
        assertThat(connections.total()).isEqualTo(1);
    }
}
