"""Run a command with its standard error on a pseudo-terminal, as a person at a shell would:
progress bars (tqdm) draw only there."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import termios

from tests.shared import REPO


def on_terminal(command: list[str], *, timeout: float = 120) -> tuple[int, str]:
    """Run ``command`` (standard output discarded, standard error on an 80-column terminal);
    its exit status and what it printed there."""
    leader, follower = pty.openpty()
    # A terminal of 80 columns: a new pty has 0, where tqdm draws nothing.
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    try:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=follower, cwd=REPO)
        os.close(follower)
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # EIO: the process closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        status = process.wait(timeout=timeout)
    finally:
        os.close(leader)
    return status, seen.decode("utf-8", "replace")
