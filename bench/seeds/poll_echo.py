#!/usr/bin/env python3
"""The seeds' poll server as an echo server: TCP (default) or UDP, Python's standard
library only.

Written the way the seeds' poll posts write theirs: one select.poll() object, a map from
descriptor to handler, READ_ONLY and WRITE_ONLY masks switched with modify(), and a
process_event(fileno, event) per handler. poll() has no FD_SETSIZE: this server goes past
1024 connections (it raises its own descriptor limit to the hard limit first), but every
poll() call still hands the kernel every registered descriptor and the kernel checks each.

    python3 bench/seeds/poll_echo.py --port 3333
    echo hi | nc -N 127.0.0.1 3333

It prints "seed poll echo ready: tcp 127.0.0.1:PORT" once listening and stops on SIGTERM
or Ctrl-C. Unlike the seeds, it accepts every waiting connection at once and
logs connections only with -v, so that a benchmark measures the loop rather than the
connecting or the logging.
"""

import argparse
import logging
import resource
import select
import signal
import socket
import sys

# 配置日志 (logging, configured as in the seeds)
logger = logging.getLogger('poll-echo')
stream_handler = logging.StreamHandler()
stream_handler.setFormatter(logging.Formatter(
    '%(asctime)s - %(name)s - %(levelname)s - %(message)s'))
logger.addHandler(stream_handler)

BUFSIZE = 65536
# 常用的标识 (the masks of the seeds' poll server)
READ_ONLY = select.POLLIN | select.POLLPRI | select.POLLHUP | select.POLLERR
WRITE_ONLY = select.POLLOUT


class EventHandler(object):
    """定义事件处理器要实现的接口 (what an event handler implements)
    """

    def fileno(self):
        raise NotImplementedError('')

    def add_to_event_loop(self, loop, handlers):
        raise NotImplementedError('')

    def process_event(self, fileno, event):
        """事件内部只会调用这一个函数 (the loop calls only this)
        """
        raise NotImplementedError('')


class ClientHandler(EventHandler):
    """One TCP connection: reads, sends back, and waits for POLLOUT only when a send fell short."""

    def __init__(self, sock):
        self._sock = sock
        self._pending = b''
        self._wants_write = False

    def fileno(self):
        return self._sock.fileno()

    def add_to_event_loop(self, loop, handlers):
        self._loop = loop
        self._handlers = handlers
        handlers[self.fileno()] = self
        loop.register(self.fileno(), READ_ONLY)

    def process_event(self, fileno, event):
        if self._wants_write:
            self.write()
        else:
            self.read()

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
            sent = 0
        except OSError:
            self.close()
            return
        self._pending = self._pending[sent:]
        wants_write = bool(self._pending)
        if wants_write != self._wants_write:
            # 修改事件 (switch): wait to write the rest, then to read again
            self._wants_write = wants_write
            self._loop.modify(self.fileno(), WRITE_ONLY if wants_write else READ_ONLY)

    def close(self):
        logger.debug(f"close fd {self.fileno()}")
        fileno = self.fileno()
        self._loop.unregister(fileno)
        del self._handlers[fileno]
        self._sock.close()


class TcpServerHandler(EventHandler):
    """The listening socket: each POLLIN accepts every connection waiting.

    (The seeds accept one per event; with thousands of clients connecting at once, that
    makes the connecting itself cost a scan of every descriptor per connection.)
    """

    def __init__(self, sock):
        self._sock = sock

    def fileno(self):
        return self._sock.fileno()

    def add_to_event_loop(self, loop, handlers):
        self._loop = loop
        self._handlers = handlers
        handlers[self.fileno()] = self
        loop.register(self.fileno(), READ_ONLY)

    def process_event(self, fileno, event):
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
            ClientHandler(sock).add_to_event_loop(self._loop, self._handlers)


class UdpEchoHandler(EventHandler):
    """The UDP socket: each datagram goes back to its sender (a full buffer drops it)."""

    def __init__(self, sock):
        self._sock = sock

    def fileno(self):
        return self._sock.fileno()

    def add_to_event_loop(self, loop, handlers):
        handlers[self.fileno()] = self
        loop.register(self.fileno(), READ_ONLY)

    def process_event(self, fileno, event):
        try:
            message, addrs = self._sock.recvfrom(BUFSIZE)
            self._sock.sendto(message, addrs)
        except OSError:
            pass                # would block, or an ICMP error from an earlier send


def run(loop, handlers):
    """The event loop: poll() every registered descriptor, then hand each event to its handler."""
    while True:
        for fileno, event in loop.poll():
            handler = handlers.get(fileno)
            if handler is not None:
                handler.process_event(fileno, event)


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
    parser = argparse.ArgumentParser('poll_echo.py', description='the seeds\' poll server as an echo server')
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
        print(f"poll_echo.py: cannot listen on {args.host}:{args.port}: {err}", file=sys.stderr, flush=True)
        sys.exit(1)
    host, port = sock.getsockname()[:2]
    loop = select.poll()
    handlers = {}
    (UdpEchoHandler(sock) if args.udp else TcpServerHandler(sock)).add_to_event_loop(loop, handlers)
    logger.info(f"descriptor limit {limit}")
    address = f"[{host}]:{port}" if ':' in host else f"{host}:{port}"
    print(f"seed poll echo ready: {'udp' if args.udp else 'tcp'} {address}", flush=True)
    try:
        run(loop, handlers)
    except OSError as err:
        print(f"poll_echo.py: {err}", file=sys.stderr, flush=True)
        sys.exit(1)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
