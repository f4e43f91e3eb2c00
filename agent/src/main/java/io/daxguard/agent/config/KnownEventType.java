package io.daxguard.agent.config;

import io.daxguard.agent.jmx.JmxSurface;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A notification type the agent announces ({@link JmxSurface#NOTIFICATION_TYPES}): a hook listening for a type
 * that is never sent (a typo) would wait in silence, so the configuration is refused instead.
 */
@Target(ElementType.TYPE_USE)
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = KnownEventType.Check.class)
public @interface KnownEventType {
    String message() default "is not an event type daxguard announces";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    /** Names the known types in the message, so the operator sees what to write. */
    final class Check implements ConstraintValidator<KnownEventType, String> {
        @Override
        public boolean isValid(String type, ConstraintValidatorContext context) {
            if (type == null || JmxSurface.NOTIFICATION_TYPES.contains(type)) {
                return true;
            }
            context.disableDefaultConstraintViolation();
            context.buildConstraintViolationWithTemplate("is not an event type daxguard announces (known: "
                    + String.join(", ", JmxSurface.NOTIFICATION_TYPES) + ")").addConstraintViolation();
            return false;
        }
    }
}
