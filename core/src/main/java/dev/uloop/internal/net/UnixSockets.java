package dev.uloop.internal.net;

import dev.uloop.NativeException;
import dev.uloop.internal.posix.Errno;
import dev.uloop.internal.posix.Errors;
import dev.uloop.internal.posix.FileSystem;
import dev.uloop.internal.posix.Socket;
import java.io.IOException;
import java.net.BindException;

/**
 * Making bound Unix domain sockets: the socket file's mode, a stale file left by a server
 * that died, errors a person can act on, and removing the file again, only if it is still
 * the one this process made.
 */
public final class UnixSockets {
    private UnixSockets() {}

    /**
     * A bound socket, and the file its bind made.
     *
     * @param socket the socket
     * @param name   its name
     * @param file   the socket file as it was made (device and inode), or null for an abstract name
     */
    public record Bound(NativeSocket socket, UnixName name, FileSystem.Stat file) {
        /**
         * Removes the socket file if it is still the one the bind made (same device and
         * inode): another server may have replaced it since. Quiet when it is gone.
         *
         * @return true when removed
         */
        public boolean removeFile() {
            if (file == null) {
                return false;
            }
            FileSystem.Stat now = FileSystem.stat(name.bytes(), null);
            return now != null && now.device() == file.device() && now.inode() == file.inode()
                    && FileSystem.unlink(name.bytes()) == 0;
        }
    }

    /**
     * A non-blocking Unix socket of {@code type}, bound to {@code name}; for a path, the file
     * gets {@code mode} (before anyone can connect: a stream socket listens only later). A
     * socket file that nobody serves any more (a connect is refused) is replaced, as daemons
     * do when they restart after a crash; a file that is not a socket, or a socket someone
     * serves, is an error. Everything is closed again if anything fails.
     *
     * @param mode the permission bits of the socket file (e.g. 0660), or -1 to leave what
     *             the process's umask gives
     * @throws BindException for a path in use, a missing directory, no permission
     * @throws IOException   for other failures
     */
    public static Bound openBound(UnixName name, int type, int mode) throws IOException {
        NativeSocket s = NativeSocket.openUnix(type);
        try {
            int r = bind(s, name);
            if (r == -Errno.EADDRINUSE && !name.isAbstract() && isStale(name, type)) {
                FileSystem.unlink(name.bytes());
                r = bind(s, name);
            }
            if (r < 0) {
                throw bindError(-r, name);
            }
            FileSystem.Stat file = null;
            if (!name.isAbstract()) {
                file = FileSystem.stat(name.bytes(), null);
                Bound b = new Bound(s, name, file);
                if (mode >= 0) {
                    int c = FileSystem.chmod(name.bytes(), mode);
                    if (c < 0) {
                        b.removeFile();
                        throw new IOException(Errors.exception("chmod(" + name + ", 0" + Integer.toOctalString(mode)
                                + ")", -c));
                    }
                }
                return b;
            }
            return new Bound(s, name, null);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private static int bind(NativeSocket s, UnixName name) {
        IoBuffers io = IoBuffers.get();
        return Socket.bind(s.fd(), io.addr, name.write(io.addr));
    }

    /**
     * Whether the socket file at {@code name} is left over: a socket that refuses a connect
     * of the same type (nobody is bound to it any more).
     *
     * @throws BindException when the path is not a socket
     */
    private static boolean isStale(UnixName name, int type) throws BindException {
        FileSystem.Stat st = FileSystem.stat(name.bytes(), null);
        if (st == null) {
            return true;           // gone meanwhile: bind again
        }
        if (!st.isSocket()) {
            throw new BindException(name + " exists and is not a socket; remove it or choose another path");
        }
        NativeSocket probe = NativeSocket.openUnix(type);
        try {
            probe.connect(name);
            return false;
        } catch (NativeException e) {
            if (e.errno() == Errno.EACCES) {
                throw new BindException(name + " is a socket this user may not connect to, so whether a server"
                        + " still serves it is unknown; remove it or choose another path");
            }
            return e.errno() == Errno.ECONNREFUSED;
        } finally {
            probe.close();
        }
    }

    /** The exception for a failed bind to {@code name}, with a message that says what to do. */
    static IOException bindError(int errno, UnixName name) {
        String dir = parent(name);
        return switch (errno) {
            case Errno.EADDRINUSE -> new BindException(name + " is already in use"
                    + (name.isAbstract() ? "" : " (a server is bound to it)"));
            case Errno.ENOENT -> new BindException("cannot create socket " + name + ": directory " + dir
                    + " does not exist");
            case Errno.ENOTDIR -> new BindException("cannot create socket " + name + ": " + dir
                    + " is not a directory");
            case Errno.EACCES, Errno.EPERM -> new BindException("cannot create socket " + name
                    + ": no permission to write in " + dir);
            default -> new IOException(Errors.exception("bind(" + name + ")", errno));
        };
    }

    private static String parent(UnixName name) {
        String p = name.text();
        int slash = p.lastIndexOf('/');
        return slash < 0 ? "." : slash == 0 ? "/" : p.substring(0, slash);
    }
}
