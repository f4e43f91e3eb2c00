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

    /** For an operation: {@code INFO} for queries, {@code ACTION} for anything that changes state. */
    Impact impact() default Impact.INFO;

    /** For a parameter: the name jconsole shows instead of {@code p0}. */
    String name() default "";

    enum Impact {
        INFO(javax.management.MBeanOperationInfo.INFO),
        ACTION(javax.management.MBeanOperationInfo.ACTION);

        final int code;

        Impact(int code) {
            this.code = code;
        }
    }
}
