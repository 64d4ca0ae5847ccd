package io.phasegate.command;

import io.phasegate.events.common.ErrorDetails;
import java.util.Map;
import org.hamcrest.Description;
import org.hamcrest.Matcher;
import org.hamcrest.TypeSafeMatcher;

/** Matchers for the {@link ErrorDetails} that command handlers attach to their rejections. */
public final class Rejections {

    private Rejections() {
    }

    /** Details with this code, status and extra members, and a non-blank message. */
    public static Matcher<ErrorDetails> rejection(String code, int status, Map<String, Object> extra) {
        return new TypeSafeMatcher<>() {
            @Override
            protected boolean matchesSafely(ErrorDetails details) {
                return code.equals(details.code()) && status == details.status() && extra.equals(details.extra())
                        && details.message() != null && !details.message().isBlank();
            }

            @Override
            public void describeTo(Description description) {
                description.appendText("ErrorDetails with code ").appendValue(code).appendText(", status ")
                        .appendValue(status).appendText(", extra ").appendValue(extra).appendText(" and a message");
            }
        };
    }
}
