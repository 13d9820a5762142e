"""The primary keys an import created, kept for undo as runs of consecutive ids.

An item is ``[first, last]`` for every id from first to last, or a bare number for one id:
``[[12, 15], 20]`` is 12, 13, 14, 15 and 20. An import draws its ids from the table's
sequence for a few thousand rows at a time, so the 1.3 million records of a 100,000-row
import fit in a few hundred runs, where a list of every id took some 80 MB while it was
built and saved. The lists of bare numbers that imports stored before read the same.
"""

from collections.abc import Sequence

Runs = list[int | list[int]]


def add_ids(runs: Runs, ids: Sequence[int]) -> None:
    """Append ``ids`` to ``runs``, in their order, joining consecutive ones."""
    if not ids:
        return
    first, last = ids[0], ids[-1]
    # The usual case, one block drawn from a sequence, is checked at C speed.
    if last - first == len(ids) - 1 and ids == list(range(first, last + 1)):
        _add_run(runs, first, last)
        return
    for pk in ids:
        _add_run(runs, pk, pk)


def _add_run(runs: Runs, first: int, last: int) -> None:
    if runs:
        previous = runs[-1]
        start, end = previous if isinstance(previous, list) else (previous, previous)
        if end + 1 == first:
            runs[-1] = [start, last]
            return
    runs.append(first if first == last else [first, last])


def all_ids(runs: Runs) -> list[int]:
    """Every id of ``runs``, in their order."""
    ids: list[int] = []
    for item in runs:
        if isinstance(item, list):
            ids.extend(range(item[0], item[1] + 1))
        else:
            ids.append(int(item))
    return ids


def count_ids(runs: Runs) -> int:
    return sum(item[1] - item[0] + 1 if isinstance(item, list) else 1 for item in runs)
