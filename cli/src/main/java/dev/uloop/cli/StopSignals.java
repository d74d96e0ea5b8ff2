package dev.uloop.cli;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns SIGINT, SIGTERM and SIGHUP into a call, so that a server can stop gracefully and the
 * process still exits with status 0 (with only a shutdown hook, the JVM exits with 130, 143
 * or 129). SIGHUP, the terminal closing or {@code kill -HUP}, means stop as well: uloop
 * reads no configuration it could reload. Uses {@code sun.misc.Signal} (module
 * jdk.unsupported) through reflection: the class is still there in current JDKs, but
 * naming it makes javac warn on every build, and where it is missing the caller falls back
 * to a shutdown hook.
 *
 * <p>SIGUSR1 asks a running server for its counters ({@link #installStatus}): the JVM's
 * default for it is to exit at once (status 138), so an operator's habit of sending it to
 * a daemon for a status report would otherwise kill the server. SIGUSR2 is the JVM's own
 * (thread suspension) and is left alone; SIGQUIT prints the JVM's thread dump.
 *
 * <p>A signal the process ignores stays ignored (the JVM leaves it alone): a background
 * job started from a non-interactive shell ignores SIGINT, so stop it with SIGTERM; a
 * server started with {@code nohup} ignores SIGHUP, as nohup means it to.
 */
final class StopSignals {
    private StopSignals() {}

    /** The signals that mean "stop". */
    static final List<String> NAMES = List.of("INT", "TERM", "HUP");

    /**
     * Installs {@code onSignal} as the handler of SIGINT, SIGTERM and SIGHUP.
     *
     * @param onSignal called on a JVM signal thread; should only wake someone up
     * @return the signals handled now, e.g. {@code [INT, TERM, HUP]}, without those the
     *         process ignores; empty when none could be
     */
    static List<String> install(Runnable onSignal) {
        return handle(NAMES, onSignal);
    }

    /**
     * Installs {@code onSignal} as the handler of SIGUSR1 (log the server's counters).
     *
     * @return {@code [USR1]}, or empty where it could not be installed or is ignored
     */
    static List<String> installStatus(Runnable onSignal) {
        return handle(List.of("USR1"), onSignal);
    }

    private static List<String> handle(List<String> names, Runnable onSignal) {
        List<String> installed = new ArrayList<>();
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
            Object handler = Proxy.newProxyInstance(StopSignals.class.getClassLoader(), new Class<?>[] {handlerType},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "handle" -> {
                            onSignal.run();
                            yield null;
                        }
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> "StopSignals";
                    });
            Method handle = signalClass.getMethod("handle", signalClass, handlerType);
            Object ignored = handlerType.getField("SIG_IGN").get(null);
            for (String name : names) {
                try {
                    Object previous = handle.invoke(null, signalClass.getConstructor(String.class).newInstance(name),
                            handler);
                    if (previous != ignored) {     // an ignored signal stays ignored
                        installed.add(name);
                    }
                } catch (InvocationTargetException e) {
                    // "Signal already used by VM or OS" (e.g. -Xrs): the shutdown hook covers it.
                }
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // No sun.misc.Signal here: the shutdown hook covers it.
        }
        return installed;
    }
}
