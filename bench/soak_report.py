"""The soak's summary: growth per 100 sales and the lines printed at the end (bench/soak.py)."""

from __future__ import annotations

from typing import Any

from benchmark import print_table


def growth(samples: list[dict[str, Any]], key: str, start: int) -> float | None:
    """Least-squares slope of `key` per 100 sales over the samples from sale `start` on."""
    points = [(s["sales"], s[key]) for s in samples if s["sales"] >= start and not s["final"]]
    if len(points) < 2:
        return None
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    if sxx == 0:
        return None
    return round(100 * sum((x - mx) * (y - my) for x, y in points) / sxx, 3)


def report(doc: dict[str, Any]) -> None:
    samples = doc["samples"]
    if not samples:
        print(f"\nno samples: {doc['driver_error']}")
        return
    first, last = samples[0], samples[-1]
    warm = next((s for s in samples if s["sales"] >= 100), first)
    half = samples[-1]["sales"] // 2
    doc["growth_per_100_sales"] = {
        key: {
            "all": growth(samples, key, 0),
            "after_100": growth(samples, key, 100),
            "second_half": growth(samples, key, half),
        }
        for key in ("rss_mib", "uss_mib", "py_objects", "qt_objects", "threads")
    }
    m = doc["machine"]
    print(
        f"\nsoak {doc['date']}: {m['cpu_count']} x {m['cpu_model']}, Python {m['python']}, "
        f"PySide6 {m['pyside6']}; wall time {doc['wall_s']:.0f} s"
    )
    print_table(
        "RSS and counts along the way",
        [
            [
                "sales",
                "s",
                "RSS MiB",
                "USS MiB",
                "threads",
                "Qt timers",
                "active",
                "QObjects",
                "widgets",
                "trackers",
                "py objects",
            ],
            *[
                [
                    s["sales"],
                    f"{s['elapsed_s']:.0f}",
                    f"{s['rss_mib']:.1f}",
                    f"{s['uss_mib']:.1f}",
                    s["threads"],
                    s["qt_timers"],
                    s["qt_timers_active"],
                    s["qt_objects"],
                    s["widgets"],
                    s["trackers"],
                    s["py_objects"],
                ]
                for s in samples
            ],
        ],
    )
    g = doc["growth_per_100_sales"]
    print_table(
        "growth per 100 sales (least squares)",
        [
            ["figure", "all samples", "after sale 100", "second half"],
            *[[k, v["all"], v["after_100"], v["second_half"]] for k, v in g.items()],
        ],
    )
    j = doc["journal"]
    print_table(
        "before / after",
        [
            ["figure", "before", "after 100", "at the end"],
            ["RSS MiB", first["rss_mib"], warm["rss_mib"], last["rss_mib"]],
            ["threads (OS)", first["threads"], warm["threads"], last["threads"]],
            ["Qt timers", first["qt_timers"], warm["qt_timers"], last["qt_timers"]],
            ["QObjects", first["qt_objects"], warm["qt_objects"], last["qt_objects"]],
        ],
    )
    print(f"\njournal: {j['sales_in_journal']} sales, states {j['states']}")
    print(f"  state/reason: {j['state_reasons']}")
    print(f"  planned: {j['planned_kinds']}")
    print(
        f"  unfinished {len(j['unfinished'])}, needing attention {len(j['needing_attention'])},"
        f" outcome mismatches {len(j['outcome_mismatches'])}, processed but not confirmed "
        f"{len(j['processed_not_confirmed'])}, extra {len(j['extra_sales_in_journal'])}"
    )
    f = j["faults"]
    print(
        f"  faults: {f['sales_with_faults']} sales, {f['status_reads_failed_seen']} of "
        f"{f['status_reads_failed_planned']} planned failed status reads seen by the kiosk"
    )
    for line in j["outcome_mismatches"][:10] + doc["problems"][:10]:
        print(f"  ! {line}")
    print(
        f"  driver: late long-poll answers {doc['late_long_polls']}, refusals "
        f"{doc['refusals'] or 0}, error {doc['driver_error']}; kiosk log errors "
        f"{doc['log']['errors']}"
    )
    print(
        f"  sale duration median {doc['sale_seconds'].get('median')} s, "
        f"max {doc['sale_seconds'].get('max')} s"
    )
    print("RESULT: " + ("OK" if j["ok"] and not doc["driver_error"] else "PROBLEMS"))
