"""A bounded logging load from a second process: POST /api/interactions/ for `seconds`, recording
every answer. Used by the fault tests; talks only to the loopback address it is given."""

import json
import sys
import time

import requests


def main(base_url: str, token: str, customers: str, seconds: float, out: str):
    customer_ids = [int(c) for c in customers.split(",")]
    session = requests.Session()
    session.headers["Authorization"] = f"Token {token}"
    answers = []
    deadline = time.monotonic() + seconds
    i = 0
    while time.monotonic() < deadline and i < 20_000:
        body = {"customer": customer_ids[i % len(customer_ids)], "channel": "phone", "summary": f"fault load {i}",
                "promise_kept": i % 5 != 0}
        started = time.monotonic()
        try:
            r = session.post(base_url + "/api/interactions/", json=body, timeout=15)
            entry = {"status": r.status_code, "at": started, "content_type": r.headers.get("Content-Type", "")}
            if r.status_code == 201:
                entry["id"] = r.json()["id"]
            elif r.status_code >= 500:
                entry["body"] = r.text[:300]
        except requests.RequestException as exc:
            entry = {"status": 0, "at": started, "error": type(exc).__name__}
        answers.append(entry)
        i += 1
    with open(out, "w") as f:
        json.dump(answers, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5])
