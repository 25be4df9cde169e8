"""Bounded memory: ``sibrisk.batch.stream_summary`` keeps per-scenario indicator series and quantiles, and the age
detail only of the few scenarios asked for (``--detail 0 17``), so 100,000 enterprise-pension scenarios x the default
50 years fit in well under 1.5 GiB.

``asv`` measures ``peakmem_`` in its own process; to reproduce the README's figure in a fresh process::

    python -m benchmarks.bench_batch 100000      # prints peak RSS (ru_maxrss) and wall time
"""


class StreamSummary:
    params = [10000, 100000]
    param_names = ["n_scenarios"]
    timeout = 900

    def setup(self, n_scenarios):
        import sibrisk
        from sibrisk.batch import stream_summary

        self.scenario = sibrisk.load_scenario("enterprise_pension_national")
        stream_summary(self.scenario, 8, seed=1, progress=False)  # JIT warm-up, untimed

    def peakmem_stream_summary(self, n_scenarios):
        from sibrisk.batch import stream_summary

        stream_summary(self.scenario, n_scenarios, seed=42, progress=False)

    def time_stream_summary(self, n_scenarios):
        from sibrisk.batch import stream_summary

        stream_summary(self.scenario, n_scenarios, seed=42, progress=False)

    def peakmem_stream_summary_with_two_detail_scenarios(self, n_scenarios):
        """Age detail on request: two scenarios rerun alone with their age detail, memory of those two only."""
        from sibrisk.batch import stream_summary

        stream_summary(self.scenario, n_scenarios, seed=42, progress=False, detail_scenarios=[0, 17])


def main(argv=None) -> None:
    import argparse
    import resource
    import time

    import sibrisk
    from sibrisk.batch import stream_summary

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("n_scenarios", type=int, nargs="?", default=100_000)
    p.add_argument("--chunk", type=int, default=1000)
    p.add_argument("--detail", type=int, nargs="+", metavar="I", help="keep the age detail of these scenarios")
    a = p.parse_args(argv)
    sc = sibrisk.load_scenario("enterprise_pension_national")
    t = time.perf_counter()
    out = stream_summary(sc, a.n_scenarios, seed=42, chunk_size=a.chunk, progress=False, detail_scenarios=a.detail)
    wall = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB on Linux -> GiB
    print(f"{a.n_scenarios} scenarios x {out.sizes['year']} years, chunk {a.chunk}: peak RSS {peak:.2f} GiB, "
          f"{wall:.1f} s (compile included); kept {out.nbytes / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
