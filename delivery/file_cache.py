"""
The page cache in files, for a site without Redis (settings.CACHES): Django's file cache,
bounded by size as well as by count.

Django's FileBasedCache lists its whole directory on every write to count its entries, and
when there are too many it deletes a random third of them; it never looks at their size.
Here the directory is looked at only after some megabytes or some hundreds of writes, and
when it holds more than MAX_BYTES or MAX_ENTRIES, the files written longest ago go until
it is back to nine tenths of both. Each worker looks after its own writes, so with N workers
the directory can pass its bound by at most N looks' worth of writes before one of them
trims it.
"""

import os

from django.core.cache.backends.filebased import FileBasedCache


class BoundedFileCache(FileBasedCache):
    # Look at the directory after this many writes, or this share of MAX_BYTES written.
    LOOK_AFTER_WRITES = 500
    LOOK_AFTER_SHARE = 0.02

    def __init__(self, dir, params):
        super().__init__(dir, params)
        self._max_bytes = int(params.get("OPTIONS", {}).get("MAX_BYTES", 0)) or None
        self._writes = self._written = 0

    def _write_content(self, file, timeout, value):
        super()._write_content(file, timeout, value)
        self._writes += 1
        self._written += file.tell()

    def _cull(self):
        look_after = (self._max_bytes or 0) * self.LOOK_AFTER_SHARE
        if self._writes < self.LOOK_AFTER_WRITES and (not look_after or self._written < look_after):
            return
        self._writes = self._written = 0
        self.trim()

    def trim(self):
        """Delete the files written longest ago until both bounds are met with room."""
        files = []
        with os.scandir(self._dir) as entries:
            for entry in entries:
                if entry.name.endswith(self.cache_suffix):
                    try:
                        stat = entry.stat()
                    except FileNotFoundError:  # another worker deleted it
                        continue
                    files.append((stat.st_mtime_ns, stat.st_size, entry.path))
        total, count = sum(size for _, size, _ in files), len(files)
        max_bytes = self._max_bytes or float("inf")
        if total <= max_bytes and count < self._max_entries:
            return
        files.sort()
        for _, size, path in files:
            if total <= max_bytes * 0.9 and count <= self._max_entries * 0.9:
                break
            self._delete(path)
            total, count = total - size, count - 1
