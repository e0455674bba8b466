package io.jahci.hw;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;

/** The counting wrapper is the transport in every respect but the counts. */
class RegisterCountsTest {
    @Test
    void theWrapperPassesTheDeviceRequestListenerToTheTransport() {
        Transport transport = mock(Transport.class);
        Runnable listener = () -> { };
        new RegisterCounts().install(transport).onDeviceRequest(listener);
        verify(transport).onDeviceRequest(listener);
    }

    @Test
    void theWrapperOverridesEveryDefaultMethodOfTransport() throws Exception {
        Transport wrapped = new RegisterCounts().install(mock(Transport.class));
        for (Method m : Transport.class.getMethods()) {
            if (m.isDefault() && !Modifier.isStatic(m.getModifiers())) {
                Method impl = wrapped.getClass().getMethod(m.getName(), m.getParameterTypes());
                assertFalse(impl.isDefault(), "the counting transport inherits " + m + " instead of delegating it");
                assertEquals(wrapped.getClass(), impl.getDeclaringClass(), m.toString());
            }
        }
    }
}
