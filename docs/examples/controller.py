#!/usr/bin/env python3
"""Sell one item through the kiosk's host API (docs/hostapi/openapi.yaml), with `requests`.

    controller.py --url http://127.0.0.1:8765 --token TOKEN --amount 150

Prints the sale's final state; exit 0 only when paid (processed, no refund needed),
1 when not paid, 2 when the outcome is still unknown at --give-up.
"""

import argparse
import sys
import time
import uuid

import requests

FINAL = {"processed", "failed", "cancelled"}  # `unknown` may still become one of them


def call(http, method, url, give_up, timeout=10, **kwargs):
    """One call, repeated while the kiosk starts (503) or cannot be reached. Repeating is
    safe: reads change nothing, and a create carries the same external_id, so a lost
    answer returns the sale it made instead of charging again."""
    while True:
        try:
            answer = http.request(method, url, timeout=timeout, **kwargs)
            if answer.status_code != 503:
                return answer
            why = answer.json()["message"]
        except requests.RequestException as exc:  # refused, reset, timed out
            why = type(exc).__name__
        if time.monotonic() > give_up:  # a create may have gone through: unknown
            print(f"unknown: the kiosk did not answer in time ({why})")
            sys.exit(2)
        print(f"waiting for the kiosk: {why}", file=sys.stderr)
        time.sleep(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the host API, e.g. http://127.0.0.1:8765")
    parser.add_argument("--token", required=True, help="host_api.token of the kiosk")
    parser.add_argument("--amount", required=True, help="tenge, e.g. 150 or 150.50")
    parser.add_argument("--give-up", type=float, default=600, help="seconds (default 600)")
    args = parser.parse_args()
    give_up = time.monotonic() + args.give_up
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {args.token}"
    base = args.url.rstrip("/") + "/v1"
    # One id per purchase, made before the first try and kept for every retry.
    body = {"amount": args.amount, "external_id": f"order-{uuid.uuid4().hex}"}
    answer = call(http, "POST", f"{base}/sales", give_up, json=body)
    if answer.status_code not in (200, 201):
        sys.exit(f"refused: {answer.status_code} {answer.json()['error']}")
    sale = answer.json()
    print(f"sale {sale['sale_id']}: {sale['amount']} tenge, {sale['state']}", flush=True)
    while sale["state"] not in FINAL and time.monotonic() < give_up:
        params = {"wait": 30, "state": sale["state"]}  # answers as soon as it moves on
        url = f"{base}/sales/{sale['sale_id']}"
        sale = call(http, "GET", url, give_up, params=params, timeout=40).json()
        print(f"  -> {sale['state']}", flush=True)
    paid = sale["state"] == "processed" and not sale["needs_refund"]
    print(f"{sale['state']}{'' if paid else ' (' + str(sale['reason']) + ')'}")
    return 0 if paid else 2 if sale["state"] not in FINAL else 1


if __name__ == "__main__":
    sys.exit(main())
