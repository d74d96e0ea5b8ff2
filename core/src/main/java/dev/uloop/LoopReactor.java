package dev.uloop;

import dev.uloop.internal.net.Reactor;
import java.time.Duration;

/** The loop as its backend's engines see it: its own calls, on its thread. */
final class LoopReactor implements Reactor {
    private final EventLoop loop;

    LoopReactor(EventLoop loop) {
        this.loop = loop;
    }

    @Override
    public void add(int fd, int events, Handler handler) {
        loop.add(fd, events, handler);
    }

    @Override
    public void modify(int fd, int events) {
        loop.modify(fd, events);
    }

    @Override
    public void remove(int fd) {
        if (!loop.isClosed()) {      // the poller went with the loop: only the socket is left to close
            loop.remove(fd);
        }
    }

    @Override
    public void execute(Runnable task) {
        loop.execute(task);
    }

    @Override
    public Timer after(Duration delay, Runnable task) {
        return loop.after(delay, task);
    }
}
