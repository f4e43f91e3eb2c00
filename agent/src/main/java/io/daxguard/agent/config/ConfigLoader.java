package io.daxguard.agent.config;

import io.daxguard.agent.validation.InputValidator;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Reads {@code daxguard.yaml} into a {@link DaxguardConfig}: unknown keys and values of the wrong type are
 * errors, then every constraint is checked. All problems are collected, so an operator fixes the file in one
 * go instead of one start-up failure at a time.
 */
public final class ConfigLoader {
    private static final InputValidator VALIDATOR = new InputValidator();

    private ConfigLoader() {
    }

    public static DaxguardConfig load(Path file) throws ConfigurationException, IOException {
        try (Reader reader = Files.newBufferedReader(file)) {
            return parse(file.toString(), reader, EnvironmentSubstitution.ofProcess());
        }
    }

    /**
     * As {@link #load(Path)} for a reader that needs only some settings (the offline commands need the state
     * directory): a variable not set in this process stays as written rather than failing the file, so an operator's
     * shell need not hold the service's secrets.
     */
    public static DaxguardConfig loadLeavingUnsetVariables(Path file) throws ConfigurationException, IOException {
        try (Reader reader = Files.newBufferedReader(file)) {
            return parse(file.toString(), reader, EnvironmentSubstitution.ofProcessLeavingUnset());
        }
    }

    public static DaxguardConfig parse(String source, String yaml) throws ConfigurationException {
        return parse(source, yaml, System.getenv());
    }

    /** As {@link #parse(String, String)}, with {@code ${NAME}} in values taken from {@code environment}. */
    public static DaxguardConfig parse(String source, String yaml, java.util.Map<String, String> environment)
            throws ConfigurationException {
        try {
            return parse(source, new StringReader(yaml), new EnvironmentSubstitution(environment));
        } catch (IOException cannotHappen) {
            throw new IllegalStateException(cannotHappen);
        }
    }

