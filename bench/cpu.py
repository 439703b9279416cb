"""CPU time of a process (a gunicorn worker, a PostgreSQL server process), as the benchmarks read it."""

from pathlib import Path


def process_cpu(pid: int | None) -> float:
    """CPU seconds a process has used so far, its threads' time on a CPU in nanoseconds (/proc/PID/task/*/schedstat;
    user and system time in /proc/PID/stat count 10 ms clock ticks, too coarse for requests of a few milliseconds).
    0 for None or a process gone meanwhile (a connection closed)."""
    if pid is None:
        return 0.0
    nanoseconds = 0
    for schedstat in Path(f"/proc/{pid}/task").glob("*/schedstat"):
        try:
            nanoseconds += int(schedstat.read_text().split()[0])
        except (FileNotFoundError, ProcessLookupError):  # a thread or the process ended meanwhile
            continue
    return nanoseconds / 1e9
