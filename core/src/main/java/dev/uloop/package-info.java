/**
 * The event loop: {@link dev.uloop.EventLoop} (the seeds' {@code Uloop}: {@code add},
 * {@code modify}, {@code remove} of descriptors with reactor-style {@link dev.uloop.Handler}s,
 * timers, {@code run}, {@code stop}), {@link dev.uloop.EventLoopGroup} (one loop per thread),
 * the {@link dev.uloop.Backend}s a loop can wait on, {@link dev.uloop.Events} bits (poll(2)'s
 * values), and {@link dev.uloop.LoopStats}. Sockets are in {@link dev.uloop.net}.
 */
package dev.uloop;
