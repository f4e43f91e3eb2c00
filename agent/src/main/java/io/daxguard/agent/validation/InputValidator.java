package io.daxguard.agent.validation;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks every input that comes from outside (JMX, CLI, configuration) with Hibernate Validator. A rejection
 * names each bad field and the value it had, so an operator sees exactly what to fix.
 *
 * <p>Thread safe. The validator factory is slow to build (a few hundred milliseconds), so it is built on the
 * first input, not at agent start: an agent that only listens starts faster.
 */
public final class InputValidator implements AutoCloseable {
    private ValidatorFactory factory;
    private Validator validator;

    private synchronized Validator validator() {
        if (validator == null) {
            factory = Validation.buildDefaultValidatorFactory();
            validator = factory.getValidator();
        }
        return validator;
    }

    /**
     * Returns {@code input} when valid.
     *
     * @throws IllegalArgumentException naming every violation as {@code field: message (was value)}
     */
    public <T> T check(String what, T input) {
        Set<ConstraintViolation<T>> violations = validator().validate(input);
        if (violations.isEmpty()) {
            return input;
        }
        String reasons = violations.stream()
                .sorted(Comparator.comparing(violation -> violation.getPropertyPath().toString()))
                .map(violation -> violation.getPropertyPath() + ": " + violation.getMessage() + " (was "
                        + describe(violation.getInvalidValue()) + ")")
                .collect(Collectors.joining("; "));
        throw new IllegalArgumentException(what + " rejected: " + reasons);
    }

    private static String describe(Object value) {
        return value instanceof String text ? "\"" + text + "\"" : String.valueOf(value);
    }

    @Override
    public synchronized void close() {
        if (factory != null) {
            factory.close();
        }
    }
}
