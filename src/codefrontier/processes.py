"""Small facts about processes on this machine, shared by the packages that leave a PID
behind for a later run to check (merge's partial outputs, the node's judge pool)."""

from __future__ import annotations

import os


def pid_alive(pid: int) -> bool:
    """Whether a process with this PID exists here (one owned by another user counts)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
