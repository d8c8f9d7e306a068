"""Locust users sending at a constant rate (open loop), for bench/open_loop.py; not run by hand.

The users share one schedule: request k is due at start + k / RATE, whatever happened to the ones
before it (user u takes the slots u, u + USERS, u + 2 x USERS, ...). A user waits for its slot, sends,
and records its latency from the slot's time, not from when it could send: when the server falls
behind, the requests it delays count as late (no coordinated omission). Locust's own
`constant_throughput` paces each user the same way but sends late without counting the wait, and
never catches up; this is that pacing with a fixed schedule.

Environment: OPEN_LOOP_RATE (requests/s), OPEN_LOOP_USERS, OPEN_LOOP_SECONDS (how long requests are
scheduled), OPEN_LOOP_REQUESTS (a JSON file of [method, path, headers, body] to cycle through),
OPEN_LOOP_OUT (where the samples go: [[due, latency_ms, status], ...], in schedule order).
"""

import itertools
import json
import os
import time

import gevent
from locust import FastHttpUser, events, task

RATE = float(os.environ["OPEN_LOOP_RATE"])
USERS = int(os.environ["OPEN_LOOP_USERS"])
SECONDS = float(os.environ["OPEN_LOOP_SECONDS"])
with open(os.environ["OPEN_LOOP_REQUESTS"]) as f:
    REQUESTS = json.load(f)
SLOTS = int(RATE * SECONDS)
START_DELAY = 2.0  # every user is spawned before the first slot

state = {"start": None, "users": itertools.count()}
samples: list[list] = []


@events.test_start.add_listener
def on_test_start(environment, **kwargs):
    state["start"] = time.monotonic() + START_DELAY


@events.test_stop.add_listener
def on_test_stop(environment, **kwargs):
    with open(os.environ["OPEN_LOOP_OUT"], "w") as f:
        json.dump(sorted(samples), f)


class OpenLoop(FastHttpUser):
    host = os.environ.get("OPEN_LOOP_HOST", "http://127.0.0.1")
    network_timeout = 10.0
    connection_timeout = 10.0

    def wait_time(self):
        return 0  # the task waits for its own slot

    def on_start(self):
        self.slot = next(state["users"])

    @task
    def send(self):
        if self.slot >= SLOTS:
            gevent.sleep(1)  # all of this user's slots are done: idle until locust stops
            return
        due = state["start"] + self.slot / RATE
        method, path, headers, body = REQUESTS[self.slot % len(REQUESTS)]
        self.slot += USERS
        pause = due - time.monotonic()
        if pause > 0:
            gevent.sleep(pause)
        try:
            with self.client.request(method, path, headers=headers, data=body, catch_response=True) as response:
                status = response.status_code or 0
                response.success()  # judged by bench/open_loop.py from the samples
        except Exception:  # noqa: BLE001  (a refused or timed-out request is an error sample)
            status = 0
        samples.append([round(due - state["start"], 4), round((time.monotonic() - due) * 1000, 2), status])
