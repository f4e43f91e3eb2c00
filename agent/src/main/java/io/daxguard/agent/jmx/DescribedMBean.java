package io.daxguard.agent.jmx;

import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanParameterInfo;
import javax.management.NotificationEmitter;
import javax.management.NotificationBroadcasterSupport;
import javax.management.StandardEmitterMBean;

/**
 * An MXBean whose descriptions, operation impacts and parameter names come from {@link Description} on its
 * interface, so jconsole and VisualVM show them. Operation names must not be overloaded in an interface.
 */
final class DescribedMBean<T> extends StandardEmitterMBean {
    private final Class<T> type;

    DescribedMBean(T implementation, Class<T> type) {
        this(implementation, type, new NotificationBroadcasterSupport());
    }

    DescribedMBean(T implementation, Class<T> type, NotificationEmitter emitter) {
        super(implementation, type, true, emitter);
        this.type = type;
    }

    @Override
    protected String getDescription(MBeanInfo info) {
        Description description = type.getAnnotation(Description.class);
        return description != null ? description.value() : super.getDescription(info);
    }

    @Override
    protected String getDescription(MBeanAttributeInfo info) {
        Method getter = method("get" + info.getName());
        if (getter == null) {
            getter = method("is" + info.getName());
        }
        Description description = getter == null ? null : getter.getAnnotation(Description.class);
        return description != null ? description.value() : super.getDescription(info);
    }

    @Override
    protected String getDescription(MBeanOperationInfo info) {
        Method operation = method(info.getName());
        Description description = operation == null ? null : operation.getAnnotation(Description.class);
        return description != null ? description.value() : super.getDescription(info);
    }

    @Override
    protected int getImpact(MBeanOperationInfo info) {
        Method operation = method(info.getName());
        Description description = operation == null ? null : operation.getAnnotation(Description.class);
        // An operation that declares nothing is not taken for a query: remote roles refuse UNKNOWN.
        return description != null ? description.impact().code : MBeanOperationInfo.UNKNOWN;
    }

    @Override
    protected String getParameterName(MBeanOperationInfo operation, MBeanParameterInfo parameter, int sequence) {
        Description description = parameterDescription(operation, sequence);
        return description != null && !description.name().isEmpty() ? description.name()
                : super.getParameterName(operation, parameter, sequence);
    }

    @Override
    protected String getDescription(MBeanOperationInfo operation, MBeanParameterInfo parameter, int sequence) {
        Description description = parameterDescription(operation, sequence);
        return description != null ? description.value() : super.getDescription(operation, parameter, sequence);
    }

    private Description parameterDescription(MBeanOperationInfo operation, int sequence) {
        Method method = method(operation.getName());
        if (method == null || sequence >= method.getParameterCount()) {
            return null;
        }
        Parameter parameter = method.getParameters()[sequence];
        return parameter.getAnnotation(Description.class);
    }

    private Method method(String name) {
        for (Method method : type.getMethods()) {
            if (method.getName().equals(name)) {
                return method;
            }
        }
        return null;
    }
}
