#!/usr/bin/env python3
"""The seeds' epoll server as an echo server: TCP (default) or UDP, Python's standard
library only.

Written the way the seeds' epoll post writes it: create_listen_socket(), run_server(),
handle_events() and a CONNECTIONS map from descriptor to socket, with level-triggered
registrations (no EPOLLET). A connection is registered for EPOLLIN only (the seed's
default mask adds EPOLLOUT, which a level-triggered epoll would report on every call for
every connection) and for EPOLLOUT only while a send fell short. epoll keeps the interest
list in the kernel, so a wait returns the ready descriptors without checking the others;
this server raises its own descriptor limit to the hard limit first, to go past 1024.

    python3 bench/seeds/epoll_echo.py --port 3333
    echo hi | nc -N 127.0.0.1 3333

It prints "seed epoll echo ready: tcp 127.0.0.1:PORT" once listening and stops on SIGTERM
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

DEFAULT_LOG_FORMAT = '%(asctime)s - %(name)s - %(levelname)s - %(message)s'
LOGGER = logging.getLogger('epoll-echo')

BUFSIZE = 65536
EPOLL_BLOCK_DURATION_S = -1

# 把已经连接好的 socket 的文件标识符和其本身建立关联关系 (descriptor -> connected socket)
CONNECTIONS = {}
# descriptor -> bytes a send could not take yet
PENDING = {}


def configure_logging(verbose):
    """
    初始化 logger
    """
    LOGGER.setLevel(logging.DEBUG if verbose else logging.INFO)
    ch = logging.StreamHandler()
    ch.setFormatter(logging.Formatter(DEFAULT_LOG_FORMAT))
    LOGGER.addHandler(ch)


def close_connection(epoll_obj, fd):
    LOGGER.debug('Close connection fd {}'.format(fd))
    epoll_obj.unregister(fd)
    CONNECTIONS.pop(fd).close()
    PENDING.pop(fd, None)


def send(epoll_obj, fd, data):
    """Sends what the socket takes; waits for EPOLLOUT for the rest, EPOLLIN again once it is sent."""
    conn_socket = CONNECTIONS[fd]
    try:
        sent = conn_socket.send(data)
    except (BlockingIOError, InterruptedError):
        sent = 0
    except OSError:
        close_connection(epoll_obj, fd)
        return
    rest = data[sent:]
    if rest and fd not in PENDING:
        epoll_obj.modify(fd, select.EPOLLOUT)
    elif not rest and fd in PENDING:
        epoll_obj.modify(fd, select.EPOLLIN)
    if rest:
        PENDING[fd] = rest
    else:
        PENDING.pop(fd, None)


def handle_events(epoll_obj, listen_socket, udp, events_fd, events):
    # 处理监听连接的 socket (the listening socket)
    if events_fd == listen_socket.fileno():
        if udp:
            try:
                message, addrs = listen_socket.recvfrom(BUFSIZE)
                listen_socket.sendto(message, addrs)
            except OSError:
                pass            # would block, or an ICMP error from an earlier send
            return
        # every connection waiting (the seed accepts one per event)
        while True:
            try:
                conn_socket, address = listen_socket.accept()
            except (BlockingIOError, InterruptedError):
                return
            except ConnectionAbortedError:
                continue
            conn_socket.setblocking(0)
            conn_socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn_fd = conn_socket.fileno()
            LOGGER.debug('Register connection fd {} from {}'.format(conn_fd, address))
            epoll_obj.register(conn_fd, select.EPOLLIN)
            CONNECTIONS[conn_fd] = conn_socket
    # 处理已经连接好的 socket (a connection)
    elif events_fd in PENDING:
        send(epoll_obj, events_fd, PENDING[events_fd])
    else:
        try:
            b = CONNECTIONS[events_fd].recv(BUFSIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            b = b''             # reset by the peer
        if b:
            send(epoll_obj, events_fd, b)
        # 没有数据就关闭连接 (no data: the peer closed)
        else:
            close_connection(epoll_obj, events_fd)


def create_listen_socket(host, port, udp):
    family = socket.AF_INET6 if ':' in host else socket.AF_INET
    listen_socket = socket.socket(family, socket.SOCK_DGRAM if udp else socket.SOCK_STREAM)
    listen_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listen_socket.bind((host, port))
    if not udp:
        listen_socket.listen(socket.SOMAXCONN)
    listen_socket.setblocking(0)
    return listen_socket


def run_server(listen_socket, udp):
    epoll_obj = select.epoll()
    epoll_obj.register(listen_socket.fileno(), select.EPOLLIN)
    try:
        while True:
            fd_and_events = epoll_obj.poll(EPOLL_BLOCK_DURATION_S)
            for fd, events in fd_and_events:
                if fd == listen_socket.fileno() or fd in CONNECTIONS:
                    handle_events(epoll_obj, listen_socket, udp, fd, events)
    finally:
        epoll_obj.close()
        listen_socket.close()


def raise_fd_limit():
    """Lets the process open as many descriptors as the hard limit allows."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def main():
    parser = argparse.ArgumentParser('epoll_echo.py', description='the seeds\' epoll server as an echo server')
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', default=3333, type=int)
    parser.add_argument('--udp', action='store_true', help='echo UDP datagrams instead of TCP')
    parser.add_argument('--tcp', action='store_true', help='echo TCP (the default)')
    parser.add_argument('-v', '--verbose', action='store_true', help='log every connection')
    args = parser.parse_args()
    configure_logging(args.verbose)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))

    limit = raise_fd_limit()
    try:
        listen_socket = create_listen_socket(args.host, args.port, args.udp)
    except OSError as err:
        print(f"epoll_echo.py: cannot listen on {args.host}:{args.port}: {err}", file=sys.stderr, flush=True)
        sys.exit(1)
    host, port = listen_socket.getsockname()[:2]
    LOGGER.info(f"descriptor limit {limit}")
    address = f"[{host}]:{port}" if ':' in host else f"{host}:{port}"
    print(f"seed epoll echo ready: {'udp' if args.udp else 'tcp'} {address}", flush=True)
    try:
        run_server(listen_socket, args.udp)
    except OSError as err:
        print(f"epoll_echo.py: {err}", file=sys.stderr, flush=True)
        sys.exit(1)
    except KeyboardInterrupt:
        pass


if __name__ == '__main__':
    main()
