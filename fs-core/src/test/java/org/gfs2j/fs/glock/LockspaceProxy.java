package org.gfs2j.fs.glock;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import org.gfs2j.dlm.Lockspace;

/**
 * Makes a test double a {@link Lockspace} by forwarding each interface method to the target's
 * public method of the same name and arity, so the doubles keep compiling while the lock-manager
 * adds methods to the interface (methods the target lacks do nothing).
 */
final class LockspaceProxy {
    private LockspaceProxy() {
    }

    static Lockspace of(Object target) {
        return (Lockspace) Proxy.newProxyInstance(Lockspace.class.getClassLoader(), new Class<?>[] {Lockspace.class},
                (proxy, method, args) -> {
                    int arity = args == null ? 0 : args.length;
                    if (method.getDeclaringClass() == Object.class) {
                        return method.getName().equals("equals") ? proxy == args[0]
                                : method.getName().equals("hashCode") ? System.identityHashCode(proxy)
                                : "Lockspace(" + target + ")";
                    }
                    for (Method m : target.getClass().getDeclaredMethods()) {
                        if (m.getName().equals(method.getName()) && m.getParameterCount() == arity) {
                            m.setAccessible(true);
                            try {
                                return m.invoke(target, args);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                        }
                    }
                    if (method.isDefault()) {
                        return java.lang.reflect.InvocationHandler.invokeDefault(proxy, method, args);
                    }
                    if (method.getReturnType() == void.class) {
                        return null;
                    }
                    throw new UnsupportedOperationException(method.getName() + " is not implemented by " + target);
                });
    }
}
