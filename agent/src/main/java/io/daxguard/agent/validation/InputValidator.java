package io.daxguard.agent.validation;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.constraints.AssertTrue;
import java.util.Comparator;
import java.util.List;

/**
 * Checks every input that comes from outside (JMX, CLI, configuration) with Hibernate Validator, and says what is
 * wrong in one format everywhere: {@code path.to.field: what is wrong (was value)}, so an operator sees exactly
 * what to fix. A cross-field rule (an {@code @AssertTrue} method) names its section instead of the method.
 *
 * <p>Thread safe and cheap to make: the validator factory is built once per process, on the first input (it takes a
 * few hundred milliseconds, so an agent that only listens starts faster), and lives as long as the process.
 */
public final class InputValidator {
    /** The holder idiom: built on first use, once, without a lock on every call. */
    private static final class Shared {
        static final Validator VALIDATOR = Validation.byProvider(org.hibernate.validator.HibernateValidator.class)
                .configure().propertyNodeNameProvider(new JsonNames()).buildValidatorFactory().getValidator();
    }

    /**
     * Returns {@code input} when valid.
     *
     * @throws IllegalArgumentException {@code what rejected: } and every violation, separated by {@code ; }
     */
    public <T> T check(String what, T input) {
        List<String> violations = violations(input);
        if (violations.isEmpty()) {
            return input;
        }
        throw new IllegalArgumentException(what + " rejected: " + String.join("; ", violations));
    }

    /** Every violation of {@code input}, sorted by path, each as {@code path: message (was value)}. */
    public <T> List<String> violations(T input) {
        return Shared.VALIDATOR.validate(input).stream()
                .sorted(Comparator.comparing((ConstraintViolation<T> violation) -> violation.getPropertyPath().toString()))
                .map(InputValidator::describe)
                .toList();
    }

    /**
     * Names a property as the input names it: a record component bound under another name ({@code @JsonProperty},
     * e.g. the configuration's {@code notify} section, a name a record component cannot have) by that name.
     */
    private static final class JsonNames implements org.hibernate.validator.spi.nodenameprovider.PropertyNodeNameProvider {
        @Override
        public String getName(org.hibernate.validator.spi.nodenameprovider.Property property) {
            if (property instanceof org.hibernate.validator.spi.nodenameprovider.JavaBeanProperty bean) {
                try {
                    com.fasterxml.jackson.annotation.JsonProperty named = bean.getDeclaringClass()
                            .getDeclaredField(bean.getName()).getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
                    if (named != null && !named.value().isEmpty()) {
                        return named.value();
                    }
                } catch (NoSuchFieldException notAField) {
                    // A getter without a field: its own name.
                }
            }
            return property.getName();
        }
    }

    private static String describe(ConstraintViolation<?> violation) {
        String path = violation.getPropertyPath().toString();
        Object value = violation.getInvalidValue();
        if (value instanceof Boolean && violation.getConstraintDescriptor().getAnnotation() instanceof AssertTrue) {
            // A cross-field rule: name the section, not the helper method.
            String section = path.contains(".") ? path.substring(0, path.lastIndexOf('.')) : "(top)";
            return section + ": " + violation.getMessage();
        }
        return path + ": " + violation.getMessage() + " (was " + (value instanceof String text ? quoted(text)
                : String.valueOf(value)) + ")";
    }

    /**
     * {@code text} in double quotes, escaped as Java writes it (a quote, a backslash, a newline, other control
     * characters as {@code \xNN}): an error message is one line on a terminal, and a value a user typed cannot end the
     * line or send escape sequences to it.
     */
    public static String quoted(String text) {
        StringBuilder quoted = new StringBuilder(text.length() + 2).append('"');
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\t' -> quoted.append("\\t");
                case '\r' -> quoted.append("\\r");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        quoted.append(String.format("\\x%02x", (int) c));
                    } else {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }
}
