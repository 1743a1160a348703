"""The cycle collector kept from stalling every thread: paused while acyclic input is read
(in any thread, on again when the last reader ends), and walking no settled index."""

from __future__ import annotations

import gc
import threading
import weakref

from geo.common.heap import collector_paused, release, settle


def test_collector_paused__stays_off_until_the_last_of_two_threads_ends():
    assert gc.isenabled()
    entered, leave_first, first_left, leave_second = (threading.Event() for _ in range(4))
    seen = {}

    def first():
        with collector_paused():
            entered.set()
            leave_first.wait(5)
        first_left.set()

    def second():
        entered.wait(5)
        with collector_paused():
            leave_first.set()
            first_left.wait(5)
            seen["after_first"] = gc.isenabled()
            leave_second.wait(5)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    first_left.wait(5)
    seen["while_second"] = gc.isenabled()
    leave_second.set()
    for t in threads:
        t.join(5)
    assert seen == {"after_first": False, "while_second": False}
    assert gc.isenabled()


def test_collector_paused__leaves_a_collector_that_was_off_off():
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_collector_paused__on_again_after_an_error():
    try:
        with collector_paused():
            raise ValueError("bad row")
    except ValueError:
        pass
    assert gc.isenabled()


class _Node:
    def __init__(self):
        self.me = self  # a cycle: only the collector frees it


def test_settle__collects_cycles_then_freezes_what_lives():
    try:
        garbage, kept = _Node(), _Node()
        gone = weakref.ref(garbage)
        del garbage
        settle()
        assert gone() is None  # collected before the freeze
        frozen = gc.get_freeze_count()
        assert frozen > 1000  # the test process's modules and objects
        lost = weakref.ref(kept)
        del kept
        gc.collect()
        assert lost() is not None  # frozen: a full collection does not walk it
        release()
        assert gc.get_freeze_count() == 0
        gc.collect()
        assert lost() is None  # given back, the next collection frees it
    finally:
        release()
