#!/usr/bin/env python3
"""notify_listener.py SOCKET LOG: stand in for systemd's NOTIFY_SOCKET.

Binds an AF_UNIX datagram socket at SOCKET and appends every message it
receives to LOG, one "key=value" per line, each message ending with a line
"--". Runs until killed."""
import os
import socket
import sys


def main():
    path, log = sys.argv[1], sys.argv[2]
    if os.path.exists(path):
        os.unlink(path)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    with open(log, "a", buffering=1) as out:
        out.write("listening\n")
        while True:
            data = s.recv(65536)
            out.write(data.decode("utf-8", "replace").rstrip("\n") + "\n--\n")


if __name__ == "__main__":
    main()
