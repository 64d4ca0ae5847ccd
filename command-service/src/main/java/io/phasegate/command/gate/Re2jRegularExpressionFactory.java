package io.phasegate.command.gate;

import com.google.re2j.Pattern;
import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;

/**
 * Evaluates the JSON Schema {@code pattern} and {@code patternProperties} keywords with RE2/J, whose matching time is
 * linear in the input: a schema written by a workflow author cannot make validation hang on a catastrophic
 * backtracking pattern. RE2 syntax covers the ECMA-262 subset that schemas use in practice; look-around and
 * back-references are refused when the schema is checked.
 */
final class Re2jRegularExpressionFactory implements RegularExpressionFactory {

    static final Re2jRegularExpressionFactory INSTANCE = new Re2jRegularExpressionFactory();

    private Re2jRegularExpressionFactory() {
    }

    @Override
    public RegularExpression getRegularExpression(String regex) {
        Pattern pattern = Pattern.compile(regex);
        // JSON Schema patterns are not anchored: they match anywhere in the string.
        return value -> pattern.matcher(value).find();
    }
}
