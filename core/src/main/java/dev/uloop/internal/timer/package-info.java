/** The loop's timers: a heap ordered by (deadline, sequence), and the fixed-rate and fixed-delay schedules. Pure Java. */
package dev.uloop.internal.timer;
