#!/usr/bin/env python3
"""The seeds' select reactor as an echo server: TCP (default) or UDP, Python's standard
library only.

Written the way the seeds' first post writes its time server: every socket has an event
handler that says whether it wants to read or to write, and the loop asks select.select()
about all of them on every turn. select() takes descriptors below FD_SETSIZE (1024) only:
past that, select.select() raises ValueError ("filedescriptor out of range in select()"),
and this server stops with that line on stderr and exit status 1, as the seeds' code would.

    python3 bench/seeds/select_echo.py --port 3333
    echo hi | nc -N 127.0.0.1 3333

It prints "seed select echo ready: tcp 127.0.0.1:PORT" once listening and stops on
SIGTERM or Ctrl-C. Unlike the seeds, it accepts every waiting connection at once and logs
connections only with -v, so that a benchmark measures the loop rather than the connecting
or the logging.
"""

import argparse
import logging
import resource
import select
import signal
import socket
import sys

# 配置日志 (logging, configured as in the seeds)
logger = logging.getLogger('select-echo')
stream_handler = logging.StreamHandler()
stream_handler.setFormatter(logging.Formatter(
    '%(asctime)s - %(name)s - %(levelname)s - %(message)s'))
logger.addHandler(stream_handler)

BUFSIZE = 65536


class EventHandler(object):
    """定义事件处理器要实现的接口 (what an event handler implements)
    """

    def fileno(self):
        raise NotImplementedError('')

    def wants_read(self):
        raise NotImplementedError('')

    def wants_write(self):
        raise NotImplementedError('')

    def read(self):
        raise NotImplementedError('')

    def write(self):
        raise NotImplementedError('')


class ClientHandler(EventHandler):
    """One TCP connection: reads, sends back, and waits to write only what did not fit."""

    def __init__(self, sock, handlers):
        self._sock = sock
        self._handlers = handlers
        self._pending = b''
        self.closed = False

    def fileno(self):
        return self._sock.fileno()

    def wants_read(self):
        return not self._pending

    def wants_write(self):
        return bool(self._pending)

    def read(self):
        try:
            data = self._sock.recv(BUFSIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b''          # reset by the peer
        if not data:
            self.close()
            return
        self._pending = data
        self.write()

    def write(self):
        try:
            sent = self._sock.send(self._pending)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self.close()
            return
        self._pending = self._pending[sent:]

    def close(self):
        logger.debug(f"close fd {self.fileno()}")
        self.closed = True
        self._handlers.discard(self)
        self._sock.close()


class TcpServerHandler(EventHandler):
    """The listening socket: each readable turn accepts every connection waiting.

    (The seeds accept one per turn; with thousands of clients connecting at once, that
    makes the connecting itself cost a scan of every descriptor per connection.)
    """

    def __init__(self, sock, handlers):
        self._sock = sock
        self._handlers = handlers
        self.closed = False

    def fileno(self):
        return self._sock.fileno()

    def wants_read(self):
        return True

    def wants_write(self):
        return False

    def read(self):
        while True:
            try:
                sock, addrs = self._sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except ConnectionAbortedError:
                continue
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            logger.debug(f"new connection fd {sock.fileno()} from {addrs}")
            self._handlers.add(ClientHandler(sock, self._handlers))


class UdpEchoHandler(EventHandler):
    """The UDP socket: each datagram goes back to its sender (a full buffer drops it)."""

    def __init__(self, sock):
        self._sock = sock
        self.closed = False

    def fileno(self):
        return self._sock.fileno()

    def wants_read(self):
        return True

    def wants_write(self):
        return False

    def read(self):
        try:
            message, addrs = self._sock.recvfrom(BUFSIZE)
            self._sock.sendto(message, addrs)
        except OSError:
            pass                # would block, or an ICMP error from an earlier send


def loop(handlers):
    """实现事件循环 (the event loop): ask select about every handler, on every turn."""
    while True:
        reads = [h for h in handlers if h.wants_read()]
        writes = [h for h in handlers if h.wants_write()]
        rs, ws, _ = select.select(reads, writes, [])
        for r in rs:
            if not r.closed:
                r.read()
        for w in ws:
            if not w.closed:
                w.write()


def open_socket(host, port, udp):
    family = socket.AF_INET6 if ':' in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM if udp else socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    if not udp:
        sock.listen(socket.SOMAXCONN)
    sock.setblocking(False)
    return sock


def raise_fd_limit():
    """Lets the process open as many descriptors as the hard limit allows."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def main():
    parser = argparse.ArgumentParser('select_echo.py', description='the seeds\' select reactor as an echo server')
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', default=3333, type=int)
    parser.add_argument('--udp', action='store_true', help='echo UDP datagrams instead of TCP')
    parser.add_argument('--tcp', action='store_true', help='echo TCP (the default)')
    parser.add_argument('-v', '--verbose', action='store_true', help='log every connection')
    args = parser.parse_args()
    logger.setLevel(logging.DEBUG if args.verbose else logging.INFO)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))

    limit = raise_fd_limit()
    try:
        sock = open_socket(args.host, args.port, args.udp)
    except OSError as err:
        print(f"select_echo.py: cannot listen on {args.host}:{args.port}: {err}", file=sys.stderr, flush=True)
        sys.exit(1)
    host, port = sock.getsockname()[:2]
    handlers = set()
    handlers.add(UdpEchoHandler(sock) if args.udp else TcpServerHandler(sock, handlers))
    logger.info(f"descriptor limit {limit}; select() takes descriptors below 1024 only")
    address = f"[{host}]:{port}" if ':' in host else f"{host}:{port}"
    print(f"seed select echo ready: {'udp' if args.udp else 'tcp'} {address}", flush=True)
    try:
        loop(handlers)
    except ValueError as err:
        biggest = max(h.fileno() for h in handlers)
        print(f"select_echo.py: select.select() raised ValueError: {err} (highest descriptor {biggest};"
              f" FD_SETSIZE is 1024)", file=sys.stderr, flush=True)
        sys.exit(1)
    except OSError as err:
        print(f"select_echo.py: {err}", file=sys.stderr, flush=True)
        sys.exit(1)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
