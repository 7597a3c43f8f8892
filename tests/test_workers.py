"""Query workers: the memory copy of the store answers exactly as the on-disk store does."""

from __future__ import annotations

import asyncio
import time

import pytest

from cakg.queries import load_saved_queries
from cakg.server import Service, ServiceConfig
from cakg.store import open_store
from cakg.workers import Job, Status, WorkerPool, _Current, copy_into_memory

from conftest import ROOT


def test_memory_copy_holds_the_same_quads(real_build):
    disk = open_store(real_build)
    memory = copy_into_memory(disk)
    expected = set(disk.quads_for_pattern(None, None, None, None))
    assert len(expected) > 10_000
    assert set(memory.quads_for_pattern(None, None, None, None)) == expected


async def _answers(store_path: str, in_memory: bool, queries: dict[str, str]) -> tuple[str, dict]:
    pool = WorkerPool(store_path, size=1, timeout=30, in_memory=in_memory)
    await pool.start()
    try:
        deadline = time.monotonic() + 60
        where = (await pool.run(Status()))[1]
        while in_memory and where != "memory" and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
            where = (await pool.run(Status()))[1]
        answers = {name: await pool.run(Job(text, "", 100_000)) for name, text in queries.items()}
        return where, answers
    finally:
        await pool.stop()


def test_every_saved_query_answers_the_same_from_the_memory_copy(real_build):
    queries = {name: query.bind({}) for name, query in load_saved_queries(ROOT / "queries").items()}
    store_path = str(real_build / "store")
    where_disk, on_disk = asyncio.run(_answers(store_path, False, queries))
    where_memory, in_memory = asyncio.run(_answers(store_path, True, queries))
    assert (where_disk, where_memory) == ("disk", "memory")
    assert sum(len(answer[2]) for answer in on_disk.values() if answer[0] == "table") > 1_000
    for name in queries:
        assert in_memory[name] == on_disk[name], name


class _BrokenStore:
    """A store whose dump fails part-way, as a full disk would make it."""

    def dump(self, *args, **kwargs):
        raise OSError(28, "No space left on device")


def test_a_failed_copy_keeps_answering_from_disk():
    disk = _BrokenStore()
    current = _Current(disk)
    current.copy_in_background().join(timeout=10)
    assert current.where == "disk" and current.store is disk


@pytest.mark.parametrize("limit, where", [(2_000_000, "memory copy"), (0, "disk"), (100, "disk")])
def test_the_build_size_decides_whether_workers_copy(real_build, limit, where):
    service = Service(ServiceConfig(build_dir=real_build, queries_dir=ROOT / "queries", in_memory_max=limit))
    assert service.pool.in_memory == (where == "memory copy")
