/**
 * Where the kernel is called: the FFM binding of libc and the raw system calls uloop uses,
 * one class per C header ({@code Epoll}, {@code Poll}, {@code Select}, {@code Socket},
 * {@code Unistd}, {@code Pwd}, {@code EventFd}, {@code Mman}, {@code Time}, {@code IoUring} with its
 * structures), errno captured per thread ({@code LibC}), errno names ({@code Errno}), and
 * {@code Errors}, the one place where a failed call becomes a
 * {@link dev.uloop.NativeException}. Calls return their result or {@code -errno}; no state,
 * no policy.
 */
package dev.uloop.internal.posix;
