"""The baseline: a trivial 3-asset Dagster materialisation in a fresh process."""
import dagster as dg


@dg.asset
def a() -> int:
    return 1


@dg.asset
def b(a: int) -> int:
    return a + 1


@dg.asset
def c(b: int) -> int:
    return b + 1


if __name__ == "__main__":
    assert dg.materialize([a, b, c], run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}).success