    private static DaxguardConfig parse(String source, Reader reader, EnvironmentSubstitution substitution)
            throws ConfigurationException, IOException {
        List<String> problems = new ArrayList<>();
        YAMLMapper mapper = YAMLMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                // true or false only: a number (lockMemory: 2, enabled: 0) is a mistake, not a switch.
                .withCoercionConfig(LogicalType.Boolean,
                        booleans -> booleans.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail))
                .addHandler(new ProblemCollector(problems))
                .build();
        DaxguardConfig config;
        try {
            com.fasterxml.jackson.databind.JsonNode tree = mapper.readTree(reader);
            if (tree != null) {
                substitution.apply(tree, problems);
                if (!problems.isEmpty()) {
                    throw new ConfigurationException(source, problems);
                }
            }
            config = tree == null || tree.isMissingNode() || tree.isNull() ? null
                    : mapper.treeToValue(tree, DaxguardConfig.class);
        } catch (MismatchedInputException wrongShape) {
            if (wrongShape instanceof InvalidFormatException notABoolean && isBoolean(notABoolean.getTargetType())) {
                problems.add(path(wrongShape.getPath()) + ": must be true or false (was " + notABoolean.getValue()
                        + ")");
            } else {
                problems.add(path(wrongShape.getPath()) + ": " + firstLine(wrongShape.getOriginalMessage()));
            }
            throw new ConfigurationException(source, problems);
        } catch (JsonProcessingException syntax) {
            if (syntax.getLocation() != null) {
                problems.add("line " + syntax.getLocation().getLineNr() + " column "
                        + syntax.getLocation().getColumnNr() + ": " + firstLine(syntax.getOriginalMessage()));
            } else if (problems.isEmpty()) {
                // Read from the tree, which has no lines. A section where true or false is expected gets here after
                // ProblemCollector recorded it (Jackson then reads the section's missing text).
                problems.add((syntax instanceof JsonMappingException mapping ? path(mapping.getPath()) : "(top)") + ": "
                        + firstLine(syntax.getOriginalMessage()));
            }
            throw new ConfigurationException(source, problems);
        }
        if (config == null) {
            config = DaxguardConfig.defaults(); // an empty file
        }
        problems.addAll(violations(config));
        if (!problems.isEmpty()) {
            throw new ConfigurationException(source, problems);
        }
        return config;
    }

    /** Checks a configuration made in code the same way a file is checked. */
    public static DaxguardConfig validate(String source, DaxguardConfig config) throws ConfigurationException {
        List<String> problems = violations(config);
        if (!problems.isEmpty()) {
            throw new ConfigurationException(source, problems);
        }
        return config;
    }

    private static List<String> violations(DaxguardConfig config) {
        return VALIDATOR.violations(config);
    }

    private static String path(List<com.fasterxml.jackson.databind.JsonMappingException.Reference> references) {
        StringBuilder path = new StringBuilder();
        for (var reference : references) {
            if (reference.getFieldName() != null) {
                path.append(path.length() == 0 ? "" : ".").append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.length() == 0 ? "(top)" : path.toString();
    }

    private static boolean isBoolean(Class<?> type) {
        return type == Boolean.class || type == boolean.class;
    }

    private static String firstLine(String message) {
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static String pathOf(JsonParser parser, String leaf) {
        String pointer = parser.getParsingContext().pathAsPointer().toString();
        String dotted = pointer.isEmpty() ? "" : pointer.substring(1).replace('/', '.');
        if (leaf == null) {
            return dotted.isEmpty() ? "(top)" : dotted;
        }
        return dotted.isEmpty() ? leaf : dotted + "." + leaf;
    }

    /** Records unknown keys and values of the wrong type, and lets reading go on to find the others. */
    private static final class ProblemCollector extends DeserializationProblemHandler {
        private final List<String> problems;

        ProblemCollector(List<String> problems) {
            this.problems = problems;
        }

        @Override
        public boolean handleUnknownProperty(DeserializationContext context, JsonParser parser,
                                             JsonDeserializer<?> deserializer, Object beanOrClass, String name)
                throws IOException {
            String path = pathOf(parser, null);
            if (path.endsWith("." + name) || path.equals(name)) {
                path = path.substring(0, path.length() - name.length()).replaceAll("\\.$", "");
            }
            String known = known(deserializer.getKnownPropertyNames());
            problems.add((path.isEmpty() || path.equals("(top)") ? name : path + "." + name) + ": unknown key"
                    + (known.isEmpty() ? "" : " (known here: " + known + ")"));
            parser.skipChildren();
            return true;
        }

        @Override
        public Object handleWeirdStringValue(DeserializationContext context, Class<?> targetType, String value,
                                             String failureMessage) {
            problems.add(pathOf(context.getParser(), null) + ": must be " + describe(targetType) + " (was \"" + value
                    + "\")");
            return null;
        }

        @Override
        public Object handleWeirdNumberValue(DeserializationContext context, Class<?> targetType, Number value,
                                             String failureMessage) {
            problems.add(pathOf(context.getParser(), null) + ": must be " + describe(targetType) + " (was " + value
                    + ")");
            return null;
        }

        @Override
        public Object handleUnexpectedToken(DeserializationContext context, JavaType targetType, JsonToken token,
                                            JsonParser parser, String failureMessage) throws IOException {
            String shown = token.isScalarValue() ? "\"" + parser.getText() + "\"" : "a " + (token == JsonToken.START_ARRAY
                    ? "list" : "section");
            problems.add(pathOf(parser, null) + ": must be " + describe(targetType.getRawClass()) + " (was " + shown + ")");
            parser.skipChildren();
            return null;
        }

        private static String describe(Class<?> type) {
            if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
                return "a whole number";
            }
            if (type == Boolean.class || type == boolean.class) {
                return "true or false";
            }
            if (type == String.class) {
                return "text";
            }
            return "a section";
        }

        private static String known(Collection<Object> names) {
            return names == null ? "" : String.join(", ", names.stream().map(String::valueOf).sorted().toList());
        }
    }
}
