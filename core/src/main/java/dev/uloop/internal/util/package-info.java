/** Small rules the other packages share: how tables grow, how durations saturate, what a loop does with a callback that threw. */
package dev.uloop.internal.util;
