/**
 * Which backend {@code auto} picks, and why: {@code Backends} holds the preference order
 * with its reasons, what each backend costs and where it works, the probes, and the factory
 * that gives a loop its parts ({@code LoopParts}: poller, socket engine, completion phase).
 * {@link dev.uloop.Backend} is its public face.
 */
package dev.uloop.internal.backend;
