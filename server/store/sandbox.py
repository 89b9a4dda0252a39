"""Keep a worker process off the network: defence in depth behind the SERVICE and LOAD checks.

The query and update processes run pyoxigraph, whose HTTP client is what
SERVICE and LOAD use. Unless the settings allow federation, each such process
cuts itself off the network when it starts, before it reads any query, by the
first of these that the system permits (README, "Federation and LOAD"):

* ``namespace``: ``unshare(CLONE_NEWNET)`` moves the process into a network
  namespace of its own, which has no interface but a loopback that is down.
  Every ``connect`` (to the internet, and to 127.0.0.1 of the host) fails with
  "network is unreachable", and names do not resolve. Needs CAP_SYS_ADMIN
  (root, or a user namespace).
* ``seccomp``: a seccomp filter makes ``socket(AF_INET | AF_INET6 | AF_PACKET,
  …)`` and ``io_uring_setup`` fail with EACCES. Needs nothing but Linux
  (``PR_SET_NO_NEW_PRIVS``); Unix sockets (the pipe to the server) still work.

The chosen mechanism is reported to the server, which logs it and shows it on
``/healthz``. This module imports nothing of the project.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import platform
import socket
import struct

CLONE_NEWNET = 0x40000000
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
# BPF opcodes
LD_W_ABS = 0x20
JEQ_K = 0x15
JGE_K = 0x35
RET_K = 0x06
ARCH = {  # machine: (AUDIT_ARCH_*, socket, io_uring_setup)
    "x86_64": (0xC000003E, 41, 425),
    "aarch64": (0xC00000B7, 198, 425),
}
MECHANISMS = ("namespace", "seccomp")


class SandboxError(OSError):
    """The mechanism asked for could not be set up."""


def _libc():
    return ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)


def namespace() -> None:
    """Move this process (it must have one thread) into a new, empty network namespace."""
    libc = _libc()
    if libc.unshare(CLONE_NEWNET) != 0:
        code = ctypes.get_errno()
        raise SandboxError(code, f"unshare(CLONE_NEWNET): {os.strerror(code)}")


def seccomp() -> None:
    """Install a seccomp filter: no internet or packet sockets, no io_uring; everything else as before."""
    machine = platform.machine()
    if machine not in ARCH:
        raise SandboxError(errno.ENOSYS, f"no seccomp filter for the {machine} architecture")
    audit_arch, nr_socket, nr_io_uring = ARCH[machine]
    deny = SECCOMP_RET_ERRNO | errno.EACCES

    def ins(code, jt, jf, k):
        return struct.pack("HBBI", code, jt, jf, k)

    program = [
        ins(LD_W_ABS, 0, 0, 4),  # 0: seccomp_data.arch
        ins(JEQ_K, 1, 0, audit_arch),  # 1
        ins(RET_K, 0, 0, deny),  # 2: another ABI (i386 on x86_64): refuse every call
        ins(LD_W_ABS, 0, 0, 0),  # 3: seccomp_data.nr
        ins(JGE_K, 0, 1, 0x40000000),  # 4: the x32 ABI's numbers
        ins(RET_K, 0, 0, deny),  # 5
        ins(JEQ_K, 0, 1, nr_io_uring),  # 6
        ins(RET_K, 0, 0, deny),  # 7
        ins(JEQ_K, 1, 0, nr_socket),  # 8
        ins(RET_K, 0, 0, SECCOMP_RET_ALLOW),  # 9: any other call
        ins(LD_W_ABS, 0, 0, 16),  # 10: seccomp_data.args[0], low 32 bits: the address family
        ins(JEQ_K, 3, 0, socket.AF_INET),  # 11
        ins(JEQ_K, 2, 0, socket.AF_INET6),  # 12
        ins(JEQ_K, 1, 0, getattr(socket, "AF_PACKET", 17)),  # 13
        ins(RET_K, 0, 0, SECCOMP_RET_ALLOW),  # 14: Unix and netlink sockets
        ins(RET_K, 0, 0, deny),  # 15
    ]
    filters = ctypes.create_string_buffer(b"".join(program))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    prog = SockFprog(len(program), ctypes.cast(filters, ctypes.c_void_p))
    libc = _libc()
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        code = ctypes.get_errno()
        raise SandboxError(code, f"prctl(PR_SET_NO_NEW_PRIVS): {os.strerror(code)}")
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        code = ctypes.get_errno()
        raise SandboxError(code, f"prctl(PR_SET_SECCOMP): {os.strerror(code)}")


def isolate(mode: str = "auto") -> str:
    """Cut this process off the network; the mechanism now in force, or "none: <why>" if none could be set up.

    ``mode`` is "auto" (the namespace, else seccomp), "namespace" or "seccomp";
    a mechanism asked for by name that cannot be set up raises SandboxError.
    """
    order = MECHANISMS if mode == "auto" else (mode,)
    reasons = []
    for name in order:
        try:
            {"namespace": namespace, "seccomp": seccomp}[name]()
            return name
        except (SandboxError, OSError, AttributeError) as exc:
            if mode != "auto":
                raise SandboxError(errno.EPERM, f"network sandbox {name!r} could not be set up: {exc}") from None
            reasons.append(f"{name}: {exc}")
    return "none: " + "; ".join(reasons)


def reachable(host: str = "127.0.0.1", port: int = 9) -> str:
    """What happens when this process opens a TCP connection (for the tests and the log): 'refused', 'unreachable', …"""
    try:
        with socket.create_connection((host, port), timeout=2):
            return "connected"
    except PermissionError:
        return "forbidden"
    except ConnectionRefusedError:
        return "refused"
    except OSError as exc:
        return "unreachable" if exc.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH) else f"error {exc.errno}"
