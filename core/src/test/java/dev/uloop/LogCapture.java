package dev.uloop;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Collects the records a logger publishes while {@code body} runs, instead of printing them. */
public final class LogCapture {
    private LogCapture() {}

    public static List<LogRecord> capture(String name, Level level, Runnable body) {
        return capture(Logger.getLogger(name), level, body);
    }

    public static List<LogRecord> capture(Logger logger, Level level, Runnable body) {
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() { }

            @Override
            public void close() { }
        };
        Level old = logger.getLevel();
        boolean parents = logger.getUseParentHandlers();
        logger.addHandler(h);
        logger.setLevel(level);
        logger.setUseParentHandlers(false);
        try {
            body.run();
        } finally {
            logger.removeHandler(h);
            logger.setLevel(old);
            logger.setUseParentHandlers(parents);
        }
        return records;
    }
}
