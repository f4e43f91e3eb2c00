package io.daxguard.agent.jmx;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * What jconsole shows for an MXBean, its attributes, operations and parameters; the JDK has no such
 * annotation, {@link DescribedMBean} reads this one.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.PARAMETER})
public @interface Description {
    String value();

    /**
     * For an operation: {@code INFO} for queries, {@code ACTION} for anything that changes state. Every operation
     * must say which: remote users may run an operation only by its declared impact, and one left
     * {@code UNKNOWN} is refused to everyone.
     */
    Impact impact() default Impact.UNKNOWN;

    /** For a parameter: the name jconsole shows instead of {@code p0}. */
    String name() default "";

    enum Impact {
        INFO(javax.management.MBeanOperationInfo.INFO),
        ACTION(javax.management.MBeanOperationInfo.ACTION),
        /** Not declared: for attributes and parameters, where no impact applies. */
        UNKNOWN(javax.management.MBeanOperationInfo.UNKNOWN);

        final int code;

        Impact(int code) {
            this.code = code;
        }

        /** The {@link javax.management.MBeanOperationInfo} impact constant. */
        public int code() {
            return code;
        }
    }
}
