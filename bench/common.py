"""Helpers shared by the benchmarks: percentiles and a throwaway embedded stack."""

import statistics
from collections.abc import Sequence


def pct(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def summary(name: str, latencies_ms: Sequence[float]) -> str:
    return (f"{name:<28} p50 {pct(latencies_ms, 50):7.1f} ms   p99 {pct(latencies_ms, 99):7.1f} ms"
            f"   mean {statistics.fmean(latencies_ms):7.1f} ms   n={len(latencies_ms)}")
