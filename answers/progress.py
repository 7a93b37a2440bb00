"""A progress bar for the management commands, on a terminal only (tqdm): cron and logs
get the commands' own lines and nothing else."""

from tqdm import tqdm


def progress(iterable, total, label, stream):
    """`iterable`, drawing a bar on `stream` (a command's stderr) when it is a terminal."""
    return tqdm(
        iterable,
        total=total,
        desc=label,
        unit=" answers",
        file=stream,
        disable=not getattr(stream, "isatty", lambda: False)(),
        leave=True,
    )
