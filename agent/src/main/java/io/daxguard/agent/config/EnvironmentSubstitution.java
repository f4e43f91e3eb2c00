package io.daxguard.agent.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import io.daxguard.agent.validation.InputValidator;
import org.apache.commons.text.StringSubstitutor;

/**
 * {@code ${NAME}} in a configuration value becomes the environment variable {@code NAME}, so secrets (keystore and
 * password values) need not be written into {@code daxguard.yaml}; {@code $${NAME}} stays a literal {@code ${NAME}}.
 * Only values are substituted, never keys, and in the parsed tree, not in the file's text, so a variable's value
 * cannot add or change YAML structure. A variable that is not set, or a name that is not one, is a configuration
 * problem naming the field and the variable, never the value (it may be a secret).
 */
final class EnvironmentSubstitution {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final Map<String, String> environment;
    private final boolean unsetIsAProblem;

    EnvironmentSubstitution(Map<String, String> environment) {
        this(environment, true);
    }

    /**
     * @param unsetIsAProblem false for a reader that needs only some settings (the ledger's place, for the offline
     *                        commands): an unset variable (a secret only the service's environment has) then stays
     *                        as written instead of failing the whole file
     */
    EnvironmentSubstitution(Map<String, String> environment, boolean unsetIsAProblem) {
        this.environment = Map.copyOf(environment);
        this.unsetIsAProblem = unsetIsAProblem;
    }

    /** Substitutes in every string value of {@code tree}, in place; problems go to {@code problems}. */
    void apply(JsonNode tree, List<String> problems) {
        visit(tree, "", problems);
    }

    private void visit(JsonNode node, String path, List<String> problems) {
        if (node instanceof ObjectNode object) {
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                String childPath = path.isEmpty() ? name : path + "." + name;
                JsonNode child = object.get(name);
                if (child.isTextual()) {
                    substitute(child.textValue(), childPath, problems).ifPresent(value -> object.set(name, value));
                } else {
                    visit(child, childPath, problems);
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                String childPath = path + "[" + i + "]";
                JsonNode child = array.get(i);
                if (child.isTextual()) {
                    int index = i;
                    substitute(child.textValue(), childPath, problems).ifPresent(value -> array.set(index, value));
                } else {
                    visit(child, childPath, problems);
                }
            }
        }
    }

    private java.util.Optional<TextNode> substitute(String text, String path, List<String> problems) {
        if (!text.contains("${")) {
            return java.util.Optional.empty();
        }
        Set<String> unset = new LinkedHashSet<>();
        Set<String> notNames = new LinkedHashSet<>();
        StringSubstitutor substitutor = new StringSubstitutor(name -> {
            if (!NAME.matcher(name).matches()) {
                notNames.add(name);
                return null;
            }
            String value = environment.get(name);
            if (value == null) {
                unset.add(name);
            }
            return value;
        });
        substitutor.setValueDelimiterMatcher(null); // no ${NAME:-default}: a missing secret is an error, not a default
        // A variable's value is taken as it is: a secret may contain "$" or "${", which must not be expanded again.
        substitutor.setDisableSubstitutionInValues(true);
        String replaced = substitutor.replace(text);
        for (String name : notNames) {
            problems.add(path + ": " + InputValidator.quoted("${" + name + "}") + " is not an environment variable name"
                    + " (letters, digits and '_', not starting with a digit; write $${ for a literal ${)");
        }
        if (unsetIsAProblem) {
            for (String name : unset) {
                problems.add(path + ": environment variable " + name + " is not set");
            }
        }
        if (!notNames.isEmpty() || !unset.isEmpty()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(TextNode.valueOf(replaced));
    }

    /** The process's environment. */
    static EnvironmentSubstitution ofProcess() {
        return new EnvironmentSubstitution(System.getenv());
    }

    /** The process's environment, an unset variable left as written. */
    static EnvironmentSubstitution ofProcessLeavingUnset() {
        return new EnvironmentSubstitution(System.getenv(), false);
    }
}
