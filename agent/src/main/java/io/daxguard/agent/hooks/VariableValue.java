package io.daxguard.agent.hooks;

import java.util.List;

/**
 * One variable's value before it is bounded ({@link EnvironmentBudget}): text, or a list of text shown one line per
 * element, which is cut only at a line boundary.
 *
 * @param lines the elements of a list, or the text alone
 * @param list  whether it is a list (cut between lines, its count given) or text (cut between characters)
 */
record VariableValue(List<String> lines, boolean list) {
    VariableValue {
        lines = List.copyOf(lines);
    }

    static VariableValue text(String text) {
        return new VariableValue(List.of(text), false);
    }

    static VariableValue lines(List<String> lines) {
        return new VariableValue(lines, true);
    }

    String whole() {
        return String.join("\n", lines);
    }
}
