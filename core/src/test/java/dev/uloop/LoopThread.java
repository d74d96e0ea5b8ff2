package dev.uloop;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs an event loop on its own thread for tests; {@link #call} runs code on it and waits. */
public final class LoopThread implements AutoCloseable {
    private final EventLoop loop;
    private final Thread thread;

    public LoopThread(Backend backend) {
        loop = EventLoop.open(backend);
        thread = new Thread(loop::run, "loop-" + backend);
        thread.setDaemon(true);
        thread.start();
    }

    public EventLoop loop() {
        return loop;
    }

    /** Runs {@code c} on the loop thread and returns its result (10 s at most). */
    public <T> T call(Callable<T> c) {
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                f.complete(c.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new RuntimeException(e.getCause());
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    /** Runs {@code r} on the loop thread and waits. */
    public void run(Runnable r) {
        call(() -> {
            r.run();
            return null;
        });
    }

    @Override
    public void close() throws InterruptedException {
        loop.close();
        thread.join(5_000);
    }
}
